package framework

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/target"
)

// The documented security schemes of the operation under test; specs use
// them as labels too.
const (
	SchemeAPIKey         = "api_key"
	SchemePAT            = "pat_with_workspace"
	SchemeConsoleSession = "console_session_with_workspace"
)

// Schemes lists the documented schemes in catalogue order.
var Schemes = []string{SchemeAPIKey, SchemePAT, SchemeConsoleSession}

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
	inflight sync.WaitGroup
	closed   atomic.Bool // set by Interrupt: specs may send no more
	// stopped holds why the run must end (the endpoint stopped answering,
	// its time is up); the next request ends it.
	stopped    atomic.Pointer[string]
	mu         sync.Mutex
	deadline   time.Time
	limit      string
	unanswered map[string]int // operation -> requests in a row without an answer
	// cleanupDeadline bounds the final sweep.
	cleanupDeadline time.Time
	throttled       atomic.Int64
}

// NewEnv prepares a run. The seed's secrets are registered for redaction
// before any spec can print anything.
func NewEnv(t target.Target, c *spec.Contract, seed fixtures.Seed, runID string) *Env {
	e := &Env{Target: t, Contract: c, Seed: seed, RunID: runID, redactor: &Redactor{}, ledger: newLedger(), unanswered: map[string]int{}}
	for name, value := range seed.Secrets() {
		if value == "" {
			continue
		}
		s := fixtures.EnvSecret(name, value)
		e.redactor.Add(s)
		if name == "SEAM_CONSOLE_SESSION_TOKEN" || name == "SEAM_EXPIRED_CONSOLE_SESSION_TOKEN" {
			e.redactor.Add(fixtures.JWTSignature(s))
		}
	}
	return e
}

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
	value, name := e.credential(scheme)
	if name == "" {
		RedactedFail(fmt.Sprintf("suite error: unknown scheme %q", scheme))
	}
	if value == "" {
		Skip(fmt.Sprintf("no %s credential was given (set %s)", scheme, Hint(name)))
	}
	return fixtures.EnvSecret(name, value)
}

// As returns the seed's valid credential for a scheme, with the
// seam-workspace header where the scheme needs one.
func (e *Env) As(scheme string) Credential {
	c := Credential{Scheme: scheme, Authorization: Bearer(e.Token(scheme))}
	if scheme != SchemeAPIKey {
		c.Workspace = e.WorkspaceID()
	}
	return c
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

// AvailableSchemes lists the schemes the run can present a valid credential
// for: a token, and for the *_with_workspace schemes a workspace ID too.
func (e *Env) AvailableSchemes() []string {
	var out []string
	for _, s := range Schemes {
		if e.unavailable(s) == "" {
			out = append(out, s)
		}
	}
	return out
}

// Uncovered explains, scheme by scheme, why the run cannot use it.
func (e *Env) Uncovered() map[string]string {
	out := map[string]string{}
	for _, s := range Schemes {
		if why := e.unavailable(s); why != "" {
			out[s] = why
		}
	}
	return out
}

// credential returns the seed's token for a documented scheme and the
// environment variable that holds it; no variable for an unknown scheme.
func (e *Env) credential(scheme string) (value, variable string) {
	switch scheme {
	case SchemeAPIKey:
		return e.Seed.APIKey, "SEAM_API_KEY"
	case SchemePAT:
		return e.Seed.PersonalAccessToken, "SEAM_PERSONAL_ACCESS_TOKEN"
	case SchemeConsoleSession:
		return e.Seed.ConsoleSessionToken, "SEAM_CONSOLE_SESSION_TOKEN"
	}
	return "", ""
}

func (e *Env) unavailable(scheme string) string {
	token, variable := e.credential(scheme)
	switch {
	case token == "":
		return Hint(variable) + " not set"
	case scheme != SchemeAPIKey && e.Seed.WorkspaceID == "":
		return Hint("SEAM_WORKSPACE_ID") + " not set"
	}
	return ""
}

// flags are the seamconform run flags that stand for the variables.
var flags = map[string]string{
	"SEAM_API_KEY":               "--api-key",
	"SEAM_PERSONAL_ACCESS_TOKEN": "--personal-access-token",
	"SEAM_CONSOLE_SESSION_TOKEN": "--console-session-token",
	"SEAM_WORKSPACE_ID":          "--workspace-id",
}

// Hint names a variable with the flag that can stand for it, so that a
// hint tells both ways of giving a value.
func Hint(variable string) string {
	if f, ok := flags[variable]; ok {
		return variable + " or " + f
	}
	return variable
}
