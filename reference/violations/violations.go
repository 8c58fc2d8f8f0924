// Package violations checks every exchange that reaches a handler against
// the contract and records what breaks it: a request an SDK should never
// have sent, or (behind a proxy) an answer the real API should never have
// given. It wraps the reference for `seamconform serve`, the proxy for
// `serve --upstream`, and the in-process helper reference/seamtest, so an
// SDK's CI can fail on the first request that does not conform.
package violations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
)

// Side says who broke the contract.
type Side string

const (
	Request  Side = "request"  // the client (the SDK under test)
	Response Side = "response" // the server (an upstream behind the proxy)
)

// The rules a violation can break. The names are stable: CI scripts may
// match them.
const (
	RuleRoute           = "route"            // no operation has this method and path
	RuleAuth            = "auth"             // the Authorization header fits none of the operation's schemes
	RuleWorkspaceHeader = "workspace-header" // a token whose scheme needs seam-workspace, sent without it
	RuleContentType     = "content-type"     // a body that is not application/json
	RuleBody            = "body"             // the JSON body does not match the operation's schema
	RuleQuery           = "query"            // a query parameter is missing, malformed or undeclared
	RuleSDKForm         = "sdk-form"         // accepted by the contract, but not what Seam's SDKs send
	RuleResponse        = "response"         // the answer does not match what the contract documents
)

// ToleratedQuery lists query parameters that Seam's SDKs add although the
// document does not declare them; they are noted, not violations.
var ToleratedQuery = map[string]string{
	"_strict": "Seam's JavaScript SDK adds _strict=true to every query",
}

// Violation is one way one exchange broke the contract.
type Violation struct {
	Time      time.Time   `json:"time"`
	Side      Side        `json:"side"`
	Operation string      `json:"operation"` // "POST /devices/list"; the method and path when no operation matched
	Rule      string      `json:"rule"`
	Reason    string      `json:"reason"`
	Request   SentRequest `json:"request"`
	Status    int         `json:"status"` // what the client was answered; 0: the connection was dropped
	// Repeats counts the same violation again (side, operation, rule,
	// reason and status alike) after this one, whose time and request
	// stand for them all: a client in a retry loop makes one entry, not
	// thousands.
	Repeats int `json:"repeats,omitempty"`
}

func (v Violation) String() string {
	s := fmt.Sprintf("%s %s [%s] %s (answered %d)", v.Side, v.Operation, v.Rule, v.Reason, v.Status)
	if v.Repeats > 0 {
		s += fmt.Sprintf(", %d times", v.Repeats+1)
	}
	return s
}

// otherPaths is the call that counts the paths the contract lacks past
// maxKept of them.
var otherPaths = spec.Operation{Method: "*", Path: "(more paths the contract lacks)"}

// maxKept bounds the distinct violations a Checker keeps with their
// evidence; past it, violations are counted (Report.NotKept), so a client
// sending bad requests for hours cannot exhaust serve's memory.
const maxKept = 1000

// maxUnkeptKinds bounds the kinds past maxKept whose repeats the log
// follows.
const maxUnkeptKinds = 10 * maxKept

// violationKind is what makes two violations the same one.
type violationKind struct {
	side                    Side
	operation, rule, reason string
	status                  int
}

func kindOf(v Violation) violationKind {
	return violationKind{v.Side, v.Operation, v.Rule, v.Reason, v.Status}
}

// Note is something a client did that conforms but is worth knowing, such
// as a tolerated undeclared query parameter.
type Note struct {
	Operation string `json:"operation"`
	Text      string `json:"note"`
	Count     int    `json:"count"`
}

// Call counts the requests a client made to one operation.
type Call struct {
	Operation  string `json:"operation"`
	Requests   int    `json:"requests"`
	Violations int    `json:"violations"` // the requests'
	// AnswerViolations counts the answers' (behind a proxy): with
	// Violations, what an operation's JUnit case says, kept or not.
	AnswerViolations int `json:"answer_violations,omitempty"`
}

// Options configures a Checker.
type Options struct {
	// AnswerAsSeam makes the checker answer, as Seam would, a request the
	// contract rejects but the wrapped handler answered with a success or a
	// 404: 401 for credentials, 400 invalid_input naming the field
	// otherwise. Off, the
	// wrapped handler's answer always stands (a proxy, or a reference with
	// faults switched on on purpose).
	AnswerAsSeam bool
	// CheckResponses validates every answer too (for a proxy in front of a
	// real endpoint).
	CheckResponses bool
	// Secrets maps a name to a secret value; each value is replaced by
	// $NAME in anything recorded. The presented credentials are always
	// replaced.
	Secrets map[string]string
	// Log receives one line per violation; nil discards them.
	Log io.Writer
	// OnReset runs when the control API is asked to reset, so the wrapped
	// server can start over too.
	OnReset func()
}

