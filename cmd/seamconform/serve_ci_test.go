package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seamconform/seamconform/reference/violations"
)

// serving is `seamconform serve` running for a test.
type serving struct {
	env  map[string]string
	stop func() (code int, log string)
}

// startServe runs serve in this process (the contract is loaded once per
// test binary); stop returns the exit code realMain would.
func startServe(t *testing.T, args ...string) serving {
	t.Helper()
	envFile := filepath.Join(t.TempDir(), "seam.env")
	args = append([]string{"--env-file", envFile}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- serveCommand(ctx, args, outW, &logs); outW.Close() }()
	t.Cleanup(cancel)
	env := readEnv(t, outR, envFile, &logs)
	return serving{env: env, stop: func() (int, string) {
		cancel()
		err := <-done
		var usage usageError
		switch {
		case errors.As(err, &usage):
			return 2, logs.String()
		case err != nil:
			return 1, logs.String() + err.Error() + "\n"
		}
		return 0, logs.String()
	}}
}

// startServeProcess runs serve as its own process, stopped by SIGTERM.
func startServeProcess(t *testing.T, args ...string) serving {
	t.Helper()
	envFile := filepath.Join(t.TempDir(), "seam.env")
	cmd := command(t, nil, append([]string{"serve", "--env-file", envFile}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	env := readEnv(t, stdout, envFile, &logs)
	return serving{env: env, stop: func() (int, string) {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		var exit *exec_ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), logs.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, logs.String()
	}}
}

// readEnv reads the SEAM_* lines serve wrote to its --env-file: the file is
// complete once the first line is printed.
func readEnv(t *testing.T, stdout io.Reader, envFile string, logs *syncBuffer) map[string]string {
	t.Helper()
	out := bufio.NewReader(stdout)
	first, err := out.ReadString('\n')
	go io.Copy(io.Discard, out)
	if err != nil || !strings.HasPrefix(first, "SEAM_ENDPOINT=") {
		t.Fatalf("serve printed %q (%v)\n%s", first, err, logs.String())
	}
	data, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	return parseEnv(string(data))
}

func (s serving) send(t *testing.T, method, path, contentType, body string, header map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(method, s.env["SEAM_ENDPOINT"]+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// The three bad requests each show up as a violation with its rule,
// in the reports and the exit code.
func TestServeFailsOnViolations(t *testing.T) {
	dir := t.TempDir()
	s := startServeProcess(t, "--seed", "42", "--report-dir", dir, "--fail-on-violation")
	key := map[string]string{"Authorization": "Bearer " + s.env["SEAM_API_KEY"]}
	id := `{"user_identity_id":"` + s.env["SEAMCONFORM_FOREIGN_IDENTITY_ID"] + `"}`
	statuses := []int{
		s.send(t, "POST", "/user_identities/delete", "application/json", `{}`, key),
		s.send(t, "POST", "/user_identities/delete", "application/json", id, map[string]string{"Authorization": "Bearer " + s.env["SEAM_PERSONAL_ACCESS_TOKEN"]}),
		s.send(t, "POST", "/user_identities/delete", "text/plain", id, key),
	}
	if statuses[0] != 400 || statuses[1] != 401 || statuses[2] != 400 {
		t.Errorf("answers %v, want Seam's 400, 401, 400", statuses)
	}
	code, log := s.stop()
	if code != 1 || !strings.Contains(log, "| request | `POST /user_identities/delete` | workspace-header |") {
		t.Fatalf("exit code %d, want 1 and the summary printed:\n%s", code, log)
	}
	var report violations.Report
	data, err := os.ReadFile(filepath.Join(dir, violations.JSONFile))
	if err != nil || json.Unmarshal(data, &report) != nil {
		t.Fatalf("violations.json: %v\n%s", err, data)
	}
	var rules []string
	for _, v := range report.Violations {
		rules = append(rules, v.Rule)
	}
	if strings.Join(rules, ",") != "body,workspace-header,content-type" {
		t.Errorf("rules %v, want body, workspace-header, content-type", rules)
	}
	for _, name := range []string{violations.SummaryFile, violations.JUnitFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	for _, secret := range []string{s.env["SEAM_API_KEY"], s.env["SEAM_PERSONAL_ACCESS_TOKEN"]} {
		if strings.Contains(log, secret) || strings.Contains(string(data), secret) {
			t.Error("a credential is in the log or the report")
		}
	}
	if !strings.Contains(log, "VIOLATION request POST /user_identities/delete [body] user_identity_id") {
		t.Errorf("no violation log line with its reason:\n%s", log)
	}

	// The same seed gives the same credentials on the next start.
	again := startServe(t, "--seed", "42")
	defer again.stop()
	if again.env["SEAM_API_KEY"] != s.env["SEAM_API_KEY"] || again.env["SEAM_CONSOLE_SESSION_TOKEN"] != s.env["SEAM_CONSOLE_SESSION_TOKEN"] {
		t.Error("--seed 42 gave other credentials on the second start")
	}
}

func TestServeCleanSessionExitsZero(t *testing.T) {
	s := startServe(t, "--fail-on-violation")
	key := map[string]string{"Authorization": "Bearer " + s.env["SEAM_API_KEY"]}
	if code := s.send(t, "POST", "/workspaces/get", "application/json", `{}`, key); code != 200 {
		t.Fatalf("workspaces/get: %d", code)
	}
	// The control API reads and resets; it is not part of the session.
	if code := s.send(t, "GET", violations.ControlPrefix+"violations", "", "", nil); code != 200 {
		t.Fatalf("control API: %d", code)
	}
	if code, log := s.stop(); code != 0 || !strings.Contains(log, "0 contract violation(s) in 1 request(s)") {
		t.Fatalf("exit code %d, want 0:\n%s", code, log)
	}
}

// Bad flags are usage errors (exit code 2), found before anything starts.
func TestServeCIFlagsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--seed", "abc"},
		{"--api-key", "sk_live_123"},
		{"--upstream", "connect.getseam.com"},
		{"--upstream", "http://127.0.0.1:1", "--seed", "1"},
		{"--sdk-fault", "teapot"},
		{"--spec", "no-such-file.json"},
	} {
		var usage usageError
		if err := serveCommand(context.Background(), args, io.Discard, io.Discard); !errors.As(err, &usage) {
			t.Errorf("serve %v: %v, want a usage error", args, err)
		}
	}
}

func TestServeGivenCredentials(t *testing.T) {
	s := startServe(t, "--api-key", "seam_ci_key_1234567890", "--personal-access-token", "seam_at_ci_pat_1234567890")
	defer s.stop()
	if s.env["SEAM_API_KEY"] != "seam_ci_key_1234567890" || s.env["SEAM_PERSONAL_ACCESS_TOKEN"] != "seam_at_ci_pat_1234567890" {
		t.Fatalf("serve printed %v, want the given credentials", s.env)
	}
	if code := s.send(t, "POST", "/workspaces/get", "application/json", `{}`, map[string]string{"Authorization": "Bearer seam_ci_key_1234567890"}); code != 200 {
		t.Errorf("the given API key: %d", code)
	}
}

// The proxy forwards the credential untouched, never records it, and
// records the upstream's broken answer as a response violation.
func TestServeProxyRecordsAnUpstreamBreakingTheContract(t *testing.T) {
	const key = "seam_sandboxkey0123456789abc"
	var received syncBuffer
	upstream := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Write([]byte(r.Method + " " + r.URL.RequestURI() + " " + r.Header.Get("Authorization") + "\n"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":"yes"}`)
	}))
	dir := t.TempDir()
	s := startServe(t, "--upstream", upstream, "--report-dir", dir, "--fail-on-violation")
	auth := map[string]string{"Authorization": "Bearer " + key}
	if code := s.send(t, "POST", "/user_identities/delete", "application/json", `{"user_identity_id":"0b6d2f4e-3c1a-4e8b-9f7d-5a2c1e0d9b8a"}`, auth); code != 200 {
		t.Fatalf("proxied answer %d, want the upstream's 200", code)
	}
	// A request violation is forwarded too: the client sees the real answer.
	s.send(t, "POST", "/user_identities/delete", "text/plain", `x`, auth)
	// As sent: not with the defaults kin-openapi writes while checking it.
	s.send(t, "GET", "/devices/list?device_ids=0b6d2f4e-3c1a-4e8b-9f7d-5a2c1e0d9b8a", "", "", auth)
	code, log := s.stop()
	if got := received.String(); got != "POST /user_identities/delete Bearer "+key+"\nPOST /user_identities/delete Bearer "+key+"\nGET /devices/list?device_ids=0b6d2f4e-3c1a-4e8b-9f7d-5a2c1e0d9b8a Bearer "+key+"\n" {
		t.Errorf("the upstream received %q, want the requests as sent, the credential untouched", got)
	}
	data, _ := os.ReadFile(filepath.Join(dir, violations.JSONFile))
	var report violations.Report
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatalf("violations.json: %v", err)
	}
	var sides []string
	for _, v := range report.Violations {
		sides = append(sides, string(v.Side)+":"+v.Rule)
	}
	if !slices.Contains(sides, "response:response") || !slices.Contains(sides, "request:content-type") {
		t.Errorf("violations %v, want the upstream's answer and the text/plain request", sides)
	}
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if strings.Contains(log, key) || strings.Contains(string(data), key) {
		t.Error("the credential is in the log or the report")
	}
}

