package framework

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/gomega/types"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/target"
)

// --- Redactor ---

func TestRedactorIgnoresShortAndPublicValues(t *testing.T) {
	r := &Redactor{}
	r.Add(fixtures.EnvSecret("SHORT", "seam_ab"), fixtures.Public("a public value"))
	const text = "seam_ab and a public value"
	if got := r.Redact(text); got != text {
		t.Fatalf("Redact(%q) = %q; values under 8 bytes and public values must be left alone", text, got)
	}
	r.Add(fixtures.EnvSecret("EIGHT", "12345678"))
	if got := r.Redact("x12345678x"); got != "x$EIGHTx" {
		t.Fatalf("an 8-byte secret was not redacted: %q", got)
	}
}

func TestRedactorLongestFirst(t *testing.T) {
	for _, order := range [][]fixtures.Secret{
		{fixtures.EnvSecret("SHORT", "abcdefgh"), fixtures.EnvSecret("LONG", "abcdefgh12345678")},
		{fixtures.EnvSecret("LONG", "abcdefgh12345678"), fixtures.EnvSecret("SHORT", "abcdefgh")},
	} {
		r := &Redactor{}
		for _, s := range order {
			r.Add(s) // one at a time: the order must not depend on the calls
		}
		if got, want := r.Redact("[abcdefgh12345678] [abcdefgh]"), "[$LONG] [$SHORT]"; got != want {
			t.Errorf("added %s then %s: got %q, want %q", order[0].Shell, order[1].Shell, got, want)
		}
	}
}

func TestRedactorAddIsIdempotent(t *testing.T) {
	r := &Redactor{}
	s := fixtures.EnvSecret("SEAM_API_KEY", "seam_abcdefghijkl")
	r.Add(s, s)
	r.Add(s)
	r.Add(fixtures.EnvSecret("OTHER_NAME", s.Value)) // the first name stays
	if n := len(r.starts[windowKey(s.Value)]); n != 1 {
		t.Fatalf("%d secrets registered, want 1", n)
	}
	if got := r.Redact("k=seam_abcdefghijkl"); got != "k=$SEAM_API_KEY" {
		t.Fatalf("got %q", got)
	}
}

func TestRedactorConcurrentUse(t *testing.T) {
	r := &Redactor{}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			r.Add(fixtures.EnvSecret(fmt.Sprintf("S%d", i), fmt.Sprintf("secret-value-%d", i)))
		}()
		go func() { defer wg.Done(); _ = r.Redact("secret-value-1") }()
	}
	wg.Wait()
	if got := r.Redact("secret-value-3"); got != "$S3" {
		t.Fatalf("got %q", got)
	}
}

// --- Quote ---

// A quoted word must expand back to exactly the raw text when the seed's
// variables are set, while showing only their names.
func TestQuoteExpandsBackToTheText(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skipf("no sh: %v", err)
	}
	key := fixtures.EnvSecret("SEAM_API_KEY", "seam_abc123xyz")
	r := &Redactor{}
	r.Add(key, bearerOf(fixtures.Truncated(key)), fixtures.BasicAuth(key), fixtures.Extended(key))
	endpoint := fixtures.Secret{Value: "https://example.test", Shell: "$SEAM_ENDPOINT"}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=/nonexistent-home", "SEAM_API_KEY=" + key.Value, "SEAM_ENDPOINT=" + endpoint.Value}
	for _, text := range []string{
		"plain text",
		"Bearer seam_abc123xyz",
		"Bearer seam_abc123xy",
		"echoed bare: seam_abc123xy!",
		"seam_abc123xyz0",
		fixtures.BasicAuth(key).Value,
		"https://example.test/user_identities/delete?user_identity_id=x",
		`{"$ne":null}`,
		"$HOME ${HOME} $PATH $1 $$ $",
		"$(id) and $(echo hi) $(SEAM_ y",
		`{"a":"$(id)","b":"$SEAM_API_KEY"}`,
		"`id` and `echo hi`",
		`say "hi" it's`,
		`back\slash \n \\ \"`,
		"two\nlines\ttab",
		"' OR '1'='1",
		"<script>alert(1)</script> ; rm -rf / & | > <",
		"unicode ７ а \u200b",
	} {
		quoted := r.Quote(text, endpoint)
		if strings.Contains(quoted, key.Value[:len(key.Value)-1]) {
			t.Errorf("Quote(%q) = %s shows the key", text, quoted)
		}
		cmd := exec.Command("sh", "-c", "printf %s "+quoted)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("Quote(%q) = %s: sh failed: %v", text, quoted, err)
			continue
		}
		if string(out) != text {
			t.Errorf("Quote(%q) = %s\n expands to %q", text, quoted, out)
		}
	}
}