// Checker is an http.Handler that checks each exchange before passing it
// on. It is safe for concurrent use.
type Checker struct {
	contract *spec.Contract
	next     http.Handler
	opts     Options

	mu         sync.Mutex
	violations []Violation
	kinds      map[violationKind]int // index in violations of each kind's first
	notKept    int                   // violations past maxKept distinct ones
	// The session's, across resets: the kinds kept before the last one
	// (a kind seen again in a later test merges into its first record),
	// how often each kind past maxKept was seen (for the log), and the
	// paths the contract lacks that have a call of their own.
	earlierKinds map[violationKind]int // how often each was seen before
	fresh        int                   // kinds of this test's not in earlierKinds
	unkept       map[violationKind]int
	unrouted     map[spec.Operation]bool
	notes        map[[2]string]int        // operation, text → count
	calls        map[spec.Operation]*Call // by the method and path asked for
	// unforwarded counts the requests a proxy got no answer to (Unforwarded).
	unforwarded int
	// earlier is what the control API's reset set aside: the session's
	// verdict still counts it, so a CI that starts each test afresh does
	// not lose the earlier tests' violations.
	earlier Report
}

// New returns a Checker of exchanges with next against contract.
func New(contract *spec.Contract, next http.Handler, opts Options) *Checker {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	c := &Checker{contract: contract, next: next, opts: opts,
		earlierKinds: map[violationKind]int{}, unkept: map[violationKind]int{}, unrouted: map[spec.Operation]bool{}}
	c.clear()
	return c
}

const maxBody = 1 << 20

// ServeHTTP checks the request, passes it on, and (with CheckResponses)
// checks the answer.
func (c *Checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, ControlPrefix) {
		c.serveControl(w, r)
		return
	}
	// The handler gets the whole body; a larger one is checked by its
	// first MiB, which fails the schema as a truncated JSON value would.
	body, err := spec.BufferBody(r, maxBody)
	if err != nil {
		http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
		return
	}

	op, allowed, found := c.contract.Route(r)
	var problems []problem
	if found {
		problems = c.checkRequest(op, r, body)
	} else {
		problems = []problem{{rule: RuleRoute, reason: routeReason(r, allowed)}}
	}

	if !found {
		op = spec.Operation{Method: r.Method, Path: r.URL.Path}
	}
	var override *bufferedAnswer
	if c.opts.AnswerAsSeam {
		override = seamAnswer(problems)
	}
	if override == nil && !(c.opts.CheckResponses && found) {
		// Nothing may replace the answer or check it: it goes through as
		// it is written, the usual case for a conforming client. Its
		// status is kept only to record with a problem.
		if len(problems) == 0 {
			c.runHandler(w, r, body, op, nil)
			c.record(r, body, op, 0, nil, nil)
			return
		}
		passed := &passedAnswer{ResponseWriter: w, status: http.StatusOK}
		c.runHandler(passed, r, body, op, problems)
		c.record(r, body, op, passed.status, problems, nil)
		return
	}
	answer := &bufferedAnswer{header: http.Header{}, status: http.StatusOK, under: w}
	c.runHandler(answer, r, body, op, problems)
	// Seam checks credentials (401), then input (400), then looks things
	// up: a success or a not-found for a request the contract rejects is
	// not Seam's answer. (Others, such as an SDK fault's 429, stand.)
	if answer.passed { // too large to hold: gone to the client as it came
		note := problem{rule: RuleResponse, note: true, reason: fmt.Sprintf("an answer over %d MiB went to the client unchecked", maxAnswer>>20)}
		c.record(r, body, op, answer.status, problems, []problem{note})
		return
	}
	if override != nil && (answer.status < 300 || answer.status == http.StatusNotFound) {
		answer = override
	}
	answer.writeTo(w)

	var responseProblems []problem
	if c.opts.CheckResponses && found {
		responseProblems = c.checkResponse(op, r, body, answer)
	}
	c.record(r, body, op, answer.status, problems, responseProblems)
}

