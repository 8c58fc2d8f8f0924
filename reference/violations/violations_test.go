package violations_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reference/violations"
	"github.com/seamconform/seamconform/spec"
)

func newChecker(t *testing.T, opts violations.Options) (*violations.Checker, fixtures.Seed, *bytes.Buffer) {
	t.Helper()
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := reference.New(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	opts.Log = &log
	opts.Secrets = ref.Seed().Secrets()
	return violations.New(contract, ref, opts), ref.Seed(), &log
}

type sent struct {
	method, target, contentType, body string
	header                            map[string]string
}

func (s sent) do(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(s.method, s.target, strings.NewReader(s.body))
	if s.contentType != "" {
		r.Header.Set("Content-Type", s.contentType)
	}
	for k, v := range s.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestEachBadRequestIsAViolationWithItsRule(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{AnswerAsSeam: true})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	id := "c2a4ab48-8b94-4e8f-b1ce-3c1ee0b3a2a1"
	for _, tc := range []struct {
		name       string
		req        sent
		rule       string
		status     int
		inValidErr string // a field validation_errors must name
	}{
		{"body without user_identity_id", sent{"POST", "/user_identities/delete", "application/json", `{}`, key}, violations.RuleBody, 400, "user_identity_id"},
		{"query without user_identity_id", sent{"DELETE", "/user_identities/delete?_strict=true", "", "", key}, violations.RuleQuery, 400, ""},
		{"malformed uuid", sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"nope"}`, key}, violations.RuleBody, 400, "user_identity_id"},
		{"PAT without seam-workspace", sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"` + id + `"}`, map[string]string{"Authorization": "Bearer " + seed.PersonalAccessToken}}, violations.RuleWorkspaceHeader, 401, ""},
		{"console session without seam-workspace", sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"` + id + `"}`, map[string]string{"Authorization": "Bearer " + seed.ConsoleSessionToken}}, violations.RuleWorkspaceHeader, 401, ""},
		{"no credential", sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"` + id + `"}`, nil}, violations.RuleAuth, 401, ""},
		// The reference would delete: the checker answers as Seam would.
		{"text/plain body", sent{"POST", "/user_identities/delete", "text/plain", `{"user_identity_id":"` + id + `"}`, key}, violations.RuleContentType, 400, ""},
		// The contract accepts this one; Seam's SDKs never send it.
		{"DELETE with a text/plain body", sent{"DELETE", "/user_identities/delete?user_identity_id=" + id, "text/plain", "hello", key}, violations.RuleSDKForm, 404, ""},
		{"undeclared query parameter", sent{"DELETE", "/user_identities/delete?user_identity_id=" + id + "&force=true", "", "", key}, violations.RuleQuery, 404, ""},
		{"malformed JSON", sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":`, key}, violations.RuleBody, 400, ""},
		{"a body over 1 MiB", sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"` + strings.Repeat("a", 1<<20) + `"}`, key}, violations.RuleBody, 400, ""},
		// Seam ignores it; the client never learns its value was not used.
		{"misspelt body property", sent{"POST", "/user_identities/create", "application/json", `{"full_nme":"Ada"}`, key}, violations.RuleBody, 200, ""},
		{"GET form with a malformed id", sent{"GET", "/user_identities/get?_strict=true&user_identity_id=nope", "", "", key}, violations.RuleQuery, 400, ""},
		{"unknown path", sent{"POST", "/user_identities/destroy", "application/json", `{}`, key}, violations.RuleRoute, 404, ""},
		{"seam-workspace that is not a UUID", sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"` + id + `"}`, map[string]string{"Authorization": "Bearer " + seed.PersonalAccessToken, "Seam-Workspace": "my-workspace"}}, violations.RuleWorkspaceHeader, 401, ""},
		{"none of an anyOf's required properties", sent{"POST", "/user_identities/get", "application/json", `{}`, key}, violations.RuleBody, 400, ""},
		// Seam checks these formats with zod's email() and url().
		{"malformed email", sent{"POST", "/user_identities/create", "application/json", `{"email_address":"jane@"}`, key}, violations.RuleBody, 400, "email_address"},
		{"relative URL", sent{"POST", "/webhooks/create", "application/json", `{"url":"example.com/hook"}`, key}, violations.RuleBody, 400, "url"},
		{"malformed email in a oneOf branch", sent{"POST", "/connected_accounts/get", "application/json", `{"email":"jane@"}`, key}, violations.RuleBody, 400, "email"},
		// GET /user_identities/get declares no query parameter; its POST form's body says which.
		{"GET with a parameter its POST form lacks", sent{"GET", "/user_identities/get?_strict=true&user_identity_idd=" + id, "", "", key}, violations.RuleQuery, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.Forget()
			w := tc.req.do(t, c)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			vs := c.Violations()
			var rules []string
			for _, v := range vs {
				rules = append(rules, v.Rule)
				if v.Side != violations.Request || v.Reason == "" || v.Status != w.Code {
					t.Errorf("violation %+v: want side request, a reason and status %d", v, w.Code)
				}
			}
			if !strings.Contains(strings.Join(rules, ","), tc.rule) {
				t.Fatalf("rules %v, want %s among them", rules, tc.rule)
			}
			if tc.inValidErr != "" {
				var answer struct {
					Error struct {
						Type             string         `json:"type"`
						ValidationErrors map[string]any `json:"validation_errors"`
					} `json:"error"`
				}
				_ = json.Unmarshal(w.Body.Bytes(), &answer)
				if answer.Error.Type != "invalid_input" || answer.Error.ValidationErrors[tc.inValidErr] == nil {
					t.Errorf("answer %s: want invalid_input naming %s", w.Body, tc.inValidErr)
				}
			}
		})
	}
}

