package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/reference"
)

// Ginkgo runs one suite per process, so every test that runs the suite
// starts this test binary again as the seamconform command.
const childArgs = "SEAMCONFORM_TEST_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childArgs); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			panic(err)
		}
		os.Exit(realMain(args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

type result struct {
	stdout, stderr string
	code           int
}

// command prepares seamconform with args and exactly the given SEAM_*
// variables (the developer's own are not passed on).
func command(t testing.TB, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	raw, _ := json.Marshal(quick(args))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEAM") && !strings.HasPrefix(kv, "GITHUB_STEP_SUMMARY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, childArgs+"="+string(raw))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// quickSelection keeps a test's run to the operation suites and the
// API-wide family on the user identity operations (about 600 specs, not
// 5,737): these tests are about the command, not the breadth of the API. A
// test that gives --label-filter or --operation runs what it asks, and
// TestRunOnMocksChecksEveryOperation runs everything.
var quickSelection = []string{"--label-filter", "!/^API-/ || tag:user_identities"}

// wholeRun, given to run, keeps quick from narrowing it: an empty filter
// selects every spec, and a run so selected can certify.
const wholeRun = "--label-filter="

func quick(args []string) []string {
	if len(args) == 0 || args[0] != "run" || slices.ContainsFunc(args, func(a string) bool {
		return strings.Contains(a, "label-filter") || strings.HasPrefix(a, "--operation")
	}) {
		return args
	}
	return append(slices.Clone(args), quickSelection...)
}

func seamconform(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return finish(t, command(t, env, append([]string{}, args...)...))
}

// finish runs cmd to its end and returns what it printed and its exit code.
func finish(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// served starts the reference on a loopback port and returns it with the
// environment `seamconform serve` would print for it.
func served(t *testing.T, opts reference.Options, wrap func(http.Handler) http.Handler) (*reference.Server, map[string]string) {
	t.Helper()
	server, err := reference.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = server
	if wrap != nil {
		h = wrap(server)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return server, parseEnv(envLines(ts.URL, server.Seed()))
}

func parseEnv(lines string) map[string]string {
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	return env
}

func expect(t *testing.T, r result, code int, stdoutHas ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout tail:\n%s\nstderr:\n%s", r.code, code, tail(r.stdout, 40), tail(r.stderr, 20))
	}
	for _, s := range stdoutHas {
		if !strings.Contains(r.stdout, s) {
			t.Fatalf("stdout lacks %q\nstdout tail:\n%s\nstderr:\n%s", s, tail(r.stdout, 40), tail(r.stderr, 20))
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// noSecrets fails when any of the seed's secrets appears in the output.
func noSecrets(t *testing.T, r result, env map[string]string) {
	t.Helper()
	for k, v := range env {
		if len(v) < 8 || !(strings.Contains(k, "KEY") || strings.Contains(k, "TOKEN")) {
			continue
		}
		if strings.Contains(r.stdout, v) || strings.Contains(r.stderr, v) {
			t.Errorf("output contains the value of %s", k)
		}
	}
}
