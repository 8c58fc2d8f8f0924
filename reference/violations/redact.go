package violations

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seamconform/seamconform/fixtures"
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
	replace := replacements(r, secrets)
	scrub = scrubber(replace)
	out := SentRequest{Method: r.Method, Target: scrubURI(r.URL.RequestURI(), scrub), Header: map[string]string{}}
	authorization := r.Header.Get("Authorization")
	for name := range r.Header {
		canonical := http.CanonicalHeaderKey(name)
		switch {
		case canonical == "Authorization":
			out.Header[canonical] = redactAuthorization(authorization, replace)
		case slices.Contains(shownHeaders, canonical):
			out.Header[canonical] = scrub(r.Header.Get(name))
		}
	}
	// Scrubbed past the cut, then cut: a cut first could leave the start
	// of a secret at the end. Not the whole of a 1 MiB body: its scrub
	// would cost a client's every bad request milliseconds.
	if !utf8.Valid(body) {
		out.Body = "[binary body not recorded]"
	} else {
		out.Body = scrubEscaped(strings.ToValidUTF8(string(body[:min(len(body), maxRecordedBody+1<<10)]), ""), scrub)
		// A body within the limit is kept whole, though its stand-ins may
		// have grown it past.
		if len(body) > maxRecordedBody && len(out.Body) > maxRecordedBody {
			// Said, so that a stand-in cut short ($SEAM_API_KE) does not
			// read as another variable.
			out.Body = strings.ToValidUTF8(out.Body[:maxRecordedBody], "") + fmt.Sprintf("… [cut: %d bytes in all]", len(body))
		}
	}
	return out, scrub
}

// replacements maps each credential value of r (presented or known) to
// what stands for it in a record.
func replacements(r *http.Request, secrets map[string]string) map[string]string {
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
	return replace
}

// scrubber returns what replaces, in a text about a request, each
// credential whole (longest first, so one that contains another goes
// whole), then each run of fixtures.Fragment or more bytes of one (a
// credential cut at a size limit or sent in part), then anything shaped like
// a Seam token or a JWT: a proxy knows only the token its client presents,
// and a key sent elsewhere in the request is still one.
func scrubber(replace map[string]string) func(string) string {
	// A credential in another case is still one (a client that lower-cases
	// a path, say), but not the value its variable stands for.
	replace = maps.Clone(replace)
	for v := range maps.Clone(replace) {
		for _, other := range []string{strings.ToLower(v), strings.ToUpper(v)} {
			if _, known := replace[other]; !known {
				replace[other] = "[redacted]"
			}
		}
	}
	values := slices.SortedFunc(maps.Keys(replace), func(a, b string) int { return len(b) - len(a) })
	values = slices.DeleteFunc(values, func(v string) bool { return len(v) < fixtures.MinSecret })
	pieces := map[string]bool{}
	for _, v := range values {
		for i := 0; i+fixtures.Fragment <= len(v); i++ {
			pieces[v[i:i+fixtures.Fragment]] = true
		}
	}
	return func(s string) string {
		for _, v := range values {
			s = strings.ReplaceAll(s, v, replace[v])
		}
		return redactTokenShaped(redactPieces(s, pieces))
	}
}

// redactTokenShaped replaces what looks like a Seam token or a JWT. A
// seam_ word must hold a digit or a capital, as Seam's random tokens do
// and its names (seam_passport, acs_credential_on_seam_not_found) do not.
func redactTokenShaped(s string) string {
	return tokenShaped.ReplaceAllStringFunc(s, func(m string) string {
		if token, seam := strings.CutPrefix(m, "seam_"); seam && !strings.ContainsAny(token, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			return m
		}
		return "[redacted token]"
	})
}

// tokenShaped matches Seam's token shapes: seam_ and its kind's letters
// (seam_at, seam_cst, ...) then the token, and a JWT.
var tokenShaped = regexp.MustCompile(`seam_[A-Za-z0-9_-]{8,}|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

// redactPieces replaces each maximal run of s covered by pieces, as run's
// Redactor.redactPieces does; that one, on run's hot path, keeps its own
// loop with its window filter inline (a shared loop calling a filter per
// byte made it a fifth slower).
func redactPieces(s string, pieces map[string]bool) string {
	var b strings.Builder
	written, start, end := 0, -1, -1 // s[:written] is in b; [start, end) is the current run
	for i := 0; i+fixtures.Fragment <= len(s); i++ {
		if !pieces[s[i:i+fixtures.Fragment]] {
			continue
		}
		if i > end {
			if start >= 0 {
				b.WriteString(s[written:start] + "[redacted]")
				written = end
			}
			start = i
		}
		end = i + fixtures.Fragment
	}
	if start < 0 {
		return s
	}
	b.WriteString(s[written:start] + "[redacted]" + s[end:])
	return b.String()
}

// scrubURI scrubs a request target as sent and, when it carries
// percent-escapes, as decoded, up to three times: a credential escaped byte
// by byte, or escaped again by a client that escapes what it is given, is
// still one. A decoded form is recorded only when it had one.
func scrubURI(uri string, scrub func(string) string) string {
	scrubbed, decoded := scrub(uri), uri
	for range 3 {
		next := unescapeValid(decoded)
		if next == decoded {
			break
		}
		if again := scrub(next); again != next {
			return again
		}
		decoded = next
	}
	return scrubbed
}

// unescapeValid decodes each valid %XX of s and leaves the rest as it is:
// one stray % (a "100%" in another parameter) must not keep a credential
// escaped elsewhere in the target from being decoded, as url.PathUnescape
// would, failing whole.
func unescapeValid(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// scrubEscaped scrubs a body as sent and, when it carries JSON's \u
// escapes, with those of printable ASCII decoded: a credential written as
// \u0073eam_… is still one. The decoded form is recorded only when it had
// one.
func scrubEscaped(body string, scrub func(string) string) string {
	scrubbed := scrub(body)
	if !strings.Contains(scrubbed, `\u`) {
		return scrubbed
	}
	decoded := asciiEscape.ReplaceAllStringFunc(scrubbed, func(m string) string {
		r, _ := strconv.ParseUint(m[2:], 16, 8)
		return string(rune(r))
	})
	if again := scrub(decoded); again != decoded {
		return again
	}
	return scrubbed
}

// asciiEscape is a JSON \u escape of printable ASCII (U+0020 to U+007E).
var asciiEscape = regexp.MustCompile(`\\u00(?:[2-6][0-9A-Fa-f]|7[0-9A-Ea-e])`)

// LogPath is r's path for serve's request log: as sent when the contract
// has it, and otherwise with its credentials replaced, as in a record.
func (c *Checker) LogPath(r *http.Request) string {
	path := r.URL.EscapedPath()
	if c.contract.HasPath(r.URL.Path) {
		return path
	}
	// The log's fields are separated by spaces: a replacement keeps none.
	return strings.ReplaceAll(scrubURI(path, scrubber(replacements(r, c.opts.Secrets))), " ", "%20")
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
