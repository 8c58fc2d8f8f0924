package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/spec"
)

var skipped = regexp.MustCompile(`\| (\d+) Skipped`)

var willRun = regexp.MustCompile(`Will run (\d+) of (\d+) specs`)

var ranSpecs = regexp.MustCompile(`Ran (\d+) of (\d+) Specs in ([0-9.]+) seconds`)

func TestRunOnMocksPasses(t *testing.T) {
	r := seamconform(t, nil, "run", "--no-color")
	expect(t, r, 0, "Verdict: CONFORMANT", "embedded mocks", "UNDOCUMENTED STATUS: 404 from POST /user_identities/delete")
	m := ranSpecs.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no Ginkgo summary in:\n%s", tail(r.stdout, 10))
	}
	if n, _ := strconv.Atoi(m[1]); n < 80 {
		t.Fatalf("ran %s specs, want at least 80", m[1])
	}
}

// TestRunOnMocksChecksEveryOperation is the default run in full: every
// family, the API-wide one on every operation of the contract.
func TestRunOnMocksChecksEveryOperation(t *testing.T) {
	r := seamconform(t, nil, "run", "--no-color", wholeRun)
	expect(t, r, 0, "Verdict: CONFORMANT\n")
	m := ranSpecs.FindStringSubmatch(r.stdout)
	if m == nil || !strings.Contains(r.stdout, " 0 not checked") {
		t.Fatalf("a requirement was not checked: %v\n%s", m, tail(r.stdout, 10))
	}
	if n, _ := strconv.Atoi(m[2]); n < 5000 {
		t.Fatalf("%s specs; the API-wide family has one per operation and requirement (over 5,000)", m[2])
	}
	// The README shows this run's output: it must be what a reader gets.
	readme := readREADME(t)
	_, sample, _ := strings.Cut(readme, "prints Ginkgo's progress (a dot per passing spec) and summary, then a verdict:\n\n```\n")
	sample, _, _ = strings.Cut(sample, "```")
	seconds := regexp.MustCompile(`in [0-9.]+ seconds`)
	got := seconds.ReplaceAllString(r.stdout, "in N seconds")
	for _, line := range strings.Split(strings.TrimSpace(sample), "\n") {
		if !strings.Contains(got, seconds.ReplaceAllString(line, "in N seconds")) {
			t.Errorf("the README's sample output has %q; the run printed:\n%s", line, tail(r.stdout, 10))
		}
	}
}

func TestRunOnMocksCatchesAFault(t *testing.T) {
	r := seamconform(t, nil, "run", "--no-color", "--fault", "not-deleted")
	expect(t, r, 1, "Verdict: NOT CONFORMANT", "FAILED UIDEL-EFFECT-01", "FAILED UIDEL-EFFECT-02")
}

func TestRunFailsOnlyForMUST(t *testing.T) {
	// missing-workspace-400 is what Seam's own fake does: it breaks a SHOULD
	// only, so the implementation is still conformant.
	r := seamconform(t, nil, "run", "--no-color", "--fault", "missing-workspace-400")
	expect(t, r, 0, "Verdict: CONFORMANT", "FAILED UIDEL-AUTH-12 [SHOULD]")
}

func TestLabelFilterPassesThrough(t *testing.T) {
	r := seamconform(t, nil, "run", "--no-color", "--label-filter", "UIDEL-AUTH-01")
	expect(t, r, 0, "Ran 2 of ")
	r = seamconform(t, nil, "run", "--no-color", "--ginkgo.label-filter=UIDEL-AUTH-01 && post")
	expect(t, r, 0, "Ran 1 of ")
}

