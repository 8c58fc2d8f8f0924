package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reports"
)

func TestCleanUpAfterFailingSpecs(t *testing.T) {
	// Each fails MUST specs after they created identities; deleting still works.
	for _, fault := range []string{"ok-false", "stack-trace-in-errors", "success-204"} {
		server, env := served(t, reference.Options{Faults: []string{fault}}, nil)
		r := seamconform(t, env, "run", "--no-color")
		expect(t, r, 1, "Verdict: NOT CONFORMANT")
		if left := server.IdentityIDs(); len(left) != 0 {
			t.Fatalf("%s: the run left %d identities behind: %v", fault, len(left), left)
		}
	}
}

func TestCleanUpAfterInterrupt(t *testing.T) {
	slow, creates := slowCounting(2 * time.Millisecond) // long enough to interrupt mid-run
	server, env := served(t, reference.Options{}, slow)
	bundle := filepath.Join(t.TempDir(), "bundle")
	cmd := command(t, env, "run", "--no-color", "--concurrency", "1", "--report-dir", bundle)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for creates.Load() < 20 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if exit, ok := err.(*exec_ExitError); !ok || exit.ExitCode() != 3 {
		t.Fatalf("interrupted run: %v, want exit code 3\n%s", err, tail(out.String(), 30))
	}
	printed := out.String()
	if !strings.Contains(printed, "Verdict: INCOMPLETE") || !strings.Contains(printed, "RUN ERROR: interrupted") {
		t.Fatalf("the run was not interrupted mid-way:\n%s", tail(printed, 30))
	}
	// One line for the interrupt and the partial verdict: no progress
	// report, no goroutine stacks, no second verdict.
	if n := strings.Count(printed, "interrupted: ending the run"); n != 1 || strings.Contains(printed, "goroutine ") || strings.Count(printed, "Verdict:") != 1 || strings.Count(printed, "RUN ERROR: interrupted") != 1 {
		t.Fatalf("the interrupt was not reported once, plainly:\n%s", tail(printed, 60))
	}
	if left := server.IdentityIDs(); len(left) != 0 {
		t.Fatalf("the interrupted run left %d identities behind: %v\n%s", len(left), left, tail(out.String(), 60))
	}
	// The partial verdict is in the bundle too, and the bundle is whole.
	if d := readDocument(t, bundle); d.Verdict != reports.Incomplete || !slices.Contains(d.RunErrors, "interrupted (Ctrl-C or SIGTERM)") {
		t.Fatalf("bundle of the interrupted run: %s %v", d.Verdict, d.RunErrors)
	}
	expect(t, seamconform(t, nil, "report", "check", bundle), 0, "is valid: verdict INCOMPLETE")
}

// An interrupt before any spec (during the preflight, against an endpoint
// slow to answer it) ends the run at once with its verdict line, nothing
// having been created, and leaves no empty report folder behind.
func TestInterruptBeforeAnySpecEndsTheRunAtOnce(t *testing.T) {
	asked := make(chan struct{}, 1)
	slowPreflight := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/workspaces/get" {
				select {
				case asked <- struct{}{}:
				default:
				}
				time.Sleep(5 * time.Second)
			}
			h.ServeHTTP(w, r)
		})
	}
	_, env := served(t, reference.Options{}, slowPreflight)
	bundle := filepath.Join(t.TempDir(), "bundle")
	cmd := command(t, env, "run", "--no-color", "--report-dir", bundle)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-asked
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if exit, ok := err.(*exec_ExitError); !ok || exit.ExitCode() != 3 || time.Since(start) > 3*time.Second {
		t.Fatalf("interrupted during the preflight: %v after %s, want exit code 3 at once\n%s", err, time.Since(start), out.String())
	}
	if printed := out.String(); !strings.Contains(printed, "interrupted before any spec ran; nothing was created") || strings.Count(printed, "Verdict: INCOMPLETE") != 1 {
		t.Fatalf("want the interrupt and one verdict line:\n%s", printed)
	}
	if _, err := os.Stat(bundle); !os.IsNotExist(err) {
		t.Errorf("the report folder was left behind: %v", err)
	}
}