// An SDK fault answers instead of the reference; the request still counts.
func TestServeSDKFaults(t *testing.T) {
	s := startServe(t, "--sdk-fault", "rate-limit*1@/workspaces/get", "--sdk-fault", "reset@/user_identities/create")
	key := map[string]string{"Authorization": "Bearer " + s.env["SEAM_API_KEY"]}
	first := s.send(t, "POST", "/workspaces/get", "application/json", `{}`, key)
	second := s.send(t, "POST", "/workspaces/get", "application/json", `{}`, key)
	if first != 429 || second != 200 {
		t.Errorf("rate-limit*1: %d then %d, want 429 then 200", first, second)
	}
	req, _ := http.NewRequest("POST", s.env["SEAM_ENDPOINT"]+"/user_identities/create", strings.NewReader(`{}`))
	req.Header.Set("Authorization", key["Authorization"])
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Errorf("reset: got %d, want the connection dropped", res.StatusCode)
	} else if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("reset: %v, want a TCP reset (ECONNRESET), which SDKs retry on", err)
	}
	if code, log := s.stop(); code != 0 || !strings.Contains(log, "in 3 request(s)") || !regexp.MustCompile(`POST /user_identities/create dropped \S+ms`).MatchString(log) {
		t.Errorf("exit %d, want 0, 3 requests counted and the dropped one logged:\n%s", code, log)
	}
}

