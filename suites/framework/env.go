package framework

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/target"
)

// Names of the three schemes the hand-written suites label their cases
// with; every scheme of the document is in spec.Schemes().
const (
	SchemeAPIKey         = "api_key"
	SchemePAT            = "pat_with_workspace"
	SchemeConsoleSession = "console_session_with_workspace"
)

// Env is everything a run's specs need: where requests go, the contract
// they are checked against, what the target was seeded with, and the run's
// bookkeeping (its ID, the secrets to redact, the identities it created).
type Env struct {
	Target   target.Target
	Contract *spec.Contract
	Seed     fixtures.Seed
	// RunID tags everything this run creates, so that it can tell its own
	// data from anyone else's.
	RunID string

	redactor *Redactor
	ledger   *Ledger
	// inflight counts requests being sent and idle is closed when it drops
	// to 0, both under mu: the sweep waits for an interrupted spec's request
	// while clean-up requests come and go, which a WaitGroup forbids.
	inflight int
	idle     chan struct{}
	closed   atomic.Bool // set by Interrupt, under mu: specs may send no more
	// stopped holds why the run must end (the endpoint stopped answering,
	// its time is up); the next request ends it.
	stopped    atomic.Pointer[string]
	mu         sync.Mutex
	deadline   time.Time
	limit      string
	unanswered map[string]int // operation -> requests in a row without an answer
	unserved   map[string]int // operation -> requests in a row without an answer or with only a 429
	// cleanupDeadline bounds the final sweep.
	cleanupDeadline time.Time
	throttled       atomic.Int64
	// foreignGone says how the run learned that the foreign identity is
	// gone; nil while it is not known to be.
	foreignGone atomic.Pointer[string]
}

// NewEnv prepares a run. The seed's secrets are registered for redaction
// before any spec can print anything.
func NewEnv(t target.Target, c *spec.Contract, seed fixtures.Seed, runID string) *Env {
	e := &Env{Target: t, Contract: c, Seed: seed, RunID: runID, redactor: &Redactor{}, ledger: newLedger(), unanswered: map[string]int{}, unserved: map[string]int{}}
	for name, value := range seed.Secrets() {
		if value == "" {
			continue
		}
		s := fixtures.EnvSecret(name, value)
		e.redactor.Add(s)
		if strings.Count(value, ".") == 2 { // a JWT: its signature alone is secret too
			e.redactor.Add(fixtures.JWTSignature(s))
		}
	}
	return e
}

// AbsentKey is a user_identity_key in this run's namespace that it never
// creates: a request that names a key with a valid credential can then reach
// nothing of anyone else's, even on a server that acts on keys.
func (e *Env) AbsentKey() string { return KeyPrefix(e.RunID) + "absent" }

// Learn fills the seed's empty fields from what the target said about
// itself, registering any new secret for redaction.
func (e *Env) Learn(found fixtures.Seed) {
	if e.Seed.WorkspaceID == "" {
		e.Seed.WorkspaceID = found.WorkspaceID
	}
	if e.Seed.PublishableKey == "" && found.PublishableKey != "" {
		e.Seed.PublishableKey = found.PublishableKey
		e.redactor.Add(fixtures.EnvSecret("SEAM_PUBLISHABLE_KEY", found.PublishableKey))
	}
}

// Redact replaces every secret the run knows of with its shell expression.
func (e *Env) Redact(s string) string { return e.redactor.Redact(s) }

// Ledger is the run's record of the identities it created.
func (e *Env) Ledger() *Ledger { return e.ledger }

var current atomic.Pointer[Env]

// Use makes e the environment of the specs that run next.
func Use(e *Env) { current.Store(e) }

// Current returns the environment set by Use.
func Current() *Env {
	e := current.Load()
	if e == nil {
		Fail("suite error: no environment: call framework.Use before running the specs")
	}
	return e
}

// Credential is what a request presents: an Authorization header and a
// seam-workspace header, either of which may be absent.
type Credential struct {
	// Scheme is the documented scheme the credential is meant for, or "".
	Scheme        string
	Authorization fixtures.Secret
	Workspace     string
	// Header, when set, carries Authorization's value instead of the
	// Authorization header (a scheme sent in its own header, such as
	// seam-publishable-key).
	Header string
}

// Anonymous sends neither header.
var Anonymous = Credential{}

// Bearer presents token with the Bearer scheme.
func Bearer(token fixtures.Secret) fixtures.Secret {
	return fixtures.Concat(fixtures.Public("Bearer "), token)
}