// A body that is not JSON, or too large to read, is one violation saying
// so, not also the decoder's error about where it broke off.
func TestABodyThatCannotBeReadIsOneViolation(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{AnswerAsSeam: true})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	for body, want := range map[string]string{
		`{"user_identity_id":`: "request body is not one valid JSON value",
		`{"user_identity_id":"` + strings.Repeat("a", 1<<20) + `"}`: "the request body is larger than 1 MiB",
	} {
		c.Forget()
		sent{"POST", "/user_identities/delete", "application/json", body, key}.do(t, c)
		if vs := c.Violations(); len(vs) != 1 || !strings.Contains(vs[0].Reason, want) {
			t.Errorf("%.30s...: violations %v, want one saying %q", body, vs, want)
		}
	}
}

// A malformed input of a oneOf body is named, in the POST form and in the
// SDKs' query form, not only "value doesn't match any schema from oneOf".
func TestAOneOfViolationNamesTheField(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	for _, req := range []sent{
		{"GET", "/user_identities/get?user_identity_id=bad", "", "", key},
		{"POST", "/user_identities/get", "application/json", `{"user_identity_id":"bad"}`, key},
	} {
		c.Forget()
		req.do(t, c)
		if vs := c.Violations(); len(vs) != 1 || !strings.Contains(vs[0].Reason, `user_identity_id: string doesn't match the format "uuid"`) {
			t.Errorf("%s %s: violations %v, want one naming user_identity_id", req.method, req.target, vs)
		}
	}
}

// An operation accepting many schemes gives each reason a credential fails
// them for once, not once per scheme.
func TestAuthReasonsAreNotRepeated(t *testing.T) {
	c, _, _ := newChecker(t, violations.Options{})
	sent{"POST", "/devices/list", "application/json", `{}`, map[string]string{"Authorization": "Token abc"}}.do(t, c)
	vs := c.Violations()
	if len(vs) != 1 || strings.Count(vs[0].Reason, "no Bearer credential") != 1 {
		t.Errorf("violations %v, want one naming the missing Bearer credential once", vs)
	}
}

func TestAConformingRequestIsNoViolationAndStrictIsNoted(t *testing.T) {
	c, seed, log := newChecker(t, violations.Options{AnswerAsSeam: true})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	w := sent{"POST", "/user_identities/create", "application/json", `{"full_name":"Ada"}`, key}.do(t, c)
	var created struct {
		UserIdentity struct {
			ID string `json:"user_identity_id"`
		} `json:"user_identity"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &created); err != nil || w.Code != 200 {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	w = sent{"DELETE", "/user_identities/delete?_strict=true&user_identity_id=" + created.UserIdentity.ID, "", "", key}.do(t, c)
	if w.Code != 200 {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	// As Seam's JavaScript SDK sends it: the POST form's body in the query.
	w = sent{"GET", "/user_identities/get?_strict=true&user_identity_id=" + created.UserIdentity.ID, "", "", key}.do(t, c)
	if w.Code != 404 {
		t.Fatalf("get after delete: %d %s", w.Code, w.Body)
	}
	if vs := c.Violations(); len(vs) != 0 {
		t.Errorf("violations %v, want none", vs)
	}
	notes := c.Notes()
	if len(notes) != 2 || !strings.Contains(notes[0].Text, "_strict") {
		t.Errorf("notes %+v, want _strict noted", notes)
	}
	if calls := c.Calls(); len(calls) != 3 {
		t.Errorf("calls %+v, want create, delete and get", calls)
	}
	if log.Len() != 0 {
		t.Errorf("log %q, want no violation line", log)
	}
}

func TestCredentialsNeverRecordedOrLogged(t *testing.T) {
	c, seed, log := newChecker(t, violations.Options{})
	stranger := "seam_at" + strings.Repeat("x", 30)
	sent{"POST", "/user_identities/delete?token=" + seed.APIKey, "text/plain", `{"leak":"` + seed.APIKey + `"}`, map[string]string{"Authorization": "Bearer " + seed.APIKey}}.do(t, c)
	sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"` + stranger + `"}`, map[string]string{"Authorization": "Bearer " + stranger, "seam-publishable-key": seed.PublishableKey}}.do(t, c)
	report, _ := json.Marshal(c.Report())
	for _, secret := range []string{seed.APIKey, stranger, seed.PublishableKey} {
		if strings.Contains(string(report), secret) || strings.Contains(log.String(), secret) {
			t.Errorf("a credential is in the report or log:\n%s\n%s", report, log)
		}
	}
	if !strings.Contains(string(report), "$SEAM_API_KEY") || !strings.Contains(log.String(), "VIOLATION request POST /user_identities/delete") {
		t.Errorf("want the key named by its variable and a log line per violation:\n%s\n%s", report, log)
	}
}

