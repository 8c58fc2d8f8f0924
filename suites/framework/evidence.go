package framework

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
)

// Evidence is the redacted record of one exchange, attached to the spec's
// report so that JSON and JUnit reports carry what was sent and received.
// Every field is redacted and bounded, however large the answer: a header
// value or body that was cut says how long it was, and headers that were not
// shown at all are counted in ResponseHeadersCut.
type Evidence struct {
	Operation       string            `json:"operation"`
	Method          string            `json:"method"`
	URL             string            `json:"url"`
	RequestHeaders  map[string]string `json:"request_headers"`
	RequestBody     string            `json:"request_body,omitempty"`
	Status          int               `json:"status,omitempty"`
	ResponseHeaders map[string]string `json:"response_headers,omitempty"`
	// ResponseHeadersCut says how many response headers, and how many bytes
	// of them, did not fit in the report.
	ResponseHeadersCut string `json:"response_headers_cut,omitempty"`
	ResponseBody       string `json:"response_body,omitempty"`
	Error              string `json:"error,omitempty"`
	Contract           string `json:"contract"`
	// UndocumentedStatus is set when the contract does not describe the
	// answer's status for the operation at all.
	UndocumentedStatus bool   `json:"undocumented_status,omitempty"`
	ElapsedMS          int64  `json:"elapsed_ms"`
	Curl               string `json:"curl"`
}

// What evidence shows of an answer at most, so reports and memory stay
// small whatever an endpoint sends.
const (
	shownBody        = 2048 // bytes of a body
	shownHeaderValue = 256  // bytes of one header value
	shownHeaderName  = 64   // bytes of one header name
	shownHeaders     = 4096 // bytes of all the headers of one message
	shownLine        = 1024 // bytes of an error, a contract finding, a matcher's "got"
)

// Evidence returns the redacted record of x.
func (x *Exchange) Evidence() Evidence {
	e := x.env
	ev := Evidence{
		Operation:   x.Operation.String(),
		Method:      e.Redact(x.Request.Method),
		URL:         e.clip(x.Request.URL.String(), shownBody),
		RequestBody: e.clipBytes(x.RequestBody, shownBody),
		ElapsedMS:   x.Elapsed.Milliseconds(),
		Curl:        e.Redact(x.Curl()),
		Contract:    "conforms",
	}
	ev.RequestHeaders, _ = x.headers(x.Request.Header)
	switch {
	case x.Err != nil:
		ev.Error = e.clip(x.Err.Error(), shownLine)
		ev.Contract = "no answer"
	default:
		ev.Status = x.Status
		ev.ResponseHeaders, ev.ResponseHeadersCut = x.headers(x.Header)
		ev.ResponseBody = e.clipBytes(x.Body, shownBody)
		if x.Truncated {
			ev.ResponseBody += fmt.Sprintf(" [body longer than %d bytes; the rest was not read]", MaxResponseBody)
		}
		if x.Contract != nil {
			ev.Contract = e.clip(firstLine(x.Contract.Error()), shownLine)
			var undocumented *spec.UndocumentedStatusError
			ev.UndocumentedStatus = errors.As(x.Contract, &undocumented)
		}
	}
	return ev
}

// LazyEvidence is an exchange's report entry: its Evidence is worked out
// when first asked for (a report, the verbose console, a worker's report to
// its parent), since a run of thousands of specs that pass on the mocks
// asks for none, and redacting them all as they ran was a tenth of its
// time. An exchange too large to keep as it is gets its Evidence at once,
// so memory still grows with the number of exchanges, not with the size of
// answers.
type LazyEvidence struct {
	mu sync.Mutex
	x  *Exchange // nil once ev is worked out
	ev Evidence
}

// lazyEvidence returns x's report entry.
func (x *Exchange) lazyEvidence() *LazyEvidence {
	l := &LazyEvidence{x: x}
	if !x.small() {
		l.Evidence()
	}
	return l
}

// small reports whether x holds no more than its Evidence would keep.
func (x *Exchange) small() bool {
	size := len(x.Body)
	for k, vs := range x.Header {
		size += len(k)
		for _, v := range vs {
			size += len(v)
		}
	}
	return size <= shownBody+shownHeaders && (x.Err == nil || len(x.Err.Error()) <= shownLine)
}

// Evidence returns the exchange's redacted record, the same every time.
func (l *LazyEvidence) Evidence() Evidence {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.x != nil {
		l.ev, l.x = l.x.Evidence(), nil
	}
	return l.ev
}

func (l *LazyEvidence) String() string { return l.Evidence().String() }

func (l *LazyEvidence) MarshalJSON() ([]byte, error) { return json.Marshal(l.Evidence()) }

