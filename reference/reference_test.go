package reference_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/spec"
)

// harness sends requests to one server. For a correct server (no faults) it
// also checks every answer against the contract and the envelope rules.
type harness struct {
	t        *testing.T
	srv      *reference.Server
	seed     fixtures.Seed
	contract *spec.Contract // nil for a faulty server
}

func newHarness(t *testing.T, faults ...string) *harness {
	t.Helper()
	return harnessFor(t, reference.Options{Faults: faults})
}

func harnessFor(t *testing.T, opts reference.Options) *harness {
	t.Helper()
	srv, err := reference.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: srv, seed: srv.Seed()}
	if len(opts.Faults) == 0 {
		if h.contract, err = spec.Embedded(); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// in returns a harness on the same server that reports to t.
func (h *harness) in(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

type response struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r response) errorField(name string) any {
	e, _ := r.json["error"].(map[string]any)
	return e[name]
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// Header pairs for each credential kind.
func (h *harness) apiKey() []string { return []string{"Authorization", "Bearer " + h.seed.APIKey} }
func (h *harness) pat() []string {
	return []string{"Authorization", "Bearer " + h.seed.PersonalAccessToken, spec.WorkspaceHeader, h.seed.WorkspaceID}
}
func (h *harness) console() []string {
	return []string{"Authorization", "Bearer " + h.seed.ConsoleSessionToken, spec.WorkspaceHeader, h.seed.WorkspaceID}
}

func (h *harness) do(method, target, body string, headers []string) response {
	h.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	res := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	_ = json.Unmarshal(res.body, &res.json)
	if h.contract != nil {
		h.checkAnswer(req, []byte(body), res)
	}
	return res
}

func (h *harness) checkAnswer(req *http.Request, reqBody []byte, res response) {
	h.t.Helper()
	// The contract describes only some statuses (not 404, for one); the
	// envelope checks below cover the rest.
	op := spec.Operation{Method: req.Method, Path: req.URL.Path}
	if h.contract.Documents(op, res.status) {
		if err := h.contract.CheckResponse(op, req, reqBody, res.status, res.header, res.body); err != nil {
			h.t.Errorf("%s %s: answer breaks the contract: %v\n%s", req.Method, req.URL, err, res)
		}
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		h.t.Errorf("%s %s: Content-Type %q", req.Method, req.URL, ct)
	}
	id := res.header.Get("seam-request-id")
	if !spec.UUIDPattern.MatchString(id) {
		h.t.Errorf("%s %s: seam-request-id %q is not a UUID", req.Method, req.URL, id)
	}
	for name, secret := range h.seed.Secrets() {
		// The publishable key is meant for client-side code, and
		// workspaces/get reports it by design.
		published := name == "SEAM_PUBLISHABLE_KEY" && req.URL.Path == "/workspaces/get"
		if strings.Contains(string(res.body), secret) && !published {
			h.t.Errorf("%s %s: body contains %s", req.Method, req.URL, name)
		}
	}
	if strings.Contains(string(res.body), "goroutine") {
		h.t.Errorf("%s %s: body holds a stack trace: %s", req.Method, req.URL, res.body)
	}
	if res.status >= 400 {
		if res.json["ok"] != false || res.errorField("type") == nil || res.errorField("message") == nil || res.errorField("request_id") != id {
			h.t.Errorf("%s %s: not an error envelope with request_id %s: %s", req.Method, req.URL, id, res.body)
		}
	}
}

func (h *harness) create(fields string) string {
	h.t.Helper()
	res := h.do("POST", "/user_identities/create", fields, h.apiKey())
	ui, _ := res.json["user_identity"].(map[string]any)
	id, _ := ui["user_identity_id"].(string)
	if res.status != 200 || id == "" {
		h.t.Fatalf("create: %s", res)
	}
	return id
}

func (h *harness) deleteByBody(id string, creds []string) response {
	h.t.Helper()
	return h.do("POST", "/user_identities/delete", `{"user_identity_id":"`+id+`"}`, creds)
}

func (h *harness) get(id string) response {
	h.t.Helper()
	return h.do("POST", "/user_identities/get", `{"user_identity_id":"`+id+`"}`, h.apiKey())
}

const unknownID = "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"

func TestCreateDeleteGet(t *testing.T) {
	h := newHarness(t)
	id := h.create(`{"user_identity_key":"k1","email_address":"jane@example.com","full_name":"Jane Doe"}`)
	if got := h.srv.IdentityIDs(); !slices.Equal(got, []string{id}) {
		t.Fatalf("IdentityIDs = %v, want [%s]", got, id)
	}
	res := h.get(id)
	ui, _ := res.json["user_identity"].(map[string]any)
	if res.status != 200 || ui["display_name"] != "Jane Doe" || ui["workspace_id"] != h.seed.WorkspaceID {
		t.Fatalf("get: %s", res)
	}
	if res := h.do("GET", "/user_identities/get?user_identity_key=k1", "", h.apiKey()); res.status != 200 {
		t.Fatalf("get by key: %s", res)
	}

	res = h.deleteByBody(id, h.apiKey())
	if res.status != 200 || string(res.body) != `{"ok":true}` {
		t.Fatalf("delete: %s", res)
	}
	if res := h.get(id); res.status != 404 || res.errorField("type") != "user_identity_not_found" {
		t.Fatalf("get after delete: %s", res)
	}
	if res := h.deleteByBody(id, h.apiKey()); res.status != 404 || res.errorField("type") != "user_identity_not_found" {
		t.Fatalf("second delete: %s", res)
	}
	if got := h.srv.IdentityIDs(); len(got) != 0 {
		t.Fatalf("IdentityIDs after delete = %v", got)
	}
}

func TestDeleteLeavesOtherIdentities(t *testing.T) {
	h := newHarness(t)
	keep, drop := h.create(`{}`), h.create(`{}`)
	// Upper case names the same UUID.
	if res := h.deleteByBody(strings.ToUpper(drop), h.apiKey()); res.status != 200 {
		t.Fatalf("delete: %s", res)
	}
	if got := h.srv.IdentityIDs(); !slices.Equal(got, []string{keep}) {
		t.Fatalf("IdentityIDs = %v, want [%s]", got, keep)
	}
	if res := h.deleteByBody(h.seed.ForeignIdentityID, h.apiKey()); res.status != 404 {
		t.Fatalf("another workspace's identity must be invisible: %s", res)
	}
}

func TestCreate(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		body, displayName string
	}{
		{`{}`, "Unnamed user"},
		{`{"user_identity_key":"key-a"}`, "key-a"},
		{`{"user_identity_key":"key-b","email_address":"a@example.com"}`, "a@example.com"},
		{`{"user_identity_key":null,"phone_number":"+15555550100","full_name":"Ann"}`, "Ann"},
	} {
		res := h.do("POST", "/user_identities/create", tc.body, h.apiKey())
		ui, _ := res.json["user_identity"].(map[string]any)
		if res.status != 200 || ui["display_name"] != tc.displayName {
			t.Errorf("create %s: %s, want display_name %q", tc.body, res, tc.displayName)
		}
	}
	if res := h.do("POST", "/user_identities/create", `{"user_identity_key":"key-a"}`, h.apiKey()); res.status != 400 || res.errorField("type") != "user_identity_key_already_exists" {
		t.Errorf("duplicate key: %s", res)
	}
	for _, body := range []string{`{"user_identity_key":""}`, `{"email_address":"nope"}`, `{"full_name":3}`, `[]`} {
		if res := h.do("POST", "/user_identities/create", body, h.apiKey()); res.status != 400 {
			t.Errorf("create %s: %s, want 400", body, res)
		}
	}
}

func TestWorkspacesGet(t *testing.T) {
	for _, nonSandbox := range []bool{false, true} {
		h := harnessFor(t, reference.Options{NonSandbox: nonSandbox})
		for _, method := range []string{"POST", "GET"} {
			res := h.do(method, "/workspaces/get", "", h.apiKey())
			ws, _ := res.json["workspace"].(map[string]any)
			if res.status != 200 || ws["workspace_id"] != h.seed.WorkspaceID || ws["is_sandbox"] != !nonSandbox || ws["publishable_key"] != h.seed.PublishableKey {
				t.Errorf("NonSandbox=%v %s /workspaces/get: %s", nonSandbox, method, res)
			}
		}
	}
}

func TestSeed(t *testing.T) {
	h := newHarness(t)
	s := h.seed
	for name, v := range map[string]string{
		"WorkspaceID": s.WorkspaceID, "APIKey": s.APIKey, "PersonalAccessToken": s.PersonalAccessToken,
		"ConsoleSessionToken": s.ConsoleSessionToken, "ExpiredConsoleSessionToken": s.ExpiredConsoleSessionToken,
		"ClientSessionToken": s.ClientSessionToken, "PublishableKey": s.PublishableKey,
		"ForeignWorkspaceID": s.ForeignWorkspaceID, "ForeignIdentityID": s.ForeignIdentityID,
	} {
		if v == "" {
			t.Errorf("%s is empty", name)
		}
	}
	for _, p := range []string{"seam_at", "seam_cst", "seam_pk"} {
		if strings.HasPrefix(s.APIKey, p) {
			t.Errorf("API key %q starts with %s", s.APIKey, p)
		}
	}
	lowerV4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, id := range []string{s.WorkspaceID, s.ForeignWorkspaceID, s.ForeignIdentityID} {
		if !lowerV4.MatchString(id) {
			t.Errorf("%q is not a lower-case v4 UUID", id)
		}
	}
	if other := newHarness(t).seed; other.APIKey == s.APIKey || other.ConsoleSessionToken == s.ConsoleSessionToken {
		t.Error("two servers share secrets")
	}
}

// JWT variants built from a real token: its claims with another header or
// signature.
func resigned(token, header, signature string) string {
	parts := strings.Split(token, ".")
	return base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + parts[1] + "." + signature
}

func tamperedJWT(token string) string {
	return resigned(token, `{"alg":"HS256","typ":"JWT"}`, base64.RawURLEncoding.EncodeToString(make([]byte, 32)))
}

func algNoneJWT(token string) string { return resigned(token, `{"alg":"none","typ":"JWT"}`, "") }

func TestCredentials(t *testing.T) {
	h := newHarness(t)
	s := h.seed
	bearer := func(token string, extra ...string) []string {
		return append([]string{"Authorization", "Bearer " + token}, extra...)
	}
	own := []string{spec.WorkspaceHeader, s.WorkspaceID}
	foreign := []string{spec.WorkspaceHeader, s.ForeignWorkspaceID}
	for _, tc := range []struct {
		name    string
		headers []string
		status  int
	}{
		{"API key", bearer(s.APIKey), 200},
		{"API key ignores seam-workspace", bearer(s.APIKey, foreign...), 200},
		{"lower-case scheme", []string{"Authorization", "bearer " + s.APIKey}, 200},
		{"PAT", bearer(s.PersonalAccessToken, own...), 200},
		{"console session", bearer(s.ConsoleSessionToken, own...), 200},

		{"no Authorization", nil, 401},
		{"empty bearer", []string{"Authorization", "Bearer "}, 401},
		{"scheme only", []string{"Authorization", "Bearer"}, 401},
		{"other scheme", []string{"Authorization", "Token " + s.APIKey}, 401},
		{"basic", []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(s.APIKey+":"))}, 401},
		{"raw token", []string{"Authorization", s.APIKey}, 401},
		{"trailing word", []string{"Authorization", "Bearer " + s.APIKey + " x"}, 401},
		{"unknown API key", bearer("seam_unknown123"), 401},
		{"truncated API key", bearer(s.APIKey[:len(s.APIKey)-1]), 401},
		{"extended API key", bearer(s.APIKey + "0"), 401},
		{"publishable key", bearer(s.PublishableKey), 401},
		{"not a Seam token", bearer("abc"), 401},
		{"unknown PAT", bearer("seam_atunknown", own...), 401},
		{"PAT without workspace", bearer(s.PersonalAccessToken), 401},
		{"PAT in foreign workspace", bearer(s.PersonalAccessToken, foreign...), 401},
		{"PAT in unknown workspace", bearer(s.PersonalAccessToken, spec.WorkspaceHeader, unknownID), 401},
		{"console without workspace", bearer(s.ConsoleSessionToken), 401},
		{"console in foreign workspace", bearer(s.ConsoleSessionToken, foreign...), 401},
		{"expired console session", bearer(s.ExpiredConsoleSessionToken, own...), 401},
		{"tampered console session", bearer(tamperedJWT(s.ConsoleSessionToken), own...), 401},
		{"alg none console session", bearer(algNoneJWT(s.ConsoleSessionToken), own...), 401},
		{"alg HS512 console session", bearer(resigned(s.ConsoleSessionToken, `{"alg":"HS512"}`, strings.Split(s.ConsoleSessionToken, ".")[2]), own...), 401},
		{"garbage JWT", bearer("eyJ.x.y", own...), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.in(t)
			id := h.create(`{}`)
			for _, target := range []string{"/workspaces/get", "/user_identities/get"} {
				if res := h.do("POST", target, `{"user_identity_id":"`+id+`"}`, tc.headers); res.status != tc.status {
					t.Errorf("%s: %s, want %d", target, res, tc.status)
				}
			}
			res := h.deleteByBody(id, tc.headers)
			if res.status != tc.status {
				t.Fatalf("delete: %s, want %d", res, tc.status)
			}
			if tc.status == 401 {
				if res.errorField("type") != "unauthorized" {
					t.Errorf("type %v, want unauthorized", res.errorField("type"))
				}
				if !slices.Contains(h.srv.IdentityIDs(), id) {
					t.Error("a rejected delete removed the identity")
				}
			}
		})
	}
	if res := h.do("POST", "/workspaces/get", "", h.pat()[:2]); !strings.Contains(fmt.Sprint(res.errorField("message")), spec.WorkspaceHeader) {
		t.Errorf("the missing-workspace message should name the header: %s", res)
	}
}