// runHandler has the handler answer into w. A handler that drops the
// connection on purpose (an SDK fault) goes on doing so, and the request
// still counts.
func (c *Checker) runHandler(w http.ResponseWriter, r *http.Request, body []byte, op spec.Operation, problems []problem) {
	if aborted := serve(c.next, w, r); aborted != nil {
		c.record(r, body, op, 0, problems, nil)
		panic(aborted)
	}
}

// passedAnswer passes an answer through, keeping its status.
type passedAnswer struct {
	http.ResponseWriter
	status int
	wrote  bool
}

// Unwrap lets http.ResponseController reach the connection (an SDK fault's
// reset hijacks it).
func (a *passedAnswer) Unwrap() http.ResponseWriter { return a.ResponseWriter }

func (a *passedAnswer) WriteHeader(status int) {
	if !a.wrote && status >= 200 { // a 1xx is not the answer
		a.status, a.wrote = status, true
	}
	a.ResponseWriter.WriteHeader(status)
}

func (a *passedAnswer) Write(p []byte) (int, error) {
	a.wrote = true
	return a.ResponseWriter.Write(p)
}

// serve runs h and returns what it panicked with, if anything.
func serve(h http.Handler, w http.ResponseWriter, r *http.Request) (aborted any) {
	defer func() { aborted = recover() }()
	h.ServeHTTP(w, r)
	return nil
}

func routeReason(r *http.Request, allowed []string) string {
	if len(allowed) == 0 {
		return "the contract has no path " + r.URL.Path
	}
	return fmt.Sprintf("%s takes %s, not %s", r.URL.Path, strings.Join(allowed, " or "), r.Method)
}

// problem is a violation or a note before it is recorded.
type problem struct {
	rule   string
	field  string // the input named in validation_errors, if any
	reason string
	note   bool
	// accepted: Seam answers the request normally although it is not what
	// its SDKs send.
	accepted bool
}

// checkRequest returns every way the request breaks the contract or Seam's
// SDKs' conventions, and what it does that is only worth a note.
func (c *Checker) checkRequest(op spec.Operation, r *http.Request, body []byte) []problem {
	var out []problem
	broken := c.contract.CheckRequest(op, r, body)
	if len(body) > maxBody {
		// Only the first MiB was read: what the contract says of a body cut
		// there is not the client's doing, its size is.
		broken = slices.DeleteFunc(broken, func(v spec.Violation) bool { return v.Rule == spec.RuleBody })
		out = append(out, problem{rule: RuleBody, reason: "the request body is larger than 1 MiB, more than serve reads"})
	}
	if len(broken) > 0 {
		described, _ := c.contract.Describe(op)
		for _, v := range broken {
			out = append(out, classify(described, r, v))
		}
	}
	declared, bodyNames := c.contract.InputNames(op)
	postForm := spec.Operation{Method: http.MethodPost, Path: op.Path}
	queryForm := r.Method == http.MethodGet || r.Method == http.MethodDelete
	if len(declared) == 0 && queryForm {
		// Seam's document omits the query parameters of some GET and
		// DELETE forms (those whose POST form takes a oneOf body, such as
		// GET /user_identities/get); Seam's SDKs send the POST form's
		// properties in their query, and Seam accepts them.
		_, declared = c.contract.InputNames(postForm)
		if len(declared) > 0 {
			out = append(out, c.checkQueryAsBody(postForm, r)...)
		}
	}
	// With _strict=true Seam refuses undeclared parameters; without, it
	// ignores them.
	var query url.Values
	var names []string
	if r.URL.RawQuery != "" { // most requests have none: no map to parse or sort
		query = r.URL.Query()
		names = slices.Sorted(maps.Keys(query))
	}
	strict := query.Get("_strict") == "true"
	for _, name := range names {
		base, _, dotted := strings.Cut(name, ".")
		switch why, tolerated := ToleratedQuery[name]; {
		case slices.Contains(declared, name):
		case dotted && c.contract.ObjectQuery(op, base): // an object's property, as Seam's SDKs send it
		case tolerated:
			out = append(out, problem{rule: RuleQuery, field: name, reason: "undeclared query parameter " + name + " tolerated: " + why, note: true})
		default:
			out = append(out, problem{rule: RuleQuery, field: name, reason: "query parameter " + name + " is not declared by " + op.String(), accepted: !strict})
		}
	}
	out = append(out, undeclaredProperties(op, bodyNames, body)...)
	out = append(out, c.headerProblems(op, r)...)
	switch {
	case len(body) == 0:
	case queryForm:
		out = append(out, problem{rule: RuleSDKForm, accepted: true, reason: fmt.Sprintf("a %s request carries a body (Content-Type %q); Seam's SDKs send its parameters in the query", r.Method, r.Header.Get("Content-Type"))})
	case !isJSON(spec.HeaderValue(r.Header, "Content-Type")) && !hasRule(out, RuleContentType):
		out = append(out, problem{rule: RuleContentType, reason: fmt.Sprintf("the body's Content-Type is %q; Seam's SDKs send application/json", r.Header.Get("Content-Type"))})
	}
	return out
}