// A second interrupt of a run with workers stops it at once, and still
// removes the folder the workers wrote their results to.
func TestSecondInterruptRemovesTheWorkersFolder(t *testing.T) {
	// Once the specs are under way, every request is held until the test
	// ends: the first interrupt's gentle end waits for it, so the second
	// one always comes while the run is still ending, however fast the
	// machine.
	var creates, held atomic.Int32
	var holding atomic.Bool
	release := make(chan struct{})
	holdOnce := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/user_identities/create" {
				creates.Add(1)
			}
			if holding.Load() {
				held.Add(1)
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}
			h.ServeHTTP(w, r)
		})
	}
	_, env := served(t, reference.Options{}, holdOnce)
	t.Cleanup(func() { close(release) }) // before the server closes
	tmp := t.TempDir()
	env["TMPDIR"] = tmp
	cmd := command(t, env, "run", "--no-color", "--concurrency", "2", "--operation", "/user_identities/*")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); creates.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	holding.Store(true)
	for deadline := time.Now().Add(30 * time.Second); held.Load() < 1 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	for range 2 {
		_ = cmd.Process.Signal(syscall.SIGINT)
		time.Sleep(300 * time.Millisecond)
	}
	err := cmd.Wait()
	if exit, ok := err.(*exec_ExitError); !ok || exit.ExitCode() != 3 || !strings.Contains(out.String(), "stopped at once") {
		t.Fatalf("two interrupts: %v, want exit code 3, stopped at once\n%s", err, tail(out.String(), 20))
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "seamconform-workers-*")); len(left) != 0 {
		t.Errorf("the workers' folder was left behind: %v", left)
	}
}

// Credentials that cross a proxy in the clear are said, once, before the
// specs: the user chose the proxy, but may not know the run uses it.
func TestRunSaysItsCredentialsGoThroughAProxy(t *testing.T) {
	server, env := served(t, reference.Options{}, nil)
	proxy := httptestServer(t, server) // a proxy is sent the absolute URL: the reference answers its path
	env["SEAM_ENDPOINT"] = "http://192.0.2.1:9"
	env["HTTP_PROXY"], env["NO_PROXY"], env["no_proxy"] = proxy, "", ""
	r := seamconform(t, env, "run", "--no-color", "--operation", "/user_identities/delete", "--concurrency", "1")
	if !strings.Contains(r.stderr, "go in the clear through the proxy http://127.0.0.1") || r.code != 0 {
		t.Errorf("exit %d, stderr %q; want a note on the proxy and a run", r.code, r.stderr)
	}
}

