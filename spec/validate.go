package spec

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Rule names the part of a request that the contract constrains. A negative
// spec declares which rules its request breaks; the suite checks the request
// breaks exactly those, so a 400 spec cannot pass because it forgot a header.
type Rule string

const (
	RuleCredentials Rule = "credentials" // the operation's security requirements
	RuleBody        Rule = "body"        // the JSON request body
	RuleQuery       Rule = "query"       // the query parameters
)

// Violation is one way a request breaks the contract.
type Violation struct {
	Rule Rule
	Err  error
}

func (v Violation) Error() string { return fmt.Sprintf("%s: %v", v.Rule, v.Err) }

func (v Violation) Unwrap() error { return v.Err }

// Rules returns the distinct rules in vs, sorted.
func Rules(vs []Violation) []Rule {
	set := map[Rule]bool{}
	for _, v := range vs {
		set[v.Rule] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// CheckRequest returns every way req (whose body is body) breaks the contract
// of op; none means the request conforms.
func (c *Contract) CheckRequest(op Operation, req *http.Request, body []byte) []Violation {
	check := c.requestCheck(op)
	if check == nil {
		return []Violation{{Rule: RuleBody, Err: fmt.Errorf("the contract does not define %s", op)}}
	}
	var out []Violation
	if len(body) == 0 && check.bodyRequired {
		out = append(out, Violation{Rule: RuleBody, Err: errors.New("request body is missing, but its schema has required properties")})
	}
	out = append(out, repeatedQuery(check, req)...)
	accepted := check.bodyAccepted(req, body) // which implies valid JSON
	var unreadable error
	if !accepted && len(body) > 0 && check.route.Operation.RequestBody != nil {
		unreadable = unreadableJSON(body)
	}
	if unreadable != nil {
		out = append(out, Violation{Rule: RuleBody, Err: unreadable})
	}
	if err := check.checkSecurity(c, req); err != nil {
		out = append(out, Violation{Rule: RuleCredentials, Err: err})
	}
	if accepted {
		return out
	}
	input := c.input(check, sdkQueryForms(check, req), nil)
	input.Request.Body, input.Request.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	err := openapi3filter.ValidateRequest(context.Background(), input)
	if err == nil {
		return out
	}
	var all openapi3.MultiError
	if !errors.As(err, &all) {
		all = openapi3.MultiError{err}
	}
	for _, e := range all {
		// Of a body that cannot be read, that is all there is to say: not
		// also kin-openapi's decoding error.
		if rule := classify(e); unreadable == nil || rule != RuleBody {
			out = append(out, Violation{Rule: rule, Err: e})
		}
	}
	return out
}

// unreadableJSON says why body cannot be read as JSON, if it cannot.
// kin-openapi decodes only the first JSON value, and of a number too large
// for a float64 says "cannot convert json.Number to float64", or nothing
// where the schema takes any value.
func unreadableJSON(body []byte) error {
	if !json.Valid(body) {
		return errors.New("request body is not one valid JSON value")
	}
	var outOfRange *NumberRangeError
	if _, err := DecodeJSON(body); errors.As(err, &outOfRange) {
		return outOfRange
	}
	return nil
}

// repeatedQuery returns a violation for each query parameter of one value
// that req sends more than once. Seam reads a repeated name as a list,
// which such a parameter refuses; kin-openapi reads the first value only.
func repeatedQuery(check *requestCheck, req *http.Request) []Violation {
	if req.URL.RawQuery == "" || len(check.singleQuery) == 0 {
		return nil
	}
	var out []Violation
	query := req.URL.Query()
	for _, p := range check.singleQuery {
		if len(query[p.Name]) > 1 {
			out = append(out, Violation{Rule: RuleQuery, Err: &openapi3filter.RequestError{Parameter: p, Reason: "sent more than once, but it takes a single value"}})
		}
	}
	return out
}

// singleQuery returns the query parameters that take one value: their
// schema's type, or every oneOf or anyOf branch's, is neither a list nor
// an object (an untyped schema takes a list too).
func singleQuery(o *openapi3.Operation) []*openapi3.Parameter {
	var one func(s *openapi3.Schema) bool
	one = func(s *openapi3.Schema) bool {
		if len(s.Type.Slice()) > 0 {
			return !s.Type.Includes("array") && !s.Type.Includes("object")
		}
		branches := append(slices.Clone(s.OneOf), s.AnyOf...)
		for _, b := range branches {
			if b.Value == nil || !one(b.Value) {
				return false
			}
		}
		return len(branches) > 0
	}
	var out []*openapi3.Parameter
	for _, p := range o.Parameters {
		if p.Value != nil && strings.EqualFold(p.Value.In, "query") && p.Value.Schema != nil && p.Value.Schema.Value != nil && one(p.Value.Schema.Value) {
			out = append(out, p.Value)
		}
	}
	return out
}

// requestCheck is what checking a request of one operation needs, prepared
// once: kin-openapi's route with the security requirements taken out, and
// those requirements apart. kin-openapi reads the whole body again for each
// scheme an operation accepts (up to a dozen of Seam's), in case the check
// of credentials wants it; the suite's never does, so they are checked
// first, on a request without its body.
type requestCheck struct {
	route        routers.Route
	security     openapi3.SecurityRequirements
	alternatives [][]requiredScheme // security's, each one's schemes by name
	bodyRequired bool
	queryNames   []string
	bodyNames    []string
	queryKinds   map[string]string // a query parameter's type, for its array and object ones
	singleQuery  []*openapi3.Parameter
	// body is the compiled schema of a JSON body, when the operation has no
	// parameters and a body is all kin-openapi would check.
	body *fastSchema
	// noInput: the operation has neither a body nor parameters, and
	// kin-openapi nothing to check but credentials.
	noInput bool

	// credentialHeaders are the headers, Authorization aside, whose values
	// decide whether a request presents the credentials; lastCredentials
	// is the verdict on the last values seen. A client sends the same
	// credentials request after request, and an operation accepting many
	// schemes made checking them most of the cost of checking a request.
	credentialHeaders []string
	lastCredentials   atomic.Pointer[credentialVerdict]

	answersOnce sync.Once
	answers     map[int]*fastSchema // status → the compiled schema of its JSON answer
}

// answer returns the compiled schema of the JSON answer with status, or nil
// when kin-openapi must check it (headers to check, a schema not compiled).
func (check *requestCheck) answer(c *Contract, status int) *fastSchema {
	check.answersOnce.Do(func() {
		check.answers = map[int]*fastSchema{}
		if check.route.Spec.IsOpenAPI31OrLater() {
			return
		}
		for code, ref := range check.route.Operation.Responses.Map() {
			n, err := strconv.Atoi(code)
			if err != nil || ref.Value == nil || len(ref.Value.Headers) > 0 {
				continue
			}
			if media := ref.Value.Content["application/json"]; media != nil {
				if f := c.fast.compile(media.Schema); f != nil {
					check.answers[n] = f
				}
			}
		}
	})
	return check.answers[status]
}

// answerAccepted reports whether kin-openapi's ValidateResponse would
// accept the answer, without asking it; false also when the fast path
// cannot tell.
func (check *requestCheck) answerAccepted(c *Contract, req *http.Request, status int, header http.Header, body []byte) bool {
	value, err := DecodeJSON(body)
	return err == nil && check.decodedAnswerAccepted(c, req, status, header, value)
}

// decodedAnswerAccepted is answerAccepted of an answer already decoded.
func (check *requestCheck) decodedAnswerAccepted(c *Contract, req *http.Request, status int, header http.Header, value any) bool {
	if req.Method == http.MethodHead || header.Get("Content-Type") != "application/json" {
		return false
	}
	f := check.answer(c, status)
	return f != nil && f.accepts(value, false)
}

// bodyAccepted reports whether kin-openapi's ValidateRequest would accept
// the request (its security requirements aside), without asking it; false
// also when the fast path cannot tell.
func (check *requestCheck) bodyAccepted(req *http.Request, body []byte) bool {
	accepted, decided := check.bodyVerdict(req, body)
	return decided && accepted
}

// bodyVerdict is what kin-openapi's ValidateRequest would say of the
// request (its security requirements aside), when the fast path can tell:
// a JSON body of an operation whose schema it compiled, or any request to
// an operation without input. On such requests the two agree both ways
// (TestFastBodySaysWhatKinOpenAPISays, FuzzFastBody,
// TestFastPathAcceptsWhatKinOpenAPIAcceptsWithoutInput).
func (check *requestCheck) bodyVerdict(req *http.Request, body []byte) (accepted, decided bool) {
	if check.noInput {
		return true, true
	}
	if check.body == nil || len(body) == 0 || HeaderValue(req.Header, "Content-Type") != "application/json" {
		return false, false
	}
	// serve checks a request, then its reference checks it again: the
	// second time, the same bytes of a buffered body are known to pass.
	buffered, _ := req.Body.(*bufferedBody)
	if buffered != nil && !sameBytes(buffered.data, body) {
		buffered = nil // other bytes than the body's: nothing to note on it
	}
	if buffered != nil && buffered.acceptedBy == check {
		return true, true
	}
	value, err := DecodeJSON(body)
	if err != nil {
		return false, false
	}
	accepted = check.body.accepts(value, true)
	if buffered != nil {
		if accepted {
			buffered.acceptedBy = check
		}
		if !check.body.injects {
			buffered.decoded = value
		}
	}
	return accepted, true
}

// BrokenRules returns the rules req breaks: Rules of CheckRequest, without
// asking kin-openapi to explain a body the fast path refuses. For a caller
// that wants only to know which rules break (the suite, checking that a
// negative request breaks what it claims), not why.
func (c *Contract) BrokenRules(op Operation, req *http.Request, body []byte) []Rule {
	check := c.requestCheck(op)
	if check == nil {
		return Rules(c.CheckRequest(op, req, body))
	}
	accepted, decided := check.bodyVerdict(req, body)
	if !decided {
		return Rules(c.CheckRequest(op, req, body))
	}
	var rules []Rule // sorted, as Rules returns them
	if !accepted {
		rules = append(rules, RuleBody)
	}
	if !check.credentialed(req) {
		rules = append(rules, RuleCredentials)
	}
	slices.Sort(rules)
	return rules
}

// requiredScheme is a scheme a security requirement names, looked up once.
type requiredScheme struct {
	name               string
	declared, modelled bool // in the document's components; in the table
	row                Scheme
}

// checkSecurity says what kin-openapi's ValidateSecurityRequirements says,
// error for error, with the schemes looked up and sorted once: an
// operation accepting a dozen schemes made it the costliest part of
// checking a request without credentials. The alternatives a request
// does not present are explained only when it presents none: an API key
// sent to an operation whose first schemes are others' formatted an error
// for each of them.
func (check *requestCheck) checkSecurity(c *Contract, req *http.Request) error {
	if check.credentialed(req) {
		return nil
	}
	errs := make([]error, 0, len(check.alternatives))
	for _, alternative := range check.alternatives {
		errs = append(errs, presentsAll(c, check, req, alternative))
	}
	return &openapi3filter.SecurityRequirementsError{SecurityRequirements: check.security, Errors: errs}
}

// credentialed reports whether req presents one of the operation's
// alternatives, or it needs none: checkSecurity's verdict without its
// explanation.
func (check *requestCheck) credentialed(req *http.Request) bool {
	if len(check.security) == 0 {
		return true
	}
	authorization := HeaderValue(req.Header, "Authorization")
	if last := check.lastCredentials.Load(); last != nil && last.of(check, req, authorization) {
		return last.presented
	}
	verdict := &credentialVerdict{authorization: authorization, headers: make([]string, len(check.credentialHeaders))}
	for i, h := range check.credentialHeaders {
		verdict.headers[i] = HeaderValue(req.Header, h)
	}
	token, bearer := BearerToken(authorization)
	for _, alternative := range check.alternatives {
		if presentsEvery(req, alternative, token, bearer) {
			verdict.presented = true
			break
		}
	}
	check.lastCredentials.Store(verdict)
	return verdict.presented
}

// credentialVerdict is whether a request with these header values presents
// an operation's credentials.
type credentialVerdict struct {
	authorization string
	headers       []string // the values of the check's credentialHeaders
	presented     bool
}

func (v *credentialVerdict) of(check *requestCheck, req *http.Request, authorization string) bool {
	if v.authorization != authorization {
		return false
	}
	for i, h := range check.credentialHeaders {
		if HeaderValue(req.Header, h) != v.headers[i] {
			return false
		}
	}
	return true
}

// presentsEvery reports whether req presents every scheme of an
// alternative, whose Bearer token (if any) is token; presentsAll says why
// not. TestCheckSecuritySaysWhatKinOpenAPISays holds the two to kin-openapi.
func presentsEvery(req *http.Request, schemes []requiredScheme, token string, bearer bool) bool {
	for _, s := range schemes {
		if !s.declared || lacking(req, s.row, s.modelled, token, bearer) != lacksNothing {
			return false
		}
	}
	return true
}

func presentsAll(c *Contract, check *requestCheck, req *http.Request, schemes []requiredScheme) error {
	for _, s := range schemes {
		if !s.declared {
			return &openapi3filter.RequestError{Input: c.input(check, req, nil), Err: fmt.Errorf("security scheme %q is not declared", s.name)}
		}
		if err := presents(req, s.name, s.row, s.modelled); err != nil {
			return err
		}
	}
	return nil
}

func (c *Contract) requestCheck(op Operation) *requestCheck {
	return perOperation(c, &c.checks, op, c.newRequestCheck)
}

func (c *Contract) newRequestCheck(op Operation, operation *openapi3.Operation) *requestCheck {
	security := operation.Security
	if security == nil {
		security = &c.doc.Security
	}
	unsecured := *operation
	unsecured.Security = &openapi3.SecurityRequirements{}
	check := &requestCheck{
		route:        routers.Route{Spec: c.doc, Path: op.Path, PathItem: c.pathItem(op.Path), Method: op.Method, Operation: &unsecured},
		security:     *security,
		bodyRequired: bodyRequired(operation),
		queryNames:   queryNames(operation),
		bodyNames:    bodyNames(operation),
		queryKinds:   queryKinds(operation),
		singleQuery:  singleQuery(operation),
	}
	noParameters := len(operation.Parameters) == 0 && len(check.route.PathItem.Parameters) == 0
	check.noInput = operation.RequestBody == nil && noParameters
	if rb := operation.RequestBody; rb != nil && rb.Value != nil && noParameters && !c.doc.IsOpenAPI31OrLater() {
		if media := rb.Value.Content["application/json"]; media != nil {
			check.body = c.fastInput.compile(media.Schema)
		}
	}
	for _, requirement := range *security {
		var schemes []requiredScheme
		for _, name := range slices.Sorted(maps.Keys(requirement)) {
			declared := c.doc.Components != nil && c.doc.Components.SecuritySchemes[name] != nil && c.doc.Components.SecuritySchemes[name].Value != nil
			row, modelled := SchemeNamed(name)
			schemes = append(schemes, requiredScheme{name, declared, modelled, row})
		}
		check.alternatives = append(check.alternatives, schemes)
		for _, s := range schemes {
			for _, h := range []string{s.row.Header, s.row.Companion} {
				if h = http.CanonicalHeaderKey(h); h != "" && !slices.Contains(check.credentialHeaders, h) {
					check.credentialHeaders = append(check.credentialHeaders, h)
				}
			}
		}
	}
	return check
}

// input is kin-openapi's view of req with the body given. The request is a
// shallow copy: kin-openapi replaces its body, never its header or URL.
func (c *Contract) input(check *requestCheck, req *http.Request, body []byte) *openapi3filter.RequestValidationInput {
	// kin-openapi writes a parameter's default into the request it checks:
	// the request a client sent (and a proxy forwards) stays as sent.
	copied, url := *req, *req.URL
	copied.URL, copied.Header = &url, req.Header.Clone()
	copied.GetBody = nil
	copied.Body, copied.ContentLength = http.NoBody, 0
	if body != nil {
		copied.Body, copied.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	return &openapi3filter.RequestValidationInput{
		Request:     &copied,
		QueryParams: req.URL.Query(),
		Route:       &check.route,
		Options:     &c.inputOptions,
	}
}

// bodyRequired reports whether the operation needs a body. Seam's document
// never sets requestBody.required, yet a body schema with required
// properties cannot be satisfied without a body; kin-openapi alone would
// accept an empty request.
func bodyRequired(op *openapi3.Operation) bool {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return false
	}
	if op.RequestBody.Value.Required {
		return true
	}
	for _, media := range op.RequestBody.Value.Content {
		if media.Schema != nil && media.Schema.Value != nil && requiresProperties(media.Schema.Value) {
			return true
		}
	}
	return false
}

// requiresProperties reports whether every value s accepts has some
// property: s, or an allOf part, requires one, or every oneOf or anyOf
// branch does (/user_identities/get takes an ID or a key, so not nothing).
func requiresProperties(s *openapi3.Schema) bool {
	if len(s.Required) > 0 {
		return true
	}
	for _, part := range s.AllOf {
		if part.Value != nil && requiresProperties(part.Value) {
			return true
		}
	}
	branches := append(slices.Clone(s.OneOf), s.AnyOf...)
	for _, b := range branches {
		if b.Value == nil || !requiresProperties(b.Value) {
			return false
		}
	}
	return len(branches) > 0
}

func classify(err error) Rule {
	var sec *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sec) {
		return RuleCredentials
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Parameter != nil {
		return RuleQuery
	}
	return RuleBody
}

// CheckResponse validates an answer to req against what the contract says op
// answers with status. An undocumented status is an error that
// IsUndocumentedStatus recognises.
func (c *Contract) CheckResponse(op Operation, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	check := c.requestCheck(op)
	if check == nil {
		return fmt.Errorf("the contract does not define %s", op)
	}
	documented := check.route.Operation.Responses.Status(status)
	if documented == nil {
		return &UndocumentedStatusError{Operation: op, Status: status}
	}
	if isJSONMedia(header.Get("Content-Type")) && len(body) > 0 {
		// Read one way here, another by a client: {"ok":false,"ok":true}
		// is ok: true to encoding/json and ok: false to some others.
		value, err := DecodeStrictJSON(body)
		if errors.Is(err, errNotUTF8) || errors.As(err, new(*DuplicateKeyError)) {
			return err
		}
		// Decoded once, for the fast path too.
		if err == nil && check.decodedAnswerAccepted(c, req, status, header, value) {
			return nil
		}
	}
	// As for requests: kin-openapi decodes the first JSON value and ignores
	// what follows it, so `{"ok":false}<html>` would pass as JSON.
	if isJSONMedia(header.Get("Content-Type")) && len(body) > 0 && !json.Valid(body) {
		return errors.New("response body is not one valid JSON value, though its Content-Type says JSON")
	}
	// Seam documents its 400 and 401 answers without content or headers,
	// of which kin-openapi checks nothing: most answers a run draws.
	if r := documented.Value; r != nil && len(r.Content) == 0 && len(r.Headers) == 0 {
		return nil
	}
	input := c.input(check, req, reqBody)
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &c.options,
	})
}

