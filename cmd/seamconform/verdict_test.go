package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/seamconform/seamconform/reference"
)

// Each test here is one of the ways a run used to print a verdict that was
// not true (issue 8), now getting the truthful one.

// A dry run sends nothing, not even the preflight with the credential.
func TestDryRunChecksNothing(t *testing.T) {
	var requests atomic.Int32
	endpoint := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1) }))
	for name, args := range map[string][]string{
		"live":  {"run", "--endpoint", endpoint, "--api-key", "seam_dryrun000000", "--ginkgo.dry-run"},
		"fault": {"run", "--fault", "not-deleted", "--ginkgo.dry-run"},
	} {
		r := seamconform(t, nil, args...)
		expect(t, r, 4, "Verdict: NOTHING CHECKED (a dry run: no request was sent)")
		if strings.Contains(r.stdout, "Verdict: CONFORMANT") || strings.Contains(r.stdout, " passed, ") && !strings.Contains(r.stdout, "MUST   0 passed") {
			t.Errorf("%s: a dry run claims results:\n%s", name, tail(r.stdout, 8))
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("a dry run sent %d requests to the endpoint", n)
	}
	r := seamconform(t, nil, "run", "--ginkgo.dry-run", "--allow-empty")
	expect(t, r, 0, "Verdict: NOTHING CHECKED")
}

func TestEmptySelectionChecksNothing(t *testing.T) {
	r := seamconform(t, nil, "run", "--label-filter", "nosuchlabel")
	expect(t, r, 4, "Verdict: NOTHING CHECKED (no spec ran")
	if strings.Contains(r.stdout, "CONFORMANT") {
		t.Fatalf("an empty selection has a verdict:\n%s", tail(r.stdout, 8))
	}
}

func TestCredentialsWithoutAnEndpoint(t *testing.T) {
	r := seamconform(t, map[string]string{"SEAM_API_KEY": "seam_noendpoint00000"}, "run", "--label-filter", "UIDEL-AUTH-01")
	expect(t, r, 0, "embedded mocks")
	if !strings.Contains(r.stderr, "SEAM_API_KEY set but no endpoint (--endpoint or SEAM_ENDPOINT)") {
		t.Fatalf("no warning that the key is not used; stderr: %q", r.stderr)
	}
	r = seamconform(t, nil, "run", "--api-key", "seam_noendpoint00000")
	if r.code != 2 || !strings.Contains(r.stderr, "--api-key needs an endpoint") || strings.Contains(r.stdout, "Verdict") {
		t.Fatalf("--api-key without an endpoint: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestReportThatCannotBeWritten(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "r.json")
	for _, args := range [][]string{
		{"run", "--junit-report", "/proc/j.xml"},
		{"run", "--json-report", missing},
		{"run", "--ginkgo.junit-report=/proc/j.xml"},
	} {
		r := seamconform(t, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "cannot write the report") || strings.Contains(r.stdout, "Verdict") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 before the run", args, r.code, r.stderr)
		}
	}
}

// An endpoint that hangs on some inputs only keeps being tested: those
// cases fail with "no answer within the request timeout" (a negative case
// that got no answer is not a pass), and the rest of the run goes on.
func TestEndpointThatHangsOnSomeInputs(t *testing.T) {
	const nilUUID = "00000000-0000-0000-0000-000000000000"
	_, env := served(t, reference.Options{}, hangWhen(t, func(r *http.Request, body []byte) bool {
		return strings.Contains(string(body), nilUUID) || strings.Contains(r.URL.RawQuery, nilUUID)
	}))
	r := seamconform(t, env, "run", "--label-filter", "notfound || success", "--request-timeout", "300ms")
	expect(t, r, 1, "Verdict: NOT CONFORMANT", "FAILED UIDEL-NOTFOUND-01", "no answer within the request timeout")
	if strings.Contains(r.stdout, "RUN ERROR") || strings.Contains(r.stdout, "FAILED UIDEL-OK-") {
		t.Fatalf("the run did not go on after the unanswered cases:\n%s", tail(r.stdout, 30))
	}
}

// As Stoplight Prism does: no answer to a body that is not JSON, while
// everything else is answered. The run neither ends nor blames the
// endpoint being down.
func TestEndpointThatHangsOnMalformedJSON(t *testing.T) {
	_, env := served(t, reference.Options{}, hangWhen(t, func(_ *http.Request, body []byte) bool {
		return len(body) > 0 && !json.Valid(body)
	}))
	r := seamconform(t, env, "run", "--label-filter", "input || success", "--request-timeout", "300ms")
	expect(t, r, 1, "Verdict: NOT CONFORMANT", "no answer within the request timeout")
	if strings.Contains(r.stdout, "RUN ERROR") || strings.Contains(r.stdout, "the run ends here") || strings.Contains(r.stdout, "FAILED UIDEL-OK-") {
		t.Fatalf("the run did not go on after the unanswered cases:\n%s", tail(r.stdout, 30))
	}
	if m := ranSpecs.FindStringSubmatch(r.stdout); m == nil || m[1] == "0" {
		t.Fatalf("no spec ran:\n%s", tail(r.stdout, 30))
	}
}

// A create that was refused, redirected or not implemented created
// nothing, so nothing is reported as left behind; requirements whose
// set-up failed are errors of the run, not failures.
func TestCreatesThatCreatedNothing(t *testing.T) {
	for _, status := range []int{http.StatusNotImplemented, http.StatusFound, http.StatusInternalServerError} {
		refuseCreates := func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/user_identities/create" {
					w.Header().Set("Location", "/elsewhere")
					w.WriteHeader(status)
					return
				}
				h.ServeHTTP(w, r)
			})
		}
		_, env := served(t, reference.Options{}, refuseCreates)
		r := seamconform(t, env, "run", "--label-filter", "effect")
		expect(t, r, 3, "Verdict: INCOMPLETE", "ERROR  UIDEL-EFFECT-01 [MUST] could not be checked", fmt.Sprintf("set-up failed: POST /user_identities/create answered %d", status))
		if strings.Contains(r.stdout, "LEFT BEHIND") || strings.Contains(r.stdout, "FAILED ") {
			t.Errorf("creates answered %d: %s", status, tail(r.stdout, 20))
		}
	}
}