// A request still in flight at shutdown (here a latency fault's) is cut
// off after the grace: the clean session still writes its reports and
// exits 0.
func TestServeShutdownCutsOffRequestsInFlight(t *testing.T) {
	reportDir := filepath.Join(t.TempDir(), "reports")
	s := startServeProcess(t, "--sdk-fault", "latency:1m@/devices/list", "--write-timeout", "2m", "--report-dir", reportDir, "--fail-on-violation", "--check-responses")
	// One connection: once the quick request is answered, serve reads the
	// slow one as soon as it is written.
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	post := func(path string) {
		req, _ := http.NewRequest(http.MethodPost, s.env["SEAM_ENDPOINT"]+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.env["SEAM_API_KEY"])
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	post("/workspaces/get")
	go post("/devices/list")
	time.Sleep(300 * time.Millisecond) // the request is in the latency fault's wait
	code, log := s.stop()
	// The request cut off is dropped, not taken as an empty 200 that
	// --check-responses would hold against the session.
	if code != 0 || !strings.Contains(log, "cut off") || !strings.Contains(log, "POST /devices/list dropped") {
		t.Fatalf("exit %d, want 0 after cutting off the request in flight, logged as dropped:\n%s", code, log)
	}
	data, err := os.ReadFile(filepath.Join(reportDir, "violations.json"))
	if err != nil || !strings.Contains(string(data), `"violations": []`) {
		t.Fatalf("reports: %v\n%s\n%s", err, data, log)
	}
}

// A proxied request still waiting for its upstream when serve shuts down
// was never checked: the session fails, whatever the client did.
func TestServeProxyCountsRequestsCutOffAtShutdown(t *testing.T) {
	hanging, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hanging.Close()
	go func() { // accepts, reads and never answers
		for {
			conn, err := hanging.Accept()
			if err != nil {
				return
			}
			go io.Copy(io.Discard, conn)
		}
	}()
	reportDir := filepath.Join(t.TempDir(), "reports")
	s := startServeProcess(t, "--upstream", "http://"+hanging.Addr().String(), "--report-dir", reportDir, "--fail-on-violation")
	go func() {
		req, _ := http.NewRequest(http.MethodPost, s.env["SEAM_ENDPOINT"]+"/devices/list", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer seam_sandboxkey0123456789abc")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(500 * time.Millisecond) // the request waits for the upstream
	code, log := s.stop()
	data, _ := os.ReadFile(filepath.Join(reportDir, "violations.json"))
	if code != 1 || !strings.Contains(log, "cut off at shutdown before") || !strings.Contains(string(data), `"unforwarded": 1`) {
		t.Fatalf("exit %d, want 1 with the request counted as unforwarded:\n%s\n%s", code, data, log)
	}
}

// A proxied request that serve's write timeout cuts off (shorter than the
// wait for the upstream) was never checked either: it counts as unforwarded.
func TestServeProxyCountsRequestsCutOffAtTheWriteTimeout(t *testing.T) {
	hanging := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	s := startServe(t, "--upstream", hanging, "--write-timeout", "500ms")
	req, _ := http.NewRequest(http.MethodPost, s.env["SEAM_ENDPOINT"]+"/devices/list", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer seam_sandboxkey0123456789abc")
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
	}
	time.Sleep(200 * time.Millisecond) // the proxy's side of it ends
	report := controlReport(t, s.env["SEAM_ENDPOINT"])
	if code, log := s.stop(); code != 1 || report.Unforwarded != 1 || !strings.Contains(log, "cut off at the write timeout") {
		t.Errorf("exit %d, unforwarded %d; want 1 and 1\n%s", code, report.Unforwarded, log)
	}
}

// The README's GitHub Actions job for an SDK's CI works as written: its
// steps, run by bash with the runner's variables, start serve, and the last
// one passes a clean client and fails one that broke the contract.
func TestReadmeWorkflowForSDKs(t *testing.T) {
	for _, tool := range []string{"bash", "jq", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the workflow's steps need %s, not installed here", tool)
		}
	}
	steps := readmeWorkflowSteps(t)
	for name, tc := range map[string]struct {
		body   string // "": the client never reaches serve
		failed bool
	}{
		"a conforming client":               {`{"user_identity_id":"0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d"}`, false},
		"a client breaking the contract":    {`{"user_identity_id":"not-a-uuid"}`, true},
		"a client that never reaches serve": {"", true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, work, env := workflowJob(t)
			// Any free port: the job's 8080 may be taken on this machine.
			start := strings.ReplaceAll(steps["Start the mock"], "127.0.0.1:8080", "127.0.0.1:0")
			if out, err := runStep(t, work, env, start); err != nil {
				t.Fatalf("Start the mock: %v\n%s", err, out)
			}
			vars := map[string]string{}
			for _, line := range strings.Split(readFile(t, dir, "github.env"), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					vars[k] = v
				}
			}
			// An SDK reading its options from the environment takes one
			// credential: Seam's refuse an API key beside a PAT.
			if _, pat := vars["SEAM_PERSONAL_ACCESS_TOKEN"]; pat || vars["SEAM_API_KEY"] == "" || vars["SEAM_ENDPOINT"] == "" {
				t.Fatalf("the job's environment has %v, want SEAM_ENDPOINT and SEAM_API_KEY alone", slices.Collect(maps.Keys(vars)))
			}
			if tc.body != "" {
				req, _ := http.NewRequest(http.MethodPost, vars["SEAM_ENDPOINT"]+"/user_identities/delete", strings.NewReader(tc.body))
				req.Header.Set("Authorization", "Bearer "+vars["SEAM_API_KEY"])
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatalf("the SDK's request: %v", err)
				}
				resp.Body.Close()
			}

			out, err := runStep(t, work, env, steps["Fail on contract violations"])
			if failed := err != nil; failed != tc.failed {
				t.Fatalf("Fail on contract violations: error %v, want a failure %v\n%s", err, tc.failed, out)
			}
			if !strings.Contains(readFile(t, dir, "summary.md"), "violation") {
				t.Errorf("the step summary lacks violations.md:\n%s", readFile(t, dir, "summary.md"))
			}
		})
	}
}