func TestControlAPIReadsAndResets(t *testing.T) {
	resets := 0
	c, _, _ := newChecker(t, violations.Options{OnReset: func() { resets++ }})
	sent{"POST", "/user_identities/delete", "application/json", `{}`, nil}.do(t, c)
	w := sent{"GET", violations.ControlPrefix + "violations", "", "", nil}.do(t, c)
	var report violations.Report
	if err := json.Unmarshal(w.Body.Bytes(), &report); err != nil || len(report.Violations) == 0 {
		t.Fatalf("GET violations: %v %s", err, w.Body)
	}
	sent{"POST", violations.ControlPrefix + "reset", "", "", nil}.do(t, c)
	if len(c.Violations()) != 0 || len(c.Calls()) != 0 || resets != 1 {
		t.Errorf("after reset: %d violations, %d calls, %d resets", len(c.Violations()), len(c.Calls()), resets)
	}
	// Empty lists are [] in JSON, so a script can count them.
	if w := (sent{"GET", violations.ControlPrefix + "violations", "", "", nil}).do(t, c); strings.Contains(w.Body.String(), "null") {
		t.Errorf("GET violations after a reset: %s", w.Body)
	}
	if w := (sent{"GET", violations.ControlPrefix + "nothing", "", "", nil}).do(t, c); w.Code != 404 {
		t.Errorf("unknown control path: %d", w.Code)
	}
}