// isJSONMedia reports whether a Content-Type names JSON (application/json
// or a +json type), parameters aside.
func isJSONMedia(contentType string) bool {
	media, _, _ := strings.Cut(contentType, ";")
	media = strings.ToLower(strings.TrimSpace(media))
	return media == "application/json" || strings.HasPrefix(media, "application/") && strings.HasSuffix(media, "+json")
}

// UndocumentedStatusError is an answer whose status the contract does not
// describe for the operation.
type UndocumentedStatusError struct {
	Operation Operation
	Status    int
}

func (e *UndocumentedStatusError) Error() string {
	return fmt.Sprintf("status %d is not documented for %s", e.Status, e.Operation)
}

// uuidFormat says what kin-openapi's pattern validator would say.
var uuidFormat = openapi3.NewCallbackValidator(func(s string) error {
	if !IsUUID(s) {
		return fmt.Errorf(`string doesn't match pattern "%s"`, UUIDPattern)
	}
	return nil
})

// briefSchemaError is a schema error's message without the schema and the
// value: its path, unless the reason names it (the 2020-12 validator's
// do), and its reason, at most maxReason bytes of it.
func briefSchemaError(err *openapi3.SchemaError) string {
	if err.Origin != nil {
		return err.Origin.Error()
	}
	reason := cmp.Or(err.Reason, fmt.Sprintf("doesn't match schema %q", err.SchemaField))
	if len(reason) > maxReason {
		reason = strings.ToValidUTF8(reason[:maxReason], "") + "…"
	}
	if path := "/" + strings.Join(err.JSONPointer(), "/"); path != "/" && !strings.Contains(reason, path) {
		return fmt.Sprintf("Error at %q: %s", path, reason)
	}
	return reason
}