// workflowJob lays out a runner's folders for the README's job (RUNNER_TEMP
// is dir/runner), this clone as its seamconform checkout, and the
// environment its steps see.
func workflowJob(t *testing.T) (dir, work string, env []string) {
	t.Helper()
	dir = t.TempDir()
	root, _ := filepath.Abs("../..")
	runner := filepath.Join(dir, "runner")
	work = filepath.Join(dir, "work")
	for _, d := range []string{runner, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(root, filepath.Join(work, "seamconform")); err != nil { // the checkout
		t.Fatal(err)
	}
	githubEnv, summary := filepath.Join(dir, "github.env"), filepath.Join(dir, "summary.md")
	env = []string{"RUNNER_TEMP=" + runner, "GITHUB_ENV=" + githubEnv, "GITHUB_STEP_SUMMARY=" + summary}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEAM") && !strings.HasPrefix(kv, "GITHUB_") && !strings.HasPrefix(kv, "RUNNER_") {
			env = append(env, kv)
		}
	}
	t.Cleanup(func() {
		if pid, err := os.ReadFile(filepath.Join(runner, "serve.pid")); err == nil {
			_ = exec.Command("kill", "-KILL", strings.TrimSpace(string(pid))).Run()
		}
	})
	return dir, work, env
}

// The job's start step fails, rather than waiting for ever, when serve
// cannot start (its port taken).
func TestReadmeWorkflowStopsWaitingForAServeThatFailed(t *testing.T) {
	for _, tool := range []string{"bash", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the workflow's steps need %s, not installed here", tool)
		}
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, work, env := workflowJob(t)
	start := strings.ReplaceAll(readmeWorkflowSteps(t)["Start the mock"], "127.0.0.1:8080", taken.Addr().String())
	if out, err := runStep(t, work, env, start); err == nil || !strings.Contains(out, "cannot listen") {
		t.Fatalf("the start step: error %v, want a failure showing serve's log\n%s", err, out)
	}
}