// Token returns the seed's secret for a scheme, skipping the spec when the
// run was not given it.
func (e *Env) Token(scheme string) fixtures.Secret {
	s, ok := spec.SchemeNamed(scheme)
	if !ok {
		RedactedFail(fmt.Sprintf("suite error: unknown scheme %q", scheme))
	}
	value := e.Seed.Value(s.Env)
	if value == "" {
		Skip(fmt.Sprintf("no %s credential was given (set %s)", scheme, Hint(s.Env)))
	}
	return fixtures.EnvSecret(s.Env, value)
}

// As returns the seed's valid credential for a scheme, where the scheme
// carries it and with the companion header it needs.
func (e *Env) As(scheme string) Credential {
	s, _ := spec.SchemeNamed(scheme)
	token := e.Token(scheme)
	c := Credential{Scheme: scheme, Authorization: Bearer(token)}
	if !s.Bearer() {
		c.Authorization, c.Header = token, s.Header
	}
	if s.Companion != "" {
		c.Workspace = e.WorkspaceID()
	}
	return c
}

// AnyOf returns a valid credential of the first of schemes the run can
// present, skipping the spec when it can present none.
func (e *Env) AnyOf(schemes []string) Credential {
	for _, s := range schemes {
		if e.Available(s) {
			return e.As(s)
		}
	}
	Skip(fmt.Sprintf("no credential of a scheme this operation accepts was given (%s)", strings.Join(schemes, ", ")))
	return Credential{}
}

// WorkspaceID returns the seeded workspace, skipping the spec without one.
func (e *Env) WorkspaceID() string {
	return e.Need(e.Seed.WorkspaceID, "the workspace ID (set "+Hint("SEAM_WORKSPACE_ID")+")")
}

// Need returns an optional seed value, skipping the spec when it is empty.
func (e *Env) Need(value, what string) string {
	if value == "" {
		Skip("this spec needs " + what)
	}
	return value
}

// NotApplicablePrefix begins the skip reason of a case that does not apply
// to its operation: the reports leave such a case out, as if it were never
// declared, where a case skipped for want of a credential is not checked.
const NotApplicablePrefix = "not applicable: "

// NotApplicable skips a case the contract gives no way to check on its
// operation (it has no input the check needs).
func NotApplicable(why string) {
	Skip(NotApplicablePrefix + why)
}

// Available reports whether the run can present a valid credential of the
// scheme: a token, and the workspace ID when the scheme needs the header.
func (e *Env) Available(scheme string) bool { return e.unavailable(scheme) == "" }

// AvailableSchemes lists the schemes the run can present a valid credential
// for, in the scheme table's order.
func (e *Env) AvailableSchemes() []string {
	var out []string
	for _, s := range spec.Schemes() {
		if e.Available(s.Name) {
			out = append(out, s.Name)
		}
	}
	return out
}

// Uncovered explains, scheme by scheme, why the run cannot use it.
func (e *Env) Uncovered() map[string]string {
	out := map[string]string{}
	for _, s := range spec.Schemes() {
		if why := e.unavailable(s.Name); why != "" {
			out[s.Name] = why
		}
	}
	return out
}

func (e *Env) unavailable(scheme string) string {
	s, ok := spec.SchemeNamed(scheme)
	switch {
	case !ok:
		return "not a scheme of the contract"
	case e.Seed.Value(s.Env) == "":
		return Hint(s.Env) + " not set"
	case s.Companion != "" && e.Seed.WorkspaceID == "":
		return Hint("SEAM_WORKSPACE_ID") + " not set"
	}
	return ""
}

// SeedFlag is a seamconform run flag that stands for a seed variable.
type SeedFlag struct{ Name, Variable, Usage string }

// SeedFlags are --workspace-id and one flag per token variable of the
// scheme table (spec.Scheme.Flag), in the table's order.
func SeedFlags() []SeedFlag {
	out := []SeedFlag{{"workspace-id", "SEAM_WORKSPACE_ID", "workspace the credentials act on"}}
	for _, s := range spec.Schemes() {
		if !slices.ContainsFunc(out, func(f SeedFlag) bool { return f.Variable == s.Env }) {
			out = append(out, SeedFlag{s.Flag, s.Env, s.Kind})
		}
	}
	return out
}

// Hint names a variable with the flag that can stand for it, so that a
// hint tells both ways of giving a value.
func Hint(variable string) string {
	for _, f := range SeedFlags() {
		if f.Variable == variable {
			return variable + " or --" + f.Name
		}
	}
	return variable
}
