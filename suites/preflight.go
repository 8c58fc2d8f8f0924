package suites

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/framework"
)

// ErrNotSandbox stops a run that would delete data in a workspace that is
// not known to be a sandbox.
var ErrNotSandbox = errors.New("not known to be a sandbox")

// Preflight asks POST /workspaces/get about the workspace before any spec
// runs. Only an answer of 200 with "is_sandbox": true (the JSON boolean)
// lets the destructive specs run; any other value, or none, stops the run
// unless allowNonSandbox. An endpoint that does not offer the operation
// (404, 405, 501) is told in a note and the run goes on: the specs will say
// more. One that gives no answer is asked again; if it never answers, the
// run ends at its first request (INCOMPLETE, nothing sent), unless
// allowNonSandbox. Preflight fills in the workspace ID and publishable key
// the user did not give. Notes and errors are redacted.
func Preflight(env *framework.Env, allowNonSandbox bool) (notes []string, err error) {
	notes, err = preflight(env, allowNonSandbox)
	for i := range notes {
		notes[i] = env.Redact(notes[i])
	}
	if err != nil {
		err = redactedError{env.Redact(err.Error()), err}
	}
	return notes, err
}

func preflight(env *framework.Env, allowNonSandbox bool) (notes []string, err error) {
	schemes := env.AvailableSchemes()
	if len(schemes) == 0 {
		return []string{"no credential was given: only the specs that need none can run"}, nil
	}
	// The guard asks with the first credential the operation takes: one it
	// does not take would be refused, and a valid one blamed.
	asker := schemes[0]
	if d, ok := env.Contract.Describe(spec.GetWorkspace); ok {
		i := slices.IndexFunc(schemes, d.Accepts)
		if i < 0 {
			return cannotAsk(env, schemes, allowNonSandbox)
		}
		asker = schemes[i]
	}
	x := env.Do(framework.Call(spec.GetWorkspace).As(env.As(asker)))
	// A connection dropped once must not leave a workspace unchecked.
	for try := 1; x.Err != nil && try < preflightTries; try++ {
		time.Sleep(preflightPause)
		x = env.Do(framework.Call(spec.GetWorkspace).As(env.As(asker)))
	}
	others := slices.DeleteFunc(slices.Clone(schemes), func(s string) bool { return s == asker })
	switch {
	case x.Err != nil && allowNonSandbox:
		return []string{fmt.Sprintf("POST /workspaces/get got no answer (%v); going on because of --allow-non-sandbox", x.Err)}, nil
	case x.Err != nil:
		env.Stop(fmt.Sprintf("POST /workspaces/get got no answer in %d tries (%v), so the workspace is not known to be a sandbox and nothing was sent", preflightTries, x.Err))
		return nil, nil
	case x.Status == http.StatusUnauthorized || x.Status == http.StatusForbidden:
		return nil, refused(asker, x.Status)
	case x.Status == http.StatusNotFound || x.Status == http.StatusMethodNotAllowed || x.Status == http.StatusNotImplemented:
		return []string{fmt.Sprintf("the endpoint answered POST /workspaces/get with %d, so the suite cannot tell whether the workspace is a sandbox; going on", x.Status)}, nil
	}
	id, _ := x.Field("workspace.workspace_id")
	key, _ := x.Field("workspace.publishable_key")
	if x.Status == http.StatusOK {
		// What the endpoint says goes into every later request's headers
		// and into what the redactor hides: only values of their shape.
		found := fixtures.Seed{WorkspaceID: str(id), PublishableKey: str(key)}
		if env.Seed.WorkspaceID == "" && found.WorkspaceID != "" && !spec.IsUUID(found.WorkspaceID) {
			notes = append(notes, fmt.Sprintf("POST /workspaces/get answered a workspace_id that is not a UUID (%q): not used; give SEAM_WORKSPACE_ID", clip(found.WorkspaceID)))
			found.WorkspaceID = ""
		}
		if env.Seed.PublishableKey == "" && found.PublishableKey != "" && !publishableKeyShaped(found.PublishableKey) {
			notes = append(notes, "POST /workspaces/get answered a publishable_key not shaped like one (seam_pk…): not used; give SEAM_PUBLISHABLE_KEY")
			found.PublishableKey = ""
		}
		env.Learn(found)
	}
	sandbox, known := x.Field("workspace.is_sandbox")
	if x.Status == http.StatusOK && known && sandbox == true {
		return notes, otherCredentials(env, others)
	}
	said := "is_sandbox is missing"
	switch {
	case x.Status != http.StatusOK:
		said = fmt.Sprintf("POST /workspaces/get answered %d", x.Status)
	case known:
		shown, _ := json.Marshal(sandbox)
		said = fmt.Sprintf("is_sandbox: %s", clip(string(shown)))
	}
	if allowNonSandbox {
		notes = append(notes, fmt.Sprintf("the workspace is not known to be a sandbox (%s); going on because of --allow-non-sandbox", said))
		if x.Status == http.StatusOK {
			return notes, otherCredentials(env, others)
		}
		return notes, nil
	}
	if x.Status == http.StatusTooManyRequests || x.Status >= 500 {
		// Not an answer about the workspace, but a busy or broken
		// endpoint: the hint is to wait, not to risk a workspace.
		return nil, fmt.Errorf("the workspace is not known to be a sandbox: POST /workspaces/get answered %d, the endpoint busy or failing; try again later (or pass --allow-non-sandbox)", x.Status)
	}
	workspace := "the workspace"
	if name, _ := x.Field("workspace.name"); id != nil || name != nil { // an answer without a workspace names none
		workspace = fmt.Sprintf("workspace %q (%q)", clip(fmt.Sprint(id)), clip(fmt.Sprint(name)))
	}
	return nil, fmt.Errorf("%s is %w (%s; only is_sandbox: true is) and the suite deletes data; pass --allow-non-sandbox to run anyway",
		workspace, ErrNotSandbox, said)
}

