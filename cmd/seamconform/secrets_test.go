package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/seamconform/seamconform/reference"
)

// The issue-10 secrets tests: an endpoint that repeats the credential it
// was sent everywhere it can, and not one piece of a secret in anything the
// run writes.

// echoing wraps a working implementation so that every answer repeats the
// request's Authorization value (whole, and the token alone) in the places
// the suite prints: error.type, error.message (after a Go stack trace), ok,
// a field that straddles the 2 KB body cut, the ID of a created identity, headers (one straddling the
// header-value cut), Content-Type and the status line's reason phrase. One
// answer in three is plain text with raw control bytes. The workspace
// answer keeps its shape, so that the run goes past its sandbox guard.
func echoing(h http.Handler) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		token := strings.TrimSpace(auth[strings.LastIndex(auth, " ")+1:])
		echo := auth + " " + token
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)

		var body map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		contentType := "application/json; echo=" + token
		var raw []byte
		switch k := n.Add(1); {
		case r.URL.Path == "/workspaces/get" && rec.Code == http.StatusOK:
			raw = rec.Body.Bytes()
		case k%3 == 0:
			contentType = "text/echo; t=" + token
			raw = []byte("\x1b[2J\x1b]0;title\x07\x00" + echo + "\npanic: boom\n\ngoroutine 1 [running]:\n" + echo + "\n" + strings.Repeat("p", 2048-len(echo)/2-60) + echo)
		default:
			if body == nil {
				body = map[string]any{}
			}
			if rec.Code >= 400 {
				body["error"] = map[string]any{"type": echo, "message": "goroutine 1 [running]:\n" + echo}
			}
			body["ok"] = echo
			if created, ok := body["user_identity"].(map[string]any); ok && r.URL.Path == "/user_identities/create" {
				created["user_identity_id"] = token // so that LEFT BEHIND lists it
			}
			start, _ := json.Marshal(body)
			prefix := strings.TrimSuffix(string(start), "}") + `,"pad":"`
			pad := max(0, 2048-len(echo)/2-len(prefix)-len(`","straddle":"`))
			quoted, _ := json.Marshal(echo)
			raw = []byte(prefix + strings.Repeat("p", pad) + `","straddle":` + string(quoted) + "}")
		}

		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, echo)
		for k, vs := range rec.Header() {
			if k != "Content-Type" && k != "Content-Length" {
				for _, v := range vs {
					fmt.Fprintf(buf, "%s: %s\r\n", k, v)
				}
			}
		}
		fmt.Fprintf(buf, "Content-Type: %s\r\nX-Echo: %s\r\nX-Long: %s%s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
			contentType, echo, strings.Repeat("h", 256-len(echo)/2), echo, len(raw))
		buf.Write(raw)
		buf.Flush()
	})
}

// secretPieces fails the test when any Fragment-byte piece of a secret is in
// out, naming the secret and where.
func secretPieces(t *testing.T, where string, out []byte, secrets map[string]string) {
	t.Helper()
	const piece = 10
	for name, secret := range secrets {
		if strings.HasPrefix(secret, "eyJ") { // a JWT: its signature is the secret (see framework.secretPart)
			secret = secret[strings.LastIndex(secret, ".")+1:]
		}
		for i := 0; i+piece <= len(secret); i++ {
			if at := bytes.Index(out, []byte(secret[i:i+piece])); at >= 0 {
				t.Errorf("%s holds %q, a piece of %s, at byte %d: …%s…", where, secret[i:i+piece], name, at,
					out[max(0, at-80):min(len(out), at+80)])
				break
			}
		}
	}
}

func seedSecrets(env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		if strings.Contains(k, "KEY") || strings.Contains(k, "TOKEN") {
			out[k] = v
		}
	}
	return out
}