func TestSandboxGuard(t *testing.T) {
	server, env := served(t, reference.Options{NonSandbox: true}, nil)
	r := seamconform(t, env, "run", "--no-color")
	if r.code != 2 || !strings.Contains(r.stderr, "is not known to be a sandbox (is_sandbox: false;") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("non-sandbox workspace: exit %d, stderr %q; want exit 2 and one line", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "Ran ") {
		t.Fatal("specs ran against a workspace that is not a sandbox")
	}
	r = seamconform(t, env, "run", "--no-color", "--allow-non-sandbox", "--label-filter", "effect")
	expect(t, r, 0, "Verdict: CONFORMANT")
	if left := server.IdentityIDs(); len(left) != 0 {
		t.Fatalf("left %d identities behind", len(left))
	}

	// A connection dropped once does not leave the workspace unchecked.
	var dropped atomic.Bool
	dropFirst := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if dropped.CompareAndSwap(false, true) {
				c, _, _ := w.(http.Hijacker).Hijack()
				c.Close()
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	_, env = served(t, reference.Options{NonSandbox: true}, dropFirst)
	if r := seamconform(t, env, "run", "--no-color"); r.code != 2 || !strings.Contains(r.stderr, "is not known to be a sandbox (is_sandbox: false;") {
		t.Fatalf("non-sandbox workspace behind a dropped connection: exit %d, stderr %q\n%s", r.code, r.stderr, tail(r.stdout, 10))
	}
}

// A mistyped PAT or console session token, or another workspace's ID, is
// the user's mistake, told in one line before any spec runs: not every
// spec that uses it failed as the implementation's.
func TestPreflightRefusesEachCredentialTheEndpointRefuses(t *testing.T) {
	_, env := served(t, reference.Options{}, nil)
	for _, tc := range []struct{ variable, value, named string }{
		{"SEAM_PERSONAL_ACCESS_TOKEN", "seam_at_wrongwrongwrong1234", "check SEAM_PERSONAL_ACCESS_TOKEN (or --personal-access-token) and SEAM_WORKSPACE_ID"},
		{"SEAM_CONSOLE_SESSION_TOKEN", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.d3JvbmctdG9rZW4tc2lnbmF0dXJl", "check SEAM_CONSOLE_SESSION_TOKEN (or --console-session-token) and SEAM_WORKSPACE_ID"},
		{"SEAM_WORKSPACE_ID", "11111111-2222-4333-8444-555555555555", "and SEAM_WORKSPACE_ID (or --workspace-id)"},
	} {
		wrong := maps.Clone(env)
		wrong[tc.variable] = tc.value
		r := seamconform(t, wrong, "run", "--no-color", "--operation", "/user_identities/delete")
		if r.code != 2 || !strings.Contains(r.stderr, tc.named) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || strings.Contains(r.stdout, "Ran ") {
			t.Errorf("a wrong %s: exit %d, stderr %q; want exit 2 and one line naming it, before any spec", tc.variable, r.code, r.stderr)
		}
	}
	// Other kinds of tokens are for the specs to judge: the document lets
	// them call the operation, and Seam may not.
	wrong := maps.Clone(env)
	wrong["SEAM_CLIENT_SESSION_TOKEN"] = "seam_cst_wrongwrongwrong1234"
	if r := seamconform(t, wrong, "run", "--no-color", "--operation", "/user_identities/delete"); r.code == 2 {
		t.Errorf("a wrong client session token stopped the run: %q", r.stderr)
	}
}

// POST /workspaces/get takes a PAT or a console session only with a
// workspace: given one without SEAM_WORKSPACE_ID (and no API key), the run
// says the workspace ID is missing, before any request, rather than
// blaming a valid token on the endpoint's refusal.
func TestPreflightWantsTheWorkspaceOfAPATOrConsoleSession(t *testing.T) {
	var requests atomic.Int32
	_, served := served(t, reference.Options{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1); h.ServeHTTP(w, r) })
	})
	for _, tc := range []struct {
		variable string
		args     []string
		named    string
	}{
		{"SEAM_PERSONAL_ACCESS_TOKEN", nil, "SEAM_PERSONAL_ACCESS_TOKEN (or --personal-access-token) needs SEAM_WORKSPACE_ID (or --workspace-id)"},
		{"SEAM_CONSOLE_SESSION_TOKEN", nil, "SEAM_CONSOLE_SESSION_TOKEN (or --console-session-token) needs SEAM_WORKSPACE_ID (or --workspace-id)"},
		{"", []string{"--personal-access-token", served["SEAM_PERSONAL_ACCESS_TOKEN"]}, "SEAM_PERSONAL_ACCESS_TOKEN (or --personal-access-token) needs SEAM_WORKSPACE_ID (or --workspace-id)"},
		// A token the operation does not take at all cannot ask it either.
		{"SEAM_CERTIFIED_CLIENT_TOKEN", nil, "not known to be a sandbox: none of the credentials given (certified client token) can ask POST /workspaces/get"},
	} {
		env := map[string]string{"SEAM_ENDPOINT": served["SEAM_ENDPOINT"]}
		if tc.variable != "" {
			env[tc.variable] = served[tc.variable]
		}
		r := seamconform(t, env, append([]string{"run", "--no-color", "--operation", "/user_identities/delete"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.named) || strings.Contains(r.stderr, "refused") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || requests.Load() != 0 {
			t.Errorf("%s%q without a workspace: exit %d after %d requests, stderr %q; want exit 2, no request and one line naming the workspace ID", tc.variable, tc.args, r.code, requests.Load(), r.stderr)
		}
	}
	env := map[string]string{"SEAM_ENDPOINT": served["SEAM_ENDPOINT"], "SEAM_PERSONAL_ACCESS_TOKEN": served["SEAM_PERSONAL_ACCESS_TOKEN"], "SEAM_WORKSPACE_ID": served["SEAM_WORKSPACE_ID"]}
	if r := seamconform(t, env, "run", "--no-color", "--operation", "/user_identities/delete"); r.code != 0 {
		t.Errorf("a PAT with its workspace: exit %d, stderr %q; want a run", r.code, r.stderr)
	}
	env = map[string]string{"SEAM_ENDPOINT": served["SEAM_ENDPOINT"], "SEAM_CERTIFIED_CLIENT_TOKEN": served["SEAM_CERTIFIED_CLIENT_TOKEN"]}
	if r := seamconform(t, env, "run", "--no-color", "--operation", "/user_identities/delete", "--allow-non-sandbox"); r.code == 2 || !strings.Contains(r.stderr, "going on because of --allow-non-sandbox") {
		t.Errorf("a certified client token with --allow-non-sandbox: exit %d, stderr %q; want a run", r.code, r.stderr)
	}
}

// An answer without a workspace (a 503 page, say) stops the run naming
// no workspace, not one called "<nil>", and says to try again later: the
// endpoint is busy, not the workspace unsafe.
func TestSandboxGuardWithoutAWorkspace(t *testing.T) {
	busy := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	r := seamconform(t, map[string]string{"SEAM_ENDPOINT": busy, "SEAM_API_KEY": "seam_busy0000000000"}, "run", "--no-color")
	if r.code != 2 || !strings.Contains(r.stderr, "the workspace is not known to be a sandbox: POST /workspaces/get answered 503, the endpoint busy or failing; try again later") || strings.Contains(r.stderr, "<nil>") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestEndpointWithoutWorkspacesGet(t *testing.T) {
	noWorkspaces := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/workspaces/get" {
				http.NotFound(w, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	_, env := served(t, reference.Options{}, noWorkspaces)
	r := seamconform(t, env, "run", "--no-color", "--label-filter", "success")
	expect(t, r, 0, "Verdict: CONFORMANT")
	if strings.Count(r.stderr, "cannot tell whether the workspace is a sandbox") != 1 {
		t.Fatalf("want the missing operation said once on stderr, got %q", r.stderr)
	}
}

func TestUnreachableEndpointEndsTheRun(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close() // nothing listens there now: connections are refused
	start := time.Now()
	r := seamconform(t, map[string]string{"SEAM_ENDPOINT": endpoint, "SEAM_API_KEY": "seam_unreachable0000"}, "run", "--no-color")
	expect(t, r, 3, "Verdict: INCOMPLETE", "connection refused", "RUN ERROR: POST /workspaces/get got no answer in 3 tries", "nothing was sent")
	if strings.Contains(r.stdout, "LEFT BEHIND") {
		t.Fatal("creates that never reached the endpoint are reported as left behind")
	}
	// An endpoint that is down is an error of the run, not a failed
	// requirement.
	if strings.Contains(r.stdout, "FAILED ") {
		t.Fatalf("an unreachable endpoint failed a requirement:\n%s", tail(r.stdout, 20))
	}
	if time.Since(start) > 20*time.Second {
		t.Fatalf("an unreachable endpoint took %s", time.Since(start))
	}
}

func TestHangingEndpointTimesOut(t *testing.T) {
	release := make(chan struct{})
	hang := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	r := seamconform(t, map[string]string{"SEAM_ENDPOINT": hang, "SEAM_API_KEY": "seam_hanging00000000"}, "run", "--no-color", "--request-timeout", "150ms")
	expect(t, r, 3, "Verdict: INCOMPLETE", "no answer within the request timeout", "the run ends here")
	if strings.Contains(r.stdout, "FAILED ") {
		t.Fatalf("an endpoint that hangs on everything failed a requirement:\n%s", tail(r.stdout, 20))
	}
}

func TestGarbageEndpointFailsCleanly(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = bufio.NewReader(c).ReadString('\n')
				_, _ = io.WriteString(c, "\x00\x01garbage, not HTTP\r\n\r\n")
			}()
		}
	}()
	r := seamconform(t, map[string]string{"SEAM_ENDPOINT": "http://" + l.Addr().String(), "SEAM_API_KEY": "seam_garbage00000000"}, "run", "--no-color")
	expect(t, r, 3, "Verdict: INCOMPLETE", "the run ends here")
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stdout, "panic:") {
		t.Fatal("garbage made seamconform panic")
	}
}

