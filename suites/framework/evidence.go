package framework

import (
	"errors"

	"fmt"
	"github.com/seamconform/seamconform/spec"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/seamconform/seamconform/fixtures"
)

// Evidence is the redacted record of one exchange, attached to the spec's
// report so that JSON and JUnit reports carry what was sent and received.
type Evidence struct {
	Operation       string            `json:"operation"`
	Method          string            `json:"method"`
	URL             string            `json:"url"`
	RequestHeaders  map[string]string `json:"request_headers"`
	RequestBody     string            `json:"request_body,omitempty"`
	Status          int               `json:"status,omitempty"`
	ResponseHeaders map[string]string `json:"response_headers,omitempty"`
	ResponseBody    string            `json:"response_body,omitempty"`
	Error           string            `json:"error,omitempty"`
	Contract        string            `json:"contract"`
	// UndocumentedStatus is set when the contract does not describe the
	// answer's status for the operation at all.
	UndocumentedStatus bool   `json:"undocumented_status,omitempty"`
	ElapsedMS          int64  `json:"elapsed_ms"`
	Curl               string `json:"curl"`
}

// shownBody bounds how much of a body a report shows.
const shownBody = 2048

// Evidence returns the redacted record of x.
func (x *Exchange) Evidence() Evidence {
	ev := Evidence{
		Operation:      x.Operation.String(),
		Method:         x.Request.Method,
		URL:            x.env.Redact(x.Request.URL.String()),
		RequestHeaders: x.headers(x.Request.Header),
		RequestBody:    x.env.Redact(shorten(x.RequestBody)),
		ElapsedMS:      x.Elapsed.Milliseconds(),
		Curl:           x.Curl(),
		Contract:       "conforms",
	}
	switch {
	case x.Err != nil:
		ev.Error = x.env.Redact(x.Err.Error())
		ev.Contract = "no answer"
	default:
		ev.Status = x.Status
		ev.ResponseHeaders = x.headers(x.Header)
		ev.ResponseBody = x.env.Redact(shorten(x.Body))
		if x.Truncated {
			ev.ResponseBody += fmt.Sprintf(" [body longer than %d bytes; the rest was not read]", MaxResponseBody)
		}
		if x.Contract != nil {
			ev.Contract = x.env.Redact(firstLine(x.Contract.Error()))
			var undocumented *spec.UndocumentedStatusError
			ev.UndocumentedStatus = errors.As(x.Contract, &undocumented)
		}
	}
	return ev
}

func (x *Exchange) headers(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = x.env.Redact(strings.Join(v, ", "))
	}
	return out
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

func shorten(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > shownBody {
		return s[:shownBody] + fmt.Sprintf("… [%d bytes in all]", len(b))
	}
	return s
}