// headerProblems are the credential mistakes the contract's check lets
// through: a credential header sent twice (Seam, on Node, reads the first;
// a proxy on the way may read another), and a seam-workspace header that
// cannot name a workspace. Its value is not told: a client that put a
// credential there must not find it in a report.
func (c *Checker) headerProblems(op spec.Operation, r *http.Request) []problem {
	var out []problem
	for _, name := range []string{"Authorization", workspaceHeader} {
		if n := len(r.Header[name]); n > 1 {
			out = append(out, problem{rule: RuleAuth, accepted: true, reason: fmt.Sprintf("the %s header was sent %d times; Seam reads the first", name, n)})
		}
	}
	workspace := spec.HeaderValue(r.Header, workspaceHeader)
	if workspace == "" || spec.IsUUID(workspace) {
		return out // every request but a PAT's or a console session's
	}
	token, ok := spec.BearerToken(r.Header.Get("Authorization"))
	d, known := c.contract.Describe(op)
	for _, s := range spec.Schemes() {
		if ok && known && s.Companion != "" && d.Accepts(s.Name) && s.Shaped(token) {
			return append(out, problem{rule: RuleWorkspaceHeader, reason: "the " + s.Companion + " header sent with " + spec.Indefinite(s.Kind) + " is not a workspace ID (a UUID)"})
		}
	}
	return out
}

// workspaceHeader is seam-workspace in canonical form.
var workspaceHeader = http.CanonicalHeaderKey(spec.WorkspaceHeader)

// checkQueryAsBody validates a query against the POST form's body schema.
// A query value is text, so each is read as a string first, and, where
// that fails the schema, as JSON (true, 5); a repeated name is an array.
func (c *Checker) checkQueryAsBody(postForm spec.Operation, r *http.Request) []problem {
	asText, asJSON := map[string]any{}, map[string]any{}
	for name, values := range r.URL.Query() {
		if _, tolerated := ToleratedQuery[name]; tolerated {
			continue
		}
		var text, parsed []any
		for _, v := range values {
			var p any
			if json.Unmarshal([]byte(v), &p) != nil {
				p = v
			}
			text, parsed = append(text, v), append(parsed, p)
		}
		asText[name], asJSON[name] = text[0], parsed[0]
		if len(values) > 1 {
			asText[name], asJSON[name] = text, parsed
		}
	}
	asPost := r.Clone(r.Context())
	asPost.Method = http.MethodPost
	asPost.Header.Set("Content-Type", "application/json")
	check := func(object map[string]any) []problem {
		body, _ := json.Marshal(object)
		var out []problem
		for _, v := range c.contract.CheckRequest(postForm, asPost, body) {
			if p := classify(spec.Described{}, asPost, v); p.rule == RuleBody { // credentials are the GET form's to check
				p.rule, p.reason = RuleQuery, "query "+p.reason
				out = append(out, p)
			}
		}
		return out
	}
	problems := check(asText)
	retry := false
	for _, p := range problems {
		if _, ok := asJSON[p.field]; ok {
			asText[p.field], retry = asJSON[p.field], true
		}
	}
	if retry {
		problems = check(asText)
	}
	return problems
}

// undeclaredProperties reports the top-level properties of a JSON object
// body that op does not declare: most often a misspelt parameter, which Seam
// silently ignores, so the client never learns its value was not used.
func undeclaredProperties(op spec.Operation, declared []string, body []byte) []problem {
	if len(declared) == 0 {
		return nil
	}
	var out []problem
	for _, name := range spec.UndeclaredNames(body, declared) {
		out = append(out, problem{rule: RuleBody, field: name, accepted: true, reason: "body property " + name + " is not declared by " + op.String()})
	}
	return out
}

func hasRule(ps []problem, rule string) bool {
	return slices.ContainsFunc(ps, func(p problem) bool { return p.rule == rule && !p.note })
}

