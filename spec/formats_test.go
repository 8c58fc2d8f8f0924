package spec_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/spec"
)

// The cases zod's email() and url() decide, as Seam's API does.
func TestInputFormatsAreZods(t *testing.T) {
	for s, want := range map[string]bool{
		"jane@example.com": true, "J.Doe+tag@mail.example.co": true, "o'brien@example.io": true, "a-b_c@x-y.example.org": true,
		"": false, "jane": false, "jane@": false, "@example.com": false, "jane@example": false, "jane@example.c": false,
		".jane@example.com": false, "jane.@example.com": false, "ja..ne@example.com": false, "jane@exa..mple.com": false,
		"jane@-example.com": false, "jane@example.c0m": false, "ja ne@example.com": false, "jane@@example.com": false, "jane@example.com ": false,
	} {
		if got := spec.IsEmail(s); got != want {
			t.Errorf("IsEmail(%q) = %v, want %v", s, got, want)
		}
	}
	for s, want := range map[string]bool{
		"https://example.com/": true, "http://localhost:8080/x?y=1": true, "mailto:jane@example.com": true, "webcal://calendar.example/ical.ics": true,
		// What new URL accepts too, though Go's url.Parse does not.
		"http:///no-host": true, "http:example.com": true, " https://example.com ": true, `https://example.com\path`: true, "https://example.com/%zz": true,
		"": false, "example.com": false, "/relative/path": false, "https://": false, "https://?q=1": false, "not a url": false, "1http://x": false,
	} {
		if got := spec.IsAbsoluteURL(s); got != want {
			t.Errorf("IsAbsoluteURL(%q) = %v, want %v", s, got, want)
		}
	}
}

// A request is held to the email and URI formats, as Seam holds it; an
// answer is not, so a requirement on answers means what it always has.
func TestRequestsAreHeldToEmailAndURIFormatsAndAnswersAreNot(t *testing.T) {
	c := contract(t)
	create := spec.Operation{Method: http.MethodPost, Path: "/user_identities/create"}
	webhook := spec.Operation{Method: http.MethodPost, Path: "/webhooks/create"}
	for _, tc := range []struct {
		op   spec.Operation
		body string
		ok   bool
	}{
		{create, `{"email_address":"jane@example.com"}`, true},
		{create, `{"email_address":"jane@"}`, false},
		{webhook, `{"url":"https://example.com/hook"}`, true},
		{webhook, `{"url":"example.com/hook"}`, false},
	} {
		req, _ := http.NewRequest(tc.op.Method, "https://example.invalid"+tc.op.Path, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer seam_abc123")
		req.Header.Set("Content-Type", "application/json")
		vs := c.CheckRequest(tc.op, req, []byte(tc.body))
		if (len(vs) == 0) != tc.ok {
			t.Errorf("%s %s: violations %v, want accepted %v", tc.op, tc.body, vs, tc.ok)
		}
		if rules := c.BrokenRules(tc.op, req, []byte(tc.body)); (len(rules) == 0) != tc.ok { // the fast path's verdict
			t.Errorf("%s %s: broken rules %v, want accepted %v", tc.op, tc.body, rules, tc.ok)
		}
	}

	get := spec.Operation{Method: http.MethodPost, Path: "/user_identities/get"}
	req, _ := http.NewRequest(get.Method, "https://example.invalid"+get.Path, nil)
	example, _ := json.Marshal(c.Example(get, 200))
	answer := strings.Replace(string(example), `"jane@example.com"`, `"jane@"`, 1)
	if !strings.Contains(answer, `"jane@"`) {
		t.Fatalf("the example answer has no email address to spoil: %s", answer)
	}
	if err := c.CheckResponse(get, req, nil, 200, http.Header{"Content-Type": {"application/json"}}, []byte(answer)); err != nil {
		t.Errorf("an answer with a malformed email is not held to the format: %v", err)
	}
	// Nor when kin-openapi explains what else is wrong with it.
	broken := strings.Replace(answer, `"ok":false`, `"ok":"no"`, 1)
	if err := c.CheckResponse(get, req, nil, 200, http.Header{"Content-Type": {"application/json"}}, []byte(broken)); err == nil || strings.Contains(err.Error(), "email") {
		t.Errorf("an answer with ok a string must fail for that alone, got %v", err)
	}
}
