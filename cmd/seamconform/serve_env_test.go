package main

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/spec"
)

// serve prints a valid credential of every scheme, and `run` reads back
// the same seed from those lines.
func TestServePrintsACredentialOfEveryScheme(t *testing.T) {
	srv, env := served(t, reference.Options{}, nil)
	for _, s := range spec.Schemes() {
		if env[s.Env] == "" || env[s.Env] != srv.Seed().Token(s.Name) {
			t.Errorf("%s: %s=%q, want the seed's token", s.Name, s.Env, env[s.Env])
		}
	}
	if env["SEAM_ENDPOINT"] == "" || env["SEAM_WORKSPACE_ID"] != srv.Seed().WorkspaceID {
		t.Errorf("endpoint or workspace missing: %v", env)
	}
	if got := fixtures.TokensFromEnv(func(k string) string { return env[k] }); !reflect.DeepEqual(got, srv.Seed().Tokens) {
		t.Errorf("tokens read back: %v, want %v", got, srv.Seed().Tokens)
	}
}

// Over HTTP, with the credentials serve prints: the examples.
func TestServeAnswersDocumentedOperations(t *testing.T) {
	_, env := served(t, reference.Options{}, nil)
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	call := func(path, body, key string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, env["SEAM_ENDPOINT"]+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if contract.Documents(spec.Operation{Method: http.MethodPost, Path: path}, res.StatusCode) {
			if err := contract.CheckResponse(spec.Operation{Method: http.MethodPost, Path: path}, req, []byte(body), res.StatusCode, res.Header, raw); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return res.StatusCode, out
	}
	for _, path := range []string{"/devices/list", "/locks/get", "/acs/users/list"} {
		if status, body := call(path, `{}`, env["SEAM_API_KEY"]); status != 200 || body["ok"] != true {
			t.Errorf("%s: %d %v", path, status, body)
		}
		if status, _ := call(path, `{}`, ""); status != 401 {
			t.Errorf("%s without a key: %d", path, status)
		}
	}
	status, body := call("/locks/get", `{"device_id":"not-a-uuid"}`, env["SEAM_API_KEY"])
	validation, _ := body["error"].(map[string]any)["validation_errors"].(map[string]any)
	if status != 400 || validation["device_id"] == nil {
		t.Errorf("malformed device_id: %d %v", status, body)
	}
}