// An endpoint that answers every POST with 501, as python3 -m http.server
// does: requirements fail, and nothing is left behind.
func TestEndpointThatImplementsNothing(t *testing.T) {
	url := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Unsupported method", http.StatusNotImplemented)
	}))
	r := seamconform(t, map[string]string{"SEAM_ENDPOINT": url, "SEAM_API_KEY": "seam_httpserver0000"}, "run")
	expect(t, r, 1, "Verdict: NOT CONFORMANT", "FAILED UIDEL-AUTH-01", "could not be checked")
	if strings.Contains(r.stdout, "LEFT BEHIND") {
		t.Fatalf("LEFT BEHIND after creates answered 501:\n%s", tail(r.stdout, 10))
	}
}

// A lookup that hangs neither makes the run long nor keeps what it
// created: clean-up deletes by ID without asking first.
func TestLookupThatHangs(t *testing.T) {
	server, env := served(t, reference.Options{}, hangWhen(t, onPath("/user_identities/get")))
	start := time.Now()
	// The delete suite's effect specs, which rely on get to tell what happened;
	// the get suite's own specs would rightly fail on a get that hangs.
	r := seamconform(t, env, "run", "--label-filter", "effect", "--operation", "/user_identities/delete", "--request-timeout", "200ms", "--concurrency", "1")
	expect(t, r, 3, "Verdict: INCOMPLETE", "could not tell whether identity", "gave no answer to 5 requests in a row")
	if left := server.IdentityIDs(); len(left) != 0 {
		t.Fatalf("%d identities left behind:\n%s", len(left), tail(r.stdout, 20))
	}
	if strings.Contains(r.stdout, "LEFT BEHIND") {
		t.Fatalf("clean-up reports leftovers it removed:\n%s", tail(r.stdout, 40))
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("the run took %s", d)
	}
}

func TestRunTimeout(t *testing.T) {
	slow := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(20 * time.Millisecond)
			h.ServeHTTP(w, r)
		})
	}
	server, env := served(t, reference.Options{}, slow)
	r := seamconform(t, env, "run", "--run-timeout", "300ms")
	expect(t, r, 3, "Verdict: INCOMPLETE", "RUN ERROR: the run reached its time limit (--run-timeout 300ms); the run ends here")
	if left := server.IdentityIDs(); len(left) != 0 {
		t.Fatalf("%d identities left behind", len(left))
	}
}

