package reference_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/spec"
)

// as returns the headers of the seed's valid credential of scheme.
func (h *harness) as(scheme string) []string {
	h.t.Helper()
	row, ok := spec.SchemeNamed(scheme)
	token := h.seed.Token(scheme)
	if !ok || token == "" {
		h.t.Fatalf("the seed has no %s credential", scheme)
	}
	headers := []string{"Authorization", "Bearer " + token}
	if !row.Bearer() {
		headers = []string{row.Header, token}
	}
	if row.Companion != "" {
		headers = append(headers, row.Companion, h.seed.WorkspaceID)
	}
	return headers
}

// minimal returns op's minimal request as a target and a body.
func minimal(c *spec.Contract, d spec.Described) (target, body string) {
	b, q := c.MinimalRequest(d.Operation)
	target = d.Path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	if b != nil {
		raw, _ := json.Marshal(b)
		body = string(raw)
	}
	return target, body
}

var handwrittenPaths = []string{"/user_identities/delete", "/user_identities/get", "/user_identities/update", "/workspaces/get", "/user_identities/create", "/user_identities/list"}

// Every operation of the document, with its minimal request, answers 200
// with a body its contract accepts under a credential of every scheme it
// accepts (the stateful identity operations may answer 404 for the random
// ID of the minimal request), and 401 without credentials or with a
// credential of a kind it does not accept.
func TestEveryOperationAnswers(t *testing.T) {
	h := newHarness(t)
	answered := 0
	for _, d := range h.contract.Operations() {
		target, body := minimal(h.contract, d)
		stateful := slices.Contains(handwrittenPaths, d.Path)
		schemes := d.Schemes
		if len(schemes) == 0 {
			schemes = []string{""}
		}
		for _, scheme := range schemes {
			var creds []string
			if scheme != "" {
				creds = h.as(scheme)
			}
			res := h.do(d.Method, target, body, creds)
			// The stateful operations may not find the random ID of the
			// minimal request (404), and their GET forms document no input,
			// so one that needs an ID cannot succeed (400).
			if res.status != 200 && !(stateful && (res.status == 404 || res.status == 400 && d.Method == "GET")) {
				t.Errorf("%s as %s: %s", d.Operation, scheme, res)
			}
			answered++
		}
		if len(d.Schemes) == 0 {
			continue
		}
		if res := h.do(d.Method, target, body, nil); res.status != 401 || res.errorField("type") != "unauthorized" {
			t.Errorf("%s without credentials: %s", d.Operation, res)
		}
		for _, other := range spec.Schemes() {
			if d.Accepts(other.Name) || h.seed.Token(other.Name) == "" || strings.HasSuffix(other.Name, "_without_workspace") {
				continue
			}
			if res := h.do(d.Method, target, body, h.as(other.Name)); res.status != 401 {
				t.Errorf("%s with a %s it does not accept: %s", d.Operation, other.Kind, res)
			}
			break // one refused kind per operation keeps the test quick
		}
	}
	if answered < 522 {
		t.Errorf("%d answers, want at least one per operation", answered)
	}
}

// A malformed UUID input answers 400 invalid_input naming the field, under
// valid credentials, for every operation with a UUID input.
func TestEveryUUIDInputIsChecked(t *testing.T) {
	h := newHarness(t)
	for _, d := range h.contract.Operations() {
		if len(d.UUIDs) == 0 || len(d.Schemes) == 0 {
			continue
		}
		in := d.UUIDs[0]
		body, query := h.contract.MinimalRequest(d.Operation)
		var bad any = "not-a-uuid"
		if in.Array {
			bad = []any{"not-a-uuid"}
		}
		if in.In == spec.InBody {
			body[in.Name] = bad
		} else {
			query.Set(in.Name, "not-a-uuid")
		}
		target := d.Path + "?" + query.Encode()
		raw := ""
		if body != nil {
			b, _ := json.Marshal(body)
			raw = string(b)
		}
		res := h.do(d.Method, target, raw, h.as(d.Schemes[0]))
		validation, _ := res.errorField("validation_errors").(map[string]any)
		if res.status != 400 || res.errorField("type") != "invalid_input" || validation[in.Name] == nil {
			t.Errorf("%s with %s malformed: %s", d.Operation, in.Name, res)
		}
		if in.Required {
			if in.In == spec.InBody {
				delete(body, in.Name)
				b, _ := json.Marshal(body)
				raw = string(b)
			} else {
				query.Del(in.Name)
				target = d.Path + "?" + query.Encode()
			}
			res := h.do(d.Method, target, raw, h.as(d.Schemes[0]))
			validation, _ := res.errorField("validation_errors").(map[string]any)
			if res.status != 400 || validation[in.Name] == nil {
				t.Errorf("%s without required %s: %s", d.Operation, in.Name, res)
			}
		}
	}
}