func isJSON(contentType string) bool {
	media, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(media), "application/json")
}

// sentCredential says what kind of credential r presents, by its shape (a
// public convention, not the secret), so that a refusal says what was sent.
func sentCredential(r *http.Request) string {
	authorization := r.Header.Get("Authorization")
	if token, ok := spec.BearerToken(authorization); ok {
		return "the request presents a " + tokenKind(token) + ", and "
	}
	if authorization == "" && r.Header.Get("Seam-Publishable-Key") != "" {
		return "the request presents a publishable key (seam-publishable-key), and "
	}
	if authorization == "" {
		return "the request has no Authorization header, and "
	}
	return "the Authorization header is not a Bearer token, and "
}

// classify turns a contract violation into a rule, the field it names and a
// one-line reason (kin-openapi's messages carry the whole schema).
func classify(d spec.Described, r *http.Request, v spec.Violation) problem {
	var sec *openapi3filter.SecurityRequirementsError
	if errors.As(v.Err, &sec) {
		if rule, reason := credentialProblem(d, r); rule != "" {
			return problem{rule: rule, reason: reason}
		}
		// Schemes of one kind fail alike: each reason once.
		var reasons []string
		for _, e := range sec.Errors {
			if !slices.Contains(reasons, e.Error()) {
				reasons = append(reasons, e.Error())
			}
		}
		return problem{rule: RuleAuth, reason: sentCredential(r) + "no accepted scheme fits it: " + strings.Join(reasons, "; ")}
	}
	var re *openapi3filter.RequestError
	if errors.As(v.Err, &re) {
		if re.Parameter != nil {
			return problem{rule: RuleQuery, field: re.Parameter.Name, reason: "query parameter " + re.Parameter.Name + ": " + leafReason(re)}
		}
		if strings.HasPrefix(re.Reason, "header Content-Type") {
			return problem{rule: RuleContentType, reason: "the body's " + strings.TrimPrefix(re.Reason, "header ") + "; the operation takes application/json"}
		}
	}
	var se *openapi3.SchemaError
	if errors.As(v.Err, &se) {
		field := strings.Join(se.JSONPointer(), ".")
		if inner := spec.PropertyError(se); field == "" && inner != nil {
			se, field = inner, strings.Join(inner.JSONPointer(), ".")
		}
		if field == "" {
			if needed := neededOfAlternatives(se); needed != "" {
				return problem{rule: RuleBody, reason: "body: " + needed}
			}
			return problem{rule: RuleBody, reason: "body: " + se.Reason}
		}
		top, _, _ := strings.Cut(field, ".")
		return problem{rule: RuleBody, field: top, reason: field + ": " + se.Reason}
	}
	if re != nil && re.Err != nil {
		return problem{rule: RuleBody, reason: "body: " + re.Err.Error()}
	}
	if re != nil {
		return problem{rule: RuleBody, reason: "body: " + re.Reason}
	}
	return problem{rule: RuleBody, reason: v.Err.Error()}
}

// neededOfAlternatives says what an object lacks for any alternative of
// an anyOf to take it, when each lacks only required properties:
// "user_identity_id or user_identity_key is required", where kin-openapi
// says only that it "doesn't match any schema from anyOf". "" otherwise.
func neededOfAlternatives(se *openapi3.SchemaError) string {
	object, ok := se.Value.(map[string]any)
	if se.SchemaField != "anyOf" || se.Schema == nil || !ok {
		return ""
	}
	var alternatives []string
	for _, branch := range se.Schema.AnyOf {
		if branch.Value == nil {
			return ""
		}
		var missing []string
		for _, name := range branch.Value.Required {
			if _, present := object[name]; !present {
				missing = append(missing, name)
			}
		}
		if len(missing) == 0 { // it fails for another reason
			return ""
		}
		alternatives = append(alternatives, strings.Join(missing, " and "))
	}
	if len(alternatives) == 0 {
		return ""
	}
	return strings.Join(alternatives, " or ") + " is required"
}

func leafReason(re *openapi3filter.RequestError) string {
	var se *openapi3.SchemaError
	if errors.As(re, &se) {
		return se.Reason
	}
	if re.Err != nil {
		return re.Err.Error()
	}
	return re.Reason
}