func TestResponsesBreakingTheContractAreViolations(t *testing.T) {
	c := brokenUpstreamChecker(t)
	w := sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"c2a4ab48-8b94-4e8f-b1ce-3c1ee0b3a2a1"}`, map[string]string{"Authorization": "Bearer seam_test123456789"}}.do(t, c)
	if w.Code != 200 || w.Body.String() != `{"ok":"yes"}` {
		t.Errorf("the answer must pass through unchanged: %d %s", w.Code, w.Body)
	}
	vs := c.Violations()
	if len(vs) != 1 || vs[0].Side != violations.Response || vs[0].Rule != violations.RuleResponse || !strings.Contains(vs[0].Reason, "ok") {
		t.Errorf("violations %+v, want one response violation about ok", vs)
	}
	// The operations' table counts the answer's violation too.
	if md := c.Report().Summary(); !strings.Contains(md, "| `POST /user_identities/delete` | 1 | 0 | 1 |") {
		t.Errorf("violations.md does not count the answer's violation:\n%s", md)
	}
}

func TestReportFiles(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	sent{"POST", "/user_identities/delete", "application/json", `{}`, key}.do(t, c)
	sent{"POST", "/workspaces/get", "application/json", `{}`, key}.do(t, c)
	dir := t.TempDir()
	if err := c.Report().WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	var junit struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	data, _ := os.ReadFile(filepath.Join(dir, violations.JUnitFile))
	if err := xml.Unmarshal(data, &junit); err != nil || len(junit.Suites) != 1 {
		t.Fatalf("junit: %v\n%s", err, data)
	}
	s := junit.Suites[0]
	if s.Tests != 2 || s.Failures != 1 || s.Cases[0].Name != "POST /user_identities/delete" || s.Cases[0].Failure == nil || s.Cases[1].Failure != nil {
		t.Errorf("junit %+v: want delete failed, workspaces/get passed\n%s", s, data)
	}
	md, _ := os.ReadFile(filepath.Join(dir, violations.SummaryFile))
	if !strings.Contains(string(md), "1 violation(s) in 2 request(s)") || !strings.Contains(string(md), "user_identity_id") {
		t.Errorf("summary:\n%s", md)
	}
	var report violations.Report
	data, _ = os.ReadFile(filepath.Join(dir, violations.JSONFile))
	if err := json.Unmarshal(data, &report); err != nil || len(report.Violations) != 1 {
		t.Errorf("json: %v\n%s", err, data)
	}
}

// A query value is text: a key that looks like a number is still a string.
func TestQueryFormValuesReadAsTheSchemaWants(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{AnswerAsSeam: true})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	sent{"GET", "/user_identities/get?_strict=true&user_identity_key=12345", "", "", key}.do(t, c)
	if vs := c.Violations(); len(vs) != 0 {
		t.Errorf("violations %v, want none", vs)
	}
}

// A client's path and parameter names reach the log: control characters
// are escaped, so a line cannot be forged.
func TestLogLinesEscapeControlCharacters(t *testing.T) {
	c, seed, log := newChecker(t, violations.Options{})
	sent{"DELETE", "/user_identities/delete?user_identity_id=c2a4ab48-8b94-4e8f-b1ce-3c1ee0b3a2a1&x%0A2026%20VIOLATION%20forged=1", "", "", map[string]string{"Authorization": "Bearer " + seed.APIKey}}.do(t, c)
	sent{"POST", "/nowhere%0Aforged", "application/json", "{}", nil}.do(t, c)
	if lines := strings.Count(log.String(), "\n"); lines != 2 || !strings.Contains(log.String(), `x\n2026 VIOLATION forged`) {
		t.Errorf("want two escaped lines, got %d:\n%s", lines, log)
	}
}

// A credential a client sends where none belongs is still one: in a path
// the contract lacks (named as the operation, and in the request log), in
// part, past the body's cut, percent-encoded, or unknown to serve but
// shaped like a Seam token (a proxy knows only the one presented), even
// percent-encoded twice or \u-escaped in JSON.
func TestCredentialsSentAnywhereAreNotRecordedOrLogged(t *testing.T) {
	c, seed, log := newChecker(t, violations.Options{})
	key := seed.APIKey
	unknown := "seam_REALsandboxKEY0123456789"
	auth := map[string]string{"Authorization": "Bearer " + key}
	var escaped strings.Builder
	for _, b := range []byte(key) {
		escaped.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[b>>4])+string("0123456789abcdef"[b&15])))
	}
	pathWithKey := "/devices/" + key + "/list"
	for _, s := range []sent{
		{"GET", pathWithKey, "", "", auth},
		{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"` + key[:len(key)-1] + `"}`, auth},
		{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"x","pad":"` + strings.Repeat("x", 4096-40) + key + `"}`, auth},
		{"POST", "/user_identities/delete?token=" + escaped.String(), "application/json", `{}`, auth},
		{"POST", "/user_identities/delete?q=100%&token=" + escaped.String(), "application/json", `{}`, auth}, // a stray % elsewhere
		{"POST", "/user_identities/delete?api_key=" + unknown, "application/json", `{}`, map[string]string{"Authorization": "Bearer seam_otherKEY0123456789abc", "User-Agent": "sdk/1 key=" + key[:20]}},
		{"POST", "/user_identities/delete?api_key=%2573" + unknown[1:], "application/json", `{"note":"\u0073` + unknown[1:] + `"}`, auth},
		{"POST", "/nope/" + strings.ToLower(key) + "/" + strings.ToUpper(key[5:]), "application/json", `{}`, auth}, // in another case
		// Escaped twice, in a path the contract lacks (which names the
		// operation and its reason) and in a query parameter's name.
		{"POST", "/nope2/" + strings.ReplaceAll(escaped.String(), "%", "%25"), "application/json", `{}`, auth},
		{"POST", "/user_identities/delete?" + strings.ReplaceAll(escaped.String(), "%", "%25") + "=1", "application/json", `{}`, auth},
	} {
		s.do(t, c)
	}
	report := c.Report()
	dir := t.TempDir()
	if err := report.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(dir)
	shown := map[string]string{"log": log.String(), "log path": c.LogPath(httptest.NewRequest("GET", pathWithKey, nil))}
	if data, err := json.Marshal(report); err == nil { // the control API's view
		shown["report"] = string(data)
	}
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(dir, f.Name()))
		shown[f.Name()] = string(data)
	}
	for where, text := range shown {
		if strings.Contains(text, escaped.String()[:30]) { // ten bytes of the key, escaped
			t.Errorf("%s shows the key percent-encoded:\n%.2000s", where, text)
		}
		for _, secret := range []string{key, unknown, strings.ToLower(key), strings.ToUpper(key)} {
			for i := 0; i+10 <= len(secret); i++ {
				if strings.Contains(text, secret[i:i+10]) {
					t.Errorf("%s shows %q, a piece of a credential:\n%.2000s", where, secret[i:i+10], text)
					break
				}
			}
		}
	}
	if !strings.Contains(shown["log path"], "/devices/$SEAM_API_KEY/list") {
		t.Errorf("the log path %q, want the key named by its variable", shown["log path"])
	}
}

// Seam's document comes from zod, whose unions take the first branch that
// parses, and its oneOf branches overlap: requests Seam's SDKs send match
// two of them. They are checked as anyOf, and conform, as do the query
// forms of Seam's JavaScript SDK.
func TestOverlappingUnionsTakeWhatSeamsSDKsSend(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{AnswerAsSeam: true})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	const id = "40b9929d-eefc-4960-bcdf-e0ca26ffd1c7"
	for _, s := range []sent{
		{"POST", "/acs/credentials/list", "application/json", `{"acs_system_id":"` + id + `"}`, key},
		{"POST", "/acs/credentials/list", "application/json", `{"acs_user_id":"` + id + `","limit":5}`, key},
		{"GET", "/acs/credentials/list?acs_system_id=" + id, "", "", key},
		{"POST", "/events/list", "application/json", `{"between":["2025-01-01T00:00:00Z","2025-02-01T00:00:00Z"]}`, key},
		// The query forms of Seam's JavaScript SDK: an object's properties
		// dotted, an empty list as an empty value.
		{"GET", "/devices/list?custom_metadata_has.room=101&device_ids=", "", "", key},
	} {
		if w := s.do(t, c); w.Code != http.StatusOK {
			t.Errorf("%s %s %s: answered %d %s", s.method, s.target, s.body, w.Code, w.Body)
		}
	}
	if vs := c.Violations(); len(vs) != 0 {
		t.Errorf("violations %v, want none", vs)
	}
}

// An answer too large to hold (an upstream streaming without end) goes to
// the client as it comes, unchecked and noted, instead of filling the
// memory.
func TestAnAnswerTooLargeToHoldPassesThroughUnchecked(t *testing.T) {
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	huge := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for range 20 {
			_, _ = w.Write(chunk)
		}
	})
	c := violations.New(contract, huge, violations.Options{CheckResponses: true})
	w := sent{"POST", "/devices/list", "application/json", `{}`, map[string]string{"Authorization": "Bearer seam_sandboxkey0123456789abc"}}.do(t, c)
	if w.Body.Len() != 20<<20 || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("the client got %d bytes, Content-Type %q; want all 20 MiB as sent", w.Body.Len(), w.Header().Get("Content-Type"))
	}
	if notes := c.Notes(); len(notes) != 1 || !strings.Contains(notes[0].Text, "unchecked") {
		t.Errorf("notes %+v, want the answer noted as unchecked", notes)
	}
}

// Seam's own names that begin seam_ (an enum value such as seam_passport,
// an error type such as acs_credential_on_seam_not_found) are not taken for
// tokens in a record; and only an object query parameter takes the dotted
// form of Seam's SDKs.
func TestRecordsKeepSeamsNamesAndDottedFormsAreForObjects(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	sent{"POST", "/devices/list", "application/json", `{"note":"seam_passport and acs_credential_on_seam_not_found","token":"line\nseam_Abcdefgh12345"}`, key}.do(t, c)
	sent{"GET", "/devices/list?limit.x=5", "", "", key}.do(t, c)
	report, _ := json.Marshal(c.Report())
	if !strings.Contains(string(report), "seam_passport and acs_credential_on_seam_not_found") || strings.Contains(string(report), "seam_Abcdefgh12345") {
		t.Errorf("Seam's names were redacted, or a token after an escaped newline was not:\n%s", report)
	}
	if !strings.Contains(string(report), "query parameter limit.x is not declared") {
		t.Errorf("limit.x, limit being a number, is not a violation:\n%s", report)
	}
}

// A refused credential's reason says what kind was sent, by its shape,
// before what the operation accepts.
func TestAuthReasonSaysWhatWasSent(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{})
	bridge := seed.Token("bridge_client_session")
	sent{"POST", "/devices/list", "application/json", `{}`, map[string]string{"Authorization": "Bearer " + bridge}}.do(t, c)
	sent{"POST", "/devices/list", "application/json", `{}`, nil}.do(t, c)
	vs := c.Violations()
	if len(vs) != 2 || !strings.HasPrefix(vs[0].Reason, "the request presents a seam_bcst… Bridge client session token, and no accepted scheme fits it") ||
		!strings.HasPrefix(vs[1].Reason, "the request has no Authorization header") || strings.Contains(vs[0].Reason, bridge) {
		t.Errorf("violations %v", vs)
	}
}

// A client sending bad requests in a loop, for hours or under load, makes
// one entry per distinct violation, and past a thousand distinct ones
// serve counts them without keeping them: its memory stays bounded.
func TestRepeatedViolationsAreCountedAndWhatIsKeptIsBounded(t *testing.T) {
	c, seed, log := newChecker(t, violations.Options{})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	for range 50 {
		sent{"POST", "/user_identities/delete", "application/json", `{}`, key}.do(t, c)
	}
	vs := c.Violations()
	if len(vs) != 1 || vs[0].Repeats != 49 || c.Report().Count() != 50 || c.Calls()[0].Violations != 50 {
		t.Fatalf("50 alike: %d kept, %+v, count %d, calls %+v; want one kept, repeated 49 times", len(vs), vs, c.Report().Count(), c.Calls())
	}
	if lines := strings.Count(log.String(), "VIOLATION"); lines != 2 || !strings.Contains(log.String(), "10 times") {
		t.Errorf("the log has %d VIOLATION lines, want the first and the tenth:\n%s", lines, log)
	}

	const distinct = 1100
	for i := range distinct {
		sent{"POST", "/nowhere/" + strconv.Itoa(i), "application/json", `{}`, key}.do(t, c)
	}
	c.StartTest() // what a session keeps is bounded across tests too
	sent{"POST", "/nowhere/after-reset", "application/json", `{}`, key}.do(t, c)
	report := c.SessionReport()
	if len(report.Violations) != 1000 || report.NotKept != distinct-999+1 || report.Count() != 50+distinct+1 {
		t.Fatalf("kept %d, not kept %d, count %d; want 1000 kept of %d", len(report.Violations), report.NotKept, report.Count(), 50+distinct+1)
	}
	if n := len(report.Calls); n != 1+1000+1 { // delete, the first thousand paths, the rest together
		t.Errorf("%d calls, want the paths the contract lacks past a thousand counted together", n)
	}
	junit, err := report.JUnit()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(junit, []byte(`name="* (more paths the contract lacks)"`)) || bytes.Count(junit, []byte("not kept")) != 2 {
		t.Errorf("every operation with violations not kept must fail in JUnit:\n%.2000s", junit)
	}
	if summary := report.Summary(); !strings.Contains(summary, "1151 violation(s)") || !strings.Contains(summary, "| 50 |") || !strings.Contains(summary, "counted but not kept") {
		t.Errorf("summary:\n%.3000s", summary)
	}
}

// Two Authorization headers: Seam reads the first and answers, the client
// hears nothing of it, and a proxy on the way may read the other.
func TestACredentialHeaderSentTwiceIsAViolation(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{AnswerAsSeam: true})
	r := httptest.NewRequest("POST", "/user_identities/list", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Add("Authorization", "Bearer "+seed.APIKey)
	r.Header.Add("Authorization", "Bearer "+seed.APIKey)
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	vs := c.Violations()
	if w.Code != 200 || len(vs) != 1 || vs[0].Rule != violations.RuleAuth || !strings.Contains(vs[0].Reason, "sent 2 times") {
		t.Errorf("answered %d, violations %+v: want 200 and one auth violation", w.Code, vs)
	}
}

// A CI that resets before each test and repeats a mistake in each makes one
// record in the session, not one per test; past the cap the log still says
// a repeated violation once per power of ten; and JUnit counts what was
// not kept.
func TestViolationsAcrossResetsAndPastTheCap(t *testing.T) {
	c, seed, log := newChecker(t, violations.Options{})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	for range 50 {
		c.StartTest()
		sent{"POST", "/user_identities/delete", "application/json", `{}`, key}.do(t, c)
		sent{"POST", "/nowhere/again", "application/json", `{}`, key}.do(t, c)
	}
	if vs := c.Report().Violations; len(vs) != 2 || vs[0].Repeats != 0 {
		t.Errorf("this test's violations: %+v; want the two, once each", vs)
	}
	session := c.SessionReport()
	if len(session.Violations) != 2 || session.Violations[0].Repeats != 49 || session.Count() != 100 || len(session.Calls) != 2 {
		t.Fatalf("the session: %d kept, first %+v, count %d, %d calls; want two kept, repeated 49 times, and two calls", len(session.Violations), session.Violations[0], session.Count(), len(session.Calls))
	}

	for i := range 1000 { // the cap, then one violation kind past it, 30 times
		sent{"POST", "/nowhere/" + strconv.Itoa(i), "application/json", `{}`, key}.do(t, c)
	}
	log.Reset()
	for range 30 {
		sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"nope"}`, key}.do(t, c)
	}
	if lines := strings.Count(log.String(), "VIOLATION"); lines != 2 {
		t.Errorf("30 alike past the cap: %d log lines, want 2 (the first and the tenth):\n%s", lines, log)
	}
	junit, err := c.SessionReport().JUnit()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(junit, []byte(`80 contract violation(s), first:`)) { // 50 of one, 30 not kept
		t.Errorf("JUnit must count the delete's violations not kept:\n%.1500s", junit)
	}
}