// The examples, over the handler: a schema-valid 200 under a valid
// API key, 401 without one, 400 naming the field for a malformed UUID.
func TestDocumentedOperationsBehave(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/devices/list", "/locks/get", "/acs/users/list", "/thermostats/list", "/access_codes/list"} {
		if res := h.do("POST", path, `{}`, h.apiKey()); res.status != 200 || res.json["ok"] != true {
			t.Errorf("%s: %s", path, res)
		}
		if res := h.do("POST", path, `{}`, nil); res.status != 401 {
			t.Errorf("%s without credentials: %s", path, res)
		}
	}
	res := h.do("POST", "/locks/get", `{"device_id":"abc"}`, h.apiKey())
	validation, _ := res.errorField("validation_errors").(map[string]any)
	if res.status != 400 || validation["device_id"] == nil || !strings.Contains(fmt.Sprint(res.errorField("message")), "device_id") {
		t.Errorf("malformed device_id: %s", res)
	}
	res = h.do("POST", "/devices/list", `{"limit":"many"}`, h.apiKey())
	if validation, _ := res.errorField("validation_errors").(map[string]any); res.status != 400 || validation["limit"] == nil {
		t.Errorf("limit of the wrong type: %s", res)
	}
	if res := h.do("POST", "/devices/nope", `{}`, h.apiKey()); res.status != 404 {
		t.Errorf("unknown path: %s", res)
	}
	if res := h.do("PUT", "/devices/list", `{}`, h.apiKey()); res.status != 405 || !strings.Contains(res.header.Get("Allow"), "POST") {
		t.Errorf("undocumented method: %s %v", res, res.header)
	}
}

func TestUserIdentitiesAreStateful(t *testing.T) {
	h := newHarness(t)
	ann := h.create(`{"full_name":"Ann","user_identity_key":"ann"}`)
	bob := h.create(`{"full_name":"Bob","email_address":"bob@example.com"}`)
	ids := func(res response) []string {
		var out []string
		list, _ := res.json["user_identities"].([]any)
		for _, ui := range list {
			out = append(out, ui.(map[string]any)["user_identity_id"].(string))
		}
		return out
	}
	if got := ids(h.do("POST", "/user_identities/list", `{}`, h.apiKey())); !slices.Equal(got, []string{ann, bob}) {
		t.Errorf("list: %v, want %v", got, []string{ann, bob})
	}
	if got := ids(h.do("GET", "/user_identities/list?search=BOB", "", h.pat())); !slices.Equal(got, []string{bob}) {
		t.Errorf("search: %v", got)
	}
	// No match is an empty list: the contract's list is not nullable.
	if res := h.do("POST", "/user_identities/list", `{"search":"nobody"}`, h.apiKey()); !strings.Contains(string(res.body), `"user_identities":[]`) {
		t.Errorf("search without a match: %s", res)
	}
	if got := ids(h.do("GET", "/user_identities/list?"+url.Values{"user_identity_ids": {ann}}.Encode(), "", h.console())); !slices.Equal(got, []string{ann}) {
		t.Errorf("by IDs: %v", got)
	}
	page := h.do("POST", "/user_identities/list", `{"limit":1}`, h.apiKey())
	cursor, _ := page.json["pagination"].(map[string]any)["next_page_cursor"].(string)
	next := h.do("POST", "/user_identities/list", `{"limit":1,"page_cursor":"`+cursor+`"}`, h.apiKey())
	if !slices.Equal(ids(page), []string{ann}) || !slices.Equal(ids(next), []string{bob}) {
		t.Errorf("pages: %s then %s", page, next)
	}
	if res := h.do("POST", "/user_identities/update", `{"user_identity_id":"`+bob+`","full_name":"Robert","user_identity_key":"ann"}`, h.apiKey()); res.status != 400 {
		t.Errorf("update to a taken key: %s", res)
	}
	if res := h.do("PATCH", "/user_identities/update", `{"user_identity_id":"`+bob+`","full_name":"Robert","email_address":null}`, h.apiKey()); res.status != 200 {
		t.Errorf("update: %s", res)
	}
	got := h.do("POST", "/user_identities/get", `{"user_identity_key":"ann"}`, h.apiKey())
	if got.status != 200 || got.json["user_identity"].(map[string]any)["user_identity_id"] != ann {
		t.Errorf("get by key: %s", got)
	}
	robert := h.get(bob).json["user_identity"].(map[string]any)
	if robert["full_name"] != "Robert" || robert["display_name"] != "Robert" || robert["email_address"] != nil {
		t.Errorf("after update: %v", robert)
	}
	if res := h.do("POST", "/user_identities/update", `{"user_identity_id":"`+h.seed.ForeignIdentityID+`","full_name":"x"}`, h.apiKey()); res.status != 404 {
		t.Errorf("update in another workspace: %s", res)
	}
	if got := ids(h.do("POST", "/user_identities/list", `{}`, h.apiKey())); slices.Contains(got, h.seed.ForeignIdentityID) {
		t.Error("list shows another workspace's identity")
	}
}