// A second interrupt stops at once, even while clean-up waits on an
// endpoint, and says what may remain.
func TestSecondInterruptStopsAtOnce(t *testing.T) {
	var creates atomic.Int32
	stuckDeletes := hangWhen(t, onPath("/user_identities/delete"))
	_, env := served(t, reference.Options{}, func(h http.Handler) http.Handler {
		h = stuckDeletes(h)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/user_identities/create" {
				creates.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	bundle := filepath.Join(t.TempDir(), "bundle")
	cmd := command(t, env, "run", "--label-filter", "effect", "--request-timeout", "20s", "--concurrency", "1", "--report-dir", bundle)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); creates.Load() < 1 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the spec now waits on its delete
	_ = cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(200 * time.Millisecond)
	stopped := time.Now()
	_ = cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if d := time.Since(stopped); d > 3*time.Second {
		t.Fatalf("the second interrupt took %s to stop the run", d)
	}
	if exit, ok := err.(*exec_ExitError); !ok || exit.ExitCode() != 3 {
		t.Fatalf("exit %v, want 3\n%s", err, out.String())
	}
	if _, err := os.Stat(bundle); !os.IsNotExist(err) {
		t.Errorf("a run stopped at once left its --report-dir, with no bundle in it, behind (%v)", err)
	}
	if !strings.Contains(out.String(), "stopped at once") || !strings.Contains(out.String(), "Verdict: INCOMPLETE (stopped at once") || !regexp.MustCompile(`LEFT BEHIND: \d+ (identities this run created may remain|creates got no clear answer)`).MatchString(out.String()) {
		t.Fatalf("output:\n%s", tail(out.String(), 20))
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"run", "--help"}} {
		r := seamconform(t, nil, args...)
		expect(t, r, 0, "Exit codes", "--ginkgo.", "INCOMPLETE")
		if r.stderr != "" {
			t.Errorf("%q wrote to stderr: %q", args, r.stderr)
		}
		if n := strings.Count(r.stdout, "usage: seamconform"); n != 1 {
			t.Errorf("%q printed the usage %d times", args, n)
		}
	}
	r := seamconform(t, nil, "--version")
	expect(t, r, 0, "seamconform ")
	if strings.TrimSpace(r.stdout) == "seamconform" || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("--version printed %q", r.stdout)
	}
}

// On a terminal (script(1) gives the command one) the output is coloured,
// unless NO_COLOR is set.
func TestColourOnATerminalUnlessNOCOLOR(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("needs util-linux's script(1) to give the command a terminal")
	}
	run := func(extraEnv ...string) string {
		cmd := command(t, nil, "run", "--label-filter", "UIDEL-AUTH-01")
		shell := exec.Command(script, "-qec", "'"+cmd.Path+"' -test.run='^$'", "/dev/null")
		shell.Env = append(cmd.Env, extraEnv...)
		out, err := shell.Output()
		if err != nil || !strings.Contains(string(out), "Verdict: CONFORMANT") {
			t.Fatalf("script: %v\n%s", err, out)
		}
		return string(out)
	}
	if !strings.Contains(run(), "\x1b[") {
		t.Error("no colour on a terminal")
	}
	if strings.Contains(run("NO_COLOR=1"), "\x1b[") {
		t.Error("colour on a terminal with NO_COLOR set")
	}
}

// Colour codes belong on a terminal only, and never with NO_COLOR.
func TestNoColourOffATerminal(t *testing.T) {
	r := seamconform(t, nil, "run", "--fault", "ok-false", "--label-filter", "success")
	expect(t, r, 1, "Verdict: NOT CONFORMANT")
	if strings.Contains(r.stdout, "\x1b[") {
		t.Fatal("colour codes in output that is not a terminal")
	}
	if isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == "" {
		t.Log("(stdout of the test is a terminal; the child's is not)")
	}
}

// hangWhen wraps the reference so that a request hangs says yes to (it
// sees the request and its body) gets no answer until its client goes away
// or the test ends (t.Context is done before the server closes); every
// other request is served.
func hangWhen(t *testing.T, hangs func(r *http.Request, body []byte) bool) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body) // all of it, so the server notices the client leave
			if hangs(r, body) {
				select {
				case <-r.Context().Done():
				case <-t.Context().Done():
				}
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			h.ServeHTTP(w, r)
		})
	}
}

// onPath is a hangWhen condition: the request is for path.
func onPath(path string) func(*http.Request, []byte) bool {
	return func(r *http.Request, _ []byte) bool { return r.URL.Path == path }
}

