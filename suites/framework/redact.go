package framework

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/fixtures"
)

// Redactor replaces secrets in text with the shell expressions that stand
// for them. Every secret a request presents is added before the request is
// sent, so nothing the suite prints can hold one.
//
// Redact is the one redactor of the suite: every string that reaches the
// console, a report or an error message passes it last, after any
// shortening. Besides whole secrets it removes any run of Fragment or more
// bytes taken from a secret (a token cut at a size limit, or echoed in part)
// and escapes control bytes, so that received bytes cannot drive the
// terminal.
type Redactor struct {
	mu sync.RWMutex
	// known holds every registered value, for Add.
	known map[string]bool
	// pieces holds every Fragment-byte substring of every secret.
	pieces map[string]bool
	// starts lists the secrets by their first bytes, longest first (the
	// first added first among equals), and windows filters the places
	// where a secret or a piece may start: with hundreds of secrets, one
	// pass over the text replaces them all.
	starts  map[uint32][]fixtures.Secret
	windows window // of the secrets' starts
	// pieceWindows is windows for the pieces' starts, lower-cased: one
	// filter for both let every base64 or hex window through to a lookup.
	pieceWindows window
	// shells holds the shell expressions that replace secrets: pieces,
	// which match in any case, must not match a variable's name in them.
	shells map[string]bool
}

// Fragment is the length of the shortest piece of a secret that Redact
// removes on its own.
const Fragment = fixtures.Fragment

// redactedPiece replaces a piece of a secret that is not a whole one.
const redactedPiece = "[redacted]"

// Add registers secrets; values shorter than fixtures.MinSecret are not redacted
// because they cannot be secrets and would garble unrelated text.
func (r *Redactor) Add(secrets ...fixtures.Secret) {
	if r.knowsAll(secrets) { // every request adds its credential, most often one it added before
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.known == nil {
		r.known, r.pieces, r.starts, r.shells = map[string]bool{}, map[string]bool{}, map[uint32][]fixtures.Secret{}, map[string]bool{}
	}
	for _, whole := range secrets {
		for _, s := range append([]fixtures.Secret{whole}, whole.Parts()...) {
			if len(s.Value) < fixtures.MinSecret || s.Shell == fixtures.ShellEscape(s.Value) || r.known[s.Value] {
				continue // too short to be a secret, public, or known
			}
			// A joined secret ("Bearer " + key) has public parts: only a
			// secret of one piece gives pieces, or "Bearer sea" would go.
			var secret string // what gives pieces
			if parts := s.Parts(); len(parts) == 1 && parts[0].Value == s.Value {
				secret = secretPart(s.Value)
			}
			r.add(s, secret)
			// A secret shorter than a piece has none: its other cases are
			// known whole (not by its variable, which stands for another
			// value).
			if secret != "" && len(secret) < Fragment {
				for _, other := range []string{strings.ToLower(secret), strings.ToUpper(secret)} {
					if !r.known[other] {
						r.add(fixtures.Secret{Value: other, Shell: redactedPiece}, "")
					}
				}
			}
		}
	}
}

// encodings are the forms an endpoint may send a secret back in besides
// its own: base64 (standard and URL alphabets, at each of the three
// alignments its bytes may have in a longer encoded text, such as
// "Bearer " + key), every byte percent-encoded, and hex. Each is only ever
// redacted by its pieces; pieces match in any case.
func encodings(secret string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for align := range 3 {
			// The characters that depend on the secret's bytes alone:
			// not the first group, shared with what precedes it, nor
			// the last, shared with what follows.
			encoded := enc.EncodeToString(append(make([]byte, align), secret...))
			from, to := 0, (align+len(secret))/3*4
			if align > 0 {
				from = 4
			}
			if from < to {
				out = append(out, encoded[from:to])
			}
		}
	}
	var percent strings.Builder
	for i := 0; i < len(secret); i++ {
		fmt.Fprintf(&percent, "%%%02x", secret[i])
	}
	return append(out, percent.String(), hex.EncodeToString([]byte(secret)))
}

