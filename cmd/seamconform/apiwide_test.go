package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/spec"
)

// TestAPIWideFamilyNamesTheBrokenOperation runs the API-wide family over
// HTTP against the reference with an API-wide fault on one operation, and
// checks that the run fails the fault's requirement on exactly that
// operation (both its methods), and says so.
func TestAPIWideFamilyNamesTheBrokenOperation(t *testing.T) {
	const fault = "api-malformed-uuid-accepted"
	var broken reference.Fault
	for _, f := range reference.APIFaults() {
		if f.Name == fault {
			broken = f
		}
	}
	if broken.Scope != "/acs/systems/get" || !slices.Contains(broken.Breaks, "API-UUID-02") {
		t.Fatalf("the test expects %s to break API-UUID-02 on /acs/systems/get: %+v", fault, broken)
	}
	_, env := served(t, reference.Options{Faults: []string{fault}}, nil)
	path := filepath.Join(t.TempDir(), "report.json")
	// Its neighbours under /acs/systems/ run too and must pass.
	r := seamconform(t, env, "run", "--no-color", "--label-filter", "/^API-/", "--operation", "/acs/systems/*", "--json-report", path)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (a MUST failed):\n%s\n%s", r.code, tail(r.stdout, 30), tail(r.stderr, 10))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var report []types.Report
	if err := json.Unmarshal(raw, &report); err != nil || len(report) != 1 {
		t.Fatalf("unreadable report: %v", err)
	}
	failedOps, failedIDs, passedOps := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, sr := range report[0].SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		for _, l := range sr.Labels() {
			switch {
			case strings.HasPrefix(l, "op:") && sr.State.Is(types.SpecStateFailed):
				failedOps[l] = true
			case strings.HasPrefix(l, "op:") && sr.State.Is(types.SpecStatePassed):
				passedOps[l] = true
			case strings.HasPrefix(l, "API-") && sr.State.Is(types.SpecStateFailed):
				failedIDs[l] = true
			}
		}
	}
	want := map[string]bool{"op:acsSystemsGetPost": true, "op:acsSystemsGetGet": true}
	if len(failedOps) != len(want) || !failedOps["op:acsSystemsGetPost"] || !failedOps["op:acsSystemsGetGet"] {
		t.Errorf("failed operations %v, want exactly %v", keys(failedOps), keys(want))
	}
	if len(passedOps) < 3 {
		t.Errorf("only %v passed: the neighbours of the broken operation did not run", keys(passedOps))
	}
	if !failedIDs["API-UUID-02"] {
		t.Errorf("failed requirements %v lack API-UUID-02", keys(failedIDs))
	}
	for _, s := range []string{"API-UUID-02", "POST /acs/systems/get", "op:acsSystemsGetPost", "tag:acs"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("the output does not name %q:\n%s", s, tail(r.stdout, 40))
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The cases of an API-wide spec are sent at once. Each request to the
// operation under test waits (up to a second) for a second one to arrive:
// the most in flight at once must reach 2 in a run of one spec at a time,
// and each spec still records one exchange per case: one per scheme the
// operation accepts.
func TestAPIWideCasesAreSentAtOnce(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := 0, 0
	_, env := served(t, reference.Options{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/user_identities/delete" && r.Method == http.MethodPost {
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				mu.Unlock()
				for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
					mu.Lock()
					together := most >= 2
					mu.Unlock()
					if together {
						break
					}
				}
				defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
			}
			h.ServeHTTP(w, r)
		})
	})
	path := filepath.Join(t.TempDir(), "report.json")
	r := seamconform(t, env, "run", "--no-color", "--concurrency", "1", "--label-filter", "API-AUTH-03", "--operation", "POST /user_identities/delete", "--json-report", path)
	expect(t, r, 0, "Verdict: CONFORMANT")
	if most < 2 {
		t.Fatalf("at most %d request at once: the spec's cases were sent one by one", most)
	}
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	accepted, _ := contract.Describe(spec.DeleteIdentity)
	for _, s := range ginkgoReport(t, path).SpecReports {
		if s.LeafNodeType != types.NodeTypeIt || s.State != types.SpecStatePassed {
			continue
		}
		exchanges := 0
		for _, e := range s.ReportEntries {
			if e.Name == "exchange" {
				exchanges++
			}
		}
		if exchanges != len(accepted.Schemes) {
			t.Fatalf("%s: %d exchanges for the %d schemes %s accepts", s.FullText(), exchanges, len(accepted.Schemes), spec.DeleteIdentity)
		}
	}
}

// A failed case is named where a failure is shown: in Ginkgo's failure and
// in the verdict's list of what failed.
func TestAPIWideFailureNamesTheCase(t *testing.T) {
	r := seamconform(t, nil, "run", "--no-color", "--fault", "api-any-kind-accepted", "--label-filter", "API-AUTH-05", "--operation", "POST /acs/systems/get")
	expect(t, r, 1, "Verdict: NOT CONFORMANT", "[FAILED] a valid ", "- POST /acs/systems/get: a valid ")
}

// An operation whose UUID inputs the contract takes in any form still has
// its credentials checked when it only reads (POST /acs/credentials/list):
// the auth faults scoped to it are caught, not skipped.
func TestAPIWideAuthIsCheckedOnAReadWithoutABadInput(t *testing.T) {
	r := seamconform(t, nil, "run", "--no-color", "--operation", "/acs/credentials/list", "--label-filter", "/^API-AUTH-0[456]/",
		"--fault", "api-any-kind-accepted@/acs/credentials/list", "--fault", "api-workspace-header-optional@/acs/credentials/list", "--fault", "auth-scheme-ignored@/acs/credentials/list")
	expect(t, r, 1, "Verdict: NOT CONFORMANT", "FAILED API-AUTH-04 [MUST]", "FAILED API-AUTH-05 [MUST]", "FAILED API-AUTH-06 [MUST]")
}

// An operation with no harmless request (POST /workspaces/reset_sandbox
// takes no input to make one) has API-AUTH-04 checked in full on the
// embedded mocks, whose data is the run's own; an endpoint's is not the
// run's, so there the run sends it no valid credential under another
// scheme word, and says so.
func TestAPIWideAuthOnAnOperationWithoutAHarmlessRequest(t *testing.T) {
	const fault = "auth-scheme-ignored@/workspaces/reset_sandbox"
	args := []string{"run", "--no-color", "-v", "--operation", "/workspaces/reset_sandbox", "--label-filter", "/^API-AUTH-04/"}
	r := seamconform(t, nil, append(args, "--fault", fault)...)
	expect(t, r, 1, "FAILED API-AUTH-04 [MUST]", "- POST /workspaces/reset_sandbox: Token with a valid API key")

	var mu sync.Mutex
	var sent []string
	_, env := served(t, reference.Options{Faults: []string{fault}}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			sent = append(sent, r.Header.Get("Authorization"))
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	r = seamconform(t, env, args...)
	expect(t, r, 0, "Verdict: CONFORMANT", "not sent: a valid credential under another scheme word, as no request to POST /workspaces/reset_sandbox is harmless")
	mu.Lock()
	defer mu.Unlock()
	for _, auth := range sent {
		word, token, _ := strings.Cut(auth, " ")
		for name, secret := range env {
			if word != "Bearer" && secret != "" && token == secret {
				t.Errorf("the run sent the valid %s under %q to an endpoint's operation with no harmless request", name, word)
			}
		}
	}
	if len(sent) == 0 {
		t.Fatal("the run sent nothing to the endpoint")
	}
}
