package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// fastCase is an operation whose body the fast path checks, with the request
// it is sent in.
type fastCase struct {
	op    Operation
	check *requestCheck
}

func fastCases(t testing.TB) ([]fastCase, *Contract) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var cases []fastCase
	for _, d := range c.Operations() {
		if check := c.requestCheck(d.Operation); check.body != nil {
			cases = append(cases, fastCase{d.Operation, check})
		}
	}
	return cases, c
}

// kinAccepts is what CheckRequest asked before the fast path: kin-openapi's
// ValidateRequest, the security requirements aside.
func kinAccepts(c *Contract, check *requestCheck, req *http.Request, body []byte) bool {
	return openapi3filter.ValidateRequest(context.Background(), c.input(check, req, body)) == nil
}

func jsonRequest(op Operation) *http.Request {
	req, _ := http.NewRequest(op.Method, "https://connect.getseam.com"+op.Path, nil)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// The fast path must say what kin-openapi says of every body: never accept
// what it refuses (the verdict would be wrong), and refuse nothing it
// accepts (the fast path would be slow for nothing). The corpus: for every
// operation whose body schema it compiles, the generated request and
// answer-style bodies and, for every value in them, that value removed, set
// to null, and replaced by a value of each other type.
func TestFastBodySaysWhatKinOpenAPISays(t *testing.T) {
	cases, c := fastCases(t)
	withBody := 0
	for _, d := range c.Operations() {
		if c.operation(d.Operation).RequestBody != nil {
			withBody++
		}
	}
	if len(cases) < withBody*9/10 {
		t.Fatalf("the fast path compiles the body of %d of %d operations with one; it should cover nearly all", len(cases), withBody)
	}
	checked, accepted := 0, 0
	for _, fc := range cases {
		req := jsonRequest(fc.op)
		authorized := jsonRequest(fc.op)
		authorized.Header.Set("Authorization", "Bearer seam_test_key_123")
		for i, body := range fastCorpus(c, fc.op) {
			fast, kin := fc.check.bodyAccepted(req, body), kinAccepts(c, fc.check, req, body)
			if fast != kin {
				t.Errorf("%s %s: fast path says %v, kin-openapi %v", fc.op, body, fast, kin)
			}
			checked++
			if kin {
				accepted++
			}
			if i%4 == 0 { // BrokenRules names the rules CheckRequest's violations name
				for _, r := range []*http.Request{req, authorized} {
					if got, want := c.BrokenRules(fc.op, r, body), Rules(c.CheckRequest(fc.op, r, body)); !slices.Equal(got, want) {
						t.Errorf("%s %s: BrokenRules %v, CheckRequest %v", fc.op, body, got, want)
					}
				}
			}
		}
	}
	// The corpus must hold both kinds, or the comparison proves little.
	if accepted < checked/10 || accepted > checked*9/10 {
		t.Errorf("%d of %d bodies accepted: the corpus does not test both verdicts", accepted, checked)
	}
	t.Logf("%d operations, %d bodies, %d accepted", len(cases), checked, accepted)
}

// An operation without a body or parameters gives kin-openapi nothing to
// check but credentials: whatever a request to it carries, the fast path
// accepts it, as kin-openapi does.
func TestFastPathAcceptsWhatKinOpenAPIAcceptsWithoutInput(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	operations := 0
	for _, d := range c.Operations() {
		check := c.requestCheck(d.Operation)
		if !check.noInput {
			continue
		}
		operations++
		for _, query := range []string{"", "?limit=x&device_id=1"} {
			for _, body := range []string{"", `{}`, `{"device_id":5}`, "not JSON"} {
				req, _ := http.NewRequest(d.Method, "https://connect.getseam.com"+d.Path+query, nil)
				accepted, decided := check.bodyVerdict(req, []byte(body))
				if kin := kinAccepts(c, check, req, []byte(body)); !decided || accepted != kin {
					t.Errorf("%s%s %q: fast path %v (decided %v), kin-openapi %v", d.Operation, query, body, accepted, decided, kin)
				}
			}
		}
	}
	if operations < 20 {
		t.Fatalf("%d operations without input: Seam's document has about forty", operations)
	}
}

// The same for answers: every operation's example answer for each status
// whose schema the fast path compiles, and mutants of it.
func TestFastAnswerSaysWhatKinOpenAPISays(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	checked, accepted, compiled, statuses := 0, 0, 0, 0
	for _, d := range c.Operations() {
		check := c.requestCheck(d.Operation)
		req := jsonRequest(d.Operation)
		for code := range check.route.Operation.Responses.Map() {
			status, _ := strconv.Atoi(code)
			if r := check.route.Operation.Responses.Map()[code].Value; r == nil || r.Content["application/json"] == nil {
				continue
			}
			statuses++
			if check.answer(c, status) == nil {
				continue
			}
			compiled++
			// kin-openapi takes about a millisecond for a large answer:
			// every answer's example, and a twentieth of them mutated.
			example := c.Example(d.Operation, status)
			bodies := mutants(example, 0)
			if compiled%20 == 0 {
				bodies = mutants(example, 5)
			}
			for _, body := range bodies {
				kin := kinAcceptsAnswer(c, check, req, status, body)
				if fast := check.answerAccepted(c, req, status, jsonType, body); fast != kin {
					t.Errorf("%s %d %s: fast path says %v, kin-openapi %v", d.Operation, status, body, fast, kin)
				}
				checked++
				if kin {
					accepted++
				}
			}
		}
	}
	if compiled < statuses*9/10 {
		t.Errorf("the fast path compiles %d of %d documented answers; it should cover nearly all", compiled, statuses)
	}
	if accepted < checked/10 || accepted > checked*9/10 {
		t.Errorf("%d of %d answers accepted: the corpus does not test both verdicts", accepted, checked)
	}
	t.Logf("%d of %d answers compiled, %d bodies, %d accepted", compiled, statuses, checked, accepted)
}

var jsonType = http.Header{"Content-Type": {"application/json"}}

// kinAcceptsAnswer is what CheckResponse asked before the fast path:
// kin-openapi's ValidateResponse.
func kinAcceptsAnswer(c *Contract, check *requestCheck, req *http.Request, status int, body []byte) bool {
	input := c.input(check, req, nil)
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input, Status: status, Header: jsonType,
		Body: io.NopCloser(bytes.NewReader(body)), Options: &c.options, // answers are not held to the input formats
	}) == nil
}