// add registers s, and each piece of secret and of its encodings. The
// caller holds r.mu.
func (r *Redactor) add(s fixtures.Secret, secret string) {
	r.known[s.Value] = true
	r.shells[s.Shell] = true
	// Into its place among those starting alike: the API-wide family adds
	// hundreds, one or two at a time.
	k := windowKey(s.Value)
	bucket := r.starts[k]
	at := len(bucket)
	for at > 0 && len(bucket[at-1].Value) < len(s.Value) {
		at--
	}
	r.starts[k] = slices.Insert(bucket, at, s)
	r.windows.add(s.Value)
	if secret == "" {
		return
	}
	// In lower case: a piece matches in any case, for an endpoint that
	// sends a secret back upper-cased, or as a header name, which Go's
	// client writes in canonical case (HTTP/2 in lower case).
	for _, form := range append(encodings(secret), secret) {
		form := string(asciiLower(form))
		for i := 0; i+Fragment <= len(form); i++ {
			r.pieces[form[i:i+Fragment]] = true
			r.pieceWindows.add(form[i:])
		}
	}
}

// asciiLower lower-cases ASCII letters only: a text keeps its length, so
// what matches in the lowered text is at the same place in the text.
func asciiLower(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// knowsAll reports whether every secret was added before (a secret's parts
// are added with it) or is public.
func (r *Redactor) knowsAll(secrets []fixtures.Secret) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, s := range secrets {
		if !r.known[s.Value] && s.Shell != fixtures.ShellEscape(s.Value) {
			return false
		}
	}
	return true
}

// window is a Bloom-like filter of 4-byte windows: a clear bit means no
// secret or piece starts with the window, so most bytes of a text cost one
// load and a multiply.
type window [1 << 14]uint64

func windowKey[T string | []byte](s T) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func windowBit(k uint32) (int, uint64) {
	h := (k * 0x9E3779B1) >> 12 // 20 bits
	return int(h >> 6), 1 << (h & 63)
}

func (w *window) add(s string) {
	i, bit := windowBit(windowKey(s))
	w[i] |= bit
}

func (w *window) may(k uint32) bool {
	i, bit := windowBit(k)
	return w[i]&bit != 0
}

// nextSecret finds the first registered secret in text, the longest where
// several start at once. The caller holds r.mu.
func (r *Redactor) nextSecret(text string) (int, fixtures.Secret) {
	for i := 0; i+fixtures.MinSecret <= len(text); i++ {
		if !r.windows.may(windowKey(text[i:])) {
			continue
		}
		for _, s := range r.starts[windowKey(text[i:])] { // longest first: a secret that contains another is replaced whole
			if strings.HasPrefix(text[i:], s.Value) {
				return i, s
			}
		}
	}
	return -1, fixtures.Secret{}
}

// secretPart is what of a value must not be shown in part: all of it, but
// for a JWT its signature. A JWT's header and claims are base64 JSON that
// anyone holding the token can read, and the JWT specs send tokens that
// keep them on purpose (claims changed, "alg": "none"); the signature is
// what makes it a credential. The whole token is still replaced wherever
// it appears.
func secretPart(value string) string {
	if !strings.HasPrefix(value, "eyJ") { // not base64 JSON: not a JWT or a part of one
		return value
	}
	if strings.Count(value, ".") == 2 {
		return value[strings.LastIndex(value, ".")+1:]
	}
	return "" // a JWT's header or claims alone
}

// Redact returns text fit to print: control bytes escaped, every registered
// secret replaced by its shell expression, and every other run of Fragment
// or more bytes of a secret replaced by "[redacted]". Redacting twice
// changes nothing more.
func (r *Redactor) Redact(text string) string {
	// Escaping first: an escape written after redaction could complete a
	// piece of a secret ("\x00" + "00…").
	return r.redactSecrets(EscapeControl(text))
}