const maxReason = 300

// inputFormats are the string formats a request is held to beyond
// kin-openapi's own (date, date-time, and uuid above): Seam checks an email
// with zod's email() and a URI with its url(), so a client that sends
// "jane@" is refused by Seam, and must be by serve too. Answers are not
// held to them, so that the requirements on answers keep their meaning.
var inputFormats = map[string]openapi3.StringFormatValidator{
	"email": openapi3.NewCallbackValidator(func(s string) error {
		if !IsEmail(s) {
			return errors.New("string is not an email address")
		}
		return nil
	}),
	"uri": openapi3.NewCallbackValidator(func(s string) error {
		if !IsAbsoluteURL(s) {
			return errors.New("string is not an absolute URL")
		}
		return nil
	}),
}

// IsEmail reports whether s is an email address as zod's email() has it:
// /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}$/i
func IsEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || local[0] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !alnum(c) && !strings.ContainsRune("_'+-.", rune(c)) || i == len(local)-1 && (c == '.' || c == '\'') {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	tld := labels[len(labels)-1]
	if len(labels) < 2 || len(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if !isAlpha(tld[i]) {
			return false
		}
	}
	for _, label := range labels[:len(labels)-1] {
		if label == "" || !alnum(label[0]) {
			return false
		}
		for i := 1; i < len(label); i++ {
			if !alnum(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	return true
}

// IsAbsoluteURL reports whether s is a URL with a scheme, and a host for
// the schemes that need one, as zod's url() (JavaScript's new URL) has it.
// Where the two parsers differ, it leans to accepting: serve must never
// refuse what Seam accepts. So, as new URL does, it ignores spaces and
// control characters around s and the slashes before a host
// ("http:example.com", "https:///example.com"), and does not check ports
// or percent-escapes.
func IsAbsoluteURL(s string) bool {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	scheme, rest, found := strings.Cut(s, ":")
	if !found || scheme == "" || !isAlpha(scheme[0]) {
		return false
	}
	for i := 1; i < len(scheme); i++ {
		if c := scheme[i]; !alnum(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "ws", "wss", "ftp":
		host := strings.TrimLeft(rest, `/\`)
		return host != "" && !strings.ContainsRune("?#", rune(host[0]))
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// validationOptions are kin-openapi's options for a document, an OpenAPI
// 3.1 one if openAPI31, with formats' validators besides uuid's.
func validationOptions(openAPI31 bool, formats map[string]openapi3.StringFormatValidator) openapi3filter.Options {
	// A failure is told by its path and reason. With the details,
	// kin-openapi prints the failing value indented, once per error: for a
	// deeply nested answer, gigabytes (only the first line is ever shown).
	// Its JSON Schema 2020-12 validator, for 3.1, refuses the option that
	// leaves them out: a customizer writes the path and the reason, cut,
	// as that validator's reasons may quote the value.
	brief := openapi3.DisableSchemaErrorDetails()
	if openAPI31 {
		brief = openapi3.SetSchemaErrorMessageCustomizer(briefSchemaError)
	}
	return openapi3filter.Options{
		MultiError:              true,
		IncludeResponseStatus:   true,
		AuthenticationFunc:      authenticate,
		SchemaValidationOptions: withFormats([]openapi3.SchemaValidationOption{openapi3.WithStringFormatValidator("uuid", uuidFormat), brief}, formats),
	}
}

// withFormats is options with a validator for each of formats.
func withFormats(options []openapi3.SchemaValidationOption, formats map[string]openapi3.StringFormatValidator) []openapi3.SchemaValidationOption {
	options = slices.Clone(options)
	for name, validator := range formats {
		options = append(options, openapi3.WithStringFormatValidator(name, validator))
	}
	return options
}

// sameBytes reports whether a and b are the same bytes in memory.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// queryKinds returns the type of each array or object query parameter.
func queryKinds(o *openapi3.Operation) map[string]string {
	kinds := map[string]string{}
	for _, p := range o.Parameters {
		if p.Value == nil || !strings.EqualFold(p.Value.In, "query") || p.Value.Schema == nil || p.Value.Schema.Value == nil {
			continue
		}
		for _, kind := range []string{"array", "object"} {
			if p.Value.Schema.Value.Type.Includes(kind) { // also ["null", "object"] in OpenAPI 3.1
				kinds[p.Value.Name] = kind
			}
		}
	}
	return kinds
}

// sdkQueryForms returns req as kin-openapi can check it when its query is
// in the forms Seam's SDKs send and Seam accepts: an empty list as "name="
// (left out, as no value is), and an object's properties as
// "name.property=value" (left out: kin-openapi reads an object from other
// forms, and its properties are strings). req itself when it has neither.
func sdkQueryForms(check *requestCheck, req *http.Request) *http.Request {
	if len(check.queryKinds) == 0 || req.URL.RawQuery == "" {
		return req
	}
	query := req.URL.Query()
	changed := false
	for name, values := range query {
		base, _, dotted := strings.Cut(name, ".")
		switch kind := check.queryKinds[base]; {
		case dotted && kind == "object",
			!dotted && kind == "array" && len(values) == 1 && values[0] == "":
			delete(query, name)
			changed = true
		}
	}
	if !changed {
		return req
	}
	clone := req.Clone(req.Context())
	clone.URL.RawQuery = query.Encode()
	return clone
}
