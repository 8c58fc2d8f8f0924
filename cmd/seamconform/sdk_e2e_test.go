package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seamconform/seamconform/reference/violations"
)

// jsSDKVersion is the @seamapi/http release the end-to-end test installs
// (npm view @seamapi/http version, 2026-11-27).
const jsSDKVersion = "2.32.0"

// installJSSDK installs the pinned SDK once per machine, under the OS temp
// directory keyed by version, so reruns take no network.
func installJSSDK(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: the JavaScript SDK test needs Node.js 18 or later", tool)
		}
	}
	if out, err := exec.Command("node", "-p", "process.versions.node.split('.')[0]").Output(); err != nil {
		t.Skipf("node does not run: %v", err)
	} else if major, _ := strconv.Atoi(strings.TrimSpace(string(out))); major < 18 {
		t.Skipf("node %s is too old: the SDK needs fetch (Node.js 18 or later)", strings.TrimSpace(string(out)))
	}
	dir := filepath.Join(os.TempDir(), "seamconform-js-sdk-"+jsSDKVersion)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@seamapi", "http", "package.json")); err == nil {
		return dir
	}
	staging, err := os.MkdirTemp(os.TempDir(), "seamconform-js-sdk-install-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(staging)
	if err := os.WriteFile(filepath.Join(staging, "package.json"), []byte(`{"private": true, "type": "module"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", "@seamapi/http@"+jsSDKVersion)
	install.Dir = staging
	if out, err := install.CombinedOutput(); err != nil {
		t.Skipf("npm install @seamapi/http@%s failed (offline?): %v: %s", jsSDKVersion, err, npmReason(string(out)))
	}
	// Another test process may have finished first: its copy is as good.
	if err := os.Rename(staging, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "node_modules")); statErr != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// npmReason is the line of npm's output that says what went wrong: its
// first error line (the last is "A complete log of this run ..."), else
// its last line.
func npmReason(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for _, line := range lines {
		if strings.Contains(line, "ERR") || strings.HasPrefix(line, "npm error") {
			return line
		}
	}
	return lines[len(lines)-1]
}

// runScript runs one of testdata's scripts next to the installed SDK, with
// exactly the SEAM_* variables given.
func runScript(t *testing.T, sdkDir, script string, env map[string]string) (string, error) {
	t.Helper()
	source, err := os.ReadFile(filepath.Join("testdata", script))
	if err != nil {
		t.Fatal(err)
	}
	// Node resolves @seamapi/http from the script's folder.
	path := filepath.Join(sdkDir, script)
	if err := os.WriteFile(path, source, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", path)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEAM") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Seam's own JavaScript SDK against serve: its calls succeed, its errors
// are the classes it documents, it sends no violation; and a request it
// should not send is recorded.
func TestJavaScriptSDK(t *testing.T) {
	sdk := installJSSDK(t)
	reports := t.TempDir()
	s := startServe(t, "--seed", "7", "--report-dir", reports, "--fail-on-violation", "--check-responses",
		"--sdk-fault", "rate-limit:1*1@/workspaces/get", "--sdk-fault", "server-error*1@/user_identities/create")
	env := s.env
	env["SEAMCONFORM_E2E_FAULTS"] = "1"

	out, err := runScript(t, sdk, "sdk-e2e.mjs", env)
	if err != nil {
		t.Fatalf("sdk-e2e.mjs: %v\n%s", err, out)
	}
	t.Logf("sdk-e2e.mjs:\n%s", out)
	if strings.Contains(out, "FAIL") || strings.Count(out, "ok   ") != 17 {
		t.Fatalf("sdk-e2e.mjs:\n%s", out)
	}

	out, err = runScript(t, sdk, "sdk-bad-request.mjs", env)
	if err != nil {
		t.Fatalf("sdk-bad-request.mjs: %v\n%s", err, out)
	}
	code, log := s.stop()
	if code != 1 {
		t.Fatalf("serve --fail-on-violation exited %d after a bad request, want 1:\n%s", code, log)
	}
	data, err := os.ReadFile(filepath.Join(reports, violations.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var report violations.Report
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Violations) != 1 || report.Violations[0].Rule != violations.RuleSDKForm || report.Violations[0].Operation != "DELETE /user_identities/delete" {
		t.Fatalf("want only the bad request's sdk-form violation, got:\n%s", data)
	}
}