func bearerOf(s fixtures.Secret) fixtures.Secret { return Bearer(s) }

// --- Register ---

func requirement(id string) Requirement {
	return Requirement{ID: id, Level: MUST, Statement: "A test MUST hold.", Area: "test", Operations: []string{"POST /x"}}
}

// register calls Register, returning the panic message if any, and removes
// whatever it added from the process-wide registry when the test ends.
func register(t *testing.T, r Requirement) (msg string) {
	t.Helper()
	_, existed := registry[r.ID]
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
		}
	}()
	Register(r)
	if !existed {
		t.Cleanup(func() { delete(registry, r.ID) })
	}
	return ""
}

func TestRegisterAcceptsAndLooksUp(t *testing.T) {
	r := requirement("TEST-X-01")
	if msg := register(t, r); msg != "" {
		t.Fatalf("valid requirement refused: %s", msg)
	}
	got, ok := Lookup("TEST-X-01")
	if !ok || got.Statement != r.Statement {
		t.Fatalf("Lookup = %+v, %v", got, ok)
	}
	if got, ok := RequirementOf([]string{"MUST", "test", "TEST-X-01", "conformance"}); !ok || got.ID != "TEST-X-01" {
		t.Fatalf("RequirementOf = %+v, %v", got, ok)
	}
	if _, ok := RequirementOf([]string{"MUST", "TEST-X-99"}); ok {
		t.Fatal("RequirementOf found an unregistered ID")
	}
	found := false
	for _, req := range Requirements() {
		found = found || req.ID == "TEST-X-01"
	}
	if !found {
		t.Fatal("Requirements() does not list TEST-X-01")
	}
}

func TestRequirementsSorted(t *testing.T) {
	for _, id := range []string{"TEST-X-03", "TEST-X-01", "TEST-X-02"} {
		if msg := register(t, requirement(id)); msg != "" {
			t.Fatal(msg)
		}
	}
	var ids []string
	for _, r := range Requirements() {
		if strings.HasPrefix(r.ID, "TEST-X-") {
			ids = append(ids, r.ID)
		}
	}
	if strings.Join(ids, ",") != "TEST-X-01,TEST-X-02,TEST-X-03" {
		t.Fatalf("Requirements() order: %v", ids)
	}
}

func TestRegisterPanics(t *testing.T) {
	with := func(id string, f func(*Requirement)) Requirement {
		r := requirement(id)
		f(&r)
		return r
	}
	for _, tc := range []struct {
		name string
		r    Requirement
		want string
	}{
		{"lower-case ID", requirement("test-x-01"), "does not look like"},
		{"one-word ID", requirement("TEST-01"), "does not look like"},
		{"one-digit number", requirement("TEST-X-1"), "does not look like"},
		{"three-digit number", requirement("TEST-X-001"), "does not look like"},
		{"underscores", requirement("TEST_X_01"), "does not look like"},
		{"empty ID", requirement(""), "does not look like"},
		{"trailing text", requirement("TEST-X-01 "), "does not look like"},
		{"level MAY", with("TEST-X-02", func(r *Requirement) { r.Level = "MAY"; r.Statement = "A test MAY hold." }), "neither MUST nor SHOULD"},
		{"lower-case level", with("TEST-X-03", func(r *Requirement) { r.Level = "must" }), "neither MUST nor SHOULD"},
		{"MUST statement without MUST", with("TEST-X-04", func(r *Requirement) { r.Statement = "A test must hold." }), "level word MUST"},
		{"SHOULD statement saying MUST", with("TEST-X-05", func(r *Requirement) { r.Level = SHOULD }), "level word SHOULD"},
		{"multi-line statement", with("TEST-X-06", func(r *Requirement) { r.Statement = "A test MUST hold.\nReally." }), "one line"},
		{"no area", with("TEST-X-07", func(r *Requirement) { r.Area = "" }), "needs an area"},
		{"no operations", with("TEST-X-08", func(r *Requirement) { r.Operations = nil }), "needs an area"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := register(t, tc.r)
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("Register(%+v): panic %q, want one containing %q", tc.r, msg, tc.want)
			}
			if _, ok := registry[tc.r.ID]; ok {
				t.Fatalf("refused requirement %q is in the registry", tc.r.ID)
			}
		})
	}
}