// Forget drops what this test sent on purpose, nothing of the session:
// not an earlier test's accidental violation, not the requests counted,
// not an upstream that never answered.
func TestForgetDropsOnlyThisTestsViolations(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	sent{"POST", "/user_identities/delete", "application/json", `{"user_identity_id":"accidental"}`, key}.do(t, c)
	c.StartTest()
	sent{"POST", "/devices/list", "application/json", `{"on_purpose":1}`, key}.do(t, c)
	c.Unforwarded()
	c.Forget()
	if len(c.Violations()) != 0 {
		t.Errorf("this test's violations after Forget: %+v", c.Violations())
	}
	session := c.SessionReport()
	if len(session.Violations) != 1 || !strings.Contains(session.Violations[0].Reason, "user_identity_id") || session.Unforwarded != 1 || len(session.Calls) != 2 {
		t.Fatalf("the session after Forget: %+v; want the earlier test's violation, both calls and the unforwarded request", session)
	}
	for _, call := range session.Calls {
		if call.Requests != 1 || call.Violations != map[string]int{"POST /user_identities/delete": 1, "POST /devices/list": 0}[call.Operation] {
			t.Errorf("call %+v after Forget", call)
		}
	}
}

// A body that lacks what each alternative of its schema requires is told
// what would do, not that it "doesn't match any schema from anyOf".
func TestAnAnyOfViolationNamesWhatWouldDo(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{AnswerAsSeam: true})
	sent{"POST", "/user_identities/get", "application/json", `{}`, map[string]string{"Authorization": "Bearer " + seed.APIKey}}.do(t, c)
	vs := c.Violations()
	if len(vs) != 1 || vs[0].Reason != "body: user_identity_id or user_identity_key is required" {
		t.Errorf("violations %+v, want one naming user_identity_id or user_identity_key", vs)
	}
}