// readmeWorkflowSteps are the run scripts of the README's job for an SDK's
// CI, by step name.
func readmeWorkflowSteps(t *testing.T) map[string]string {
	t.Helper()
	readme := readREADME(t)
	_, job, _ := strings.Cut(readme, "A GitHub Actions job that runs an SDK's tests against `serve`")
	job, _, _ = strings.Cut(job, "\n```\n")
	steps := map[string]string{}
	name, script, indent := "", "", -1
	for _, line := range strings.Split(job, "\n") {
		depth := len(line) - len(strings.TrimLeft(line, " "))
		switch trimmed := strings.TrimSpace(line); {
		case indent >= 0 && depth > indent:
			script += line[indent+2:] + "\n"
			continue
		case indent >= 0:
			steps[name], indent = script, -1
			fallthrough
		default:
			if n, ok := strings.CutPrefix(trimmed, "- name: "); ok {
				name = n
			}
			if trimmed == "run: |" {
				script, indent = "", depth
			}
		}
	}
	for _, want := range []string{"Start the mock", "Fail on contract violations"} {
		if steps[want] == "" {
			t.Fatalf("the README's workflow has no step %q: %v", want, steps)
		}
	}
	return steps
}

// runStep runs a step's script as GitHub's runner does (bash -e). Its
// output goes to a file: serve, started in the background, keeps it open.
func runStep(t *testing.T, dir string, env []string, script string) (string, error) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "step")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, out, out
	err = cmd.Run()
	b, _ := os.ReadFile(out.Name())
	return string(b), err
}