func TestRunOverHTTPPassesEverySpec(t *testing.T) {
	server, env := served(t, reference.Options{}, nil)
	r := seamconform(t, env, "run", "--no-color")
	expect(t, r, 0, "Verdict: CONFORMANT", env["SEAM_ENDPOINT"])
	// Specs left out by the label filter count as skipped too: compare
	// what Ginkgo was going to run with what it ran.
	will, ran := willRun.FindStringSubmatch(r.stdout), ranSpecs.FindStringSubmatch(r.stdout)
	if will == nil || ran == nil || will[1] != ran[1] {
		t.Fatalf("specs were skipped: will run %v, ran %v", will, ran)
	}
	// Partial for quickSelection only: nothing it selected went unchecked.
	onlySelected := "Verdict: CONFORMANT (partial: selected with " + quickSelection[0] + " '" + quickSelection[1] + "')\n"
	if strings.Contains(r.stdout, "NOT COVERED") || strings.Contains(r.stdout, "NOT CHECKED") || !strings.Contains(r.stdout, onlySelected) {
		t.Fatalf("a run with every credential left something unchecked:\n%s", tail(r.stdout, 20))
	}
	if left := server.IdentityIDs(); len(left) != 0 {
		t.Fatalf("the run left %d identities behind", len(left))
	}
	noSecrets(t, r, env)
}

func TestRunWithOnlyAnAPIKey(t *testing.T) {
	server, env := served(t, reference.Options{}, nil)
	bundle := filepath.Join(t.TempDir(), "bundle")
	r := seamconform(t, map[string]string{"SEAM_ENDPOINT": env["SEAM_ENDPOINT"], "SEAM_API_KEY": env["SEAM_API_KEY"]}, "run", "--no-color", "--report-dir", bundle)
	// Requirements judged on the API key's cases alone were checked in part.
	expect(t, seamconform(t, nil, "report", "check", bundle), 0, "not a certification", "IN PART     UIDEL-OK-01 [MUST] ")
	expect(t, r, 0, "Verdict: CONFORMANT (partial: ", " checked in part",
		"NOT COVERED: scheme pat_with_workspace (SEAM_PERSONAL_ACCESS_TOKEN or --personal-access-token not set)",
		"NOT COVERED: scheme console_session_with_workspace (SEAM_CONSOLE_SESSION_TOKEN or --console-session-token not set)",
		"no pat_with_workspace credential was given")
	if m := skipped.FindStringSubmatch(r.stdout); m == nil || m[1] == "0" {
		t.Fatal("specs of the schemes without credentials were not skipped")
	}
	if left := server.IdentityIDs(); len(left) != 0 {
		t.Fatalf("the run left %d identities behind", len(left))
	}
	noSecrets(t, r, env)
}

func TestCredentialsFromFlags(t *testing.T) {
	_, env := served(t, reference.Options{}, nil)
	r := seamconform(t, nil, "run", "--no-color", "--endpoint", env["SEAM_ENDPOINT"], "--api-key", env["SEAM_API_KEY"], "--label-filter", "success")
	expect(t, r, 0, "Verdict: CONFORMANT")
	noSecrets(t, r, env)
	// Every scheme of the table has its flag: a client session token given
	// only as --client-session-token covers its scheme.
	r = seamconform(t, nil, "run", "--no-color", "--endpoint", env["SEAM_ENDPOINT"], "--api-key", env["SEAM_API_KEY"],
		"--client-session-token", env["SEAM_CLIENT_SESSION_TOKEN"], "--operation", "/user_identities/delete", "--label-filter", "/^API-/")
	expect(t, r, 0, "Verdict: CONFORMANT")
	if strings.Contains(r.stdout, "NOT COVERED: scheme client_session ") {
		t.Fatalf("--client-session-token did not cover its scheme:\n%s", tail(r.stdout, 20))
	}
	noSecrets(t, r, env)
}

