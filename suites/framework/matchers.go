package framework

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/onsi/gomega/types"
)

// exchangeMatcher is a Gomega matcher over an *Exchange whose failure
// message says what was expected, what came instead, and shows the redacted
// exchange with a curl command that repeats it.
type exchangeMatcher struct {
	expected string
	check    func(x *Exchange) (ok bool, got string)
	got      string
}

func (m *exchangeMatcher) Match(actual any) (bool, error) {
	x, ok := actual.(*Exchange)
	if !ok {
		return false, fmt.Errorf("expected an *framework.Exchange, got %T", actual)
	}
	if x.Err != nil {
		// An error, not a mismatch: Gomega then fails To and NotTo alike, so
		// "must not answer 2xx" cannot pass on silence.
		m.got = x.env.clip("no answer came: "+x.Err.Error(), shownLine)
		return false, errors.New(m.message(x, "an answer"))
	}
	pass, got := m.check(x)
	// What a check says may quote the answer: it is redacted and bounded
	// like the evidence.
	m.got = x.env.clip(got, shownLine)
	return pass, nil
}

func (m *exchangeMatcher) FailureMessage(actual any) string {
	return m.message(actual, m.expected)
}

func (m *exchangeMatcher) NegatedFailureMessage(actual any) string {
	return m.message(actual, "not "+m.expected)
}

func (m *exchangeMatcher) message(actual any, expected string) string {
	x := actual.(*Exchange)
	return x.env.Redact(fmt.Sprintf("expected: %s\ngot:      %s\n\n%s", expected, m.got, x.Evidence()))
}

func matcher(expected string, check func(*Exchange) (bool, string)) types.GomegaMatcher {
	return &exchangeMatcher{expected: expected, check: check}
}

// HaveStatus succeeds when the answer's status is one of codes.
func HaveStatus(codes ...int) types.GomegaMatcher {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = fmt.Sprintf("%d %s", c, http.StatusText(c))
	}
	return matcher("status "+strings.Join(names, " or "), func(x *Exchange) (bool, string) {
		return slices.Contains(codes, x.Status), fmt.Sprintf("status %d %s", x.Status, http.StatusText(x.Status))
	})
}

// BeSuccessful succeeds for a 2xx status; use Not(BeSuccessful()) for "any
// answer but success". No answer at all fails both.
func BeSuccessful() types.GomegaMatcher {
	return matcher("a 2xx status", func(x *Exchange) (bool, string) {
		return x.Status >= 200 && x.Status < 300, fmt.Sprintf("status %d %s", x.Status, http.StatusText(x.Status))
	})
}

// HaveJSONContentType succeeds when Content-Type is application/json.
func HaveJSONContentType() types.GomegaMatcher {
	return matcher("Content-Type application/json", mediaIsJSON)
}

// ConformToContract succeeds when the answer's status is documented for the
// operation and its headers and body match the contract's description.
func ConformToContract() types.GomegaMatcher {
	return matcher("an answer the contract documents, matching its description", func(x *Exchange) (bool, string) {
		if x.Contract == nil {
			return true, "a conforming answer"
		}
		return false, x.Contract.Error()
	})
}

// HaveField succeeds when the JSON body has value at a dotted path.
func HaveField(path string, value any) types.GomegaMatcher {
	return matcher(fmt.Sprintf("a JSON body with %s = %#v", path, value), func(x *Exchange) (bool, string) {
		got, ok := x.Field(path)
		if !ok {
			return false, fmt.Sprintf("no %s in the body", path)
		}
		return got == value, fmt.Sprintf("%s = %#v", path, got)
	})
}

// BeSeamError succeeds for Seam's error envelope, JSON
// {"error": {"type": string, "message": string, ...}, "ok": false}.
func BeSeamError() types.GomegaMatcher {
	return matcher(`Seam's error envelope {"error":{"type":…,"message":…},"ok":false} as application/json`, func(x *Exchange) (bool, string) {
		if ok, got := mediaIsJSON(x); !ok {
			return false, got
		}
		body, isJSON := x.JSON()
		envelope, isObject := body.(map[string]any)
		if !isJSON || !isObject {
			return false, "a body that is not a JSON object"
		}
		errObj, _ := envelope["error"].(map[string]any)
		typ, _ := errObj["type"].(string)
		msg, _ := errObj["message"].(string)
		switch {
		case errObj == nil:
			return false, "no error object"
		case typ == "" || msg == "":
			return false, "an error object without a string type and message"
		case envelope["ok"] != false:
			return false, fmt.Sprintf("ok = %#v", envelope["ok"])
		}
		return true, "the envelope"
	})
}