// credentialProblem recognises the one credential mistake worth its own
// rule: a token of a scheme the operation accepts that needs a companion
// header (seam-workspace), sent without it.
func credentialProblem(d spec.Described, r *http.Request) (rule, reason string) {
	token, ok := spec.BearerToken(r.Header.Get("Authorization"))
	if !ok {
		return "", ""
	}
	for _, s := range spec.Schemes() {
		if s.Companion != "" && d.Accepts(s.Name) && s.Shaped(token) && r.Header.Get(s.Companion) == "" {
			return RuleWorkspaceHeader, spec.Indefinite(s.Kind) + " was sent without the " + s.Companion + " header"
		}
	}
	return "", ""
}

// checkResponse validates the answer; an undocumented status is a note,
// because Seam answers some (404 for a missing resource) that its document
// does not list.
func (c *Checker) checkResponse(op spec.Operation, r *http.Request, body []byte, a *bufferedAnswer) []problem {
	err := c.contract.CheckResponse(op, r, body, a.status, a.header, a.body.Bytes())
	if err == nil {
		return nil
	}
	var undocumented *spec.UndocumentedStatusError
	if errors.As(err, &undocumented) {
		return []problem{{rule: RuleResponse, reason: undocumented.Error(), note: true}}
	}
	var all openapi3.MultiError
	if !errors.As(err, &all) {
		all = openapi3.MultiError{err}
	}
	var out []problem
	for _, e := range all {
		reason := e.Error()
		var se *openapi3.SchemaError
		if errors.As(e, &se) {
			reason = strings.Join(se.JSONPointer(), ".") + ": " + se.Reason
		} else if re := new(openapi3filter.ResponseError); errors.As(e, &re) && re.Reason != "" {
			reason = re.Reason
		}
		out = append(out, problem{rule: RuleResponse, reason: fmt.Sprintf("status %d: %s", a.status, firstLine(reason))})
	}
	return out
}

// printable escapes control characters, which a client's path or parameter
// names could carry into a log line.
func printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	quoted := strconv.Quote(s)
	return quoted[1 : len(quoted)-1]
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func (c *Checker) record(r *http.Request, body []byte, op spec.Operation, status int, request, response []problem) {
	var now time.Time
	if len(request)+len(response) > 0 {
		now = time.Now().UTC()
	}
	// Most requests conform: only a violation or a note is worth redacting
	// the request for.
	sent, scrub := SentRequest{}, func(s string) string { return s }
	if len(request)+len(response) > 0 {
		sent, scrub = redactRequest(r, body, c.opts.Secrets)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	call := c.calls[op]
	if call == nil && len(request) > 0 && request[0].rule == RuleRoute && !c.unrouted[op] {
		// The paths the contract lacks are the client's to choose: past
		// maxKept of them in a session, they share one call.
		if len(c.unrouted) >= maxKept {
			op = otherPaths
			call = c.calls[op]
		} else {
			c.unrouted[op] = true
		}
	}
	if call == nil {
		call = &Call{Operation: printable(scrubURI(op.String(), scrub))} // a path the contract lacks is the client's text, escaped as it chose
		c.calls[op] = call
	}
	call.Requests++
	operation := call.Operation
	for _, side := range []struct {
		side     Side
		problems []problem
	}{{Request, request}, {Response, response}} {
		for _, p := range side.problems {
			reason := printable(scrubURI(p.reason, scrub)) // it may quote the path or a query name
			if p.note {
				c.notes[[2]string{operation, reason}]++
				continue
			}
			v := Violation{Time: now, Side: side.side, Operation: operation, Rule: p.rule, Reason: reason, Request: sent, Status: status}
			if side.side == Request {
				call.Violations++
			} else {
				call.AnswerViolations++
			}
			kind := kindOf(v)
			times := c.earlierKinds[kind] + 1 // this one's count in the session
			switch i, seen := c.kinds[kind]; {
			case seen:
				c.violations[i].Repeats++
				times += c.violations[i].Repeats
			case times > 1 || len(c.earlier.Violations)+c.fresh < maxKept:
				if times == 1 {
					c.fresh++
				}
				c.kinds[kind] = len(c.violations)
				c.violations = append(c.violations, v)
			default:
				// Past maxKept distinct ones: counted, and logged as the
				// kept ones are while the kinds to count by are few
				// enough to hold.
				c.notKept++
				n, counted := c.unkept[kind]
				if !counted && len(c.unkept) >= maxUnkeptKinds {
					if len(c.unkept) == maxUnkeptKinds {
						c.unkept[violationKind{}] = 0 // said once
						fmt.Fprintf(c.opts.Log, "%s VIOLATION more kinds of violations than the log can follow: further ones are counted in the reports, not logged\n", now.Format(time.RFC3339))
					}
					continue
				}
				c.unkept[kind] = n + 1
				times = n + 1
			}
			if isPowerOf10(times) { // the log says it goes on, without a line each time
				v.Repeats = times - 1
				fmt.Fprintf(c.opts.Log, "%s VIOLATION %s\n", now.Format(time.RFC3339), v)
			}
		}
	}
}

func isPowerOf10(n int) bool {
	for n >= 10 && n%10 == 0 {
		n /= 10
	}
	return n == 1
}

// Violations returns the violations recorded since the start or the last
// reset, in the order they first happened, each with its Repeats.
func (c *Checker) Violations() []Violation { return c.Report().Violations }

// Notes returns what was noted, by operation.
func (c *Checker) Notes() []Note { return c.Report().Notes }

// Calls returns the operations called, sorted.
func (c *Checker) Calls() []Call { return c.Report().Calls }

// Report returns what was recorded since the start or the last reset.
func (c *Checker) Report() Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.since(Report{})
}