func TestUsageErrors(t *testing.T) {
	published := filepath.Join(t.TempDir(), "published.json") // what spec prepare reads
	if err := os.WriteFile(published, spec.EmbeddedDocument(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage: seamconform"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"run", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"run", "stray"}, "unexpected argument after the flags"},
		// An empty variable before --api-key's value shifts it out of place:
		// neither message repeats it.
		{[]string{"run", "--endpoint", "--api-key", "seam_shiftedOutOfPlace1234"}, "is a variable before it empty?"},
		{[]string{"run", "--concurrency", "seam_shiftedOutOfPlace1234"}, "invalid value for flag -concurrency"},
		{[]string{"run", "--endpoint", "http://127.0.0.1:1", "--api-key", "seam_ab"}, "--api-key is 7 bytes long"},
		{[]string{"serve", "--api-key", "seam_ab", "--addr", "256.0.0.1:x"}, "at least 8 bytes"},
		{[]string{"run", "--endpoint", "http://127.0.0.1:1", "--api-key", "seam_fromACRLFfile0123\r"}, "--api-key holds a control character"},
		{[]string{"run", "--fault", "nope"}, `unknown fault "nope"`},
		{[]string{"run", "--label-filter", "MUST &&"}, "--label-filter"},
		{[]string{"run", "--focus", "("}, "error parsing regexp"},
		{[]string{"run", "--ginkgo.nope=1"}, "unknown Ginkgo flag"},
		{[]string{"run", "--ginkgo.focus=["}, "--focus/--skip"}, // Ginkgo's MustCompile would panic
		{[]string{"run", "--ginkgo.parallel.process=5"}, "Ginkgo's configuration"},
		{[]string{"run", "--ginkgo.output-interceptor-mode=bogus"}, "Ginkgo's configuration"},
		{[]string{"run", "--ginkgo.sleep-on-failure=1s", "--concurrency", "4"}, "it wants --concurrency 1"},
		{[]string{"run", "--request-timeout", "0s"}, "--request-timeout must be positive"},
		{[]string{"run", "--request-timeout", "soon"}, "invalid value"},
		{[]string{"run", "--spec", "/does/not/exist.json"}, "reading spec"},
		{[]string{"run", "--spec", "/dev/zero"}, "not a regular file"}, // read, it would never end
		{[]string{"run", "--endpoint", "ftp://example.invalid"}, "not an absolute http(s) URL"},
		{[]string{"run", "--endpoint", "http://127.0.0.1:99999"}, "no valid port"},
		{[]string{"run", "--endpoint", "http://127.0.0.1:1", "--fault", "ok-false"}, "--fault switches on faults in the embedded mocks"},
		{[]string{"serve", "--fault", "nope"}, `unknown fault "nope"`},
		{[]string{"serve", "--sdk-fault", "rate-limit@"}, "@ wants a path"},
		{[]string{"serve", "--addr", ""}, "--addr given an empty value"},
		// Unset CI variables: the mocks or no report in place of what was asked.
		{[]string{"run", "--endpoint", "", "--report-dir", ""}, "--endpoint, --report-dir given an empty value"},
		{[]string{"serve", "--upstream", ""}, "--upstream given an empty value"},
		{[]string{"serve", "--upstream", "http://:0"}, "--upstream wants an http or https URL"},
		{[]string{"report", "check", ""}, `"" is not a directory`},
		{[]string{"serve", "--sdk-fault", "rate-limit@/no/such/*"}, "matches no path of the contract"},
		{[]string{"serve", "--addr", "256.0.0.1:x"}, "cannot listen"},
		{[]string{"spec"}, "want: spec prepare"},
		{[]string{"spec", "prepare", "/does/not/exist.json"}, "no such file"},
		{[]string{"spec", "prepare", "-o", "/does/not/exist/contract.json.gz", published}, "cannot write -o"},
		// The address cannot be listened on: serve fails even if the check
		// before it is lost, and the test does not wait for a server.
		{[]string{"serve", "--max-identities", "-1", "--addr", "256.0.0.1:x"}, "--max-identities must be 0"},
		{[]string{"serve", "--report-dir", "/proc/nope", "--addr", "256.0.0.1:x"}, "cannot write --report-dir"},
		{[]string{"requirements", "--nope"}, "flag provided but not defined: -nope"},
	} {
		r := seamconform(t, nil, tc.args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || (tc.args != nil && len(lines) != 1) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, r.code, r.stderr, tc.want)
		}
		if strings.Contains(r.stderr, "seam_shifted") {
			t.Errorf("%q: the error repeats the credential: %q", tc.args, r.stderr)
		}
		if tc.args != nil && r.stdout != "" { // the usage is for -h, not on top of an error
			t.Errorf("%q: stdout %q, want nothing", tc.args, tail(r.stdout, 3))
		}
	}
}