func TestInvalidInput(t *testing.T) {
	h := newHarness(t)
	id := h.create(`{}`)
	for _, tc := range []struct{ name, body string }{
		{"empty body", ``},
		{"malformed JSON", `{"user_identity_id":`},
		{"array", `["` + id + `"]`},
		{"string", `"` + id + `"`},
		{"number body", `42`},
		{"null body", `null`},
		{"missing id", `{}`},
		{"null id", `{"user_identity_id":null}`},
		{"number id", `{"user_identity_id":1}`},
		{"boolean id", `{"user_identity_id":true}`},
		{"array id", `{"user_identity_id":["` + id + `"]}`},
		{"object id", `{"user_identity_id":{}}`},
		{"empty id", `{"user_identity_id":""}`},
		{"not a UUID", `{"user_identity_id":"abc"}`},
		{"hyphenless", `{"user_identity_id":"` + strings.ReplaceAll(id, "-", "") + `"}`},
		{"padded", `{"user_identity_id":" ` + id + ` "}`},
		{"braced", `{"user_identity_id":"{` + id + `}"}`},
		{"too long", `{"user_identity_id":"` + id + `0"}`},
		{"too large", `{"user_identity_id":"` + id + `","pad":"` + strings.Repeat("x", 1<<20) + `"}`},
		{"deeply nested", strings.Repeat("[", 100000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertInvalidID(t, h.in(t).do("POST", "/user_identities/delete", tc.body, h.apiKey()))
		})
	}
	for _, query := range []string{"", "?user_identity_id=", "?user_identity_id=abc", "?user_identity_id=" + id + "&user_identity_id=" + id, "?user_identity_id=%zz"} {
		assertInvalidID(t, h.do("DELETE", "/user_identities/delete"+query, "", h.apiKey()))
	}
	if got := h.srv.IdentityIDs(); !slices.Equal(got, []string{id}) {
		t.Errorf("rejected requests changed the workspace: %v", got)
	}
}