// The log follows a repeated mistake across the tests of a CI that resets
// between them: its 1st, 10th and 100th time, not once per test.
func TestTheLogFollowsRepeatsAcrossResets(t *testing.T) {
	c, seed, log := newChecker(t, violations.Options{})
	for range 100 {
		c.StartTest()
		sent{"POST", "/user_identities/delete", "application/json", `{}`, map[string]string{"Authorization": "Bearer " + seed.APIKey}}.do(t, c)
	}
	if lines := strings.Count(log.String(), "VIOLATION"); lines != 3 || !strings.Contains(log.String(), ", 100 times") {
		t.Errorf("100 alike, one per test: %d log lines, want 3 (the 1st, 10th and 100th):\n%s", lines, log)
	}
}

// Behind a proxy, an operation whose answers broke the contract past the
// cap fails its JUnit case too, whatever else failed.
func TestJUnitCountsAnswersViolationsNotKept(t *testing.T) {
	c := brokenUpstreamChecker(t)
	key := map[string]string{"Authorization": "Bearer seam_test123456789"}
	for i := range 1000 {
		sent{"POST", "/nowhere/" + strconv.Itoa(i), "application/json", `{}`, key}.do(t, c)
	}
	for range 5 {
		sent{"POST", "/devices/list", "application/json", `{}`, key}.do(t, c)
	}
	junit, err := c.Report().JUnit()
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(junit, []byte(`name="POST /devices/list"`))
	if at < 0 || !bytes.Contains(junit[at:min(at+400, len(junit))], []byte("5 contract violation(s), not kept")) {
		t.Errorf("POST /devices/list's answers broke the contract 5 times, past the cap:\n%.600s", junit[max(at, 0):])
	}
}