// redactSecrets is Redact without escaping, for text the program writes
// itself (which may colour its output).
func (r *Redactor) redactSecrets(text string) string {
	if r == nil {
		return text
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	at, s := r.nextSecret(text)
	if at < 0 {
		return r.redactPieces(text)
	}
	var b strings.Builder
	for at >= 0 {
		b.WriteString(text[:at])
		b.WriteString(s.Shell)
		text = text[at+len(s.Value):]
		at, s = r.nextSecret(text)
	}
	b.WriteString(text)
	return r.redactPieces(b.String())
}

// shellAt returns the length of the registered shell expression that text
// starts with ($NAME, ${NAME...}), or 0.
func (r *Redactor) shellAt(text string) int {
	if text == "" || text[0] != '$' {
		return 0
	}
	end := 1
	if len(text) > 1 && text[1] == '{' {
		end = strings.IndexByte(text, '}') + 1
	} else {
		for end < len(text) && (text[end] == '_' || 'A' <= text[end] && text[end] <= 'Z' || '0' <= text[end] && text[end] <= '9') {
			end++
		}
	}
	if end > 1 && r.shells[text[:end]] {
		return end
	}
	return 0
}

// redactPieces replaces each maximal run of text covered by pieces of
// secrets. The caller holds r.mu.
func (r *Redactor) redactPieces(text string) string {
	if len(r.pieces) == 0 || len(text) < Fragment {
		return text
	}
	var b strings.Builder
	// Pieces match in any case: looked up in the text lower-cased once,
	// whose bytes are where the text's are.
	lowered := asciiLower(text)
	written, start, end := 0, -1, -1 // text[:written] is in b; [start, end) is the current run
	for i := 0; i+Fragment <= len(text); i++ {
		if text[i] == '$' {
			if n := r.shellAt(text[i:]); n > 0 {
				i += n - 1 // a secret's variable, not a piece of one
				continue
			}
		}
		window := lowered[i : i+Fragment]
		if !r.pieceWindows.may(windowKey(window)) || !r.pieces[string(window)] {
			continue
		}
		if i > end { // a new run: flush the previous one
			if start >= 0 {
				b.WriteString(text[written:start])
				b.WriteString(redactedPiece)
				written = end
			}
			start = i
		}
		end = i + Fragment
	}
	if start < 0 {
		return text
	}
	b.WriteString(text[written:start])
	b.WriteString(redactedPiece)
	b.WriteString(text[end:])
	return b.String()
}

// Quote returns text as one double-quoted POSIX shell word in which every
// registered secret, and every extra substitution, is its shell expression
// and everything else is literal: the word expands back to text when the
// seed's environment variables are set.
func (r *Redactor) Quote(text string, extra ...fixtures.Secret) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var b strings.Builder
	b.WriteByte('"')
	for text != "" {
		at, found := r.nextSecret(text)
		for _, s := range extra {
			i := strings.Index(text, s.Value)
			if i >= 0 && (at < 0 || i < at || i == at && len(s.Value) > len(found.Value)) {
				at, found = i, s
			}
		}
		if at < 0 {
			b.WriteString(fixtures.ShellEscape(text))
			break
		}
		b.WriteString(fixtures.ShellEscape(text[:at]))
		b.WriteString(found.Shell)
		text = text[at+len(found.Value):]
	}
	b.WriteByte('"')
	return b.String()
}

// Writer returns w behind the redactor: every write is redacted of secrets
// (not escaped, so the program's own colours survive). Each write is
// redacted on its own; a secret split over writes still loses every piece
// of Fragment bytes or more.
func (r *Redactor) Writer(w io.Writer) io.Writer { return redactingWriter{r, w} }

// Writer returns w behind the run's redactor (see Redactor.Writer): the
// command writes everything it prints itself through it.
func (e *Env) Writer(w io.Writer) io.Writer { return e.redactor.Writer(w) }

type redactingWriter struct {
	r *Redactor
	w io.Writer
}