// SEAM_ENDPOINT set to nothing is a CI secret that is not set: checking the
// embedded mocks instead would pass without checking the implementation.
func TestEmptyEndpointVariableIsRefused(t *testing.T) {
	r := seamconform(t, map[string]string{"SEAM_ENDPOINT": ""}, "run")
	if r.code != 2 || !strings.Contains(r.stderr, "SEAM_ENDPOINT is set but empty") || strings.Contains(r.stdout, "Verdict") {
		t.Fatalf("exit %d, stderr %q, stdout %q; want exit 2 before anything ran", r.code, r.stderr, tail(r.stdout, 3))
	}
}

func TestRequirementsCommand(t *testing.T) {
	r := seamconform(t, nil, "requirements")
	expect(t, r, 0, "UIDEL-AUTH-01      MUST", "UIDEL-RESP-04      SHOULD")
	m := regexp.MustCompile(`(\d+) requirements: (\d+) MUST, (\d+) SHOULD`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no totals line:\n%s", tail(r.stdout, 3))
	}
	if n, _ := strconv.Atoi(m[1]); n < 40 {
		t.Fatalf("%d requirements, want at least 40", n)
	}
}

func TestRunWithAPublishedSpecFile(t *testing.T) {
	const published = "../../../shared/spec/seam-connect.openapi.json"
	if _, err := os.Stat(published); err != nil {
		t.Skipf("%s is not beside this clone", published)
	}
	r := seamconform(t, nil, "run", "--no-color", "--spec", published, "--label-filter", "success")
	expect(t, r, 0, "Verdict: CONFORMANT", "contract: "+published)
}