func TestRegisterRefusesDuplicate(t *testing.T) {
	if msg := register(t, requirement("TEST-X-10")); msg != "" {
		t.Fatal(msg)
	}
	second := requirement("TEST-X-10")
	second.Statement = "Another test MUST hold."
	if msg := register(t, second); !strings.Contains(msg, "registered twice") {
		t.Fatalf("duplicate: panic %q", msg)
	}
	if got, _ := Lookup("TEST-X-10"); got.Statement != "A test MUST hold." {
		t.Fatalf("duplicate replaced the first registration: %+v", got)
	}
}

func TestRequirementTextAndLabels(t *testing.T) {
	r := Requirement{ID: "TEST-X-20", Level: SHOULD, Statement: "A test SHOULD hold.", Area: "test"}
	if got := r.text(); got != "TEST-X-20 [SHOULD] A test SHOULD hold." {
		t.Fatalf("text() = %q", got)
	}
	if got := strings.Join(r.labels(), ","); got != "TEST-X-20,SHOULD,test,conformance" {
		t.Fatalf("labels() = %q", got)
	}
}

// --- Env ---

const testKey = "seam_abcdefghijkl"

func newTestEnv(t testing.TB, seed fixtures.Seed) *Env {
	t.Helper()
	c, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tg := target.NewMock(http.NotFoundHandler(), time.Second)
	t.Cleanup(tg.Close)
	return NewEnv(tg, c, seed, "run")
}

func TestNewEnvRegistersSeedSecrets(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	e := newTestEnv(t, fixtures.Seed{
		APIKey:              testKey,
		PersonalAccessToken: "seam_at_personal_token",
		ConsoleSessionToken: jwt,
		WorkspaceID:         "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3",
	})
	for in, want := range map[string]string{
		"k=" + testKey:                           "k=$SEAM_API_KEY",
		"p=seam_at_personal_token":               "p=$SEAM_PERSONAL_ACCESS_TOKEN",
		"t=" + jwt:                               "t=$SEAM_CONSOLE_SESSION_TOKEN",
		"s=c2lnbmF0dXJlLXNpZ25hdHVyZQ":           "s=${SEAM_CONSOLE_SESSION_TOKEN##*.}",
		"w=7ad2566e-6fd8-466d-b8e4-c10a14a74fd3": "w=7ad2566e-6fd8-466d-b8e4-c10a14a74fd3", // not a secret
	} {
		if got := e.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	// Every scheme whose token the seed holds, in the table's order.
	if got := strings.Join(e.AvailableSchemes(), ","); got != "api_key,pat_with_workspace,console_session_with_workspace,console_session_without_workspace,pat_without_workspace" {
		t.Errorf("AvailableSchemes() = %s", got)
	}
	e.Learn(fixtures.Seed{PublishableKey: "seam_pk_publishable", WorkspaceID: "other"})
	if e.Seed.WorkspaceID != "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3" || e.Seed.PublishableKey != "seam_pk_publishable" {
		t.Errorf("Learn: seed = %+v", e.Seed)
	}
	if got := e.Redact("seam_pk_publishable"); got != "$SEAM_PUBLISHABLE_KEY" {
		t.Errorf("a learned secret is not redacted: %q", got)
	}
}

func TestEnvUncovered(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey, PersonalAccessToken: "seam_at_personal_token"})
	// A PAT without a workspace ID serves pat_without_workspace only.
	if got := strings.Join(e.AvailableSchemes(), ","); got != "api_key,pat_without_workspace" {
		t.Errorf("AvailableSchemes() = %q", got)
	}
	u := e.Uncovered()
	if len(u) != len(spec.Schemes())-2 || u[SchemePAT] != "SEAM_WORKSPACE_ID or --workspace-id not set" || u[SchemeConsoleSession] != "SEAM_CONSOLE_SESSION_TOKEN or --console-session-token not set" ||
		u["publishable_key"] != "SEAM_PUBLISHABLE_KEY or --publishable-key not set" {
		t.Errorf("Uncovered() = %v", u)
	}
}

// --- matchers ---