func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	envFile := t.TempDir() + "/seam.env"
	outR, outW := io.Pipe()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- serveCommand(ctx, []string{"--env-file", envFile}, outW, &logs); outW.Close() }()

	printed := map[string]string{}
	scanner := bufio.NewScanner(outR)
	for len(printed) < 1+len(fixtures.Variables()) && scanner.Scan() {
		k, v, _ := strings.Cut(scanner.Text(), "=")
		printed[k] = v
	}
	go io.Copy(io.Discard, outR)
	for _, k := range []string{"SEAM_ENDPOINT", "SEAM_API_KEY", "SEAM_PERSONAL_ACCESS_TOKEN", "SEAM_CONSOLE_SESSION_TOKEN", "SEAM_WORKSPACE_ID"} {
		if printed[k] == "" {
			t.Fatalf("serve did not print %s: %v", k, printed)
		}
	}
	file, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(envFile); info.Mode().Perm() != 0o600 {
		t.Errorf("env file mode %v, want 0600", info.Mode().Perm())
	}
	if got := parseEnv(string(file)); got["SEAM_API_KEY"] != printed["SEAM_API_KEY"] {
		t.Fatal("the env file differs from what serve printed")
	}

	r := seamconform(t, printed, "run", "--no-color")
	expect(t, r, 0, "Verdict: CONFORMANT")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not shut down")
	}
	log := logs.String()
	if !strings.Contains(log, "POST /user_identities/delete 200") || !strings.Contains(log, "stopped") {
		t.Fatalf("request log lacks lines:\n%s", tail(log, 5))
	}
	for k, v := range printed {
		if strings.Contains(k, "TOKEN") || strings.Contains(k, "KEY") {
			if strings.Contains(log, v) {
				t.Fatalf("the request log contains %s", k)
			}
		}
	}
}