// brokenUpstreamChecker checks, as a proxy does, requests and the answers
// of an upstream that answers every one {"ok":"yes"}, which breaks every
// operation's contract.
func brokenUpstreamChecker(t *testing.T) *violations.Checker {
	t.Helper()
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":"yes"}`)
	})
	return violations.New(contract, upstream, violations.Options{CheckResponses: true})
}

// credentialOf returns the headers presenting the seed's credential of
// scheme, with its companion header if the scheme needs one.
func credentialOf(seed fixtures.Seed, scheme string) map[string]string {
	row, _ := spec.SchemeNamed(scheme)
	header := map[string]string{"Authorization": "Bearer " + seed.Token(scheme)}
	if !row.Bearer() {
		header = map[string]string{row.Header: seed.Token(scheme)}
	}
	if row.Companion != "" {
		header[row.Companion] = seed.WorkspaceID
	}
	return header
}

// Whenever the reference refuses a POST for having no body, the checker
// records it as a body violation, whatever the body schema's shape (a
// top-level oneOf whose every branch requires a property, such as
// /user_identities/get's, among them); and a POST the reference answers
// without a body is none.
func TestEveryOperationRefusingAMissingBodyRecordsIt(t *testing.T) {
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	c, seed, _ := newChecker(t, violations.Options{}) // the reference's answer stands
	refused := 0
	for _, d := range contract.Operations() {
		if d.Method != http.MethodPost || !d.Body {
			continue
		}
		header := map[string]string{}
		if len(d.Schemes) > 0 {
			header = credentialOf(seed, d.Schemes[0])
		}
		target := d.Path
		if _, query := contract.MinimalRequest(d.Operation); len(query) > 0 {
			target += "?" + query.Encode() // only the body is missing
		}
		for _, contentType := range []string{"", "application/json"} {
			c.Forget()
			w := sent{"POST", target, contentType, "", header}.do(t, c)
			var bodyRules int
			for _, v := range c.Violations() {
				if v.Rule == violations.RuleBody {
					bodyRules++
				}
			}
			switch {
			case w.Code == http.StatusBadRequest && bodyRules == 0:
				t.Errorf("%s without a body (Content-Type %q): answered 400 but no body violation: %s", d.Operation, contentType, w.Body)
			case w.Code != http.StatusBadRequest && bodyRules > 0:
				t.Errorf("%s without a body (Content-Type %q): answered %d but recorded %v", d.Operation, contentType, w.Code, c.Violations())
			}
			if w.Code == http.StatusBadRequest && contentType == "" {
				refused++
			}
		}
	}
	if refused < 15 { // /acs/systems/get, /user_identities/delete and the 13 oneOf bodies, at least
		t.Errorf("%d operations refused a missing body, want at least 15", refused)
	}
}