// exchange builds an answered delete request presenting the test key.
func exchange(e *Env, status int, contentType, body string) *Exchange {
	reqBody := `{"user_identity_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}`
	req, err := http.NewRequest(http.MethodPost, target.MockEndpoint+spec.DeleteIdentity.Path, strings.NewReader(reqBody))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	x := &Exchange{Operation: spec.DeleteIdentity, Request: req, RequestBody: []byte(reqBody), Status: status, Header: h, Body: []byte(body), env: e}
	x.Contract = e.Contract.CheckResponse(x.Operation, req, x.RequestBody, status, h, x.Body)
	return x
}

func withHeader(x *Exchange, k, v string) *Exchange { x.Header.Set(k, v); return x }

func matchOrFatal(t *testing.T, m types.GomegaMatcher, x *Exchange) bool {
	t.Helper()
	ok, err := m.Match(x)
	if err != nil {
		t.Fatalf("Match: %v", err)
	}
	return ok
}

const seamError = `{"error":{"type":"invalid_input","message":"user_identity_id: Invalid uuid","validation_errors":{"_errors":[],"user_identity_id":{"_errors":["Invalid uuid"]}}},"ok":false}`

func TestMatchers(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	const jsonType = "application/json"
	okBody := `{"ok":true}`
	type matcherCase struct {
		name    string
		matcher types.GomegaMatcher
		x       *Exchange
		pass    bool
		// expected and got are what the failure message must say.
		expected, got string
	}
	cases := []matcherCase{
		{"HaveStatus 200", HaveStatus(200), exchange(e, 200, jsonType, okBody), true, "status 200 OK", "status 200 OK"},
		{"HaveStatus one of", HaveStatus(400, 401), exchange(e, 401, jsonType, seamError), true, "status 400 Bad Request or 401 Unauthorized", "status 401 Unauthorized"},
		{"HaveStatus wrong", HaveStatus(401), exchange(e, 404, jsonType, seamError), false, "status 401 Unauthorized", "status 404 Not Found"},

		{"BeSuccessful 200", BeSuccessful(), exchange(e, 200, jsonType, okBody), true, "a 2xx status", "status 200 OK"},
		{"BeSuccessful 204", BeSuccessful(), exchange(e, 204, "", ""), true, "a 2xx status", "status 204 No Content"},
		{"BeSuccessful 302", BeSuccessful(), exchange(e, 302, "", ""), false, "a 2xx status", "status 302 Found"},
		{"BeSuccessful 400", BeSuccessful(), exchange(e, 400, jsonType, seamError), false, "a 2xx status", "status 400 Bad Request"},
		{"BeSuccessful 199", BeSuccessful(), exchange(e, 199, "", ""), false, "a 2xx status", "status 199"},

		{"JSON content type", HaveJSONContentType(), exchange(e, 200, jsonType, okBody), true, "Content-Type application/json", `Content-Type "application/json"`},
		{"JSON content type with charset", HaveJSONContentType(), exchange(e, 200, "Application/JSON; charset=utf-8", okBody), true, "Content-Type application/json", `Content-Type "Application/JSON; charset=utf-8"`},
		{"text/plain", HaveJSONContentType(), exchange(e, 200, "text/plain; charset=utf-8", okBody), false, "Content-Type application/json", `Content-Type "text/plain; charset=utf-8"`},
		{"no content type", HaveJSONContentType(), exchange(e, 200, "", okBody), false, "Content-Type application/json", `Content-Type ""`},
		{"JSON-ish type", HaveJSONContentType(), exchange(e, 200, "application/json-patch+json", okBody), false, "Content-Type application/json", `Content-Type "application/json-patch+json"`},

		{"Seam error", BeSeamError(), exchange(e, 400, jsonType, seamError), true, "Seam's error envelope", "the envelope"},
		{"Seam error as text", BeSeamError(), exchange(e, 400, "text/plain", seamError), false, "Seam's error envelope", `Content-Type "text/plain"`},
		{"Seam error not an object", BeSeamError(), exchange(e, 400, jsonType, `["error"]`), false, "Seam's error envelope", "not a JSON object"},
		{"Seam error not JSON", BeSeamError(), exchange(e, 400, jsonType, `Bad Request`), false, "Seam's error envelope", "not a JSON object"},
		{"Seam error no error", BeSeamError(), exchange(e, 400, jsonType, `{"ok":false}`), false, "Seam's error envelope", "no error object"},
		{"Seam error no message", BeSeamError(), exchange(e, 400, jsonType, `{"error":{"type":"x"},"ok":false}`), false, "Seam's error envelope", "without a string type and message"},
		{"Seam error numeric type", BeSeamError(), exchange(e, 400, jsonType, `{"error":{"type":4,"message":"m"},"ok":false}`), false, "Seam's error envelope", "without a string type and message"},
		{"Seam error ok true", BeSeamError(), exchange(e, 400, jsonType, `{"error":{"type":"x","message":"m"},"ok":true}`), false, "Seam's error envelope", "ok = true"},
		{"Seam error no ok", BeSeamError(), exchange(e, 400, jsonType, `{"error":{"type":"x","message":"m"}}`), false, "Seam's error envelope", "ok = <nil>"},
		{"Seam error ok string", BeSeamError(), exchange(e, 400, jsonType, `{"error":{"type":"x","message":"m"},"ok":"false"}`), false, "Seam's error envelope", `ok = "false"`},

		{"NameField in validation_errors", NameField("user_identity_id"), exchange(e, 400, jsonType, seamError), true, "an error naming user_identity_id", "validation_errors.user_identity_id"},
		{"NameField in message", NameField("user_identity_id"), exchange(e, 400, jsonType, `{"error":{"type":"x","message":"user_identity_id is bad"},"ok":false}`), true, "an error naming user_identity_id", "a message naming it"},
		{"NameField absent", NameField("user_identity_id"), exchange(e, 400, jsonType, `{"error":{"type":"x","message":"Invalid input","validation_errors":{"_errors":["bad"]}},"ok":false}`), false, "an error naming user_identity_id", "does not name user_identity_id"},
		{"NameField null entry", NameField("user_identity_id"), exchange(e, 400, jsonType, `{"error":{"type":"x","message":"Invalid","validation_errors":{"user_identity_id":null}},"ok":false}`), false, "an error naming user_identity_id", "does not name user_identity_id"},
		{"NameField other field", NameField("user_identity_id"), exchange(e, 400, jsonType, `{"error":{"type":"x","message":"user_identity_key: Required","validation_errors":{"user_identity_key":{}}},"ok":false}`), false, "an error naming user_identity_id", "does not name user_identity_id"},

		{"HaveField", HaveField("error.type", "invalid_input"), exchange(e, 400, jsonType, seamError), true, `error.type = "invalid_input"`, `error.type = "invalid_input"`},
		{"HaveField bool", HaveField("ok", true), exchange(e, 200, jsonType, okBody), true, "ok = true", "ok = true"},
		{"HaveField other value", HaveField("error.type", "unauthorized"), exchange(e, 400, jsonType, seamError), false, `error.type = "unauthorized"`, `error.type = "invalid_input"`},
		{"HaveField missing", HaveField("error.code", "x"), exchange(e, 400, jsonType, seamError), false, `error.code = "x"`, "no error.code in the body"},
		{"HaveField through a non-object", HaveField("ok.value", true), exchange(e, 200, jsonType, okBody), false, "ok.value = true", "no ok.value in the body"},
		{"HaveField not JSON", HaveField("ok", true), exchange(e, 200, "text/plain", "ok"), false, "ok = true", "no ok in the body"},
		{"HaveErrorType", HaveErrorType("invalid_input"), exchange(e, 400, jsonType, seamError), true, `error.type = "invalid_input"`, `error.type = "invalid_input"`},

		{"HaveHeader", HaveHeader("seam-request-id"), withHeader(exchange(e, 200, jsonType, okBody), "seam-request-id", "r1"), true, "a non-empty seam-request-id header", `seam-request-id: "r1"`},
		{"HaveHeader absent", HaveHeader("seam-request-id"), exchange(e, 200, jsonType, okBody), false, "a non-empty seam-request-id header", `seam-request-id: ""`},

		{"NotEcho clean", NotEcho(testKey, "$SEAM_API_KEY"), exchange(e, 401, jsonType, `{"error":{"type":"unauthorized","message":"Unauthorized"},"ok":false}`), true, "does not repeat the credential $SEAM_API_KEY", "no credential"},
		{"NotEcho in body", NotEcho(testKey, "$SEAM_API_KEY"), exchange(e, 401, jsonType, `{"error":{"type":"unauthorized","message":"invalid token `+testKey+`"},"ok":false}`), false, "does not repeat the credential $SEAM_API_KEY", "the credential in the body"},
		{"NotEcho in header", NotEcho(testKey, "$SEAM_API_KEY"), withHeader(exchange(e, 401, jsonType, seamError), "X-Debug-Token", "Bearer "+testKey), false, "does not repeat the credential $SEAM_API_KEY", "the credential in header X-Debug-Token"},

		{"ConformToContract", ConformToContract(), exchange(e, 200, jsonType, okBody), true, "an answer the contract documents", "a conforming answer"},
		{"ConformToContract ok string", ConformToContract(), exchange(e, 200, jsonType, `{"ok":"true"}`), false, "an answer the contract documents", "response body doesn't match schema"},
		{"ConformToContract undocumented", ConformToContract(), exchange(e, 500, jsonType, `{}`), false, "an answer the contract documents", "status 500 is not documented for POST /user_identities/delete"},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := matchOrFatal(t, tc.matcher, tc.x); got != tc.pass {
				t.Fatalf("Match = %v, want %v (body %s)", got, tc.pass, tc.x.Body)
			}
			// A passing matcher is reported by its negation (Not(...)).
			msg, prefix := tc.matcher.FailureMessage(tc.x), "expected: "
			if tc.pass {
				msg, prefix = tc.matcher.NegatedFailureMessage(tc.x), "expected: not "
			}
			if first, _, _ := strings.Cut(msg, "\n"); !strings.HasPrefix(first, prefix) || !strings.Contains(first, tc.expected) {
				t.Errorf("first line %q does not start with %q and name %q", first, prefix, tc.expected)
			}
			lines := strings.SplitN(msg, "\n", 3)
			if len(lines) < 2 || !strings.HasPrefix(lines[1], "got:      ") || !strings.Contains(lines[1], tc.got) {
				t.Errorf("second line does not say got %q:\n%s", tc.got, msg)
			}
			if strings.Contains(msg, testKey) {
				t.Errorf("message shows the raw API key:\n%s", msg)
			}
			if !strings.Contains(msg, "Authorization: Bearer $SEAM_API_KEY") {
				t.Errorf("message does not show the redacted credential:\n%s", msg)
			}
			if !strings.Contains(msg, `reproduce: curl -sS -i -X POST "$SEAM_ENDPOINT/user_identities/delete" `) {
				t.Errorf("message has no reproducing curl command:\n%s", msg)
			}
		})
	}
}