func mediaIsJSON(x *Exchange) (bool, string) {
	ct := x.Header.Get("Content-Type")
	media, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(media), "application/json"), fmt.Sprintf("Content-Type %q", ct)
}

// HaveErrorType succeeds when the envelope's error.type is typ.
func HaveErrorType(typ string) types.GomegaMatcher {
	return HaveField("error.type", typ)
}

// NameField succeeds when the error names field, in validation_errors or in
// the message.
func NameField(field string) types.GomegaMatcher {
	return matcher("an error naming "+field+" in error.validation_errors or error.message", func(x *Exchange) (bool, string) {
		if v, ok := x.Field("error.validation_errors." + field); ok && v != nil {
			return true, "validation_errors." + field
		}
		if msg, ok := x.Field("error.message"); ok {
			if s, _ := msg.(string); strings.Contains(s, field) {
				return true, "a message naming it"
			}
		}
		return false, "an error that does not name " + field
	})
}

// HaveHeader succeeds when the answer carries a non-empty header name.
func HaveHeader(name string) types.GomegaMatcher {
	return matcher("a non-empty "+name+" header", func(x *Exchange) (bool, string) {
		v := x.Header.Get(name)
		return v != "", fmt.Sprintf("%s: %q", name, v)
	})
}

// Stack traces of the runtimes Seam-compatible servers are written in: Go,
// Node.js, Python, Java, Ruby, .NET.
var stackTrace = regexp.MustCompile(`goroutine \d+ \[|\.go:\d+|\n\s+at [\w.<>$]+ ?\(|node_modules/|Traceback \(most recent call last\)|File "[^"]+", line \d+|at [\w.$]+\([\w]+\.java:\d+\)|\.rb:\d+:in |   at [\w.]+\(.*\) in .*:line \d+`)

// NotLeakInternals succeeds when neither body nor headers hold a stack
// trace.
func NotLeakInternals() types.GomegaMatcher {
	return matcher("an answer without a stack trace", func(x *Exchange) (bool, string) {
		// Traces inside JSON strings have their newlines escaped: search the
		// decoded strings too.
		text := string(x.Body) + "\n" + fmt.Sprint(x.Header)
		if v, ok := x.JSON(); ok {
			text += "\n" + strings.Join(jsonStrings(v, nil), "\n")
		}
		if loc := stackTrace.FindStringIndex(text); loc != nil {
			return false, fmt.Sprintf("a stack trace (%q)", x.env.excerpt(text, loc[0], loc[1]+40))
		}
		return true, "no stack trace"
	})
}

// NotEcho succeeds when neither body nor headers hold the secret's value.
// The message shows only the secret's shell name.
func NotEcho(secret string, shell string) types.GomegaMatcher {
	return matcher("an answer that does not repeat the credential "+shell, func(x *Exchange) (bool, string) {
		for k, v := range x.Header {
			if strings.Contains(k+strings.Join(v, ""), secret) {
				return false, "the credential in header " + k
			}
		}
		if strings.Contains(string(x.Body), secret) {
			return false, "the credential in the body"
		}
		return true, "no credential"
	})
}

// jsonStrings collects every string in a decoded JSON value, keys included.
func jsonStrings(v any, out []string) []string {
	switch t := v.(type) {
	case string:
		out = append(out, t)
	case []any:
		for _, e := range t {
			out = jsonStrings(e, out)
		}
	case map[string]any:
		for k, e := range t {
			out = jsonStrings(e, append(out, k))
		}
	}
	return out
}

// excerpt returns text[from:to] redacted before it is cut: a secret that
// straddles the cut is replaced whole, not shown in part.
func (e *Env) excerpt(text string, from, to int) string {
	to = min(to, len(text))
	shown := e.Redact(text[from:min(len(text), to+256)])
	cut := min(to-from, len(shown))
	for cut > 0 && cut < len(shown) && !utf8.RuneStart(shown[cut]) {
		cut--
	}
	return shown[:cut]
}
