package spec_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/spec"
)

const someUUID = "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"

func contract(t *testing.T) *spec.Contract {
	t.Helper()
	c, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request(method, query, authorization, workspace string) *http.Request {
	req, _ := http.NewRequest(method, "https://example.invalid/user_identities/delete"+query, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if workspace != "" {
		req.Header.Set(spec.WorkspaceHeader, workspace)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// Each case names exactly the rules the request breaks: the suite's
// negative specs rely on this classification.
func TestCheckRequestClassifiesViolations(t *testing.T) {
	c := contract(t)
	for _, tc := range []struct {
		name  string
		op    spec.Operation
		req   *http.Request
		body  string
		rules []spec.Rule
	}{
		{"valid API key", spec.DeleteIdentity, request("POST", "", "Bearer seam_abc123", ""), `{"user_identity_id":"` + someUUID + `"}`, nil},
		{"upper-case UUID is well-formed", spec.DeleteIdentity, request("POST", "", "Bearer seam_abc123", ""), `{"user_identity_id":"` + strings.ToUpper(someUUID) + `"}`, nil},
		{"PAT with workspace", spec.DeleteIdentity, request("POST", "", "Bearer seam_at1", someUUID), `{"user_identity_id":"` + someUUID + `"}`, nil},
		{"JWT with workspace", spec.DeleteIdentity, request("POST", "", "bearer eyJa.eyJb.c", someUUID), `{"user_identity_id":"` + someUUID + `"}`, nil},
		{"no Authorization", spec.DeleteIdentity, request("POST", "", "", ""), `{"user_identity_id":"` + someUUID + `"}`, []spec.Rule{spec.RuleCredentials}},
		{"PAT without workspace", spec.DeleteIdentity, request("POST", "", "Bearer seam_at1", ""), `{"user_identity_id":"` + someUUID + `"}`, []spec.Rule{spec.RuleCredentials}},
		{"client session token", spec.DeleteIdentity, request("POST", "", "Bearer seam_cst1", ""), `{"user_identity_id":"` + someUUID + `"}`, []spec.Rule{spec.RuleCredentials}},
		{"hyphen-less UUID", spec.DeleteIdentity, request("POST", "", "Bearer seam_abc123", ""), `{"user_identity_id":"7ad2566e6fd8466db8e4c10a14a74fd3"}`, []spec.Rule{spec.RuleBody}},
		{"no body", spec.DeleteIdentity, request("POST", "", "Bearer seam_abc123", ""), ``, []spec.Rule{spec.RuleBody}},
		{"trailing garbage after the JSON value", spec.DeleteIdentity, request("POST", "", "Bearer seam_abc123", ""), `{"user_identity_id":"` + someUUID + `"}}`, []spec.Rule{spec.RuleBody}},
		{"both broken", spec.DeleteIdentity, request("POST", "", "", ""), `{}`, []spec.Rule{spec.RuleBody, spec.RuleCredentials}},
		{"DELETE form", spec.DeleteIdentityByQuery, request("DELETE", "?user_identity_id="+someUUID+"&_strict=true", "Bearer seam_abc123", ""), ``, nil},
		{"DELETE form bad UUID", spec.DeleteIdentityByQuery, request("DELETE", "?user_identity_id=abc", "Bearer seam_abc123", ""), ``, []spec.Rule{spec.RuleQuery}},
		{"DELETE form no parameter", spec.DeleteIdentityByQuery, request("DELETE", "", "Bearer seam_abc123", ""), ``, []spec.Rule{spec.RuleQuery}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := c.CheckRequest(tc.op, tc.req, []byte(tc.body))
			if got := spec.Rules(vs); !slices.Equal(got, tc.rules) {
				t.Fatalf("rules: got %v, want %v (%v)", got, tc.rules, vs)
			}
		})
	}
}

func TestCheckResponse(t *testing.T) {
	c := contract(t)
	req := request("POST", "", "Bearer seam_abc123", "")
	body := []byte(`{"user_identity_id":"` + someUUID + `"}`)
	jsonType := http.Header{"Content-Type": {"application/json"}}
	if err := c.CheckResponse(spec.DeleteIdentity, req, body, 200, jsonType, []byte(`{"ok":true}`)); err != nil {
		t.Errorf("conforming 200: %v", err)
	}
	if err := c.CheckResponse(spec.DeleteIdentity, req, body, 401, http.Header{}, []byte(`whatever`)); err != nil {
		t.Errorf("401 has no documented body: %v", err)
	}
	for name, tc := range map[string]struct {
		status int
		header http.Header
		body   string
	}{
		"ok is a string":      {200, jsonType, `{"ok":"true"}`},
		"ok missing":          {200, jsonType, `{}`},
		"not JSON":            {200, http.Header{"Content-Type": {"text/plain"}}, `{"ok":true}`},
		"undocumented status": {404, jsonType, `{}`},
	} {
		if err := c.CheckResponse(spec.DeleteIdentity, req, body, tc.status, tc.header, []byte(tc.body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	var undocumented *spec.UndocumentedStatusError
	if err := c.CheckResponse(spec.DeleteIdentity, req, body, 500, jsonType, nil); !errors.As(err, &undocumented) {
		t.Errorf("500: got %v, want an UndocumentedStatusError", err)
	}
	// JSON that readers read differently is no answer a client can trust:
	// a name twice (encoding/json takes the last ok, some the first) and
	// text that is not UTF-8 (read with U+FFFD in its place).
	for answer, want := range map[string]string{
		`{"ok":false,"ok":true}`:                  `the key "ok" is given twice in one object (at ok)`,
		`{"ok":true,"a":{"b":1,"b":2}}`:           `the key "b" is given twice in one object (at a.b)`,
		`{"ok":true,"a":[{"c":1},{"c":2,"c":3}]}`: `(at a.1.c)`,
		"{\"note\":\"\xff\",\"ok\":true}":         "not valid UTF-8",
	} {
		if err := c.CheckResponse(spec.DeleteIdentity, req, body, 200, jsonType, []byte(answer)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", answer, err, want)
		}
	}
	if err := c.CheckResponse(spec.DeleteIdentity, req, body, 200, jsonType, []byte(`{"ok":true,"a":[{"c":1},{"c":2}]}`)); err != nil {
		t.Errorf("the same name in two objects: %v", err)
	}
}

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer seam_x":   "seam_x",
		"bearer seam_x":   "seam_x",
		"BEARER  seam_x":  "seam_x", // RFC 6750: 1*SP
		"Bearer a.b.c==":  "a.b.c==",
		"Bearer":          "",
		"Bearer ":         "",
		"Bearerseam_x":    "",
		"Token seam_x":    "",
		"Bearer seam_x y": "",
		"Bearer a,Bearer": "",
		"seam_x":          "",
	} {
		got, ok := spec.BearerToken(header)
		if got != want || ok != (want != "") {
			t.Errorf("%q: got %q %v, want %q", header, got, ok, want)
		}
	}
}