func assertInvalidID(t *testing.T, res response) {
	t.Helper()
	validation, _ := res.errorField("validation_errors").(map[string]any)
	field, _ := validation["user_identity_id"].(map[string]any)
	messages, _ := field["_errors"].([]any)
	if res.status != 400 || res.errorField("type") != "invalid_input" || len(messages) == 0 {
		t.Errorf("want 400 invalid_input naming user_identity_id, got %s", res)
	}
}

func TestAuthBeforeInput(t *testing.T) {
	h := newHarness(t)
	for _, headers := range [][]string{nil, {"Authorization", "Bearer seam_unknown123"}} {
		for _, body := range []string{``, `{`, `{"user_identity_id":"abc"}`} {
			if res := h.do("POST", "/user_identities/delete", body, headers); res.status != 401 {
				t.Errorf("body %q, Authorization %v: %s, want 401", body, headers, res)
			}
		}
	}
}

func TestDeleteForm(t *testing.T) {
	h := newHarness(t)
	id := h.create(`{}`)
	headers := append(h.pat(), "seam-sdk-name", "@seamapi/http", "seam-sdk-version", "1.0.0")
	res := h.do("DELETE", "/user_identities/delete?user_identity_id="+id+"&_strict=true", "", headers)
	if res.status != 200 || res.json["ok"] != true {
		t.Fatalf("DELETE form: %s", res)
	}
	if res := h.do("DELETE", "/user_identities/delete?user_identity_id="+id, "", h.console()); res.status != 404 {
		t.Fatalf("DELETE form again: %s", res)
	}
}