func TestServeListsFaults(t *testing.T) {
	r := seamconform(t, nil, "serve", "--list-faults")
	expect(t, r, 0, "not-deleted", "jwt-signature-unchecked", "api-anonymous-allowed", reference.APIFaultScope)
	all := len(reference.Faults()) + len(reference.APIFaults())
	if n := len(strings.Split(strings.TrimSpace(r.stdout), "\n")) - 1; n != all || n < 25 {
		t.Fatalf("listed %d faults, want all %d (at least 25)", n, all)
	}
}

// The real program stops serving on SIGTERM (and SIGINT) and exits 0.
func TestServeStopsOnSIGTERM(t *testing.T) {
	cmd := command(t, nil, "serve")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "SEAM_ENDPOINT=http://127.0.0.1:") {
		t.Fatalf("first line %q (%v)", line, err)
	}
	endpoint := strings.TrimSpace(strings.TrimPrefix(line, "SEAM_ENDPOINT="))
	res, err := http.Post(endpoint+"/workspaces/get", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous /workspaces/get: %d, want 401", res.StatusCode)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, out) // until the process closes its stdout
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "POST /workspaces/get 401") || !strings.Contains(logs.String(), "stopped") {
		t.Fatalf("log:\n%s", logs.String())
	}
}

// An endpoint that answers the run's create, or its lookup by key, with an
// identity the run did not create never gets a delete for it: the run only
// deletes what it created. The bystander is an identity of the workspace
// made before the run.
func TestRunNeverDeletesAnIdentityItDidNotCreate(t *testing.T) {
	for name, lie := range map[string]func(r *http.Request, body []byte, bystander []byte) ([]byte, bool){
		// The first create answers the bystander.
		"a create answering another identity": func(r *http.Request, body []byte, bystander []byte) ([]byte, bool) {
			return bystander, r.URL.Path == "/user_identities/create"
		},
		// The first create gets 500 (it may have created something), and
		// the sweep's lookup by its key answers the bystander.
		"a lookup by key answering another identity": func(r *http.Request, body []byte, bystander []byte) ([]byte, bool) {
			if r.URL.Path == "/user_identities/create" {
				return nil, true
			}
			return bystander, r.URL.Path == "/user_identities/get" && bytes.Contains(body, []byte(`"user_identity_key":"seamconform-`))
		},
	} {
		t.Run(name, func(t *testing.T) {
			var bystanderID string
			var bystander []byte
			var lied atomic.Bool
			var deletes []string
			var mu sync.Mutex
			server, env := served(t, reference.Options{}, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					r.Body = io.NopCloser(bytes.NewReader(body))
					if strings.HasSuffix(r.URL.Path, "/delete") {
						mu.Lock()
						deletes = append(deletes, r.URL.RawQuery+" "+string(body))
						mu.Unlock()
					}
					if answer, ok := lie(r, body, bystander); ok && bystander != nil && (r.URL.Path != "/user_identities/create" || lied.CompareAndSwap(false, true)) {
						if answer == nil {
							next.ServeHTTP(httptest.NewRecorder(), r) // created, and the answer lost
							w.WriteHeader(http.StatusInternalServerError)
							return
						}
						w.Header().Set("Content-Type", "application/json")
						_, _ = w.Write(answer)
						return
					}
					next.ServeHTTP(w, r)
				})
			})
			create := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/user_identities/create", strings.NewReader(`{"user_identity_key":"bystander","full_name":"Not the run's"}`))
			req.Header.Set("Authorization", "Bearer "+env["SEAM_API_KEY"])
			req.Header.Set("Content-Type", "application/json")
			server.ServeHTTP(create, req)
			bystander = create.Body.Bytes()
			var created struct {
				UserIdentity struct {
					ID string `json:"user_identity_id"`
				} `json:"user_identity"`
			}
			if err := json.Unmarshal(bystander, &created); err != nil || created.UserIdentity.ID == "" {
				t.Fatalf("creating the bystander: %s", bystander)
			}
			bystanderID = created.UserIdentity.ID

			r := seamconform(t, env, "run", "--no-color", "--label-filter", "UIDEL-EFFECT-01")
			if r.code == 0 && name == "a create answering another identity" {
				t.Errorf("the run took another identity for its own and passed:\n%s", tail(r.stdout, 20))
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range deletes {
				if strings.Contains(d, bystanderID) {
					t.Errorf("the run sent a delete for an identity it did not create: %s", d)
				}
			}
			if !slices.Contains(server.IdentityIDs(), bystanderID) {
				t.Errorf("the bystander is gone")
			}
		})
	}
}

