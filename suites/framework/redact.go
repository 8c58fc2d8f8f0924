package framework

import (
	"sort"
	"strings"
	"sync"

	"github.com/seamconform/seamconform/fixtures"
)

// Redactor replaces secrets in text with the shell expressions that stand
// for them. Every secret a request presents is added before the request is
// sent, so nothing the suite prints can hold one.
type Redactor struct {
	mu      sync.Mutex
	secrets []fixtures.Secret
}

// Add registers secrets; values shorter than 8 bytes are not redacted
// because they cannot be secrets and would garble unrelated text.
func (r *Redactor) Add(secrets ...fixtures.Secret) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, whole := range secrets {
		for _, s := range append([]fixtures.Secret{whole}, whole.Parts()...) {
			if len(s.Value) < 8 || s.Shell == fixtures.ShellEscape(s.Value) || r.has(s.Value) {
				continue // too short to be a secret, public, or known
			}
			r.secrets = append(r.secrets, s)
		}
	}
	// Longest first, so a secret that contains another is replaced whole.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i].Value) > len(r.secrets[j].Value) })
}

func (r *Redactor) has(value string) bool {
	for _, s := range r.secrets {
		if s.Value == value {
			return true
		}
	}
	return false
}

// Redact returns text with every registered secret replaced.
func (r *Redactor) Redact(text string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		text = strings.ReplaceAll(text, s.Value, s.Shell)
	}
	return text
}

// Quote returns text as one double-quoted POSIX shell word in which every
// registered secret, and every extra substitution, is its shell expression
// and everything else is literal: the word expands back to text when the
// seed's environment variables are set.
func (r *Redactor) Quote(text string, extra ...fixtures.Secret) string {
	r.mu.Lock()
	secrets := append(append([]fixtures.Secret{}, r.secrets...), extra...)
	r.mu.Unlock()
	var b strings.Builder
	b.WriteByte('"')
	for text != "" {
		at, found := -1, fixtures.Secret{}
		for _, s := range secrets {
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