// An answer whose status the contract documents without content or
// headers (Seam's 400 and 401) is checked as kin-openapi checks it, plus
// the rule that a JSON Content-Type means one valid JSON value.
func TestAnswersWithoutContentAreCheckedAsKinOpenAPIChecksThem(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	answers := []struct{ contentType, body string }{
		{"application/json", `{"error":{"type":"unauthorized","message":"no"},"ok":false}`},
		{"application/json", ""}, {"text/plain", "Unauthorized"}, {"application/json", `{"ok":false}<html>`},
	}
	compared := 0
	for _, d := range c.Operations() {
		check := c.requestCheck(d.Operation)
		req := jsonRequest(d.Operation)
		for code, ref := range check.route.Operation.Responses.Map() {
			status, err := strconv.Atoi(code)
			if err != nil || ref.Value == nil || len(ref.Value.Content) > 0 || len(ref.Value.Headers) > 0 {
				continue
			}
			for _, a := range answers {
				header := http.Header{"Content-Type": {a.contentType}}
				input := c.input(check, req, nil)
				kin := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
					RequestValidationInput: input, Status: status, Header: header,
					Body: io.NopCloser(strings.NewReader(a.body)), Options: input.Options,
				})
				notJSON := isJSONMedia(a.contentType) && a.body != "" && !json.Valid([]byte(a.body))
				if got := c.CheckResponse(d.Operation, req, nil, status, header, []byte(a.body)); (got != nil) != (kin != nil || notJSON) {
					t.Errorf("%s %d %q: CheckResponse %v; kin-openapi %v, not JSON %v", d.Operation, status, a.body, got, kin, notJSON)
				}
				compared++
			}
		}
	}
	if compared < 1000 {
		t.Fatalf("compared %d answers: Seam documents 400 and 401 for every operation", compared)
	}
}