// cannotAsk is the preflight when none of the credentials given can ask
// POST /workspaces/get: the workspace is not known to be a sandbox.
func cannotAsk(env *framework.Env, schemes []string, allowNonSandbox bool) ([]string, error) {
	if env.Seed.WorkspaceID == "" {
		for _, scheme := range []string{framework.SchemePAT, framework.SchemeConsoleSession} {
			if row, _ := spec.SchemeNamed(scheme); env.Seed.Value(row.Env) != "" {
				return nil, fmt.Errorf("%s (or --%s) needs SEAM_WORKSPACE_ID (or --workspace-id), which is not set: the sandbox guard asks POST /workspaces/get, which takes a %s only with its workspace; set it, or give SEAM_API_KEY (or --api-key)", row.Env, row.Flag, row.Kind)
			}
		}
	}
	var kinds []string
	for _, scheme := range schemes {
		row, _ := spec.SchemeNamed(scheme)
		kinds = append(kinds, cmp.Or(row.Kind, scheme))
	}
	said := fmt.Sprintf("none of the credentials given (%s) can ask POST /workspaces/get", strings.Join(kinds, ", "))
	if allowNonSandbox {
		return []string{"the workspace is not known to be a sandbox: " + said + "; going on because of --allow-non-sandbox"}, nil
	}
	return nil, fmt.Errorf("the workspace is %w: %s; give SEAM_API_KEY (or --api-key), or pass --allow-non-sandbox", ErrNotSandbox, said)
}

// otherCredentials asks POST /workspaces/get with each other of the
// user's own credentials given (a PAT, a console session, with the
// workspace ID): one the endpoint refuses is the user's mistake (a mistyped
// token, another workspace's ID) far more often than the implementation's,
// and would otherwise fail every spec that uses it as the implementation's.
// Anything but a refusal is for the specs to judge, and so are the other
// kinds of tokens, which the document lets call the operation but Seam
// may not.
func otherCredentials(env *framework.Env, schemes []string) error {
	d, ok := env.Contract.Describe(spec.GetWorkspace)
	for _, scheme := range schemes {
		if !ok || !d.Accepts(scheme) || !slices.Contains([]string{framework.SchemeAPIKey, framework.SchemePAT, framework.SchemeConsoleSession}, scheme) {
			continue
		}
		x := env.Do(framework.Call(spec.GetWorkspace).As(env.As(scheme)))
		if x.Err == nil && (x.Status == http.StatusUnauthorized || x.Status == http.StatusForbidden) {
			return refused(scheme, x.Status)
		}
	}
	return nil
}

// refused is the error for a credential the endpoint refused, naming the
// variables that gave it.
func refused(scheme string, status int) error {
	row, _ := spec.SchemeNamed(scheme)
	given := cmp.Or(row.Env, scheme)
	if row.Flag != "" {
		given += " (or --" + row.Flag + ")"
	}
	if row.Companion != "" {
		given += " and SEAM_WORKSPACE_ID (or --workspace-id)"
	}
	return fmt.Errorf("the endpoint refused the %s for POST /workspaces/get with %d: check %s (if they are right, the implementation refuses a valid one)", cmp.Or(row.Kind, scheme), status, given)
}

// The preflight asks this many times, this long apart, before it takes the
// endpoint for one that does not answer.
const (
	preflightTries = 3
	preflightPause = 500 * time.Millisecond
)

// publishableKeyShaped reports whether key looks like a Seam publishable
// key: its prefix, then a token of at least the length a secret must have.
func publishableKeyShaped(key string) bool {
	scheme, _ := spec.SchemeNamed("publishable_key")
	_, token := spec.BearerToken("Bearer " + key)
	return scheme.Shaped(key) && token && len(key) >= fixtures.MinSecret
}

// clip keeps a value the endpoint chose to one short line.
func clip(s string) string {
	const limit = 80
	r := []rune(s)
	if len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}

// redactedError shows a redacted message and still wraps the original,
// so errors.Is(err, ErrNotSandbox) holds.
type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

func str(v any) string {
	s, _ := v.(string)
	return s
}