// When deletes never answer, the run and its clean-up stop within their
// budgets, and LEFT BEHIND names exactly the identities still there.
func TestCleanUpWithinItsBudgetSaysWhatRemains(t *testing.T) {
	server, env := served(t, reference.Options{}, hangWhen(t, onPath("/user_identities/delete")))
	start := time.Now()
	r := seamconform(t, env, "run", "--label-filter", "effect", "--concurrency", "1",
		"--request-timeout", "200ms", "--run-timeout", "3s", "--cleanup-timeout", "500ms")
	if r.code != 1 && r.code != 3 {
		t.Fatalf("exit %d\n%s", r.code, tail(r.stdout, 20))
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("the run took %s", d)
	}
	left := server.IdentityIDs()
	if len(left) == 0 {
		t.Fatal("nothing was created: the test proves nothing")
	}
	said := regexp.MustCompile(`LEFT BEHIND: (\d+) identities this run created may remain`).FindStringSubmatch(r.stdout)
	if said == nil || said[1] != strconv.Itoa(len(left)) {
		t.Fatalf("%d identities remain; the run says %v\n%s", len(left), said, tail(r.stdout, 20))
	}
	for _, id := range left {
		if !strings.Contains(r.stdout, id) {
			t.Errorf("LEFT BEHIND does not name %s", id)
		}
	}
	if !strings.Contains(r.stdout, "their user_identity_key starts seamconform-") {
		t.Errorf("LEFT BEHIND does not give the run's key prefix\n%s", tail(r.stdout, 20))
	}
}

// Every flag a command lists under -h is in the README, where a user looks
// for it first.
func TestReadmeDocumentsEveryFlag(t *testing.T) {
	readme := readREADME(t)
	flagLine := regexp.MustCompile(`(?m)^  (-[a-z][a-z-]*)`)
	for _, command := range [][]string{{"run"}, {"serve"}, {"requirements"}, {"spec", "prepare"}} {
		r := seamconform(t, nil, append(command, "-h")...)
		flags := flagLine.FindAllStringSubmatch(r.stdout+r.stderr, -1)
		if len(flags) == 0 {
			t.Fatalf("%q -h lists no flag:\n%s", command, r.stdout+r.stderr)
		}
		for _, f := range flags {
			name := f[1]
			if len(name) > 2 {
				name = "-" + name // written --name in the README
			}
			if !regexp.MustCompile("`[^`\n]*" + regexp.QuoteMeta(name) + "\\b").MatchString(readme) {
				t.Errorf("seamconform %s %s is not in the README", strings.Join(command, " "), name)
			}
		}
	}
}

// A create answered 429 created nothing: its case is not checked, and its
// key is neither listed as left behind nor looked for at clean-up.
func TestThrottledCreatesLeaveNothingBehind(t *testing.T) {
	var lookups atomic.Int64
	throttleCreates := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/user_identities/create":
				w.Header().Set("Retry-After", "0")
				http.Error(w, `{"error":{"type":"rate_limited","message":"slow down"},"ok":false}`, http.StatusTooManyRequests)
				return
			case "/user_identities/get", "/user_identities/list":
				lookups.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}
	_, env := served(t, reference.Options{}, throttleCreates)
	r := seamconform(t, env, "run", "--no-color", "--concurrency", "1", "--label-filter", "UIDEL-EFFECT-01")
	expect(t, r, 3, "Verdict: INCOMPLETE", "kept answering POST /user_identities/create with 429")
	if strings.Contains(r.stdout, "LEFT BEHIND") || lookups.Load() != 0 {
		t.Fatalf("throttled creates were looked for (%d lookups) or listed:\n%s", lookups.Load(), tail(r.stdout, 20))
	}
}

// A create whose TLS handshake failed never left: it is not listed as
// left behind, nor looked for.
func TestCreatesBehindAFailedHandshakeLeaveNothingBehind(t *testing.T) {
	server, err := reference.New(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	untrusted := httptest.NewTLSServer(server) // a certificate no client trusts
	t.Cleanup(untrusted.Close)
	env := parseEnv(envLines(untrusted.URL, server.Seed()))
	r := seamconform(t, env, "run", "--no-color", "--allow-non-sandbox", "--concurrency", "1", "--label-filter", "UIDEL-EFFECT-01")
	expect(t, r, 3, "Verdict: INCOMPLETE", "certificate")
	if strings.Contains(r.stdout, "LEFT BEHIND") {
		t.Fatalf("creates that never left are listed:\n%s", tail(r.stdout, 20))
	}
}