func (rw redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.redactSecrets(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// EscapeControl makes received text safe for a terminal or a log line:
// invalid UTF-8 becomes U+FFFD, and control characters other than newline
// and tab (ESC, NUL, CR, DEL, the C1 range) and the bidirectional overrides
// that reorder what a reader sees are written as Go escapes (\x1b, \u202e).
func EscapeControl(s string) string {
	if !needsEscape(s) {
		return s
	}
	return escapeControl(s)
}

func escapeControl(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\n' || c == '\t':
			b.WriteRune(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		case escapedRune(c):
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// needsEscape is a fast path: text EscapeControl would leave as it is
// (printable ASCII, and valid UTF-8 outside the escaped ranges, such as the
// µ of a duration) is not rebuilt.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || escapedRune(r) {
			return true
		}
		i += size
	}
	return false
}

// escapedRune reports whether EscapeControl writes r as an escape: the C1
// controls and the bidirectional overrides.
func escapedRune(r rune) bool {
	return r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// RedactedFail is the one way a failure reaches Ginkgo, and through it the
// console and every report: the message is redacted with the current run's
// secrets first. Register it as Gomega's fail handler
// (gomega.RegisterFailHandler(framework.RedactedFail)); the framework's own
// failures call it too.
func RedactedFail(message string, callerSkip ...int) {
	ginkgo.GinkgoHelper()
	skip := 1
	if len(callerSkip) > 0 {
		skip += callerSkip[0]
	}
	ginkgo.Fail(redactCurrent(message), skip)
}

// redactCurrent redacts with the current environment, or only escapes when
// there is none yet.
func redactCurrent(message string) string {
	if e := current.Load(); e != nil {
		return e.Redact(message)
	}
	return EscapeControl(message)
}

// RedactReport returns r with every text a run could have put in it
// redacted: failure messages and forwarded panics, report entries and
// captured output. What the framework gives Ginkgo is redacted already;
// this last pass before reports are written covers what Ginkgo adds on its
// own, such as the value of a panic.
func (e *Env) RedactReport(r types.Report) types.Report {
	specs := slices.Clone(r.SpecReports)
	for i := range specs {
		s := &specs[i]
		s.Failure = e.redactFailure(s.Failure)
		s.AdditionalFailures = slices.Clone(s.AdditionalFailures)
		for j := range s.AdditionalFailures {
			s.AdditionalFailures[j].Failure = e.redactFailure(s.AdditionalFailures[j].Failure)
		}
		s.CapturedGinkgoWriterOutput = e.Redact(s.CapturedGinkgoWriterOutput)
		s.CapturedStdOutErr = e.Redact(s.CapturedStdOutErr)
		s.ReportEntries = slices.Clone(s.ReportEntries)
		for j, entry := range s.ReportEntries {
			// The framework's own entries were redacted when they were made
			// (chokepoint_test.go), in this process or in a worker with the
			// same secrets and more: a whole API's evidence is not redacted
			// again, nor encoded to be.
			if entry.Name != ExchangeEntry && entry.Name != RunErrorEntry {
				s.ReportEntries[j].Value = e.redactEntryValue(entry.Value)
			}
		}
	}
	r.SpecReports = specs
	r.SpecialSuiteFailureReasons = slices.Clone(r.SpecialSuiteFailureReasons)
	for i, reason := range r.SpecialSuiteFailureReasons {
		r.SpecialSuiteFailureReasons[i] = e.Redact(reason)
	}
	return r
}

func (e *Env) redactFailure(f types.Failure) types.Failure {
	f.Message, f.ForwardedPanic = e.Redact(f.Message), e.Redact(f.ForwardedPanic)
	f.Location.FullStackTrace = e.Redact(f.Location.FullStackTrace)
	return f
}

// redactEntryValue redacts an entry's value as it will be written: Ginkgo
// writes a value from the value itself, so the redacted value is decoded
// from its redacted JSON (a map where there was a struct, as in the reports
// of parallel workers).
func (e *Env) redactEntryValue(v types.ReportEntryValue) types.ReportEntryValue {
	if raw, err := json.Marshal(v); err == nil {
		redacted := e.redactor.redactSecrets(string(raw))
		if redacted == string(raw) && !needsEscape(v.String()) {
			return v
		}
		var out types.ReportEntryValue
		if json.Unmarshal([]byte(redacted), &out) == nil {
			out.Representation = e.Redact(out.Representation)
			return out
		}
	}
	return types.WrapEntryValue(e.Redact(v.String()))
}