func TestRoutes(t *testing.T) {
	h := newHarness(t)
	if res := h.do("POST", "/nope", "", h.apiKey()); res.status != 404 || res.errorField("type") != "not_found" {
		t.Errorf("unknown path: %s", res)
	}
	res := h.do("GET", "/user_identities/delete", "", h.apiKey())
	if res.status != 405 || res.errorField("type") != "method_not_allowed" || res.header.Get("Allow") != "DELETE, POST" {
		t.Errorf("GET delete: %s (Allow %q)", res, res.header.Get("Allow"))
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				// No Fatal off the test goroutine: do reports failures.
				res := h.do("POST", "/user_identities/create", `{}`, h.apiKey())
				ui, _ := res.json["user_identity"].(map[string]any)
				id, _ := ui["user_identity_id"].(string)
				h.deleteByBody(id, h.apiKey())
			}
		})
	}
	wg.Wait()
	if got := h.srv.IdentityIDs(); len(got) != 0 {
		t.Errorf("identities left: %v", got)
	}
}

func TestNewRejectsUnknownFault(t *testing.T) {
	_, err := reference.New(reference.Options{Faults: []string{"ok-false", "no-such-fault"}})
	if err == nil || !strings.Contains(err.Error(), `"no-such-fault"`) || !strings.Contains(err.Error(), "--list-faults") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("New with an unknown fault: %v", err)
	}
}