// Undocumented returns "<status> from <operation>" for an answer whose
// status the contract does not describe, as Evidence would say it, without
// working the Evidence out. A 429 is left out: it says the endpoint was
// busy, which the summary's THROTTLED line counts.
func (l *LazyEvidence) Undocumented() (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.x == nil {
		if !l.ev.UndocumentedStatus || l.ev.Status == http.StatusTooManyRequests {
			return "", false
		}
		return fmt.Sprintf("%d from %s", l.ev.Status, l.ev.Operation), true
	}
	var u *spec.UndocumentedStatusError
	if l.x.Err != nil || !errors.As(l.x.Contract, &u) || l.x.Status == http.StatusTooManyRequests {
		return "", false
	}
	return fmt.Sprintf("%d from %s", l.x.Status, l.x.Operation), true
}

// headers returns h redacted and bounded, and a note of what did not fit.
func (x *Exchange) headers(h http.Header) (map[string]string, string) {
	out := map[string]string{}
	used, dropped, droppedBytes := 0, 0, 0
	for _, k := range slices.Sorted(maps.Keys(h)) {
		v := strings.Join(h[k], ", ")
		if used >= shownHeaders {
			dropped, droppedBytes = dropped+1, droppedBytes+len(k)+len(v)
			continue
		}
		name, value := x.env.clip(k, shownHeaderName), x.env.clip(v, shownHeaderValue)
		out[name] = value
		used += len(name) + len(value)
	}
	if dropped == 0 {
		return out, ""
	}
	return out, fmt.Sprintf("%d more headers (%d bytes) not shown", dropped, droppedBytes)
}

// String renders the exchange for a failure message: what was sent, what
// came back, whether it conforms, and how to reproduce it.
func (ev Evidence) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  sent:     %s %s\n", ev.Method, ev.URL)
	writeHeaders(&b, ev.RequestHeaders)
	if ev.RequestBody != "" {
		fmt.Fprintf(&b, "            %s\n", ev.RequestBody)
	}
	if ev.Error != "" {
		fmt.Fprintf(&b, "  received: nothing: %s\n", ev.Error)
	} else {
		fmt.Fprintf(&b, "  received: %d %s (%d ms)\n", ev.Status, http.StatusText(ev.Status), ev.ElapsedMS)
		writeHeaders(&b, ev.ResponseHeaders)
		if ev.ResponseHeadersCut != "" {
			fmt.Fprintf(&b, "            … %s\n", ev.ResponseHeadersCut)
		}
		if ev.ResponseBody != "" {
			fmt.Fprintf(&b, "            %s\n", ev.ResponseBody)
		}
		fmt.Fprintf(&b, "  contract: %s\n", ev.Contract)
	}
	fmt.Fprintf(&b, "  reproduce: %s\n", ev.Curl)
	return b.String()
}

func writeHeaders(b *strings.Builder, h map[string]string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "User-Agent" || k == "Content-Length" || k == "Date" {
			continue
		}
		fmt.Fprintf(b, "            %s: %s\n", k, h[k])
	}
}

// Curl returns a redacted command that repeats the request; secrets appear
// as the environment variables that hold them, so it runs as printed.
func (x *Exchange) Curl() string {
	r := x.Request
	quote := func(s string) string {
		return x.env.redactor.Quote(s, fixtures.Secret{Value: x.env.Target.Endpoint(), Shell: "$SEAM_ENDPOINT"})
	}
	parts := []string{"curl -sS -i -X " + r.Method, quote(r.URL.String())}
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.Header[k] {
			parts = append(parts, "-H "+quote(k+": "+v))
		}
	}
	if x.RequestBody != nil {
		parts = append(parts, "--data-binary "+quote(string(x.RequestBody)))
	}
	return strings.Join(parts, " ")
}

// clip redacts s and keeps at most limit bytes of the result, saying how
// long s was. Redacting before cutting replaces a secret that straddles the
// limit whole; only a window of s is redacted, so a huge answer costs no
// more than a small one (a piece of a secret cut at the window's end is
// still removed by the redactor).
func (e *Env) clip(s string, limit int) string {
	return e.clipWindow(s[:min(len(s), 4*limit)], len(s), limit)
}

// clipBytes is clip for a body, converting only the window to a string.
func (e *Env) clipBytes(b []byte, limit int) string {
	return e.clipWindow(string(b[:min(len(b), 4*limit)]), len(b), limit)
}

// clipWindow redacts window, the start of a text of total bytes, and keeps
// at most limit bytes of it.
func (e *Env) clipWindow(window string, total, limit int) string {
	shown := e.Redact(window)
	if len(shown) <= limit && len(window) == total {
		return shown
	}
	cut := min(limit, len(shown))
	for cut > 0 && cut < len(shown) && !utf8.RuneStart(shown[cut]) {
		cut--
	}
	return shown[:cut] + fmt.Sprintf("… [%d bytes in all]", total)
}