// SessionReport is the Report of everything since the start, the tests
// before each StartTest included: what a session's verdict is made of.
func (c *Checker) SessionReport() Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.since(c.earlier)
}

// since is earlier with what was recorded since the last reset added. The
// caller holds c.mu.
func (c *Checker) since(earlier Report) Report {
	notes := map[[2]string]int{}
	for _, n := range earlier.Notes {
		notes[[2]string{n.Operation, n.Text}] += n.Count
	}
	for key, n := range c.notes {
		notes[key] += n
	}
	// A kind seen in an earlier test too adds to its first record.
	out := Report{
		Violations:  slices.Clone(earlier.Violations),
		NotKept:     earlier.NotKept + c.notKept,
		Notes:       []Note{}, // [] in JSON, so a script can count it
		Calls:       []Call{},
		Unforwarded: earlier.Unforwarded + c.unforwarded,
	}
	first := make(map[violationKind]int, len(out.Violations))
	for i, v := range out.Violations {
		first[kindOf(v)] = i
	}
	for _, v := range c.violations {
		if i, ok := first[kindOf(v)]; ok {
			out.Violations[i].Repeats += v.Repeats + 1
			continue
		}
		first[kindOf(v)] = len(out.Violations)
		out.Violations = append(out.Violations, v)
	}
	if out.Violations == nil {
		out.Violations = []Violation{} // [] in JSON, so a script can count it
	}
	for key, n := range notes {
		out.Notes = append(out.Notes, Note{Operation: key[0], Text: key[1], Count: n})
	}
	slices.SortFunc(out.Notes, func(a, b Note) int { return strings.Compare(a.Operation+a.Text, b.Operation+b.Text) })
	// Paths that differ only in control characters print alike: one call.
	byName := map[string]Call{}
	for _, call := range earlier.Calls {
		byName[call.Operation] = call
	}
	for _, call := range c.calls {
		sum := byName[call.Operation]
		sum.Operation, sum.Requests, sum.Violations = call.Operation, sum.Requests+call.Requests, sum.Violations+call.Violations
		sum.AnswerViolations += call.AnswerViolations
		byName[call.Operation] = sum
	}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		out.Calls = append(out.Calls, byName[name])
	}
	return out
}

// clear forgets what was recorded since the last reset. The caller holds
// c.mu.
func (c *Checker) clear() {
	c.notes, c.calls, c.unforwarded = map[[2]string]int{}, map[spec.Operation]*Call{}, 0
	c.dropViolations()
}

// dropViolations forgets the violations recorded since the last reset,
// and the calls' counts of them. The caller holds c.mu.
func (c *Checker) dropViolations() {
	c.violations, c.kinds, c.notKept, c.fresh = nil, map[violationKind]int{}, 0, 0
	for _, call := range c.calls {
		call.Violations, call.AnswerViolations = 0, 0
	}
}

// StartTest sets what was recorded aside, out of Report's view but in the
// session's, and runs OnReset: the control API's reset between tests.
func (c *Checker) StartTest() {
	c.mu.Lock()
	c.earlier = c.since(c.earlier)
	for _, v := range c.earlier.Violations {
		c.earlierKinds[kindOf(v)] = v.Repeats + 1
	}
	c.clear()
	c.mu.Unlock()
	if c.opts.OnReset != nil {
		c.opts.OnReset()
	}
}