// The fast path never accepts an answer kin-openapi refuses, for any bytes:
// a wrong acceptance would pass a non-conforming implementation.
func FuzzFastAnswer(f *testing.F) {
	c, err := Embedded()
	if err != nil {
		f.Fatal(err)
	}
	type answerCase struct {
		op     Operation
		status int
		check  *requestCheck
	}
	var cases []answerCase
	for _, d := range c.Operations() {
		check := c.requestCheck(d.Operation)
		for _, status := range slices.Sorted(maps.Keys(check.route.Operation.Responses.Map())) {
			if n, _ := strconv.Atoi(status); check.answer(c, n) != nil {
				cases = append(cases, answerCase{d.Operation, n, check})
			}
		}
	}
	for i, ac := range cases {
		if i%40 == 0 {
			for _, body := range mutants(c.Example(ac.op, ac.status), 0)[:3] {
				f.Add(uint16(i), body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint16, body []byte) {
		ac := cases[int(which)%len(cases)]
		req := jsonRequest(ac.op)
		if ac.check.answerAccepted(c, req, ac.status, jsonType, body) && !kinAcceptsAnswer(c, ac.check, req, ac.status, bytes.Clone(body)) {
			t.Errorf("%s %d %s: the fast path accepts an answer kin-openapi refuses", ac.op, ac.status, body)
		}
	})
}

// mutants returns v, v of another kind, and, for at most limit of the
// values inside it (spread over the whole), v with that value removed,
// null, or of another kind.
func mutants(v any, limit int) [][]byte {
	junk := []any{nil, "", "x", "6e8e1f0c-35a5-4a4b-9f39-1c2b3d4e5f60", 0.5, float64(3), -1.0, true, []any{}, []any{"x"}, map[string]any{}}
	var out [][]byte
	add := func(v any) {
		if b, err := json.Marshal(v); err == nil {
			out = append(out, b)
		}
	}
	add(v)
	all := paths(v, nil)
	slices.SortFunc(all, func(a, b []any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	step := max(1, len(all)/max(limit, 1))
	for i := 0; limit > 0 && i < len(all); i += step {
		for _, j := range junk {
			add(replaced(v, all[i], j, false))
		}
		add(replaced(v, all[i], nil, true))
	}
	if object, ok := v.(map[string]any); ok {
		extra := deepCopyJSON(object).(map[string]any)
		extra["zz_undeclared"] = 1
		add(extra)
	}
	for _, j := range junk {
		add(j)
	}
	return out
}

// fastCorpus returns bodies for op: valid ones and, for every value in
// them, mutants.
func fastCorpus(c *Contract, op Operation) [][]byte {
	o := c.operation(op)
	schema := o.RequestBody.Value.Content["application/json"].Schema.Value
	minimal, _ := c.MinimalRequest(op)
	var out [][]byte
	for _, seed := range []any{minimal, (&generator{}).value(schema, "", 0), full(schema)} {
		out = append(out, mutants(seed, 1000)...)
	}
	return out
}

// full is a value with every property the schema declares, where minimal
// and example bodies carry only the required ones.
func full(s *openapi3.Schema) any {
	v := (&generator{}).value(s, "", 0)
	object, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for name, p := range s.Properties {
		if _, set := object[name]; !set && p.Value != nil {
			object[name] = (&generator{}).value(p.Value, name, 1)
		}
	}
	return object
}

// paths lists the path of every value inside v (not v itself).
func paths(v any, prefix []any) [][]any {
	var out [][]any
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := append(slices.Clone(prefix), k)
			out = append(out, p)
			out = append(out, paths(e, p)...)
		}
	case []any:
		for i, e := range v {
			p := append(slices.Clone(prefix), i)
			out = append(out, p)
			out = append(out, paths(e, p)...)
		}
	}
	return out
}

// replaced is a copy of v with the value at path set to with, or removed.
func replaced(v any, path []any, with any, remove bool) any {
	v = deepCopyJSON(v)
	parent := v
	for _, step := range path[:len(path)-1] {
		switch s := step.(type) {
		case string:
			parent = parent.(map[string]any)[s]
		case int:
			parent = parent.([]any)[s]
		}
	}
	switch last := path[len(path)-1].(type) {
	case string:
		if remove {
			delete(parent.(map[string]any), last)
		} else {
			parent.(map[string]any)[last] = with
		}
	case int:
		if !remove { // the junk values cover an item's removal: null, wrong kinds
			parent.([]any)[last] = with
		}
	}
	return v
}

// The fast path says what kin-openapi says of any JSON body it decides.
func FuzzFastBody(f *testing.F) {
	cases, c := fastCases(f)
	for i, fc := range cases {
		if i%25 == 0 {
			for _, body := range fastCorpus(c, fc.op)[:3] {
				f.Add(uint16(i), body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint16, body []byte) {
		fc := cases[int(which)%len(cases)]
		req := jsonRequest(fc.op)
		fast, decided := fc.check.bodyVerdict(req, body)
		if !decided {
			return
		}
		if kin := kinAccepts(c, fc.check, req, bytes.Clone(body)); fast != kin {
			t.Errorf("%s %s: the fast path says %v, kin-openapi %v", fc.op, body, fast, kin)
		}
	})
}

// Schemas the embedded contract does not hold (or not in requests), each
// with values on both sides of its rules: the fast path and kin-openapi
// must agree on every one.
func TestFastSchemaSaysWhatKinOpenAPISaysOfEachKeyword(t *testing.T) {
	cases := []struct {
		schema string
		values []string
	}{
		{`{"oneOf":[{"type":"string"},{"type":"string","format":"uuid"}]}`, // both match a UUID
			[]string{`"x"`, `"6e8e1f0c-35a5-4a4b-9f39-1c2b3d4e5f60"`, `1`, `null`}},
		{`{"oneOf":[{"type":"object","properties":{"kind":{"type":"string","default":"a"},"x":{"type":"number"}},"required":["x"]},
		            {"type":"object","properties":{"y":{"type":"number"}},"additionalProperties":false}]}`, // a failed branch's default must not reach the next
			[]string{`{"y":1}`, `{"x":1}`, `{"x":1,"y":2}`, `{}`}},
		{`{"type":"object","properties":{"n":{"type":"integer","default":3,"minimum":1}},"required":["n"]}`, // a default satisfies required
			[]string{`{}`, `{"n":null}`, `{"n":0}`, `{"n":2.5}`, `{"n":2}`}},
		{`{"type":"object","properties":{"n":{"type":"integer","default":0,"minimum":1}}}`, // an invalid default fails the value
			[]string{`{}`, `{"n":5}`}},
		{`{"oneOf":[{"type":"object","properties":{"t":{"type":"string","enum":["a"]},"v":{"type":"string"}},"required":["t"]},
		            {"type":"object","properties":{"t":{"type":"string","enum":["b"]},"v":{"type":"number"}},"required":["t"]}],
		   "discriminator":{"propertyName":"t"}}`,
			[]string{`{"t":"a","v":"s"}`, `{"t":"b","v":1}`, `{"t":"a","v":1}`, `{"t":1}`, `{}`, `"a"`, `null`}},
		{`{"oneOf":[{"type":"object"}],"discriminator":{"propertyName":"t"}}`, // the property is required, and a string
			[]string{`{}`, `{"t":1}`, `{"t":"x"}`, `[]`}},
		{`{"nullable":true,"oneOf":[{"type":"string"}]}`, []string{`null`, `"x"`, `1`}},
		{`{"oneOf":[{"type":"string","nullable":true},{"type":"number"}]}`, []string{`null`, `"x"`, `1`, `true`}},
		{`{"allOf":[{"type":"object","required":["a"]},{"type":"object","properties":{"a":{"type":"string","maxLength":2}}}]}`,
			[]string{`{"a":"xy"}`, `{"a":"xyz"}`, `{}`, `null`, `[]`}},
		{`{}`, []string{`null`, `1`, `"x"`, `{}`, `[]`}},
		{`{"type":"object","oneOf":[{"type":"object","properties":{"k":{"type":"string","default":"z"}}}],"properties":{"k":{"type":"string","enum":["q"]}}}`,
			[]string{`{}`, `{"k":"q"}`}}, // the matched branch's default reaches the rest of the schema
		{`{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":10,"exclusiveMaximum":true}`,
			[]string{`0`, `0.1`, `10`, `9.99`, `-1`, `"1"`}},
		{`{"type":"integer","maximum":5}`, []string{`5`, `5.5`, `6`, `1e2`, `true`}},
		{`{"type":"string","minLength":2,"maxLength":3}`, []string{`"a"`, `"ab"`, `"abcd"`, `"éé"`, `"😀😀"`, `"😀"`}},
		{`{"type":"string","pattern":"^[a-z]+$"}`, []string{`"abc"`, `"aBc"`, `""`}},
		{`{"type":"string","format":"date-time"}`, []string{`"2024-01-02T03:04:05Z"`, `"yesterday"`}},
		{`{"type":"string","enum":["a","b"],"nullable":true}`, []string{`"a"`, `"c"`, `null`}},
		{`{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2}`, []string{`[]`, `["a"]`, `["a","b","c"]`, `[1]`, `{}`}},
		{`{"type":"object","additionalProperties":{"type":"boolean"}}`, []string{`{"a":true}`, `{"a":1}`, `{}`}},
	}
	var compiler fastCompiler
	for _, tc := range cases {
		// Each union as written and as anyOf, which the document's oneOf
		// become (unionAsAnyOf).
		for _, schema := range slices.Compact([]string{tc.schema, strings.ReplaceAll(tc.schema, `"oneOf"`, `"anyOf"`)}) {
			var ref openapi3.SchemaRef
			if err := json.Unmarshal([]byte(schema), &ref); err != nil {
				t.Fatal(err)
			}
			compareFast(t, &compiler, &ref, schema, tc.values)
		}
	}

	// A discriminator's mapping picks the one branch kin-openapi checks.
	branch := func(t, v string) *openapi3.SchemaRef {
		var ref openapi3.SchemaRef // "d" fits branch a, but the mapping does not name it
		_ = json.Unmarshal([]byte(`{"type":"object","properties":{"t":{"type":"string","enum":["`+t+`","d"]},"v":{"type":"`+v+`"}},"required":["t"]}`), &ref)
		return &openapi3.SchemaRef{Ref: "#/components/schemas/" + t, Value: ref.Value}
	}
	mapped := &openapi3.SchemaRef{Value: &openapi3.Schema{
		OneOf: openapi3.SchemaRefs{branch("a", "string"), branch("b", "number")},
		Discriminator: &openapi3.Discriminator{PropertyName: "t", Mapping: map[string]openapi3.MappingRef{
			"a": {Ref: "a"}, "b": {Ref: "#/components/schemas/b"}, "c": {Ref: "#/components/schemas/b"}}},
	}}
	mappedValues := []string{`{"t":"a","v":"s"}`, `{"t":"b","v":1}`, `{"t":"a","v":1}`, `{"t":"c","v":1}`, `{"t":"d","v":"s"}`, `{"t":true}`}
	compareFast(t, &compiler, mapped, "a oneOf with a mapping", mappedValues)
	anyOf := *mapped.Value
	anyOf.AnyOf, anyOf.OneOf = anyOf.OneOf, nil
	compareFast(t, &compiler, &openapi3.SchemaRef{Value: &anyOf}, "an anyOf with a mapping", mappedValues)
}

// compareFast asks the fast path and kin-openapi (checking a request, as
// CheckRequest does) about each value; they must agree.
func compareFast(t *testing.T, compiler *fastCompiler, ref *openapi3.SchemaRef, name string, values []string) {
	t.Helper()
	fast := compiler.compile(ref)
	if fast == nil {
		t.Fatalf("%s: not compiled", name)
	}
	for _, text := range values {
		decode := func() any {
			var v any
			if err := json.Unmarshal([]byte(text), &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		kin := ref.Value.VisitJSON(decode(), openapi3.VisitAsRequest(), openapi3.DefaultsSet(func() {}), openapi3.MultiErrors(),
			openapi3.WithStringFormatValidator("uuid", uuidFormat)) == nil
		if got := fast.accepts(decode(), true); got != kin {
			t.Errorf("%s of %s: fast path says %v, kin-openapi %v", text, name, got, kin)
		}
	}
}

// fastModelled are the keywords fastSchema models, or that validation
// ignores.
var fastModelled = map[string]bool{
	"additionalProperties": true, "allOf": true, "default": true, "deprecated": true,
	"description": true, "discriminator": true, "enum": true, "example": true,
	"examples": true, "exclusiveMaximum": true, "exclusiveMinimum": true,
	"externalDocs": true, "format": true, "items": true, "maxItems": true,
	"maxLength": true, "maximum": true, "minItems": true, "minLength": true,
	"minimum": true, "nullable": true, "oneOf": true, "anyOf": true, "pattern": true,
	"properties": true, "required": true, "title": true, "type": true, "xml": true,
	"$comment": true, "allowEmptyValue": true,
}

// unmodelledByKeywords is unmodelled as kin-openapi's MarshalYAML lists a
// schema's keywords: slower, but it names every keyword kin-openapi knows.
func unmodelledByKeywords(t *testing.T, s *openapi3.Schema) bool {
	keywords, err := s.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	m, ok := keywords.(map[string]any)
	if !ok {
		return true // a boolean schema
	}
	if m["oneOf"] != nil && m["anyOf"] != nil { // one or the other
		return true
	}
	for k := range m {
		if !fastModelled[k] && !strings.HasPrefix(k, "x-") {
			return true
		}
	}
	return false
}

// unmodelled must name every keyword the fast path does not model: for
// each keyword kin-openapi knows, a schema with it, and every schema of the
// contract.
func TestUnmodelledNamesEveryOtherKeyword(t *testing.T) {
	for _, text := range []string{`{"anyOf":[{}],"oneOf":[{}]}`, `{"not":{}}`, `{"uniqueItems":true}`, `{"readOnly":true}`,
		`{"writeOnly":true}`, `{"multipleOf":2}`, `{"minProperties":1}`, `{"maxProperties":1}`, `{"const":1}`,
		`{"prefixItems":[{}]}`, `{"contains":{}}`, `{"minContains":1}`, `{"maxContains":1}`,
		`{"patternProperties":{"a":{}}}`, `{"dependentSchemas":{"a":{}}}`, `{"propertyNames":{}}`,
		`{"unevaluatedItems":false}`, `{"unevaluatedProperties":false}`, `{"if":{}}`, `{"then":{}}`, `{"else":{}}`,
		`{"dependentRequired":{"a":["b"]}}`, `{"$defs":{"a":{}}}`, `{"$schema":"x"}`, `{"$id":"x"}`,
		`{"$anchor":"x"}`, `{"$dynamicRef":"x"}`, `{"$dynamicAnchor":"x"}`, `{"contentMediaType":"x"}`,
		`{"contentEncoding":"x"}`, `{"contentSchema":{}}`} {
		var s openapi3.Schema
		if err := json.Unmarshal([]byte(text), &s); err != nil {
			t.Fatal(err)
		}
		if !unmodelledByKeywords(t, &s) || !unmodelled(&s) {
			t.Errorf("%s: listed %v, unmodelled says %v", text, unmodelledByKeywords(t, &s), unmodelled(&s))
		}
	}
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	visit := schemaWalk(func(s *openapi3.Schema) {
		seen++
		if unmodelled(s) != unmodelledByKeywords(t, s) {
			t.Errorf("%+v: unmodelled says %v", s, unmodelled(s))
		}
	})
	for _, d := range c.Operations() {
		o := c.operation(d.Operation)
		if o.RequestBody != nil {
			for _, media := range o.RequestBody.Value.Content {
				visit(media.Schema)
			}
		}
		for _, r := range o.Responses.Map() {
			for _, media := range r.Value.Content {
				visit(media.Schema)
			}
		}
	}
	if seen < 1000 {
		t.Errorf("only %d schemas visited", seen)
	}
}

// A contract is safe for concurrent use while its fast path is compiled:
// goroutines checking every operation's request and answer at once, on a
// contract nothing has compiled yet, get the verdicts one goroutine gets
// (run with -race to see the compiler's locking hold).
func TestFastPathConcurrentUse(t *testing.T) {
	fresh, err := decodeEmbeddedContract()
	if err != nil {
		t.Fatal(err)
	}
	ops := fresh.Operations()
	verdicts := func() []bool {
		var out []bool
		for _, d := range ops {
			body, _ := fresh.MinimalRequest(d.Operation)
			raw, _ := json.Marshal(body)
			req := jsonRequest(d.Operation)
			out = append(out, len(fresh.CheckRequest(d.Operation, req, raw)) == 0)
			if answer, err := json.Marshal(fresh.Example(d.Operation, http.StatusOK)); err == nil {
				out = append(out, fresh.CheckResponse(d.Operation, req, raw, http.StatusOK, jsonType, answer) == nil)
			}
		}
		return out
	}
	results := make([][]bool, 4)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = verdicts() })
	}
	wg.Wait()
	want := verdicts()
	for i, got := range results {
		if !slices.Equal(got, want) {
			t.Fatalf("goroutine %d got other verdicts than a lone check", i)
		}
	}
}
