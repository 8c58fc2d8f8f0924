package suites

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/framework"
)

// ErrNotSandbox stops a run that would delete data in a workspace that is
// not a sandbox.
var ErrNotSandbox = errors.New("not a sandbox")

// Preflight asks POST /workspaces/get about the workspace before any spec
// runs. It refuses a workspace that says is_sandbox: false unless
// allowNonSandbox, fills in the workspace ID and publishable key the user did
// not give, and returns notes for the user (an endpoint without the
// operation, one that cannot be reached). An error means the run must not
// start.
func Preflight(env *framework.Env, allowNonSandbox bool) (notes []string, err error) {
	schemes := env.AvailableSchemes()
	if len(schemes) == 0 {
		return []string{"no credential was given: only the specs that need none can run"}, nil
	}
	x := env.Do(framework.Call(spec.GetWorkspace).As(env.As(schemes[0])))
	switch {
	case x.Err != nil:
		return []string{env.Redact(fmt.Sprintf("POST /workspaces/get got no answer (%v); the specs will say more", x.Err))}, nil
	case x.Status == http.StatusUnauthorized || x.Status == http.StatusForbidden:
		return nil, fmt.Errorf("the endpoint refused the %s credential for POST /workspaces/get with %d: check it and the workspace ID", schemes[0], x.Status)
	case x.Status != http.StatusOK:
		return []string{fmt.Sprintf("the endpoint answered POST /workspaces/get with %d, so the suite cannot tell whether the workspace is a sandbox; going on", x.Status)}, nil
	}
	id, _ := x.Field("workspace.workspace_id")
	key, _ := x.Field("workspace.publishable_key")
	env.Learn(fixtures.Seed{WorkspaceID: str(id), PublishableKey: str(key)})
	sandbox, known := x.Field("workspace.is_sandbox")
	switch {
	case !known:
		return []string{"POST /workspaces/get does not say whether the workspace is a sandbox; going on"}, nil
	case sandbox == false && !allowNonSandbox:
		name, _ := x.Field("workspace.name")
		return nil, fmt.Errorf("workspace %v (%v) is %w (is_sandbox: false) and the suite deletes data; pass --allow-non-sandbox to run anyway", id, name, ErrNotSandbox)
	}
	return nil, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
