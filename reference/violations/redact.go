package violations

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/seamconform/seamconform/spec"
)

// SentRequest is a request as recorded: credentials replaced, the body cut
// at 4 KiB.
type SentRequest struct {
	Method string            `json:"method"`
	Target string            `json:"target"` // path and query
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body,omitempty"`
}

// shownHeaders are the headers recorded besides Authorization: none can
// hold a credential, and the others only add noise.
var shownHeaders = []string{"Content-Type", "Content-Length", "Seam-Workspace", "Seam-Sdk-Name", "Seam-Sdk-Version", "User-Agent"}

// credentialHeaders hold credentials besides Authorization.
var credentialHeaders = []string{"Client-Session-Token", "Seam-Client-Session-Token", "Seam-Publishable-Key", "Cookie"}

const maxRecordedBody = 4 << 10

// redactRequest records r without any credential: the Authorization header
// keeps its scheme and the kind of token, and every credential value
// (presented or known) is replaced wherever it appears. scrub does the same
// to any other text about the request.
func redactRequest(r *http.Request, body []byte, secrets map[string]string) (sent SentRequest, scrub func(string) string) {
	replace := map[string]string{} // value → replacement
	for name, value := range secrets {
		replace[value] = "$" + name
	}
	authorization := r.Header.Get("Authorization")
	if token, ok := spec.BearerToken(authorization); ok {
		if _, known := replace[token]; !known {
			replace[token] = "[redacted " + tokenKind(token) + "]"
		}
	} else if _, rest, found := strings.Cut(strings.TrimSpace(authorization), " "); found {
		replace[strings.TrimSpace(rest)] = "[redacted]"
	}
	for _, name := range credentialHeaders {
		if v := r.Header.Get(name); v != "" {
			replace[v] = "[redacted]"
		}
	}
	scrub = func(s string) string {
		// Longest first, so a secret that contains another is replaced whole.
		for _, value := range slices.SortedFunc(maps.Keys(replace), func(a, b string) int { return len(b) - len(a) }) {
			if len(value) >= 8 {
				s = strings.ReplaceAll(s, value, replace[value])
			}
		}
		return s
	}

	out := SentRequest{Method: r.Method, Target: scrub(r.URL.RequestURI()), Header: map[string]string{}}
	for name := range r.Header {
		canonical := http.CanonicalHeaderKey(name)
		switch {
		case canonical == "Authorization":
			out.Header[canonical] = redactAuthorization(authorization, replace)
		case slices.Contains(shownHeaders, canonical):
			out.Header[canonical] = scrub(r.Header.Get(name))
		}
	}
	if len(body) > maxRecordedBody {
		body = body[:maxRecordedBody]
	}
	if utf8.Valid(body) {
		out.Body = scrub(string(body))
	} else {
		out.Body = "[binary body not recorded]"
	}
	return out, scrub
}

func redactAuthorization(header string, replace map[string]string) string {
	scheme, rest, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found {
		return "[redacted]"
	}
	if r, ok := replace[strings.TrimSpace(rest)]; ok {
		return scheme + " " + r
	}
	return scheme + " [redacted]"
}

// tokenKind names the kind of credential a token looks like, with its
// prefix: Seam's public convention, not a secret.
func tokenKind(token string) string {
	for _, s := range spec.Schemes() {
		if s.Header == "" && s.Shaped(token) {
			if s.JWT {
				return "JWT " + s.Kind
			}
			return s.Prefix + "… " + s.Kind
		}
	}
	return "token"
}