// Forget drops the violations recorded since the last reset: those of a
// test that sent bad requests on purpose. The earlier tests' stay in the
// session's verdict, and so do the requests counted and those an upstream
// never answered: none of them was that test's doing.
func (c *Checker) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropViolations()
}

// ForgetSession drops every violation recorded, the earlier tests' too:
// for one client's test that owns the whole server (seamtest), whose reset
// through the control API must not keep what the test then forgets.
func (c *Checker) ForgetSession() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.earlier.Violations, c.earlier.NotKept, c.earlierKinds = nil, 0, map[violationKind]int{}
	for i := range c.earlier.Calls {
		c.earlier.Calls[i].Violations, c.earlier.Calls[i].AnswerViolations = 0, 0
	}
	c.dropViolations()
}

// Unforwarded notes a request the wrapped handler, a proxy, got no answer
// to from its upstream: its answer went unchecked.
func (c *Checker) Unforwarded() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unforwarded++
}

// bufferedAnswer holds the wrapped handler's answer until the checker has
// decided whether it stands.
type bufferedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
	under  http.ResponseWriter // reached to hijack the connection, and by an answer too large to hold
	// passed: the answer outgrew maxAnswer and went on to under as it
	// came, unchecked (an upstream streaming without end would otherwise
	// fill the memory).
	passed bool
}

// maxAnswer bounds the answer the checker holds to check.
const maxAnswer = 16 << 20

func (a *bufferedAnswer) Header() http.Header { return a.header }

// Unwrap gives the connection's writer, for a reset's hijack: the answer
// itself is held here (see FlushError).
func (a *bufferedAnswer) Unwrap() http.ResponseWriter { return a.under }

// FlushError flushes only an answer that passed through: a held one is
// the checker's to write whole. Without it, http.ResponseController (a
// reverse proxy flushing a chunked answer) would reach the connection
// through Unwrap and send an empty 200 before the answer.
func (a *bufferedAnswer) FlushError() error {
	if a.passed {
		return http.NewResponseController(a.under).Flush()
	}
	return nil
}

func (a *bufferedAnswer) WriteHeader(status int) {
	// A 1xx (a proxy forwarding 100 Continue) is not the answer, and
	// net/http sends its own to the client.
	if !a.wrote && status >= 200 {
		a.status, a.wrote = status, true
	}
}

func (a *bufferedAnswer) Write(p []byte) (int, error) {
	a.wrote = true
	if !a.passed && a.body.Len()+len(p) > maxAnswer {
		a.writeTo(a.under)
		a.passed, a.body = true, bytes.Buffer{}
	}
	if a.passed {
		return a.under.Write(p)
	}
	return a.body.Write(p)
}

func (a *bufferedAnswer) writeTo(w http.ResponseWriter) {
	maps.Copy(w.Header(), a.header)
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body.Bytes())
}

// seamAnswer is Seam's answer to a request with these problems, or nil when
// none of them makes Seam refuse it.
func seamAnswer(problems []problem) *bufferedAnswer {
	var refused []problem
	for _, p := range problems {
		// An unknown route is the wrapped handler's to answer (404, 405).
		if !p.note && !p.accepted && p.rule != RuleRoute {
			refused = append(refused, p)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	kind, status := "invalid_input", http.StatusBadRequest
	validation := map[string]any{"_errors": []string{}}
	var messages []string
	for _, p := range refused {
		switch p.rule {
		case RuleAuth, RuleWorkspaceHeader:
			kind, status, validation = "unauthorized", http.StatusUnauthorized, nil
		}
		messages = append(messages, p.reason)
		if validation == nil {
			continue
		}
		if p.field == "" {
			validation["_errors"] = append(validation["_errors"].([]string), p.reason)
		} else {
			validation[p.field] = map[string]any{"_errors": []string{p.reason}}
		}
	}
	requestID := fixtures.NewUUID() // as Seam's, and the reference's
	envelope := map[string]any{"type": kind, "message": strings.Join(messages, "; "), "request_id": requestID}
	if validation != nil {
		envelope["validation_errors"] = validation
	}
	a := &bufferedAnswer{header: http.Header{}, status: status}
	a.header.Set("Content-Type", "application/json")
	a.header.Set("seam-request-id", requestID)
	_ = json.NewEncoder(&a.body).Encode(map[string]any{"error": envelope, "ok": false})
	return a
}