// The upstream URL as written may carry a token in its user or query: the
// log shows neither.
func TestServeProxyLogsItsUpstreamWithoutCredentials(t *testing.T) {
	s := startServe(t, "--upstream", "http://seam_userinfo0123456789@127.0.0.1:1/?api_key=seam_query0123456789#seam_fragment0123456789")
	_, log := s.stop()
	if !strings.Contains(log, "forwarding to http://REDACTED@127.0.0.1:1/?api_key=REDACTED#REDACTED") {
		t.Errorf("log lacks the redacted upstream:\n%s", log)
	}
	if strings.Contains(log, "0123456789") {
		t.Errorf("the log shows a credential of the upstream URL:\n%s", log)
	}
}

// An --env-file that exists already is made the owner's alone before the
// credentials are written into it.
func TestEnvFileIsPrivateEvenWhenItExisted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seam.env")
	if err := os.WriteFile(path, []byte("an older, longer content\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil { // past the umask
		t.Fatal(err)
	}
	if err := writePrivate(path, []byte("SEAM_API_KEY=x\n")); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if data, _ := os.ReadFile(path); info.Mode().Perm() != 0o600 || string(data) != "SEAM_API_KEY=x\n" {
		t.Errorf("mode %v, content %q; want 0600 and the new content only", info.Mode().Perm(), data)
	}
}

// A credential a client puts in a path the contract lacks stays out of the
// request log and the reports, which name the operation by its path.
func TestServeKeepsACredentialInAPathOutOfItsLogAndReports(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, "--report-dir", dir)
	key := s.env["SEAM_API_KEY"]
	s.send(t, "GET", "/devices/"+key+"/list", "", "", map[string]string{"Authorization": "Bearer " + key})
	_, log := s.stop()
	shown := log
	for _, name := range []string{violations.JSONFile, violations.SummaryFile, violations.JUnitFile} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		shown += string(data)
	}
	if strings.Contains(shown, key) || !strings.Contains(log, "GET /devices/$SEAM_API_KEY/list 404") {
		t.Errorf("want the key named by its variable, never shown:\n%s", shown)
	}
}

// A proxy that gets no answer from its upstream has checked nothing of
// that exchange: the session fails, whatever the flags, and its reports
// say why. A session no request reached fails under --fail-on-violation.
func TestServeSessionsThatCheckedNothingFail(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, "--upstream", "http://127.0.0.1:1", "--report-dir", dir)
	if code := s.send(t, "POST", "/devices/list", "application/json", `{}`, map[string]string{"Authorization": "Bearer seam_unreachable0123456789"}); code != http.StatusBadGateway {
		t.Errorf("answer %d, want 502", code)
	}
	code, log := s.stop()
	md, _ := os.ReadFile(filepath.Join(dir, violations.SummaryFile))
	junit, _ := os.ReadFile(filepath.Join(dir, violations.JUnitFile))
	if code != 1 || !strings.Contains(log, "1 of 1 request(s) got no answer from the upstream") ||
		strings.Count(string(md), "got no answer from the upstream") != 1 || !strings.Contains(string(junit), `<testcase name="upstream"`) {
		t.Errorf("exit %d, log:\n%s\nviolations.md:\n%s\njunit.xml:\n%s", code, log, md, junit)
	}

	s = startServe(t, "--fail-on-violation", "--report-dir", dir)
	code, log = s.stop()
	md, _ = os.ReadFile(filepath.Join(dir, violations.SummaryFile))
	junit, _ = os.ReadFile(filepath.Join(dir, violations.JUnitFile))
	if code != 1 || !strings.Contains(log, "no request reached serve") || !strings.Contains(string(md), "SEAM_ENDPOINT?\n") || !strings.Contains(string(junit), `failures="1"`) {
		t.Errorf("a session without requests: exit %d, log:\n%s\nviolations.md:\n%s\njunit.xml:\n%s", code, log, md, junit)
	}
}