// The API-wide family builds only the specs a label filter keeps
// (framework.Selected); Ginkgo must still run every spec it would have run
// had the whole tree been built. The reference set comes from a dry run
// with no filter, filtered here with Ginkgo's own parser.
func TestLabelFilterBuildsOnlyWhatItSelects(t *testing.T) {
	specsOf := func(t *testing.T, args ...string) []types.SpecReport {
		t.Helper()
		path := filepath.Join(t.TempDir(), "report.json")
		r := seamconform(t, nil, append([]string{"run", "--no-color", "--ginkgo.dry-run", "--allow-empty", "--json-report", path}, args...)...)
		expect(t, r, 0)
		return ginkgoReport(t, path).SpecReports
	}
	all := specsOf(t, "--label-filter", "conformance")
	if len(all) < 5000 {
		t.Fatalf("an unfiltered tree of %d specs", len(all))
	}
	for _, filter := range []string{"!/^API-/", "auth && tag:devices", "API-AUTH-03 || UIDEL-AUTH-01", "SHOULD && !op:user_identities.delete", "/^API-UUID/ && op:locksUnlockDoorPost"} {
		keep, err := types.ParseLabelFilter(filter)
		if err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for _, s := range all {
			if keep(s.Labels()) {
				want = append(want, s.FullText())
			}
		}
		for _, s := range specsOf(t, "--label-filter", filter) {
			if s.State != types.SpecStateSkipped {
				got = append(got, s.FullText())
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if len(want) == 0 || !slices.Equal(want, got) {
			t.Errorf("filter %q: %d specs selected, want the %d a full tree selects", filter, len(got), len(want))
		}
	}
}

// A usage error found after the flags are read (an operation that matches
// nothing, a spec or an endpoint that will not do) leaves no empty report
// behind.
func TestUsageErrorsLeaveNoOutputsBehind(t *testing.T) {
	for _, args := range [][]string{
		{"--operation", "/no/such/operation"},
		{"--spec", "/does/not/exist.json"},
		{"--endpoint", "ftp://example.invalid"},
	} {
		dir := t.TempDir()
		outputs := []string{"--junit-report", filepath.Join(dir, "j.xml"), "--json-report", filepath.Join(dir, "j.json"), "--report-dir", filepath.Join(dir, "bundle")}
		r := seamconform(t, nil, append(append([]string{"run"}, outputs...), args...)...)
		if r.code != 2 {
			t.Errorf("%q: exit %d, want 2", args, r.code)
		}
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Errorf("%q: left %d outputs behind", args, len(left))
		}
	}
	// Nor does the sandbox guard's refusal, which comes after the endpoint
	// answered.
	_, env := served(t, reference.Options{NonSandbox: true}, nil)
	dir := t.TempDir()
	r := seamconform(t, env, "run", "--junit-report", filepath.Join(dir, "j.xml"), "--report-dir", filepath.Join(dir, "bundle"))
	if left, _ := os.ReadDir(dir); r.code != 2 || len(left) > 0 {
		t.Errorf("the sandbox guard: exit %d, %d outputs left behind", r.code, len(left))
	}
}

// A report path that will not do is a usage error before any request: the
// credential is not sent, nor the user kept waiting on a slow endpoint.
func TestReportPathsAreCheckedBeforeAnyRequest(t *testing.T) {
	var requests atomic.Int32
	endpoint := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1) }))
	dir := t.TempDir()
	file, full := filepath.Join(dir, "file"), filepath.Join(dir, "full")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(full, "other"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--junit-report", filepath.Join(dir, "missing", "x.xml")},
		{"--report-dir", filepath.Join(file, "x")},
		{"--report-dir", full},
	} {
		r := seamconform(t, map[string]string{"SEAM_ENDPOINT": endpoint, "SEAM_API_KEY": "seam_reportpath0000"}, append([]string{"run", "--no-color"}, args...)...)
		if r.code != 2 || requests.Load() != 0 || !strings.Contains(r.stderr, "cannot write the report") {
			t.Errorf("%q: exit %d after %d requests, stderr %q; want exit 2, no request and why", args, r.code, requests.Load(), r.stderr)
		}
	}
}

// A --spec document without the operations the operation suites check
// leaves their requirements not checked, and the mocks answer its own
// operations: not a NOT CONFORMANT full of suite errors.
func TestRunWithASpecLackingTheOperationSuites(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "things.json")
	if err := os.WriteFile(doc, []byte(thingsDocument), 0o600); err != nil {
		t.Fatal(err)
	}
	r := seamconform(t, nil, "run", "--no-color", "--spec", doc, "--label-filter", "conformance")
	expect(t, r, 0, "Verdict: CONFORMANT (partial: ", "MUST requirements not checked")
	if strings.Contains(r.stdout, "suite error") {
		t.Errorf("suite errors:\n%s", tail(r.stdout, 20))
	}
}

// A document with one form of an operation and not the other (here, no
// DELETE /user_identities/delete) has the cases of its form checked; the
// other's do not apply to it, and the requirement passes on the form the
// document has.
func TestRunWithASpecLackingOneForm(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(spec.EmbeddedDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc["paths"].(map[string]any)["/user_identities/delete"].(map[string]any), "delete")
	data, _ := json.Marshal(doc)
	path := filepath.Join(t.TempDir(), "no-delete-form.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := seamconform(t, nil, "run", "--no-color", "-v", "--spec", path, "--label-filter", "UIDEL-AUTH-01")
	expect(t, r, 0, "MUST   1 passed, 0 failed", "not applicable: the contract does not define DELETE /user_identities/delete")
	if !strings.Contains(r.stdout, "1 Passed") {
		t.Errorf("want the POST form's case passed:\n%s", tail(r.stdout, 15))
	}
}