func TestFaultCatalogue(t *testing.T) {
	faults := reference.Faults()
	if len(faults) < 40 {
		t.Fatalf("%d faults, want at least 40", len(faults))
	}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)+$`)
	requirementID := regexp.MustCompile(`^(UIDEL|UIGET)-[A-Z]+-[0-9]{2}$`)
	areas := []string{"input", "auth", "success", "effect", "response", "form"}
	for i, f := range faults {
		if i > 0 && faults[i-1].Name >= f.Name {
			t.Errorf("not sorted or duplicated: %q then %q", faults[i-1].Name, f.Name)
		}
		if !kebab.MatchString(f.Name) || !slices.Contains(areas, f.Area) || f.Description == "" || strings.Contains(f.Description, "\n") || len(f.Breaks) == 0 {
			t.Errorf("malformed fault %+v", f)
		}
		for _, id := range f.Breaks {
			if !requirementID.MatchString(id) {
				t.Errorf("fault %s breaks %q, not a requirement ID", f.Name, id)
			}
		}
	}
}

// TestFaultsBehave checks a handful of faults against what their
// descriptions say.
func TestFaultsBehave(t *testing.T) {
	for _, tc := range []struct {
		fault         string
		correct, want string
		run           func(h *harness) string
	}{
		{"uuid-not-validated", "400", "404", func(h *harness) string {
			return fmt.Sprint(h.deleteByBody("abc", h.apiKey()).status)
		}},
		{"not-deleted", "404", "200", func(h *harness) string {
			id := h.create(`{}`)
			h.deleteByBody(id, h.apiKey())
			return fmt.Sprint(h.get(id).status)
		}},
		{"cross-workspace-delete", "404", "200", func(h *harness) string {
			return fmt.Sprint(h.deleteByBody(h.seed.ForeignIdentityID, h.apiKey()).status)
		}},
		{"delete-before-auth", "401 200", "401 404", func(h *harness) string {
			id := h.create(`{}`)
			denied := h.deleteByBody(id, []string{"Authorization", "Bearer seam_unknown123"})
			return fmt.Sprint(denied.status, h.get(id).status)
		}},
		{"input-before-auth", "401", "400", func(h *harness) string {
			return fmt.Sprint(h.do("POST", "/user_identities/delete", `{`, nil).status)
		}},
		{"jwt-alg-none-accepted", "401", "200", func(h *harness) string {
			creds := []string{"Authorization", "Bearer " + algNoneJWT(h.seed.ConsoleSessionToken), spec.WorkspaceHeader, h.seed.WorkspaceID}
			return fmt.Sprint(h.do("POST", "/workspaces/get", "", creds).status)
		}},
		{"token-prefix-only", "401", "200", func(h *harness) string {
			return fmt.Sprint(h.deleteByBody(h.create(`{}`), []string{"Authorization", "Bearer " + h.seed.ClientSessionToken}).status)
		}},
		{"success-204", "200 {\"ok\":true}", "204 ", func(h *harness) string {
			res := h.deleteByBody(h.create(`{}`), h.apiKey())
			return fmt.Sprint(res.status, " ", string(res.body))
		}},
		{"errors-text-plain", "application/json", "text/plain; charset=utf-8", func(h *harness) string {
			return h.deleteByBody(unknownID, h.apiKey()).header.Get("Content-Type")
		}},
		{"credential-echoed", "false", "true", func(h *harness) string {
			res := h.deleteByBody(unknownID, []string{"Authorization", "Bearer seam_unknown123"})
			return fmt.Sprint(strings.Contains(string(res.body), "seam_unknown123"))
		}},
		// Non-auth faults leave the set-up operations alone.
		{"errors-text-plain", "404 application/json", "404 application/json", func(h *harness) string {
			res := h.get(unknownID)
			return fmt.Sprint(res.status, " ", res.header.Get("Content-Type"))
		}},
		{"success-204", "200", "200", func(h *harness) string {
			return fmt.Sprint(h.do("POST", "/workspaces/get", "", h.apiKey()).status)
		}},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			if got := tc.run(newHarness(t)); got != tc.correct {
				t.Errorf("without the fault: %q, want %q", got, tc.correct)
			}
			if got := tc.run(newHarness(t, tc.fault)); got != tc.want {
				t.Errorf("with the fault: %q, want %q", got, tc.want)
			}
		})
	}
}

// TestEveryFaultIsObservable runs one battery of requests against a correct
// server and against each faulty one: every fault must change some answer,
// so none is dead code or a misspelt name.
func TestEveryFaultIsObservable(t *testing.T) {
	correct := battery(newHarness(t))
	for _, f := range reference.Faults() {
		t.Run(f.Name, func(t *testing.T) {
			if got := battery(newHarness(t, f.Name)); slices.Equal(got, correct) {
				t.Errorf("no answer in the battery changed")
			}
		})
	}
}

var (
	uuidText = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	timeText = regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+Z`)
)