// A client that gives up on a request (an SDK's timeout test) has not
// left an answer unchecked that anyone waits for: the session stands. The
// control API counts a request the upstream did not answer, and forget,
// which drops a test's violations made on purpose, does not drop that: the
// session fails.
func TestServeProxyCountsOnlyUpstreamsThatDidNotAnswer(t *testing.T) {
	slow := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(500 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"devices":[],"ok":true}`)
	}))
	s := startServe(t, "--upstream", slow)
	req, _ := http.NewRequest("POST", s.env["SEAM_ENDPOINT"]+"/devices/list", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer seam_sandboxkey0123456789abc")
	req.Header.Set("Content-Type", "application/json")
	if _, err := (&http.Client{Timeout: 100 * time.Millisecond}).Do(req); err == nil {
		t.Fatal("the request did not time out")
	}
	time.Sleep(600 * time.Millisecond) // the proxy's side of it ends
	report := controlReport(t, s.env["SEAM_ENDPOINT"])
	if code, log := s.stop(); code != 0 || len(report.Violations) != 0 || report.Unforwarded != 0 || !strings.Contains(log, "the client gave up") {
		t.Errorf("a client's timeout: exit %d, report %+v, log:\n%s", code, report, log)
	}

	s = startServe(t, "--upstream", "http://127.0.0.1:1")
	s.send(t, "POST", "/devices/list", "application/json", `{}`, map[string]string{"Authorization": "Bearer seam_sandboxkey0123456789abc"})
	unforwarded := func() int { return controlReport(t, s.env["SEAM_ENDPOINT"]).Unforwarded }
	before := unforwarded()
	if res, err := http.Post(s.env["SEAM_ENDPOINT"]+violations.ControlPrefix+"forget", "", nil); err == nil {
		res.Body.Close()
	}
	if after := unforwarded(); before != 1 || after != 1 {
		t.Errorf("unforwarded %d, then %d after forget; want 1, then still 1", before, after)
	}
	if code, _ := s.stop(); code != 1 {
		t.Errorf("a request the upstream never answered, then forget: exit %d, want 1", code)
	}
}

// A reset between tests starts the state and the control API's view
// afresh, and the session's verdict still holds every test's violations:
// a CI that resets before each test does not lose the earlier ones. Only
// forget drops them (violations a test made on purpose), and only the
// current test's: an earlier test's accidental one still fails the session.
func TestServeResetKeepsTheSessionsViolations(t *testing.T) {
	for _, c := range []struct {
		controls []string // after the bad request
		code     int
	}{{[]string{"reset"}, 1}, {[]string{"forget"}, 0}, {[]string{"reset", "forget"}, 1}} {
		dir := t.TempDir()
		s := startServe(t, "--fail-on-violation", "--report-dir", dir)
		auth := map[string]string{"Authorization": "Bearer " + s.env["SEAM_API_KEY"]}
		s.send(t, "POST", "/devices/list", "application/json", `{"bogus":1}`, auth)
		for _, control := range c.controls {
			if res, err := http.Post(s.env["SEAM_ENDPOINT"]+violations.ControlPrefix+control, "", nil); err == nil {
				res.Body.Close()
			}
		}
		s.send(t, "POST", "/devices/list", "application/json", `{}`, auth)
		code, log := s.stop()
		data, _ := os.ReadFile(filepath.Join(dir, violations.JSONFile))
		if code != c.code || strings.Contains(string(data), "bogus") != (c.code == 1) || !strings.Contains(string(data), `"requests": 2`) {
			t.Errorf("after %v: exit %d, want %d, with both requests counted\n%s\n%s", c.controls, code, c.code, data, log)
		}
	}
}

// A chunked answer, which a reverse proxy flushes as it goes, reaches the
// client with its own status and headers, checked.
func TestServeProxyPassesAChunkedAnswer(t *testing.T) {
	upstream := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Seam-Request-Id", "0b6d2f4e-3c1a-4e8b-9f7d-5a2c1e0d9b8a")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"type":"invalid_input","message":"limit: Expected number",`)
		w.(http.Flusher).Flush()
		io.WriteString(w, `"request_id":"0b6d2f4e-3c1a-4e8b-9f7d-5a2c1e0d9b8a"},"ok":false}`)
	}))
	s := startServe(t, "--upstream", upstream)
	req, _ := http.NewRequest("POST", s.env["SEAM_ENDPOINT"]+"/devices/list", strings.NewReader(`{"limit":"x"}`))
	req.Header.Set("Authorization", "Bearer seam_sandboxkey0123456789abc")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	_, log := s.stop()
	if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/json" || strings.Contains(log, "superfluous") {
		t.Errorf("the client got %d, Content-Type %q; want the upstream's 400 and its headers:\n%s", res.StatusCode, res.Header.Get("Content-Type"), log)
	}
}