func TestNoSecretInAnythingWrittenAgainstAnEchoingEndpoint(t *testing.T) {
	_, env := served(t, reference.Options{}, echoing)
	secrets := seedSecrets(env)
	if len(secrets) < 6 {
		t.Fatalf("want the six seeded secrets, got %v", secrets)
	}
	dir := t.TempDir()
	jsonReport, junitReport := filepath.Join(dir, "report.json"), filepath.Join(dir, "junit.xml")
	bundle := filepath.Join(dir, "bundle")
	r := seamconform(t, env, "run", "--no-color", "-v", "--json-report", jsonReport, "--junit-report", junitReport, "--report-dir", bundle)
	expect(t, r, 1, "Verdict: NOT CONFORMANT")
	// The echo reached the places it should have: the run printed them.
	for _, want := range []string{`error.type = "Bearer $SEAM_API_KEY $SEAM_API_KEY"`, "a stack trace", `Content-Type "text/echo; t=`, "[redacted]", `\x1b[2J`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q: the echo did not reach the output it tests", want)
		}
	}
	outputs := map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}
	written, err := filepath.Glob(filepath.Join(bundle, "*"))
	if err != nil || len(written) < 5 {
		t.Fatalf("the report bundle holds %v (%v)", written, err)
	}
	for _, f := range append([]string{jsonReport, junitReport}, written...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		outputs[filepath.Base(f)] = b
	}
	for where, out := range outputs {
		secretPieces(t, where, out, secrets)
		if i := bytes.IndexFunc(out, func(c rune) bool { return c < 0x20 && c != '\n' && c != '\t' || c == 0x7f }); i >= 0 {
			t.Errorf("%s holds the control byte %#x at %d: …%q…", where, out[i], i, out[max(0, i-60):min(len(out), i+20)])
		}
	}
}

// A workspace that names itself with the API key and does not say it is a
// sandbox: the run stops, shows the value, and not the key.
func TestRefusedWorkspaceDoesNotShowSecrets(t *testing.T) {
	for _, sandbox := range []string{`"false"`, `null`, `0`, `false`, ``} {
		t.Run(sandbox, func(t *testing.T) {
			var key atomic.Pointer[string] // set once the server runs, read by its handler
			workspace := func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/workspaces/get" {
						h.ServeHTTP(w, r)
						return
					}
					field := ""
					if sandbox != "" {
						field = `,"is_sandbox":` + sandbox
					}
					w.Header().Set("Content-Type", "application/json")
					k := *key.Load()
					fmt.Fprintf(w, `{"workspace":{"workspace_id":%q,"name":"\u001b[31m%s"%s},"ok":true}`, k, k, field)
				})
			}
			server, env := served(t, reference.Options{}, workspace)
			apiKey := env["SEAM_API_KEY"]
			key.Store(&apiKey)
			r := seamconform(t, env, "run", "--no-color")
			if r.code != 2 || !strings.Contains(r.stderr, "not known to be a sandbox") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Fatalf("is_sandbox %s: exit %d, stderr %q; want exit 2 and one line", sandbox, r.code, r.stderr)
			}
			shown := "is_sandbox: " + sandbox
			if sandbox == "" {
				shown = "is_sandbox is missing"
			}
			if !strings.Contains(r.stderr, shown) || !strings.Contains(r.stderr, "$SEAM_API_KEY") {
				t.Errorf("stderr %q does not show %q and the redacted name", r.stderr, shown)
			}
			if strings.Contains(r.stderr, "\x1b") {
				t.Errorf("stderr holds a raw ESC: %q", r.stderr)
			}
			secretPieces(t, "stderr", []byte(r.stderr+r.stdout), seedSecrets(env))
			if strings.Contains(r.stdout, "Ran ") || len(server.IdentityIDs()) != 0 {
				t.Fatal("specs ran against a workspace not known to be a sandbox")
			}
		})
	}
}

// A usage error about --endpoint shows neither the password in it nor query
// values.
func TestEndpointUsageErrorHidesCredentials(t *testing.T) {
	for _, endpoint := range []string{
		"http://user:s3cretPassw0rd-xyz@127.0.0.1:1/?api_key=seam_querykey0123456789",
		"http://127.0.0.1:1/?api_key=seam_querykey0123456789#s3cretPassw0rd-xyz",
		"http://user:s3cretPassw0rd-xyz@127.0.0.1:1/",
		"ftp://user:s3cret?Passw0rd-xyz@host/",
		"http://host/?seam_querykey0123456789",
	} {
		r := seamconform(t, nil, "run", "--endpoint", endpoint)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("--endpoint %s: exit %d, stderr %q; want exit 2 and one line", endpoint, r.code, r.stderr)
		}
		for _, secret := range []string{"s3cret", "Passw0rd", "seam_querykey"} {
			if strings.Contains(r.stderr, secret) {
				t.Errorf("--endpoint %s: stderr %q shows %q", endpoint, r.stderr, secret)
			}
		}
	}
}