// A create the workspace refuses says why, in Seam's words, where the
// error is reported: not only in the evidence.
func TestSetUpFailureSaysWhy(t *testing.T) {
	_, env := served(t, reference.Options{MaxIdentities: 1}, nil)
	r := seamconform(t, env, "run", "--no-color", "--label-filter", "UIDEL-EFFECT-03")
	expect(t, r, 3, "could not be checked: set-up failed: POST /user_identities/create answered 400 resource_limit_reached (")
	// Said once, in one line: the exchange is evidence, not the error.
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Count(line, "set-up failed") > 1 {
			t.Errorf("said twice: %s", line)
		}
	}
	if _, verdict, _ := strings.Cut(r.stdout, "Verdict:"); strings.Contains(verdict, "sent: ") {
		t.Errorf("the verdict's error lines carry their exchange:\n%s", verdict)
	}
}

// A case that must be refused the foreign identity passes on any 404, so
// it is not checked once that identity is known to be gone: deleted by an
// earlier case of the run, or, in a later run, not found with the foreign
// workspace's key. A broken server cannot be certified by deleting it first.
func TestCrossWorkspaceCasesNeedTheForeignIdentity(t *testing.T) {
	_, env := served(t, reference.Options{Faults: []string{"cross-workspace-delete"}}, nil)
	cases := []string{"run", "--no-color", "--concurrency", "1", "--label-filter", "UIDEL-EFFECT-05 || UIGET-EFFECT-04"}
	r := seamconform(t, env, cases...)
	// Of the two forms' cases, the first deletes it, the second is an error.
	expect(t, r, 1, "Verdict: NOT CONFORMANT", "FAILED UIDEL-EFFECT-05", "could not be checked: SEAMCONFORM_FOREIGN_IDENTITY_ID may be gone")
	r = seamconform(t, env, cases...)
	expect(t, r, 3, "Verdict: INCOMPLETE", "SEAMCONFORM_FOREIGN_IDENTITY_ID is not known to exist", "answered 404 user_identity_not_found")
}