// A client that sends Expect: 100-continue through the proxy gets the
// upstream's answer, which is checked, not the interim 100 turned into a
// 200.
func TestServeProxyPassesTheAnswerAfter100Continue(t *testing.T) {
	upstream := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the Go server sends 100 Continue here
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"type":"invalid_input","message":"limit: Expected number","request_id":"0b6d2f4e-3c1a-4e8b-9f7d-5a2c1e0d9b8a"},"ok":false}`)
	}))
	dir := t.TempDir()
	s := startServe(t, "--upstream", upstream, "--report-dir", dir)
	req, _ := http.NewRequest("POST", s.env["SEAM_ENDPOINT"]+"/devices/list", strings.NewReader(`{"limit":"x"}`))
	req.Header.Set("Authorization", "Bearer seam_sandboxkey0123456789abc")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 5 * time.Second}}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	s.stop()
	data, _ := os.ReadFile(filepath.Join(dir, violations.JSONFile))
	if res.StatusCode != http.StatusBadRequest || strings.Contains(string(data), "status 100") {
		t.Errorf("the client got %d, want the upstream's 400; the report:\n%s", res.StatusCode, data)
	}
}

// serve --spec answers that document's operations, as it checks requests
// against them, and an SDK fault's scope is one of its paths.
func TestServeAnswersTheOperationsOfItsSpec(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "things.json")
	if err := os.WriteFile(doc, []byte(thingsDocument), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--spec", doc, "--sdk-fault", "unavailable*1@/things/*", "--fail-on-violation")
	key := map[string]string{"Authorization": "Bearer " + s.env["SEAM_API_KEY"]}
	body := `{"thing_id":"0b6d2f4e-3c1a-4e8b-9f7d-5a2c1e0d9b8a"}`
	first, second := s.send(t, "POST", "/things/get", "application/json", body, key), s.send(t, "POST", "/things/get", "application/json", body, key)
	if code, log := s.stop(); first != 503 || second != 200 || code != 0 {
		t.Errorf("answers %d then %d, exit %d; want the fault's 503, then the reference's 200, and a clean session:\n%s", first, second, code, log)
	}
}

// controlReport is what serve's control API reports so far.
func controlReport(t *testing.T, endpoint string) violations.Report {
	t.Helper()
	res, err := http.Get(endpoint + violations.ControlPrefix + "violations")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var report violations.Report
	if err := json.NewDecoder(res.Body).Decode(&report); err != nil {
		t.Fatal(err)
	}
	return report
}
