// Package framework is what the conformance specs share: the requirement
// registry and the Ginkgo wrappers that tie a spec to its requirement, the
// environment a run targets, the request builder that checks the suite's own
// requests against the contract, and matchers whose failures explain
// themselves.
package framework

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Level is a requirement's strength in the RFC 2119 sense. A failed MUST
// makes an implementation non-conformant; a failed SHOULD is reported but
// does not change the verdict.
type Level string

const (
	MUST   Level = "MUST"
	SHOULD Level = "SHOULD"
)

// Requirement is one rule of the contract that the suite checks. Its ID
// never changes meaning: a changed rule gets a new ID, and the generated
// catalogue (REQUIREMENTS.md) shows every change in review.
type Requirement struct {
	ID        string
	Level     Level
	Statement string
	// Area groups requirements for --label-filter: success, effect,
	// notfound, input, uuid, auth, response.
	Area string
	// Operations are the contract operations the requirement is about.
	Operations []string
	// Family names the suite that checks it: an operation's hand-written
	// suite ("user_identities/delete") or the API-wide family.
	Family string
}

var (
	idPattern = regexp.MustCompile(`^[A-Z]+(-[A-Z]+)+-[0-9]{2}$`)
	registry  = map[string]Requirement{}
)

// Register adds r to the catalogue and returns it. It panics on a malformed
// or duplicate registration, so a mistake stops the suite from building its
// spec tree rather than producing a misleading report.
func Register(r Requirement) Requirement {
	switch {
	case !idPattern.MatchString(r.ID):
		panic(fmt.Sprintf("requirement ID %q does not look like AREA-NAME-00", r.ID))
	case r.Level != MUST && r.Level != SHOULD:
		panic(fmt.Sprintf("requirement %s: level %q is neither MUST nor SHOULD", r.ID, r.Level))
	case !strings.Contains(r.Statement, string(r.Level)):
		panic(fmt.Sprintf("requirement %s: statement must use its level word %s", r.ID, r.Level))
	case strings.Contains(r.Statement, "\n"):
		panic(fmt.Sprintf("requirement %s: statement must be one line", r.ID))
	case r.Area == "" || len(r.Operations) == 0:
		panic(fmt.Sprintf("requirement %s: needs an area and at least one operation", r.ID))
	}
	if _, dup := registry[r.ID]; dup {
		panic(fmt.Sprintf("requirement %s registered twice", r.ID))
	}
	registry[r.ID] = r
	return r
}

// Requirements returns the catalogue sorted by ID.
func Requirements() []Requirement {
	out := make([]Requirement, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the requirement with this ID.
func Lookup(id string) (Requirement, bool) {
	r, ok := registry[id]
	return r, ok
}

// RequirementOf returns the requirement a spec proves, found among its
// labels.
func RequirementOf(labels []string) (Requirement, bool) {
	for _, l := range labels {
		if r, ok := registry[l]; ok {
			return r, true
		}
	}
	return Requirement{}, false
}