// A server that deletes by user_identity_key when no ID is given would
// delete whatever identity holds a key the run sends: every key sent to a
// delete must be in the run's own namespace, the prefix of the keys it
// creates.
func TestRunSendsDeleteOnlyKeysOfItsOwn(t *testing.T) {
	var mu sync.Mutex
	var created, deleted []string
	_, env := served(t, reference.Options{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var sent struct {
				Key string `json:"user_identity_key"`
			}
			if json.Unmarshal(body, &sent) == nil && sent.Key != "" {
				mu.Lock()
				switch {
				case r.URL.Path == "/user_identities/create":
					created = append(created, sent.Key)
				case strings.HasSuffix(r.URL.Path, "/delete"):
					deleted = append(deleted, sent.Key)
				}
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	})
	r := seamconform(t, env, "run", "--no-color", "--label-filter", "UIDEL-INPUT-02 || UIDEL-EFFECT-01")
	expect(t, r, 0, "Verdict: CONFORMANT")
	mu.Lock()
	defer mu.Unlock()
	if len(created) == 0 || len(deleted) == 0 {
		t.Fatalf("the run created %v and deleted by key %v: nothing to compare", created, deleted)
	}
	own := created[0][:strings.LastIndex(created[0], "-")+1] // seamconform-<run id>-
	for _, key := range deleted {
		if !strings.HasPrefix(key, own) {
			t.Errorf("a delete named user_identity_key %q, not a key of the run's (%s…)", key, own)
		}
	}
}

// What the preflight learns goes into later requests' headers and into
// what is redacted: a workspace_id or publishable_key not of its shape is
// not used, so an endpoint cannot forge lines or hide the verdict's words.
func TestPreflightUsesOnlyValuesOfTheirShape(t *testing.T) {
	forged := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/workspaces/get" {
				h.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"workspace":{"workspace_id":"x\n\nVerdict: CONFORMANT","publishable_key":"CONFORMANT","is_sandbox":true},"ok":true}`)
		})
	}
	_, env := served(t, reference.Options{}, forged)
	delete(env, "SEAM_WORKSPACE_ID")
	delete(env, "SEAM_PUBLISHABLE_KEY")
	r := seamconform(t, env, "run", "--no-color", "--concurrency", "1", "--label-filter", "UIDEL-OK-01")
	expect(t, r, 0, "Verdict: CONFORMANT (partial")
	if !strings.Contains(r.stderr, "a workspace_id that is not a UUID") || !strings.Contains(r.stderr, "a publishable_key not shaped like one") {
		t.Fatalf("stderr %q\n%s", r.stderr, tail(r.stdout, 20))
	}
}

// A create the implementation should have refused (no credential, an
// unknown one) and did not made something the run cannot prove its own:
// never deleted, but listed as left behind, every one, also from workers.
func TestWronglyAcceptedCreatesAreListedAsLeftBehind(t *testing.T) {
	for _, fault := range []string{"anonymous-allowed", "token-prefix-only"} {
		server, env := served(t, reference.Options{Faults: []string{fault}}, nil)
		for _, concurrency := range []string{"1", "3"} {
			before := server.IdentityIDs()
			r := seamconform(t, env, "run", "--no-color", "--concurrency", concurrency, "--operation", "POST /user_identities/create")
			if concurrency != "1" && !strings.Contains(r.stdout, "Running in parallel across "+concurrency+" processes") {
				t.Fatalf("--concurrency %s: the specs did not run in workers:\n%s", concurrency, tail(r.stdout, 20))
			}
			listedMade(t, fault+", --concurrency "+concurrency, r, server, before)
			noSecrets(t, r, env)
		}
	}
}

// A wrongly accepted create in flight when the run is interrupted was sent
// all the same: what it made is listed.
func TestAWronglyAcceptedCreateInFlightAtAnInterruptIsListed(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	holdAnonymousCreate := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/user_identities/create" && r.Header.Get("Authorization") == "" && first.CompareAndSwap(false, true) {
				close(arrived)
				<-release
			}
			h.ServeHTTP(w, r)
		})
	}
	server, env := served(t, reference.Options{Faults: []string{"anonymous-allowed"}}, holdAnonymousCreate)
	before := server.IdentityIDs()
	cmd := command(t, env, "run", "--no-color", "--concurrency", "1", "--operation", "POST /user_identities/create")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatalf("no create without a credential came:\n%s", tail(out.String(), 20))
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(200 * time.Millisecond) // the interrupt is handled while the create is held
	close(release)
	_ = cmd.Wait()
	listedMade(t, "interrupted", result{stdout: out.String()}, server, before)
}

// listedMade fails unless every identity the run made on server, beyond
// those before it, is listed as left behind by what its create answered.
func listedMade(t *testing.T, what string, r result, server *reference.Server, before []string) {
	t.Helper()
	made := slices.DeleteFunc(server.IdentityIDs(), func(id string) bool { return slices.Contains(before, id) })
	if len(made) == 0 {
		t.Fatalf("%s: the wrongly accepted creates made nothing, so the test checks nothing", what)
	}
	line := regexp.MustCompile(`LEFT BEHIND: POST /user_identities/create answered 2xx to requests it must refuse \([^\n]*`).FindString(r.stdout)
	for _, id := range made {
		if !strings.Contains(line, "user_identity_id "+id) {
			t.Errorf("%s: identity %s remains but is not listed in %q\n%s", what, id, line, tail(r.stdout, 12))
		}
	}
}

// rewriteOK rewrites the {"ok":true} a delete answers with as with(body):
// the answer a hostile or careless implementation gives.
func rewriteOK(with func() string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			body := rec.Body.String()
			if strings.HasSuffix(r.URL.Path, "/user_identities/delete") && rec.Code == http.StatusOK && body == `{"ok":true}` {
				body = with()
			}
			maps.Copy(w.Header(), rec.Header())
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			io.WriteString(w, body)
		})
	}
}

// An answer read one way by the suite and another by a client fails: a
// name given twice, text that is not UTF-8.
func TestAnAmbiguousAnswerFails(t *testing.T) {
	for answer, reason := range map[string]string{
		`{"ok":false,"ok":true}`:          `the key "ok" is given twice in one object`,
		"{\"note\":\"\xff\",\"ok\":true}": "not valid UTF-8",
	} {
		_, env := served(t, reference.Options{}, rewriteOK(func() string { return answer }))
		r := seamconform(t, env, "run", "--no-color", "--operation", "/user_identities/delete", "--label-filter", "!/^API-/")
		expect(t, r, 1, "Verdict: NOT CONFORMANT", "FAILED UIDEL-RESP-01", reason)
	}
}

// An answer longer than the suite reads is not judged by its first MiB,
// where a valid one would fail as JSON cut short: the case is an error.
func TestAnAnswerTooLongToReadIsNotJudged(t *testing.T) {
	long := func() string { return `{"pad":"` + strings.Repeat("a", 1<<20) + `","ok":true}` }
	_, env := served(t, reference.Options{}, rewriteOK(long))
	r := seamconform(t, env, "run", "--no-color", "--operation", "/user_identities/delete", "--label-filter", "success")
	expect(t, r, 3, "Verdict: INCOMPLETE", "answered more than the 1048576 bytes the suite reads of an answer")
	if regexp.MustCompile(`(?m)^\s+FAILED [A-Z]`).MatchString(r.stdout) || strings.Contains(r.stdout, "not one valid JSON value") {
		t.Fatalf("a valid answer too long to read failed a requirement:\n%s", tail(r.stdout, 30))
	}
}
