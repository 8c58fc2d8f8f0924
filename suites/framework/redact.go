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
	for _, s := range secrets {
		if len(s.Value) < 8 || s.Value == s.Shell || r.has(s.Value) {
			continue
		}
		r.secrets = append(r.secrets, s)
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