// A query parameter that takes one value, sent twice, is refused by Seam
// (zod reads it as an array) and by the reference: the checker records it,
// on the forms that declare the parameter as on those checked as their
// POST form's body.
func TestARepeatedSingleValueQueryParameterIsAViolation(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{AnswerAsSeam: true}) // as serve
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	id := "c2a4ab48-8b94-4e8f-b1ce-3c1ee0b3a2a1"
	for _, req := range []sent{
		{"DELETE", "/user_identities/delete?user_identity_id=" + id + "&user_identity_id=" + id, "", "", key},
		{"GET", "/user_identities/get?user_identity_id=" + id + "&user_identity_id=" + id, "", "", key},
		{"GET", "/access_codes/generate_code?device_id=" + id + "&device_id=" + id, "", "", key},
	} {
		c.Forget()
		w := req.do(t, c)
		vs := c.Violations()
		if w.Code != http.StatusBadRequest || len(vs) != 1 || vs[0].Rule != violations.RuleQuery || !strings.Contains(vs[0].Reason, "_id") {
			t.Errorf("%s %s: answered %d, recorded %v; want 400 and one query violation naming the parameter", req.method, req.target, w.Code, vs)
		}
	}
	// A list is sent as its name repeated: no violation.
	c.Forget()
	list := sent{"GET", "/devices/list?device_ids=" + id + "&device_ids=" + id, "", "", key}
	if w := list.do(t, c); w.Code != http.StatusOK || len(c.Violations()) > 0 {
		t.Errorf("a list query parameter repeated: answered %d, recorded %v", w.Code, c.Violations())
	}
}

// A number too large for a float64 is valid JSON that Seam cannot read:
// the reason and the answer say so of the field, in the client's terms,
// whether or not the schema there is a number's.
func TestANumberOutOfRangeIsSaidOfItsField(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{AnswerAsSeam: true})
	key := map[string]string{"Authorization": "Bearer " + seed.APIKey}
	for _, tc := range []struct {
		req         sent
		want, field string
	}{
		{sent{"POST", "/devices/list", "application/json", `{"limit":1e400}`, key}, "limit: the number is out of range", "limit"},
		{sent{"POST", "/devices/list", "application/json", `{"device_ids":[],"custom_metadata_has":{"a":-1e400}}`, key}, "custom_metadata_has.a: the number is out of range", "custom_metadata_has"},
		// The schema here takes anything.
		{sent{"POST", "/seam/webhooks/[provider]/[subscription_id]?provider=p&subscription_id=s", "application/json", `{"a":[0,1e999]}`, key}, "a.1: the number is out of range", "a"},
	} {
		c.Forget()
		w := tc.req.do(t, c)
		vs := c.Violations()
		var answer struct {
			Error struct {
				Message          string         `json:"message"`
				ValidationErrors map[string]any `json:"validation_errors"`
			} `json:"error"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &answer)
		if w.Code != http.StatusBadRequest || answer.Error.Message != tc.want || answer.Error.ValidationErrors[tc.field] == nil {
			t.Errorf("%s: answered %d %s, want 400 saying %q and naming %s", tc.req.body, w.Code, w.Body, tc.want, tc.field)
		}
		if len(vs) != 1 || vs[0].Rule != violations.RuleBody || vs[0].Reason != tc.want {
			t.Errorf("%s: recorded %v, want one body violation %q", tc.req.body, vs, tc.want)
		}
	}
}

// A body recorded in part says so: a stand-in cut at the end ($SEAM_API_KE)
// must not read as another variable.
func TestARecordedBodyCutShortSaysSo(t *testing.T) {
	c, seed, _ := newChecker(t, violations.Options{})
	body := `{"user_identity_id":"x","pad":"` + strings.Repeat("x", 5000) + `"}`
	sent{"POST", "/user_identities/delete", "application/json", body, map[string]string{"Authorization": "Bearer " + seed.APIKey}}.do(t, c)
	vs := c.Violations()
	if len(vs) == 0 {
		t.Fatal("nothing recorded")
	}
	if got := vs[0].Request.Body; !strings.HasSuffix(got, fmt.Sprintf("… [cut: %d bytes in all]", len(body))) || len(got) > 4<<10+64 {
		t.Fatalf("a %d-byte body recorded as %d bytes ending %q", len(body), len(got), got[max(0, len(got)-60):])
	}
	// A body within the limit is whole, though the stand-in for a token
	// ([redacted seam_… API key]) is longer than the token.
	c.Forget()
	token := "seam_unknown1"
	head, tail := `{"user_identity_id":"x","pad":"`, `","t":"`+token+`"}`
	body = head + strings.Repeat("x", 4<<10-len(head)-len(tail)) + tail // 4 KiB exactly
	sent{"POST", "/user_identities/delete", "application/json", body, map[string]string{"Authorization": "Bearer " + token}}.do(t, c)
	if vs := c.Violations(); len(vs) == 0 || strings.Contains(vs[0].Request.Body, "[cut") || !strings.Contains(vs[0].Request.Body, `"t":"[redacted `) || !strings.HasSuffix(vs[0].Request.Body, `]"}`) {
		t.Fatalf("a %d-byte body recorded as %q", len(body), vs[0].Request.Body[max(0, len(vs[0].Request.Body)-80):])
	}
}