// battery returns a server-independent fingerprint of each answer.
func battery(h *harness) []string {
	s := h.seed
	bearer := func(token string, extra ...string) []string {
		return append([]string{"Authorization", "Bearer " + token}, extra...)
	}
	own := []string{spec.WorkspaceHeader, s.WorkspaceID}
	unknownKey := bearer("seam_unknown123")
	deleteBody := func(body string, headers []string) response {
		return h.do("POST", "/user_identities/delete", body, headers)
	}
	deleteQuery := func(query string, headers []string) response {
		return h.do("DELETE", "/user_identities/delete"+query, "", headers)
	}
	var answers []response
	record := func(r response) { answers = append(answers, r) }
	// Each delete that should succeed gets a fresh identity, so one fault's
	// effect does not hide another's.
	id := func() string { return h.create(`{}`) }

	a, b := id(), id()
	record(h.deleteByBody(a, h.apiKey()))
	record(h.get(a))
	record(h.get(b))
	record(h.deleteByBody(unknownID, h.apiKey()))
	record(h.deleteByBody(h.seed.ForeignIdentityID, h.apiKey()))
	record(h.deleteByBody("abc", h.apiKey()))
	record(deleteBody(`{"user_identity_id":1}`, h.apiKey()))
	record(h.deleteByBody(strings.ReplaceAll(id(), "-", ""), h.apiKey()))
	record(h.deleteByBody(" "+id()+" ", h.apiKey()))
	for _, body := range []string{``, `{}`, `{"user_identity_id":null}`, `{"user_identity_id":""}`, `{`, `"` + id() + `"`} {
		record(deleteBody(body, h.apiKey()))
	}
	record(deleteQuery("", h.apiKey()))
	record(deleteQuery("?user_identity_id="+id()+"&_strict=true", h.apiKey()))
	record(h.do("POST", "/workspaces/get", "", bearer(s.PersonalAccessToken)))
	record(deleteBody(`{`, nil))
	record(h.do("POST", "/workspaces/get", "", nil))
	record(h.deleteByBody(id(), bearer(s.ClientSessionToken)))
	record(h.deleteByBody(id(), bearer(s.APIKey+"0")))
	record(h.deleteByBody(id(), bearer("seam_atunknown", own...)))
	record(h.deleteByBody(id(), bearer(s.PersonalAccessToken, spec.WorkspaceHeader, unknownID)))
	record(h.deleteByBody(id(), bearer(tamperedJWT(s.ConsoleSessionToken), own...)))
	record(h.deleteByBody(id(), bearer(algNoneJWT(s.ConsoleSessionToken), own...)))
	record(h.deleteByBody(id(), bearer(s.ExpiredConsoleSessionToken, own...)))
	record(h.do("POST", "/workspaces/get", "", bearer(s.ConsoleSessionToken, spec.WorkspaceHeader, s.ForeignWorkspaceID)))
	record(h.deleteByBody(id(), []string{"Authorization", "Token " + s.APIKey}))
	record(h.deleteByBody(id(), []string{"Authorization", "bearer " + s.APIKey}))
	record(h.deleteByBody(id(), []string{"Authorization", "Bearer " + s.APIKey + " x"}))
	record(h.deleteByBody(id(), []string{"Authorization", s.APIKey}))
	record(h.deleteByBody(id(), []string{"Authorization", "Bearer "}))
	c := id()
	record(h.deleteByBody(c, unknownKey))
	record(h.get(c))
	h.create(`{"user_identity_key":"battery-key"}`)
	record(h.do("POST", "/user_identities/get", `{"user_identity_key":"battery-key"}`, h.apiKey()))
	record(h.get(h.seed.ForeignIdentityID))

	secrets := s.Secrets()
	out := make([]string, len(answers))
	for i, r := range answers {
		body := string(r.body)
		for name, secret := range secrets {
			body = strings.ReplaceAll(body, secret, "$"+name)
		}
		body = timeText.ReplaceAllString(uuidText.ReplaceAllString(body, "<uuid>"), "<time>")
		out[i] = fmt.Sprintf("%d %s request-id:%t %s", r.status, r.header.Get("Content-Type"), r.header.Get("seam-request-id") != "", body)
	}
	return out
}
