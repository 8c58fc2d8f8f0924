package spec_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/spec"
)

// Issue 10: an error body of valid JSON followed by other data passed as
// JSON, because kin-openapi decodes only the first value.
func TestCheckResponseWantsExactlyOneJSONValue(t *testing.T) {
	c := contract(t)
	req := request("POST", "", "Bearer seam_abc123", "")
	body := []byte(`{"user_identity_id":"` + someUUID + `"}`)
	envelope := `{"error":{"type":"invalid_input","message":"bad"},"ok":false}`
	for name, tc := range map[string]struct {
		status      int
		contentType string
		body        string
		ok          bool
	}{
		"error then html":        {400, "application/json", envelope + "<html></html>", false},
		"two values":             {200, "application/json", `{"ok":true}{"ok":true}`, false},
		"value then garbage":     {200, "application/json; charset=utf-8", `{"ok":true} x`, false},
		"+json media":            {200, "application/problem+json", `{"ok":true}]`, false},
		"one value":              {200, "application/json", `{"ok":true}`, true},
		"trailing whitespace":    {200, "application/json", "{\"ok\":true}\r\n", true},
		"error envelope":         {400, "application/json", envelope, true},
		"text is not judged so":  {401, "text/plain", `Unauthorized <html>`, true},
		"empty body is not JSON": {401, "application/json", ``, true},
	} {
		err := c.CheckResponse(spec.DeleteIdentity, req, body, tc.status, http.Header{"Content-Type": {tc.contentType}}, []byte(tc.body))
		if tc.ok && err != nil && strings.Contains(err.Error(), "one valid JSON value") || !tc.ok && (err == nil || !strings.Contains(err.Error(), "one valid JSON value")) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzBearerToken: BearerToken never panics, and accepts exactly
// `"Bearer" 1*SP b64token`, returning the token; a JWT scheme takes exactly
// the tokens of a JWT's shape. The grammars, written out by hand in the
// code, are regular expressions here.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer seam_x", "bearer  a.b.c==", "Bearer", "Bearer ", "Bearer\tx", "Bearer x y", "Bearer =", "Bearer a=b", "BEARER \u00e9", "Bearer \x00", "Basic abc", "", "eyJ.eyJ.sig", "eyJhbGc.x.", "eyJ..sig", "ey.a", "eyJ.a.b.c", "eyJ\u00e9.a.b"} {
		f.Add(s)
	}
	b64token := regexp.MustCompile(`^[A-Za-z0-9._~+/-]+=*$`)
	jwt := regexp.MustCompile(`^ey[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)
	console, _ := spec.SchemeNamed("console_session_with_workspace")
	f.Fuzz(func(t *testing.T, header string) {
		token, ok := spec.BearerToken(header)
		scheme, rest, found := strings.Cut(header, " ")
		want := strings.TrimLeft(rest, " ")
		wantOK := found && strings.EqualFold(scheme, "bearer") && b64token.MatchString(want)
		if ok != wantOK || ok && token != want || !ok && token != "" {
			t.Fatalf("BearerToken(%q) = %q, %v; want %q, %v", header, token, ok, want, wantOK)
		}
		if got, want := console.Shaped(header), jwt.MatchString(header); got != want {
			t.Fatalf("a console session token %q: shaped %v, want %v", header, got, want)
		}
	})
}

// FuzzUUIDPattern: IsUUID, which checks every UUID, says what UUIDPattern
// says.
func FuzzUUIDPattern(f *testing.F) {
	for _, s := range []string{someUUID, strings.ToUpper(someUUID), someUUID + "\n", " " + someUUID, "{" + someUUID + "}", "7ad2566e6fd8466db8e4c10a14a74fd3", "７ad2566e-6fd8-466d-b8e4-c10a14a74fd3", "7ad2566e-6fd8-466d-b8e4-c10a14a74fdg", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := spec.IsUUID(s), spec.UUIDPattern.MatchString(s); got != want {
			t.Fatalf("IsUUID(%q) = %v, want %v", s, got, want)
		}
	})
}

// An answer's failure is told by its reason and path, not by the value:
// kin-openapi would print a deeply nested value, indented, once per error,
// and a 20 kB answer made gigabytes of text.
func TestDeepAnswerErrorsStaySmall(t *testing.T) {
	for _, version := range []string{"3.0.0", "3.1.0"} { // 3.1: kin-openapi's JSON Schema 2020-12 validator
		t.Run(version, func(t *testing.T) { deepAnswerErrorsStaySmall(t, contractOfVersion(t, version)) })
	}
}

// contractOfVersion is POST /user_identities/delete alone, in a document of
// OpenAPI version.
func contractOfVersion(t *testing.T, version string) *spec.Contract {
	t.Helper()
	doc := `{"openapi":"` + version + `","info":{"title":"t","version":"1"},
	"components":{"securitySchemes":{"api_key":{"type":"http","scheme":"bearer"}},
	"schemas":{"ok":{"type":"object","properties":{"ok":{"type":"boolean"},"n":{"$ref":"#/components/schemas/n"}},"required":["ok"]},
	"n":{"type":"object","properties":{"v":{"type":"string","pattern":"^a+$"}}}}},
	"paths":{"/user_identities/delete":{"post":{"operationId":"userIdentitiesDeletePost","security":[{"api_key":[]}],
	"requestBody":{"content":{"application/json":{"schema":{"type":"object","properties":{"user_identity_id":{"type":"string","format":"uuid"}},"required":["user_identity_id"]}}}},
	"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/ok"}}}}}}}}}`
	return loadDocument(t, doc)
}

// loadDocument loads doc as --spec would.
func loadDocument(t *testing.T, doc string) *spec.Contract {
	t.Helper()
	path := filepath.Join(t.TempDir(), "contract.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := spec.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func deepAnswerErrorsStaySmall(t *testing.T, c *spec.Contract) {
	req := request("POST", "", "Bearer seam_abc123", "")
	body := []byte(`{"user_identity_id":"` + someUUID + `"}`)
	deep := strings.Repeat("[", 2000) + strings.Repeat("]", 2000)
	for _, answer := range []string{
		`{"ok":true,"user_identity":{"x":` + deep + `}}`,
		`{"ok":"yes","x":` + deep + `}`,
		`{"x":` + deep + `}`,
	} {
		err := c.CheckResponse(spec.DeleteIdentity, req, body, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, []byte(answer))
		if err != nil && len(err.Error()) > 4<<10 {
			t.Errorf("%.40s…: an error of %d bytes", answer, len(err.Error()))
		}
	}
	long := []byte(`{"user_identity_id":"` + strings.Repeat("b", 10<<10) + `"}`) // a reason may quote the value
	for _, v := range c.CheckRequest(spec.DeleteIdentity, request("POST", "", "Bearer seam_abc123", ""), long) {
		if len(v.Error()) > 4<<10 {
			t.Errorf("a long malformed UUID: an error of %d bytes", len(v.Error()))
		}
	}
	// A failure still says where, under a $ref too.
	for answer, path := range map[string]string{`{"ok":"yes"}`: "/ok", `{"ok":true,"n":{"v":1}}`: "/n/v"} {
		if err := c.CheckResponse(spec.DeleteIdentity, req, body, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, []byte(answer)); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want %s named", answer, err, path)
		}
	}
	// And the options that keep errors small do not break validation.
	if err := c.CheckResponse(spec.DeleteIdentity, req, body, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, []byte(`{"ok":true}`)); err != nil {
		t.Errorf("a conforming answer: %v", err)
	}
	if vs := c.CheckRequest(spec.DeleteIdentity, request("POST", "", "Bearer seam_abc123", ""), body); len(vs) != 0 {
		t.Errorf("a conforming request: %v", vs)
	}
	if vs := c.CheckRequest(spec.DeleteIdentity, request("POST", "", "Bearer seam_abc123", ""), []byte(`{"user_identity_id":"nope"}`)); len(vs) != 1 || vs[0].Rule != spec.RuleBody {
		t.Errorf("a malformed UUID: %v, want one body violation", vs)
	}
}

// An identifier that is not a UUID is a random one in a minimal request,
// cut to the schema's maxLength: the request still conforms.
func TestMinimalIdentifierKeepsItsMaxLength(t *testing.T) {
	doc := `{"openapi":"3.0.0","info":{"title":"t","version":"1"},
	"components":{"securitySchemes":{"api_key":{"type":"http","scheme":"bearer"}}},
	"paths":{"/connectors/update":{"post":{"security":[{"api_key":[]}],
	"requestBody":{"content":{"application/json":{"schema":{"type":"object","properties":{"connector_id":{"type":"string","maxLength":8}},"required":["connector_id"]}}}},
	"responses":{"200":{"description":"ok"}}}}}}`
	c := loadDocument(t, doc)
	op := spec.Operation{Method: "POST", Path: "/connectors/update"}
	body, _ := c.MinimalRequest(op)
	id, _ := body["connector_id"].(string)
	encoded, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", "/connectors/update", strings.NewReader(string(encoded)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer seam_abc12345")
	if vs := c.CheckRequest(op, req, encoded); len(id) != 8 || id == "example" || len(vs) != 0 {
		t.Errorf("connector_id %q: %v", id, vs)
	}
}