func TestMatchersFailWithoutAnAnswer(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	x := exchange(e, 0, "", "")
	x.Contract = nil
	x.Header = nil
	x.Err = errors.New("dial tcp: lookup failed for token " + testKey)
	for name, m := range map[string]types.GomegaMatcher{
		"HaveStatus":          HaveStatus(0),
		"BeSuccessful":        BeSuccessful(),
		"HaveJSONContentType": HaveJSONContentType(),
		"BeSeamError":         BeSeamError(),
		"NameField":           NameField("user_identity_id"),
		"NotLeakInternals":    NotLeakInternals(),
		"NotEcho":             NotEcho(testKey, "$SEAM_API_KEY"),
		"HaveField":           HaveField("ok", true),
		"ConformToContract":   ConformToContract(),
	} {
		// An error fails the assertion whether or not it is negated.
		ok, err := m.Match(x)
		if ok || err == nil {
			t.Errorf("%s: Match = %v, %v on an exchange that got no answer; want an error", name, ok, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "got:      no answer came: dial tcp: lookup failed for token $SEAM_API_KEY") {
			t.Errorf("%s: message does not say no answer came:\n%s", name, msg)
		}
		if strings.Contains(msg, testKey) {
			t.Errorf("%s: message shows the raw API key:\n%s", name, msg)
		}
	}
}

func TestMatcherRejectsOtherTypes(t *testing.T) {
	if ok, err := HaveStatus(200).Match(200); ok || err == nil {
		t.Fatalf("Match(200) = %v, %v; want an error", ok, err)
	}
}

func TestNotLeakInternals(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	for name, body := range map[string]string{
		"Go panic":       "panic: runtime error: invalid memory address\n\ngoroutine 1 [running]:\nmain.handler(...)\n\t/app/handler.go:42 +0x1d",
		"Go file line":   `{"error":{"type":"internal","message":"handler.go:42: nil map"},"ok":false}`,
		"Node":           "TypeError: Cannot read properties of undefined (reading 'id')\n    at Object.<anonymous> (/app/index.js:10:5)\n    at Module._compile (node:internal/modules/cjs/loader:1256:14)",
		"Node module":    `{"message":"Error in /srv/app/node_modules/zod/lib/types.js"}`,
		"Python":         "Traceback (most recent call last):\n  File \"/app/main.py\", line 12, in handler\n    uuid.UUID(value)\nValueError: badly formed hexadecimal UUID string",
		"Java":           "java.lang.IllegalArgumentException: Invalid UUID string: abc\n\tat java.base/java.util.UUID.fromString(UUID.java:194)\n\tat com.example.Handler.delete(Handler.java:42)",
		"Java one line":  `{"trace":"at com.example.Handler.delete(Handler.java:42)"}`,
		"Ruby":           "/app/controllers/identities_controller.rb:12:in `destroy'",
		"Go trace in JS": `{"error":{"type":"internal_error","message":"boom\ngoroutine 7 [running]:"},"ok":false}`,
		// Regressions: traces inside JSON strings, newlines escaped.
		"Node stack in JSON":   `{"error":{"stack":"TypeError: x\n    at Object.<anonymous> (/app/index.js:10:5)"}}`,
		"Python frame in JSON": `{"detail":"  File \"/app/views.py\", line 88, in delete"}`,
	} {
		x := exchange(e, 500, "text/plain", body)
		if matchOrFatal(t, NotLeakInternals(), x) {
			t.Errorf("%s: trace not caught in body %q", name, body)
		}
		if msg := NotLeakInternals().FailureMessage(x); !strings.Contains(msg, "a stack trace") {
			t.Errorf("%s: message does not name the trace:\n%s", name, msg)
		}
	}
	// In a header too.
	x := withHeader(exchange(e, 500, "application/json", `{}`), "X-Error", "main.go:17")
	if matchOrFatal(t, NotLeakInternals(), x) {
		t.Error("a trace in a header was not caught")
	}

	for name, body := range map[string]string{
		"Seam error":          seamError,
		"not found":           `{"error":{"type":"user_identity_not_found","message":"no such user identity in the workspace","request_id":"0b7e4c2e-6a44-4d0c-9d3f-0e4b5d6a7c8e"},"ok":false}`,
		"success":             `{"ok":true}`,
		"empty":               ``,
		"plain text":          "Bad Request",
		"at in prose":         `{"error":{"type":"x","message":"look at the docs (https://docs.seam.co)"},"ok":false}`,
		"go word":             `{"error":{"type":"x","message":"go to the console: no file here"},"ok":false}`,
		"number after colon":  `{"error":{"type":"rate_limited","message":"retry at 12:30"},"ok":false}`,
		"unicode and escapes": `{"error":{"type":"x","message":"\u00e9t\u00e9 \n\t"},"ok":false}`,
	} {
		if x := exchange(e, 400, "application/json", body); !matchOrFatal(t, NotLeakInternals(), x) {
			t.Errorf("%s: flagged %q as a stack trace", name, body)
		}
	}
}

// --- Exchange and Evidence ---

func TestExchangeField(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	x := exchange(e, 400, "application/json", seamError)
	if v, ok := x.Field("error.validation_errors.user_identity_id._errors"); !ok || fmt.Sprint(v) != "[Invalid uuid]" {
		t.Errorf("Field = %v, %v", v, ok)
	}
	if _, ok := x.Field("error.type.more"); ok {
		t.Error("Field went through a string")
	}
	if _, ok := exchange(e, 400, "application/json", "[1]").Field("ok"); ok {
		t.Error("Field found a key in an array")
	}
	if _, ok := exchange(e, 400, "application/json", "{").JSON(); ok {
		t.Error("JSON accepted a malformed body")
	}
}

func TestEvidenceIsRedacted(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	x := exchange(e, 401, "application/json", `{"error":{"type":"unauthorized","message":"bad key `+testKey+`"},"ok":false}`)
	x.Header.Set("X-Echo", testKey)
	x.Truncated = true
	ev := x.Evidence()
	text := ev.String()
	if strings.Contains(text, testKey) || strings.Contains(fmt.Sprintf("%+v", ev), testKey) {
		t.Fatalf("evidence shows the raw key:\n%s", text)
	}
	for _, want := range []string{
		"sent:     POST https://mock.seamconform.invalid/user_identities/delete",
		"Authorization: Bearer $SEAM_API_KEY",
		"received: 401 Unauthorized",
		"X-Echo: $SEAM_API_KEY",
		"bad key $SEAM_API_KEY",
		"the rest was not read",
		`-H "Authorization: Bearer $SEAM_API_KEY"`,
		`--data-binary "{\"user_identity_id\":\"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3\"}"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("evidence lacks %q:\n%s", want, text)
		}
	}
	if ev.Contract != "conforms" || ev.Status != 401 {
		t.Errorf("evidence contract %q status %d", ev.Contract, ev.Status)
	}

	long := exchange(e, 200, "application/json", `{"ok":true,"pad":"`+strings.Repeat("a", 3*shownBody)+`"}`)
	if got := long.Evidence().ResponseBody; len(got) > shownBody+64 || !strings.Contains(got, "bytes in all]") {
		t.Errorf("a long body is shown whole (%d bytes)", len(got))
	}
}

// dealt is the first n owners of a deal over shares.
func dealt(shares []int, n int) []int {
	p := &part{shares: shares, current: make([]int, len(shares))}
	p.owner(n - 1)
	return p.owners[:n]
}

// Operations are dealt out in proportion to each process's share, spread
// over the whole listing, the same way in every process.
func TestDealtFollowsTheShares(t *testing.T) {
	owners := dealt([]int{500, 1000, 1000, 0}, 500)
	count := map[int]int{}
	for i, o := range owners {
		count[o]++
		if i >= 5 && !slices.Contains(owners[i-5:i], 1) && o != 1 {
			t.Fatalf("process 1 got nothing among operations %d to %d: %v", i-5, i, owners[i-5:i+1])
		}
	}
	if count[1] != 100 || count[2] != 200 || count[3] != 200 || count[4] != 0 {
		t.Fatalf("dealt %v, want 100, 200, 200 and none", count)
	}
	if !slices.Equal(owners, dealt([]int{500, 1000, 1000, 0}, 500)) {
		t.Fatal("dealt differently the second time")
	}
	if o := dealt([]int{0, 0}, 3); !slices.Equal(o, []int{0, 0, 0}) {
		t.Fatalf("no shares: %v", o)
	}
}

// An exchange's report entry says what its Evidence says, worked out when
// asked for; a large exchange is worked out at once and let go, so memory
// does not grow with the size of answers.
func TestLazyEvidenceSaysWhatEvidenceSays(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	for name, x := range map[string]*Exchange{
		"documented":   exchange(e, 200, "application/json", `{"ok":true}`),
		"undocumented": exchange(e, 418, "application/json", `{"ok":false}`),
		"echoes a key": withHeader(exchange(e, 401, "application/json", `{"error":{"type":"unauthorized","message":"`+testKey+`"},"ok":false}`), "X-Echo", testKey),
		"large":        exchange(e, 200, "application/json", `{"ok":true,"pad":"`+strings.Repeat("a", 3*shownBody)+`"}`),
	} {
		want := x.Evidence()
		lazy := x.lazyEvidence()
		if large := !x.small(); (lazy.x == nil) != large {
			t.Errorf("%s: worked out at once: %v, want %v", name, lazy.x == nil, large)
		}
		what, undocumented := lazy.Undocumented()
		if undocumented != want.UndocumentedStatus || undocumented && what != fmt.Sprintf("%d from %s", want.Status, want.Operation) {
			t.Errorf("%s: Undocumented() = %q, %v; the evidence says %v", name, what, undocumented, want.UndocumentedStatus)
		}
		got, err := json.Marshal(lazy)
		wantJSON, _ := json.Marshal(want)
		if err != nil || string(got) != string(wantJSON) || lazy.String() != want.String() {
			t.Errorf("%s: the entry says\n%s\nits evidence\n%s", name, got, wantJSON)
		}
		if strings.Contains(string(got), testKey) {
			t.Errorf("%s: the entry shows the raw key", name)
		}
		if again, _ := lazy.Undocumented(); again != what {
			t.Errorf("%s: once worked out, Undocumented() = %q, was %q", name, again, what)
		}
	}
}

// What may remain is named whole, however much it is: whoever cleans up
// needs every ID, and the run's key prefix finds them with a list too.
func TestDescribeLeftBehindNamesEveryOne(t *testing.T) {
	var ids, keys []string
	for i := range 25 {
		ids = append(ids, fmt.Sprintf("id-%02d", i))
		keys = append(keys, fmt.Sprintf("seamconform-run1-%d", i))
	}
	lines := describeLeftBehind(ids, keys, "run1")
	text := strings.Join(lines, "\n")
	for _, v := range append(ids, keys...) {
		if !strings.Contains(text, v) {
			t.Errorf("%s is not named in:\n%s", v, text)
		}
	}
	if len(lines) != 2 || !strings.Contains(lines[0], "their user_identity_key starts seamconform-run1-") {
		t.Errorf("want a line for the IDs with the key prefix and one for the keys, got:\n%s", text)
	}
}
