package spec_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"compress/gzip"

	"github.com/seamconform/seamconform/spec"
)

const published = "../../shared/spec/seam-connect.openapi.json"

// The embedded contract must be exactly what `make spec` prepares from the
// published document beside the repository, and --spec with that document
// must keep every operation.
func TestEmbeddedIsPreparedFromPublished(t *testing.T) {
	doc, err := os.ReadFile(published)
	if os.IsNotExist(err) {
		t.Skipf("%s is not beside this clone", published)
	}
	if err != nil {
		t.Fatal(err)
	}
	prepared, err := spec.Prepare(doc)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(prepared))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, spec.EmbeddedDocument()) {
		t.Fatal("spec/seam-connect.openapi.json.gz differs from what `make spec` prepares from the published document: run `make spec`")
	}
	full, err := spec.LoadFile(published)
	if err != nil {
		t.Fatalf("--spec with the published document: %v", err)
	}
	if got, want := len(full.Operations()), len(contract(t).Operations()); got != want || got != 522 {
		t.Errorf("operations: published %d, embedded %d, want 522 in both", got, want)
	}
	if full.Hash() != contract(t).Hash() {
		t.Errorf("hash: published %s, embedded %s: both must name Seam's document", full.Hash(), contract(t).Hash())
	}
}

// The embedded document is not validated at start-up (it costs more than
// loading it); this test is what allows that.
func TestEmbeddedIsValidOpenAPI(t *testing.T) {
	path := t.TempDir() + "/embedded.json"
	if err := os.WriteFile(path, spec.EmbeddedDocument(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := spec.LoadFile(path); err != nil {
		t.Fatal(err)
	}
}

func TestPrepareStripsProseButKeepsResponseDescriptions(t *testing.T) {
	in := `{"openapi":"3.0.0","info":{"title":"t","version":"1","description":"d"},"paths":{"/a":{"post":{"description":"op","x-fern-sdk-method-name":"a","responses":{"200":{"description":"OK","content":{"application/json":{"schema":{"type":"object","description":"s","properties":{"description":{"type":"string","description":"p"}}}}}}}}}}}`
	out, err := spec.Prepare([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	zr, _ := gzip.NewReader(bytes.NewReader(out))
	plain, _ := io.ReadAll(zr)
	text := string(plain)
	for _, gone := range []string{`"op"`, `"s"`, `"p"`, `"d"`, "x-fern"} {
		if strings.Contains(text, gone) {
			t.Errorf("%s kept: %s", gone, text)
		}
	}
	for _, kept := range []string{`"OK"`, `"properties":{"description":{"type":"string"}}`, spec.SourceHashKey} {
		if !strings.Contains(text, kept) {
			t.Errorf("%s lost: %s", kept, text)
		}
	}
	for name, doc := range map[string]string{"not JSON": `openapi: 3.0.0`, "no paths": `{"openapi":"3.0.0"}`} {
		if _, err := spec.Prepare([]byte(doc)); err == nil {
			t.Errorf("%s: prepared without error", name)
		}
	}
}

func TestLoadFileRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"not JSON":      `{`,
		"no operations": `{"openapi":"3.0.0","info":{"title":"x","version":"1"},"paths":{}}`,
		"invalid":       `{"openapi":"3.0.0","info":{"title":"x","version":"1"},"paths":{"/a":{"post":{"responses":{"200":{"description":"OK","content":{"application/json":{"schema":{"type":"nope"}}}}}}}}}`,
	} {
		path := t.TempDir() + "/spec.json"
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := spec.LoadFile(path); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestDescribe(t *testing.T) {
	c := contract(t)
	ops := c.Operations()
	if len(ops) != 522 {
		t.Fatalf("operations: got %d, want the document's 522", len(ops))
	}
	if !slices.IsSortedFunc(ops, func(a, b spec.Described) int {
		return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
	}) {
		t.Error("operations are not sorted by path then method")
	}
	for _, tc := range []struct {
		op      spec.Operation
		id      string
		schemes []string
		uuids   []spec.Input
		body    bool
	}{
		{spec.DeleteIdentity, "userIdentitiesDeletePost", []string{"api_key", "pat_with_workspace", "console_session_with_workspace"},
			[]spec.Input{{Name: "user_identity_id", In: spec.InBody, Required: true}}, true},
		{spec.DeleteIdentityByQuery, "userIdentitiesDeleteDelete", []string{"api_key", "pat_with_workspace", "console_session_with_workspace"},
			[]spec.Input{{Name: "user_identity_id", In: spec.InQuery, Required: true}}, false},
		// oneOf: the ID or the key, so the ID is not required.
		{spec.GetIdentity, "userIdentitiesGetPost", nil,
			[]spec.Input{{Name: "user_identity_id", In: spec.InBody}}, true},
	} {
		d, ok := c.Describe(tc.op)
		if !ok {
			t.Fatalf("%s not described", tc.op)
		}
		if d.ID != tc.id || d.Body != tc.body || !slices.Equal(d.UUIDs, tc.uuids) || (tc.schemes != nil && !slices.Equal(d.Schemes, tc.schemes)) {
			t.Errorf("%s: got %+v", tc.op, d)
		}
	}
	get, _ := c.Describe(spec.GetIdentity)
	if len(get.Schemes) != 6 || !get.Accepts("client_session_with_customer") {
		t.Errorf("/user_identities/get accepts six schemes, customer client sessions among them: %v", get.Schemes)
	}
	if d, _ := c.Describe(spec.Operation{Method: "POST", Path: "/acs/users/list"}); !slices.ContainsFunc(d.UUIDs, func(in spec.Input) bool { return in.Name == "acs_system_id" && !in.Required }) {
		t.Errorf("/acs/users/list: optional acs_system_id missing: %+v", d.UUIDs)
	}
	if _, ok := c.Describe(spec.Operation{Method: "GET", Path: "/user_identities/delete"}); ok {
		t.Error("described an operation the document does not define")
	}
	var uuidOps int
	for _, d := range ops {
		if len(d.UUIDs) > 0 {
			uuidOps++
		}
	}
	if uuidOps < 370 {
		t.Errorf("operations with a UUID input: got %d, want over 370", uuidOps)
	}
}

// Every scheme an operation accepts has a row in the table, and every row
// is accepted by some operation: the table is the document's, not a guess.
func TestSchemeTableCoversTheDocument(t *testing.T) {
	used := map[string]bool{}
	for _, d := range contract(t).Operations() {
		for _, s := range d.Schemes {
			used[s] = true
			if _, ok := spec.SchemeNamed(s); !ok {
				t.Errorf("%s accepts %s, which has no row", d.Operation, s)
			}
		}
	}
	rows := spec.Schemes()
	if len(rows) != 13 || len(used) != 13 {
		t.Errorf("schemes: %d rows, %d in use, want 13", len(rows), len(used))
	}
	for _, s := range rows {
		if !used[s.Name] {
			t.Errorf("row %s is accepted by no operation", s.Name)
		}
		if s.Kind == "" || s.Env == "" || s.Flag == "" || (s.Prefix == "") != s.JWT {
			t.Errorf("row %s incomplete: %+v", s.Name, s)
		}
		if strings.HasSuffix(s.Name, "_with_workspace") != (s.Companion == spec.WorkspaceHeader) {
			t.Errorf("row %s: companion %q", s.Name, s.Companion)
		}
		token := validToken(s)
		for _, other := range rows {
			if got := other.Shaped(token); got != (other.Prefix == s.Prefix && other.JWT == s.JWT) {
				t.Errorf("%s token %s: shaped like %s: %v", s.Name, token, other.Name, got)
			}
		}
	}
}

func validToken(s spec.Scheme) string {
	if s.JWT {
		return "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"
	}
	return s.Prefix + "Valid1"
}

// authorize sets the headers of a valid-looking credential of scheme.
func authorize(req *http.Request, scheme string) {
	s, _ := spec.SchemeNamed(scheme)
	if s.Bearer() {
		req.Header.Set("Authorization", "Bearer "+validToken(s))
	} else {
		req.Header.Set(s.Header, validToken(s))
	}
	if s.Companion != "" {
		req.Header.Set(s.Companion, someUUID)
	}
}

// minimalRequest builds op's minimal request under a credential of each
// accepted scheme in turn (the first when all is false).
func minimalRequest(t testing.TB, c *spec.Contract, d spec.Described, scheme string) (*http.Request, []byte) {
	body, query := c.MinimalRequest(d.Operation)
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(d.Method, "https://example.invalid"+d.Path+"?"+query.Encode(), bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if scheme != "" {
		authorize(req, scheme)
	}
	return req, raw
}

// Every operation's minimal request satisfies the contract under every
// scheme it accepts, and its required UUID inputs carry fresh UUIDs.
func TestEveryMinimalRequestConforms(t *testing.T) {
	c := contract(t)
	for _, d := range c.Operations() {
		schemes := d.Schemes
		if len(schemes) == 0 {
			schemes = []string{""}
		}
		for _, scheme := range schemes {
			req, raw := minimalRequest(t, c, d, scheme)
			if vs := c.CheckRequest(d.Operation, req, raw); len(vs) > 0 {
				t.Errorf("%s as %s: %s: %v", d.Operation, scheme, raw, vs)
			}
		}
		body, query := c.MinimalRequest(d.Operation)
		for _, in := range d.UUIDs {
			if !in.Required || in.Array {
				continue
			}
			v := query.Get(in.Name)
			if in.In == spec.InBody {
				v = fmt.Sprint(body[in.Name])
			}
			if !spec.UUIDPattern.MatchString(v) {
				t.Errorf("%s: required %s is %q", d.Operation, in.Name, v)
			}
		}
	}
}

// Every operation's example answer is one its contract accepts, the same
// each time.
func TestEveryExampleConforms(t *testing.T) {
	c := contract(t)
	jsonType := http.Header{"Content-Type": {"application/json"}}
	for _, d := range c.Operations() {
		scheme := ""
		if len(d.Schemes) > 0 {
			scheme = d.Schemes[0]
		}
		req, raw := minimalRequest(t, c, d, scheme)
		example := c.Example(d.Operation, http.StatusOK)
		if example == nil { // /workspaces/update: its 200 has no documented body
			if err := c.CheckResponse(d.Operation, req, raw, http.StatusOK, jsonType, []byte(`{"ok":true}`)); err != nil {
				t.Errorf("%s: no example, yet the 200 has a schema: %v", d.Operation, err)
			}
			continue
		}
		answer, err := json.Marshal(example)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.CheckResponse(d.Operation, req, raw, http.StatusOK, jsonType, answer); err != nil {
			t.Errorf("%s: example %s: %v", d.Operation, answer, err)
		}
		again, _ := json.Marshal(c.Example(d.Operation, http.StatusOK))
		if !bytes.Equal(answer, again) {
			t.Errorf("%s: example is not deterministic", d.Operation)
		}
	}
	if c.Example(spec.DeleteIdentity, http.StatusBadRequest) != nil {
		t.Error("example for a status without a documented body")
	}
}

// List reads only operationIds and tags from the paths' JSON: it must name
// the same operations, in the same order, as the full model.
func TestListMatchesOperations(t *testing.T) {
	c, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	listed := c.List()
	var described []spec.Listed
	for _, d := range c.Operations() {
		described = append(described, d.Listed)
	}
	if len(listed) != 522 || !slices.EqualFunc(listed, described, func(a, b spec.Listed) bool {
		return a.Operation == b.Operation && a.ID == b.ID && slices.Equal(a.Tags, b.Tags)
	}) {
		t.Fatalf("List gives %d operations, the model %d, or they differ", len(listed), len(described))
	}
}

// Each minimal request is a new copy: fresh UUIDs in the same places, every
// other value the same, and changing one changes nothing of the next.
func TestMinimalRequestIsFreshEachTime(t *testing.T) {
	c := contract(t)
	compared := 0
	for _, d := range c.Operations() {
		body1, query1 := c.MinimalRequest(d.Operation)
		raw1, _ := json.Marshal(body1)
		for k := range body1 {
			body1[k] = "changed"
		}
		query1.Set("changed", "yes")
		body2, query2 := c.MinimalRequest(d.Operation)
		raw2, _ := json.Marshal(body2)
		if query2.Has("changed") || body2 != nil && len(body2) > 0 && fmt.Sprint(body2) == fmt.Sprint(body1) {
			t.Fatalf("%s: a change to one minimal request reached the next", d.Operation)
		}
		uuid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)
		shape1, shape2 := uuid.ReplaceAllString(string(raw1), "U"), uuid.ReplaceAllString(string(raw2), "U")
		if shape1 != shape2 {
			t.Errorf("%s: two minimal requests differ beyond their UUIDs:\n%s\n%s", d.Operation, raw1, raw2)
		}
		for _, id := range uuid.FindAllString(string(raw1), -1) {
			if strings.Contains(string(raw2), id) {
				t.Errorf("%s: UUID %s sent again", d.Operation, id)
			}
			compared++
		}
	}
	if compared < 200 {
		t.Fatalf("only %d UUIDs compared", compared)
	}
}

// A minimal request is sent with valid credentials to operations that act:
// an identifier in it, UUID or not (connector_id, climate_preset_key), is
// fresh on each call, so it can name nothing anyone owns.
func TestMinimalRequestIdentifiersAreFresh(t *testing.T) {
	c := contract(t)
	checked := 0
	for _, d := range c.Operations() {
		first, firstQuery := c.MinimalRequest(d.Operation)
		second, secondQuery := c.MinimalRequest(d.Operation)
		a, b := identifiers("", first, nil), identifiers("", second, nil)
		for name, vs := range firstQuery {
			a = identifiers(name, vs[0], a)
			b = identifiers(name, secondQuery[name][0], b)
		}
		for path, v := range a {
			checked++
			if b[path] == v {
				t.Errorf("%s: %s is %q in every minimal request", d.Operation, path, v)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked %d identifiers; the contract has hundreds", checked)
	}
}

// identifiers adds to found the string leaves of v named *_id or *_key, by
// their path.
func identifiers(path string, v any, found map[string]string) map[string]string {
	if found == nil {
		found = map[string]string{}
	}
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			identifiers(path+"."+k, e, found)
		}
	case []any:
		for i, e := range t {
			identifiers(fmt.Sprintf("%s[%d]", path, i), e, found)
		}
	case string:
		if strings.HasSuffix(path, "_id") || strings.HasSuffix(path, "_key") {
			found[path] = t
		}
	}
	return found
}