func TestMaxIdentities(t *testing.T) {
	// The seeded foreign workspace's identity is not the caller's: the
	// caller creates as many as the bound says.
	h := harnessFor(t, reference.Options{MaxIdentities: 2})
	h.create(`{}`)
	h.create(`{}`)
	res := h.do("POST", "/user_identities/create", `{}`, h.apiKey())
	if res.status != 400 || res.errorField("type") != "resource_limit_reached" || !strings.Contains(fmt.Sprint(res.errorField("message")), "at most 2") {
		t.Fatalf("create beyond the bound: %s", res)
	}
}

func TestFaultScope(t *testing.T) {
	h := newHarness(t, "ok-false@/devices/list", "errors-text-plain@devicesGetPost")
	if res := h.do("POST", "/devices/list", `{}`, h.apiKey()); res.json["ok"] != false {
		t.Errorf("ok-false@/devices/list: %s", res)
	}
	if res := h.do("POST", "/user_identities/delete", `{"user_identity_id":"`+unknownID+`"}`, h.apiKey()); res.header.Get("Content-Type") != "application/json" {
		t.Errorf("a fault scoped elsewhere reached the delete: %s", res)
	}
	if res := h.do("POST", "/devices/get", `{"device_id":"x"}`, h.apiKey()); !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Errorf("errors-text-plain@devicesGetPost: %s %v", res, res.header)
	}
	for _, entry := range []string{"ok-false@/no/such/path", "ok-false@noSuchOperation", "nope@*"} {
		if _, err := reference.New(reference.Options{Faults: []string{entry}}); err == nil {
			t.Errorf("%s: accepted", entry)
		}
	}
}

// apiBattery fingerprints the answers of APIFaultScope and of one other
// operation to the requests the API-wide requirements send.
func apiBattery(h *harness) []string {
	const path = reference.APIFaultScope
	s := h.seed
	good := `{"acs_system_id":"` + unknownID + `"}`
	var out []string
	for _, p := range []string{path, "/devices/get"} {
		field := "acs_system_id"
		if p == "/devices/get" {
			field = "device_id"
		}
		good := strings.Replace(good, "acs_system_id", field, 1)
		for _, tc := range []struct {
			body    string
			headers []string
		}{
			{good, nil},
			{good, []string{"Authorization", "Bearer "}},
			{good, []string{"Authorization", "Bearer seam_unknown123"}},
			{good, []string{"Authorization", "Token " + s.APIKey}},
			{good, []string{"Authorization", "Bearer " + s.Tokens["internal_service_agent"]}},
			{good, []string{"Authorization", "Bearer " + s.PersonalAccessToken}},
			{`{"` + field + `":"abc"}`, []string{"Authorization", "Bearer seam_unknown123"}},
			{`{}`, h.apiKey()},
			{`{"` + field + `":"abc"}`, h.apiKey()},
			{good, h.apiKey()},
		} {
			res := h.do("POST", p, tc.body, tc.headers)
			validation, _ := res.errorField("validation_errors").(map[string]any)
			out = append(out, fmt.Sprintf("%s %d %s %v %v %v", p, res.status, res.header.Get("Content-Type"), res.errorField("type"), len(validation) > 0, len(res.json)))
		}
	}
	return out
}

// Each API-wide fault changes some answer of APIFaultScope, and none of
// another operation: the fault is scoped, and not dead code.
func TestAPIFaultsAreScopedAndObservable(t *testing.T) {
	correct := apiBattery(newHarness(t))
	half := len(correct) / 2
	for _, f := range reference.APIFaults() {
		if f.Scope != reference.APIFaultScope || f.Area != "api" || len(f.Breaks) == 0 || !strings.HasPrefix(f.Breaks[0], "API-") {
			t.Errorf("malformed API fault %+v", f)
		}
		h := newHarness(t, f.Name)
		got := apiBattery(h)
		if slices.Equal(got[:half], correct[:half]) {
			t.Errorf("%s: no answer of %s changed", f.Name, reference.APIFaultScope)
		}
		if !slices.Equal(got[half:], correct[half:]) {
			t.Errorf("%s: answers outside its scope changed:\n%v\n%v", f.Name, got[half:], correct[half:])
		}
	}
}
