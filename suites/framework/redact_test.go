package framework

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/fixtures"
)

// The secrets of the redactor tests: an API key, a JWT (whose header is
// shared with every HS256 token) and a derived credential.
var (
	fuzzKey = fixtures.EnvSecret("SEAM_API_KEY", "seam_K7KwyRNPXO9lWmxoLR8Ee2x1")
	fuzzJWT = fixtures.EnvSecret("SEAM_CONSOLE_SESSION_TOKEN", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ")
)

func fuzzRedactor() *Redactor {
	r := &Redactor{}
	r.Add(fuzzKey, fuzzJWT, Bearer(fixtures.Truncated(fuzzKey)), fixtures.BasicAuth(fuzzKey), fixtures.JWTSignature(fuzzJWT))
	return r
}

// pieceOf returns the first Fragment-byte piece of a secret in out, or "".
func pieceOf(out string, secrets ...fixtures.Secret) string {
	for _, s := range secrets {
		secret := secretPart(s.Value) // a JWT's signature
		for i := 0; i+Fragment <= len(secret); i++ {
			if strings.Contains(out, secret[i:i+Fragment]) {
				return secret[i : i+Fragment]
			}
		}
	}
	return ""
}

func TestRedactRemovesPiecesOfSecrets(t *testing.T) {
	r := fuzzRedactor()
	key := fuzzKey.Value
	for name, tc := range map[string]struct{ in, want string }{
		"whole":               {"k=" + key + ".", "k=$SEAM_API_KEY."},
		"cut at the end":      {"…" + key[:20], "…[redacted]"},
		"cut at the start":    {key[7:] + " after", "[redacted] after"},
		"nine bytes are left": {"x" + key[:9] + "!", "x" + key[:9] + "!"},
		"ten bytes are not":   {"x" + key[:10] + "!", "x[redacted]!"},
		"two pieces":          {key[:12] + " and " + key[15:], "[redacted] and [redacted]"},
		"JWT signature alone": {"sig " + strings.Split(fuzzJWT.Value, ".")[2][:12], "sig [redacted]"},
		"JWT claims are read": {strings.Split(fuzzJWT.Value, ".")[1], strings.Split(fuzzJWT.Value, ".")[1]},
		"whole JWT":           {"t=" + fuzzJWT.Value, "t=$SEAM_CONSOLE_SESSION_TOKEN"},
		"a JWT header alone":  {"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.x", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.x"},
		"bearer of truncated": {"Bearer " + key[:len(key)-1] + "!", "Bearer ${SEAM_API_KEY%?}!"},
		"public text":         {"no secret here at all, seam_other_1234567890", "no secret here at all, seam_other_1234567890"},
		"control bytes":       {"a\x1b[2J\x00b\r\n\tc\u009b\u202e", `a\x1b[2J\x00b\x0d` + "\n\t" + `c\u009b\u202e`},
		"invalid UTF-8":       {"a\xffb", "a\uFFFDb"},
		"escape next to key":  {"\x00" + key[3:], `\x00[redacted]`},
		// Go's client gives a received header name in canonical case.
		"as a header name":  {http.CanonicalHeaderKey(key) + ": 1", "[redacted]: 1"},
		"in lower case":     {"x " + strings.ToLower(key[4:]), "x [redacted]"},
		"whole, lower case": {"k=" + strings.ToLower(key), "k=[redacted]"}, // not $SEAM_API_KEY: another value
		"JWT claims, lower": {strings.ToLower(strings.Split(fuzzJWT.Value, ".")[1]), strings.ToLower(strings.Split(fuzzJWT.Value, ".")[1])},
	} {
		if got := r.Redact(tc.in); got != tc.want {
			t.Errorf("%s: Redact(%q) = %q, want %q", name, tc.in, got, tc.want)
		}
	}
}

// An endpoint that sends a credential back encoded (as a hostile one does,
// to get it into the reports a vendor hands on) has no 10-byte piece of
// its encoding shown: base64 of the Authorization header in either
// alphabet, every byte percent-encoded, hex, upper case, and a header name
// in canonical case with hyphens, however the encodings are cased.
func TestRedactRemovesEncodedFormsOfSecrets(t *testing.T) {
	r := fuzzRedactor()
	key, signature := fuzzKey.Value, strings.Split(fuzzJWT.Value, ".")[2]
	var percent strings.Builder
	for i := 0; i < len(key); i++ {
		fmt.Fprintf(&percent, "%%%02X", key[i])
	}
	hyphenated := "Xk3-qP9vL2-mN8rT4wYz-Hj6bV1cD5sF-gK0aE7uI2o"
	r.Add(fixtures.EnvSecret("SEAM_OTHER_TOKEN", "eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ."+hyphenated))
	for name, in := range map[string]string{
		"base64 of the header":      base64.StdEncoding.EncodeToString([]byte("Bearer " + key)),
		"base64url, two bytes on":   base64.RawURLEncoding.EncodeToString([]byte("xy" + key + "z")),
		"base64 of the key alone":   base64.StdEncoding.EncodeToString([]byte(key)),
		"base64 of a signature":     base64.StdEncoding.EncodeToString([]byte("sig=" + signature)),
		"percent-encoded, upper":    percent.String(),
		"percent-encoded, lower":    strings.ToLower(percent.String()),
		"hex":                       hex.EncodeToString([]byte(key)),
		"hex, upper":                strings.ToUpper(hex.EncodeToString([]byte(key))),
		"upper case":                "BEARER " + strings.ToUpper(key),
		"canonical, across hyphens": http.CanonicalHeaderKey(hyphenated) + ": 1",
	} {
		out := r.Redact("X-Echo: " + in)
		if !strings.Contains(out, "[redacted]") || pieceOf(strings.ToLower(out), fuzzKey, fuzzJWT) != "" {
			t.Errorf("%s: Redact(%q) = %q", name, in, out)
		}
		from := 0
		if strings.HasPrefix(in, "QmVhcmVy") { // "Bearer " is public, and so is its encoding
			from = 8
		}
		for i := from; i+10 <= len(in); i++ {
			if strings.Contains(out, in[i:i+10]) {
				t.Errorf("%s: %q keeps %q of the encoded secret", name, out, in[i:i+10])
				break
			}
		}
	}
	// The variables that stand for secrets are not pieces of them.
	if got := r.Redact("key=" + key + " or $SEAM_API_KEY"); got != "key=$SEAM_API_KEY or $SEAM_API_KEY" {
		t.Errorf("got %q", got)
	}
}

// A secret shorter than a piece is still replaced in another case.
func TestRedactShortSecretsInAnyCase(t *testing.T) {
	r := &Redactor{}
	r.Add(fixtures.EnvSecret("SEAM_SHORT", "Qx7Lm2Zp9"))
	for in, want := range map[string]string{"v=Qx7Lm2Zp9": "v=$SEAM_SHORT", "v=qx7lm2zp9": "v=[redacted]", "v=QX7LM2ZP9": "v=[redacted]"} {
		if got := r.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// A token that straddles the body cut is replaced whole, before the cut.
func TestEvidenceRedactsBeforeCutting(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	for at := shownBody - len(testKey); at <= shownBody; at++ {
		body := strings.Repeat("p", at) + testKey + strings.Repeat("q", 100)
		x := exchange(e, 400, "application/json", body)
		ev := x.Evidence()
		if piece := pieceOf(ev.ResponseBody, fixtures.EnvSecret("K", testKey)); piece != "" || strings.Contains(ev.ResponseBody, testKey[:6]) && !strings.Contains(ev.ResponseBody, "$SEAM_API_KEY") {
			t.Fatalf("key at byte %d: the shown body keeps %q: …%s", at, piece, ev.ResponseBody[len(ev.ResponseBody)-80:])
		}
	}
}

// Headers are bounded like bodies: 900 KB of headers makes a few KB of
// evidence, with a note of what was cut.
func TestEvidenceBoundsHeaders(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	x := exchange(e, 400, "application/json", `{}`)
	x.Header.Set("X-Huge", strings.Repeat("v", 300_000)+testKey)
	for i := range 600 {
		x.Header.Set("X-Pad-"+strings.Repeat("n", i%200), strings.Repeat("w", 1000))
	}
	ev := x.Evidence()
	size := len(ev.String())
	if size > 3*shownHeaders+2*shownBody+4096 {
		t.Fatalf("evidence of 900 KB of headers is %d bytes", size)
	}
	if !strings.Contains(ev.ResponseHeaders["X-Huge"], "bytes in all]") || !strings.Contains(ev.ResponseHeadersCut, "more headers") {
		t.Fatalf("what was cut is not said: X-Huge %q…, cut %q", ev.ResponseHeaders["X-Huge"][:40], ev.ResponseHeadersCut)
	}
	if !strings.Contains(ev.String(), "… "+ev.ResponseHeadersCut) {
		t.Fatal("the failure text does not say which headers were cut")
	}
	if strings.Contains(ev.String(), testKey[:Fragment]) {
		t.Fatal("a piece of the key is shown")
	}
}

func TestRedactingWriter(t *testing.T) {
	r := fuzzRedactor()
	var out bytes.Buffer
	w := r.Writer(&out)
	key := fuzzKey.Value
	for _, part := range []string{"LEFT BEHIND: " + key[:14], key[14:] + "\n", "\x1b[1mbold\x1b[0m " + key + "\n"} {
		if n, err := w.Write([]byte(part)); n != len(part) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if piece := pieceOf(out.String(), fuzzKey); piece != "" {
		t.Fatalf("the writer let %q through: %q", piece, out.String())
	}
	if !strings.Contains(out.String(), "\x1b[1mbold") {
		t.Fatalf("the program's own colours were escaped: %q", out.String())
	}
}

func TestRedactedFailRedactsWithTheCurrentEnv(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	prev := current.Load()
	Use(e)
	defer current.Store(prev)
	if got := redactCurrent("got " + testKey[:15] + "\x1b"); strings.Contains(got, testKey[:10]) || strings.Contains(got, "\x1b") {
		t.Fatalf("redactCurrent = %q", got)
	}
}

// FuzzRedact: whatever surrounds a secret, whole or cut anywhere, and
// wherever evidence cuts the text, no piece of Fragment bytes survives, and
// redacting again changes nothing.
func FuzzRedact(f *testing.F) {
	key, jwt := fuzzKey.Value, fuzzJWT.Value
	f.Add("", "", 0, len(key), 2048, false)
	f.Add(strings.Repeat("p", 2040), "}", 0, len(key), 2048, false)
	f.Add("goroutine 1 [running]:\n", "\x00", 3, len(key), 40, false)
	f.Add("\x00", "00", 0, 9, 64, false)
	f.Add("Bearer ", "!", 0, len(key)-1, 256, false)
	f.Add("x", "y", 30, 80, 16, true)
	f.Add("$SEAM_API_", "KEY", 0, 10, 12, false)
	f.Add("\xff\xfe", "\u202e", 1, 11, 5, true)
	f.Add("took 12.5µs é", "\u00ad\u2069", 0, 0, 64, false)
	r := fuzzRedactor()
	e := &Env{redactor: r}
	f.Fuzz(func(t *testing.T, prefix, suffix string, from, to, limit int, useJWT bool) {
		secret := key
		if useJWT {
			secret = jwt
		}
		from, to = clamp(from, len(secret)), clamp(to, len(secret))
		if from > to {
			from, to = to, from
		}
		text := prefix + secret[from:to] + suffix
		if !needsEscape(text) && escapeControl(text) != text {
			t.Fatalf("EscapeControl's fast path leaves %q, which it escapes as %q", text, escapeControl(text))
		}
		out := r.Redact(text)
		if piece := pieceOf(out, fuzzKey, fuzzJWT); piece != "" {
			t.Fatalf("Redact(%q) = %q keeps %q", text, out, piece)
		}
		if again := r.Redact(out); again != out {
			t.Fatalf("Redact is not idempotent: %q then %q", out, again)
		}
		shown := e.clip(text, clamp(limit, 4096))
		if piece := pieceOf(shown, fuzzKey, fuzzJWT); piece != "" {
			t.Fatalf("clip(%q, %d) = %q keeps %q", text, limit, shown, piece)
		}
		if i := strings.IndexFunc(out, func(c rune) bool { return c < 0x20 && c != '\n' && c != '\t' || c == 0x7f }); i >= 0 {
			t.Fatalf("Redact(%q) = %q keeps a control byte", text, out)
		}
		excerpt := e.excerpt(text, 0, clamp(limit, len(text)))
		if piece := pieceOf(excerpt, fuzzKey, fuzzJWT); piece != "" {
			t.Fatalf("excerpt(%q) = %q keeps %q", text, excerpt, piece)
		}
	})
}

func clamp(n, limit int) int {
	if n < 0 {
		n = -n
	}
	if limit <= 0 {
		return 0
	}
	return n % (limit + 1)
}

// Hardening against a header map shared with a live answer: headers() must
// not change it.
func TestEvidenceLeavesHeadersAlone(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	x := exchange(e, 400, "application/json", `{}`)
	x.Header = http.Header{"X-A": {"1", "2"}}
	_ = x.Evidence()
	if got := x.Header["X-A"]; len(got) != 2 {
		t.Fatalf("headers changed: %v", got)
	}
}

// The last pass over Ginkgo's report before it is written: a panic's value
// or an entry that did not come through the framework is redacted too.
func TestRedactReport(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	spec := types.SpecReport{
		Failure:            types.Failure{Message: "got " + testKey, ForwardedPanic: "panic: " + testKey[:15] + "\x1b[2J"},
		AdditionalFailures: []types.AdditionalFailure{{Failure: types.Failure{Message: testKey}}},
		CapturedStdOutErr:  "out " + testKey,
		ReportEntries: []types.ReportEntry{
			{Name: "raw", Value: types.WrapEntryValue("value " + testKey)},
			// Made by the framework, redacted then: kept as it is.
			{Name: ExchangeEntry, Value: types.WrapEntryValue(Evidence{Operation: "POST /devices/list"})},
		},
	}
	r := types.Report{SpecReports: types.SpecReports{spec}, SpecialSuiteFailureReasons: []string{"aborted: " + testKey}}
	out, err := json.Marshal(e.RedactReport(r))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), testKey[:Fragment]) || strings.Contains(string(out), `\u001b`) {
		t.Fatalf("the report keeps a piece of the key or a raw ESC: %s", out)
	}
	if !strings.Contains(string(out), "got $SEAM_API_KEY") {
		t.Fatalf("the report lost its text: %s", out)
	}
	if r.SpecReports[0].Failure.Message != "got "+testKey {
		t.Fatal("RedactReport changed the report it was given")
	}
	if _, kept := e.RedactReport(r).SpecReports[0].ReportEntries[1].Value.GetRawValue().(Evidence); !kept {
		t.Fatal("the framework's evidence was encoded again")
	}
}

// manySecrets is what a whole-API run registers: hundreds of credentials,
// one per scheme and case, each with its "Bearer " form.
func manySecrets(n int) (*Redactor, []fixtures.Secret) {
	r := &Redactor{}
	var all []fixtures.Secret
	for i := range n {
		s := fixtures.EnvSecret(fmt.Sprintf("K%d", i), fmt.Sprintf("seam_%04d_%s", i, strings.Repeat("x", 20)))
		all = append(all, s)
		r.Add(s, Bearer(s))
	}
	return r, all
}

func TestRedactReplacesEachOfManySecrets(t *testing.T) {
	r, all := manySecrets(600)
	for _, i := range []int{0, 1, 299, 599} {
		text := `{"echo":"Bearer ` + all[i].Value + `","tail":"` + all[599-i].Value[:12] + `"}`
		want := `{"echo":"Bearer $K` + fmt.Sprint(i) + `","tail":"[redacted]"}`
		if got := r.Redact(text); got != want {
			t.Errorf("Redact(%q) = %q, want %q", text, got, want)
		}
	}
}

// A secret that contains another is replaced whole wherever both start.
func TestRedactPrefersTheLongestSecretAtAPlace(t *testing.T) {
	r := &Redactor{}
	short := fixtures.EnvSecret("SHORT", "seam_abcdefgh")
	long := fixtures.EnvSecret("LONG", "seam_abcdefgh_and_more")
	r.Add(short, long)
	if got := r.Redact("a seam_abcdefgh_and_more b seam_abcdefgh"); got != "a $LONG b $SHORT" {
		t.Errorf("got %q", got)
	}
}

// BenchmarkRedactWithManySecrets: the cost of redacting a piece of evidence
// must not grow with the number of secrets a run registers.
func BenchmarkRedactWithManySecrets(b *testing.B) {
	r, all := manySecrets(600)
	text := strings.Repeat(`{"user_identity_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3","ok":false} `, 20) + "Bearer " + all[300].Value
	b.ReportAllocs()
	for b.Loop() {
		r.Redact(text)
	}
}
