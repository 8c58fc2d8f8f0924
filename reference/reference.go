// Package reference is a correct, in-memory implementation of the part of the
// Seam Connect API that the suites use. It answers in-process (through gock)
// and over HTTP (seamconform serve), and it carries named faults: realistic
// ways an implementation gets the contract wrong, switched on by name so the
// suite can prove it catches each one.
package reference

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
)

// Options configures a Server.
type Options struct {
	// Faults names the faults to switch on (see Faults).
	Faults []string
	// NonSandbox makes the seeded workspace report is_sandbox: false, for
	// testing a client's sandbox guard.
	NonSandbox bool
	// Seed, when set, makes the IDs and credentials the same on every start
	// with the same seed (a CI file can hold them); nil draws fresh ones.
	Seed *uint64
	// APIKey and PersonalAccessToken, when set, are the seeded workspace's
	// credentials instead of drawn ones (New checks their shape).
	APIKey, PersonalAccessToken string
	// Contract is the document whose operations the server answers; nil:
	// the embedded one.
	Contract *spec.Contract
	// MaxIdentities bounds the user identities of a workspace; creating one
	// more answers 400 resource_limit_reached. 0: no bound.
	MaxIdentities int
}

// Server is the reference implementation. It is safe for concurrent use.
type Server struct {
	contract *spec.Contract
	faults   map[string]faultScope // switched-on faults by name
	// methods lists the documented methods of each path, for 405's Allow.
	methods map[string][]string
	// answers caches each generic operation's 200 body (JSON).
	answers sync.Map // spec.Operation → []byte

	// Workspaces, credentials and memberships are fixed at New, so reading
	// them needs no lock.
	workspaces  map[string]*workspace // by ID
	apiKeys     map[string]string     // API key → workspace ID
	pats        map[string]string     // personal access token → user ID
	grants      map[string]grant      // other bearer tokens (client sessions, ...)
	publishable map[string]string     // publishable key → workspace ID
	memberships map[string][]string   // user ID → workspace IDs, first is the default
	jwtSecret   []byte
	seed        fixtures.Seed
	// random is the source of IDs and secrets; read in New or under randomMu.
	random       io.Reader
	randomMu     sync.Mutex
	seededUserID string

	identities *identityStore
}

// grant is what a token of a simple kind (neither API key, PAT nor console
// session) stands for.
type grant struct {
	scheme      string
	workspaceID string
}

type workspace struct {
	WorkspaceID                 string   `json:"workspace_id"`
	Name                        string   `json:"name"`
	CompanyName                 string   `json:"company_name"`
	IsSandbox                   bool     `json:"is_sandbox"`
	IsSuspended                 bool     `json:"is_suspended"`
	ConnectWebviewCustomization struct{} `json:"connect_webview_customization"`
	ConnectPartnerName          *string  `json:"connect_partner_name"`
	IsPublishableKeyAuthEnabled bool     `json:"is_publishable_key_auth_enabled"`
	OrganizationID              *string  `json:"organization_id"`
	PublishableKey              string   `json:"publishable_key"`
}

type identity struct {
	UserIdentityID  string   `json:"user_identity_id"`
	UserIdentityKey *string  `json:"user_identity_key"`
	EmailAddress    *string  `json:"email_address"`
	PhoneNumber     *string  `json:"phone_number"`
	DisplayName     string   `json:"display_name"`
	FullName        *string  `json:"full_name"`
	CreatedAt       string   `json:"created_at"`
	WorkspaceID     string   `json:"workspace_id"`
	Errors          []any    `json:"errors"`
	Warnings        []any    `json:"warnings"`
	ACSUserIDs      []string `json:"acs_user_ids"`
	order           uint64   // set by the store: lists keep the order of creation
}

// New returns a server holding a freshly seeded workspace with random IDs and
// secrets. It fails for an unknown fault name.
func New(opts Options) (*Server, error) {
	s := &Server{
		faults:      map[string]faultScope{},
		apiKeys:     map[string]string{},
		pats:        map[string]string{},
		grants:      map[string]grant{},
		publishable: map[string]string{},
		memberships: map[string][]string{},
		workspaces:  map[string]*workspace{},
		identities:  newIdentityStore(opts.MaxIdentities),
		random:      rand.Reader,
		contract:    opts.Contract,
		methods:     map[string][]string{},
	}
	if s.contract == nil {
		c, err := spec.Embedded()
		if err != nil {
			return nil, err
		}
		s.contract = c
	}
	for _, d := range s.contract.Operations() {
		s.methods[d.Path] = append(s.methods[d.Path], d.Method)
	}
	now := time.Now()
	if opts.Seed != nil {
		s.random = seededSource(*opts.Seed)
		// Console sessions are signed with their times: fixed times keep
		// the token the same on every start.
		now = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	s.jwtSecret = randomBytes(s.random, 32)
	if err := checkGiven(opts); err != nil {
		return nil, err
	}
	for _, entry := range opts.Faults {
		name, scope, err := s.parseFault(entry)
		if err != nil {
			return nil, err
		}
		s.faults[name] = scope
	}

	own := s.addWorkspace("seamconform reference", !opts.NonSandbox)
	foreign := s.addWorkspace("seamconform foreign", true)
	foreignName := "Foreign User"
	foreignIdentity := s.newIdentity(foreign.WorkspaceID, identityFields{FullName: &foreignName})
	if fail := s.identities.add(foreignIdentity); fail != nil {
		return nil, fmt.Errorf("seeding: %s", fail.message)
	}

	s.seededUserID = newUUID(s.random)
	s.memberships[s.seededUserID] = []string{own.WorkspaceID}
	apiKey := newAPIKey(s.random)
	if opts.APIKey != "" {
		apiKey = opts.APIKey
	}
	s.apiKeys[apiKey] = own.WorkspaceID
	pat := "seam_at" + randomText(s.random, 24)
	if opts.PersonalAccessToken != "" {
		pat = opts.PersonalAccessToken
	}
	s.pats[pat] = s.seededUserID

	s.seed = fixtures.Seed{
		WorkspaceID:                own.WorkspaceID,
		APIKey:                     apiKey,
		PersonalAccessToken:        pat,
		ConsoleSessionToken:        s.consoleSession(s.seededUserID, now, now.Add(sessionLifetime(opts.Seed))),
		ExpiredConsoleSessionToken: s.consoleSession(s.seededUserID, now.Add(-48*time.Hour), now.Add(-24*time.Hour)),
		PublishableKey:             own.PublishableKey,
		ForeignWorkspaceID:         foreign.WorkspaceID,
		ForeignIdentityID:          foreignIdentity.UserIdentityID,
		Tokens:                     map[string]string{},
	}
	// A valid token of every other kind, acting on the seeded workspace,
	// so that mock runs can call every operation with a credential it
	// accepts (and present each kind where it is not accepted).
	for _, scheme := range spec.Schemes() {
		if !scheme.Bearer() || scheme.JWT || s.seed.Token(scheme.Name) != "" || scheme.Name == "api_key" {
			continue
		}
		token := scheme.Prefix + randomText(s.random, 24)
		s.grants[token] = grant{scheme: scheme.Name, workspaceID: own.WorkspaceID}
		if scheme.Name == "client_session" {
			s.seed.ClientSessionToken = token
		} else {
			s.seed.Tokens[scheme.Name] = token
		}
	}
	// Drawn last, so that --seed keeps every other credential it gave.
	s.seed.ForeignAPIKey = newAPIKey(s.random)
	s.apiKeys[s.seed.ForeignAPIKey] = foreign.WorkspaceID
	return s, nil
}

// checkGiven rejects given credentials that would not authenticate as
// their kind: a token's prefix says its kind.
func checkGiven(opts Options) error {
	if key, pat := opts.APIKey, opts.PersonalAccessToken; key != "" && len(key) < fixtures.MinSecret || pat != "" && len(pat) < fixtures.MinSecret {
		return fmt.Errorf("a credential is at least %d bytes long, so that reports can leave it out", fixtures.MinSecret)
	}
	if key := opts.APIKey; key != "" && (!isToken(key) || tokenKind(key).Name != "api_key") {
		return fmt.Errorf("an API key is seam_ and token characters, and does not start like another kind of credential (seam_at, seam_cst, seam_pk, ...)")
	}
	if pat := opts.PersonalAccessToken; pat != "" && (!isToken(pat) || !strings.HasPrefix(pat, "seam_at")) {
		return fmt.Errorf("a personal access token is seam_at and token characters")
	}
	return nil
}

func isToken(s string) bool {
	_, ok := spec.BearerToken("Bearer " + s)
	return ok
}

// sessionLifetime is how long the seeded console session lasts: a day, or
// a century when seeded (its start is fixed in the past).
func sessionLifetime(seed *uint64) time.Duration {
	if seed != nil {
		return 100 * 365 * 24 * time.Hour
	}
	return 24 * time.Hour
}

// Seed returns the seeded workspace, its secrets and the foreign workspace.
func (s *Server) Seed() fixtures.Seed { return s.seed }

// IdentityIDs returns the IDs of the identities in the seeded workspace,
// sorted.
func (s *Server) IdentityIDs() []string { return s.identities.ids(s.seed.WorkspaceID) }

func (s *Server) addWorkspace(name string, sandbox bool) *workspace {
	ws := &workspace{
		WorkspaceID:    newUUID(s.random),
		Name:           name,
		CompanyName:    "seamconform",
		IsSandbox:      sandbox,
		PublishableKey: "seam_pk" + randomText(s.random, 24),
	}
	s.workspaces[ws.WorkspaceID] = ws
	s.publishable[ws.PublishableKey] = ws.WorkspaceID
	return ws
}

type identityFields struct {
	Key, Email, Phone, FullName *string
}

// displayName is the first of the full name, e-mail address and key.
func displayName(f identityFields) string {
	for _, name := range []*string{f.FullName, f.Email, f.Key} {
		if name != nil {
			return *name
		}
	}
	return "Unnamed user"
}

// newIdentity returns a new identity, not yet stored.
func (s *Server) newIdentity(workspaceID string, f identityFields) *identity {
	ui := &identity{
		UserIdentityID:  s.newID(),
		UserIdentityKey: f.Key,
		EmailAddress:    f.Email,
		PhoneNumber:     f.Phone,
		DisplayName:     displayName(f),
		FullName:        f.FullName,
		CreatedAt:       time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		WorkspaceID:     workspaceID,
		Errors:          []any{},
		Warnings:        []any{},
		ACSUserIDs:      []string{},
	}
	return ui
}

// newID draws an identity ID; the seeded source is not safe for concurrent
// use, hence the lock.
func (s *Server) newID() string {
	s.randomMu.Lock()
	defer s.randomMu.Unlock()
	return newUUID(s.random)
}

// handler validates a request's input and returns the action that answers it
// for the caller's workspace.
type handler func(x *exchange) (act func(workspaceID string), fail *apiError)

// handwritten are the operations with behaviour of their own: the user
// identities are stateful, the workspace is the seeded one. Every other
// operation of the contract is answered by generic.
var handwritten = map[spec.Operation]handler{
	spec.DeleteIdentity:        (*exchange).deleteIdentity,
	spec.DeleteIdentityByQuery: (*exchange).deleteIdentity,
	spec.CreateIdentity:        (*exchange).createIdentity,
	spec.GetIdentity:           (*exchange).getIdentity,
	{Method: http.MethodGet, Path: spec.GetIdentity.Path}: (*exchange).getIdentity,
	spec.ListIdentities: (*exchange).listIdentities,
	{Method: http.MethodGet, Path: spec.ListIdentities.Path}: (*exchange).listIdentities,
	spec.UpdateIdentity: (*exchange).updateIdentity,
	{Method: http.MethodPatch, Path: spec.UpdateIdentity.Path}: (*exchange).updateIdentity,
	spec.GetWorkspace: (*exchange).getWorkspace,
	{Method: http.MethodGet, Path: spec.GetWorkspace.Path}: (*exchange).getWorkspace,
}

// exchange is one request and its answer.
type exchange struct {
	s *Server
	w http.ResponseWriter
	r *http.Request
	// requestID is the answer's Seam-Request-Id, held as its header's
	// value: setting the header allocates nothing more.
	requestID [1]string
	op        spec.Described // zero for a path the contract does not define
	// token is the presented credential, kept only for credential-echoed.
	token string
	// The body is read once, on first use, so that faults reordering the
	// checks can validate it before authentication.
	body     []byte
	bodyErr  error
	bodyRead bool
}

// fault reports whether the named fault is on for this request's
// operation.
func (x *exchange) fault(name string) bool {
	if len(x.s.faults) == 0 {
		return false // the usual server, asked a dozen times per request
	}
	if _, ok := faultsByName[name]; !ok {
		// A misspelt name would silently never fire; the fault gallery
		// runs every fault, so this panic surfaces it there.
		panic("reference: unregistered fault " + name)
	}
	scope, on := x.s.faults[name]
	return on && scope.covers(x.op)
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{s: s, w: w, r: r, requestID: [1]string{requestID()}}
	defer func() {
		// A last resort: no input is meant to get here.
		if recover() != nil {
			x.fail(internalError())
		}
	}()

	op := spec.Operation{Method: r.Method, Path: r.URL.Path}
	d, ok := s.contract.Describe(op)
	if !ok {
		if methods := s.methods[r.URL.Path]; len(methods) > 0 {
			w.Header().Set("Allow", strings.Join(methods, ", "))
			x.fail(methodNotAllowed(r.Method, r.URL.Path))
			return
		}
		x.fail(&apiError{status: http.StatusNotFound, kind: "not_found", message: "no route " + r.URL.Path})
		return
	}
	x.op = d
	handle := handwritten[op]
	if handle == nil {
		handle = (*exchange).generic
	}

	if x.fault("input-before-auth") || x.fault("api-input-before-auth") {
		if _, fail := handle(x); fail != nil {
			x.fail(fail)
			return
		}
	}
	workspaceID, fail := x.authorize()
	if fail != nil {
		if x.fault("delete-before-auth") {
			if id, bad := x.deleteTarget(); bad == nil {
				s.identities.removeID(id)
			}
		}
		x.fail(fail)
		return
	}
	if r.Method == http.MethodDelete && x.fault("delete-form-unsupported") || r.Method == http.MethodPost && x.fault("post-form-unsupported") {
		x.fail(methodNotAllowed(r.Method, r.URL.Path))
		return
	}
	act, fail := handle(x)
	if fail != nil {
		x.fail(fail)
		return
	}
	act(workspaceID)
}

// apiError is an error answer.
type apiError struct {
	status  int
	kind    string // the envelope's error.type
	message string
	// validation is zod's format of the input errors: every level has
	// "_errors", and each offending field has its own entry.
	validation map[string]any
	// plainText replaces the envelope, for faults that crash.
	plainText string
}

func internalError() *apiError {
	return &apiError{status: http.StatusInternalServerError, kind: "internal_error", message: "internal server error"}
}

func methodNotAllowed(method, path string) *apiError {
	return &apiError{status: http.StatusMethodNotAllowed, kind: "method_not_allowed", message: method + " is not allowed on " + path}
}

// invalidField is a 400 naming the offending field.
func invalidField(field, problem string) *apiError {
	return &apiError{
		status:     http.StatusBadRequest,
		kind:       "invalid_input",
		message:    field + ": " + problem,
		validation: map[string]any{"_errors": []string{}, field: map[string]any{"_errors": []string{problem}}},
	}
}

// invalidBody is a 400 for a body that is not a JSON object; it also names
// the required field, if any, so a client sees what it should have sent.
func invalidBody(problem, required string) *apiError {
	e := &apiError{
		status:     http.StatusBadRequest,
		kind:       "invalid_input",
		message:    problem,
		validation: map[string]any{"_errors": []string{problem}},
	}
	if required != "" {
		e.message += "; " + required + ": Required"
		e.validation[required] = map[string]any{"_errors": []string{"Required"}}
	}
	return e
}

func notFound(kind, message string) *apiError {
	return &apiError{status: http.StatusNotFound, kind: kind, message: message}
}

// goTrace is what a Go server that lets a panic reach the client shows.
const goTrace = "goroutine 1 [running]:\nmain.handler(...)\n\t/app/handler.go:42 +0x1d"

// fail writes an error answer.
func (x *exchange) fail(e *apiError) {
	if e.plainText != "" {
		x.write(e.status, "text/plain; charset=utf-8", []byte(e.plainText))
		return
	}
	if x.fault("errors-text-plain") || x.fault("api-errors-text-plain") {
		x.write(e.status, "text/plain; charset=utf-8", []byte(http.StatusText(e.status)))
		return
	}
	kind, message, validation := e.kind, e.message, e.validation
	switch {
	case kind == "invalid_input" && x.fault("validation-errors-unnamed"):
		message, validation = "Invalid input", nil
	case e.status == http.StatusUnauthorized && x.fault("credential-echoed") && x.token != "":
		message = "invalid token " + x.token
	}
	switch {
	case kind == "invalid_input" && x.fault("api-validation-errors-unnamed"):
		kind, message, validation = "bad_request", "Bad request", nil
	case kind == "invalid_input" && x.fault("generic-error-type"):
		kind = "bad_request"
	case kind == "unauthorized" && x.fault("unauthorized-type-wrong"):
		kind = "invalid_credentials"
	}
	if x.fault("stack-trace-in-errors") {
		message += "\n" + goTrace
	}
	status := e.status
	if status == http.StatusBadRequest && x.fault("api-undocumented-status") {
		status = http.StatusUnprocessableEntity
	}
	x.write(status, "application/json", errorEnvelope(kind, message, x.requestID[0], validation, x.fault("errors-ok-true")))
}

// errorEnvelope is Seam's error answer, byte for byte as encoding/json
// writes it (TestErrorEnvelopeIsWhatEncodingJSONWrites), without its
// reflection: most of the answers a run draws are errors.
func errorEnvelope(kind, message, requestID string, validation map[string]any, ok bool) []byte {
	b := make([]byte, 0, 96+len(kind)+len(message)+len(requestID))
	b = appendJSONString(append(b, `{"error":{"type":`...), kind)
	b = appendJSONString(append(b, `,"message":`...), message)
	b = appendJSONString(append(b, `,"request_id":`...), requestID)
	if len(validation) > 0 {
		v, _ := json.Marshal(validation) // cannot fail: strings, lists and maps of them
		b = append(append(b, `,"validation_errors":`...), v...)
	}
	return append(strconv.AppendBool(append(b, `},"ok":`...), ok), '}')
}

// appendJSONString appends s as encoding/json writes a string: printable
// ASCII that needs no escape as it is, anything else through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if jsonEscapes[s[i]] {
			quoted, _ := json.Marshal(s)
			return append(b, quoted...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// jsonEscapes marks the bytes encoding/json writes otherwise than as they
// are: one load per byte of every string in an answer's envelope.
var jsonEscapes = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&'
	}
	return t
}()

// succeed writes a 200 answer: payload plus "ok": true.
func (x *exchange) succeed(payload map[string]any) {
	payload["ok"] = true
	switch {
	case x.fault("ok-false"):
		payload["ok"] = false
	case x.fault("ok-string"):
		payload["ok"] = "true"
	}
	switch {
	case x.fault("success-204"):
		x.write(http.StatusNoContent, "", nil)
	case x.fault("success-text-plain"):
		body, _ := json.Marshal(payload)
		x.write(http.StatusOK, "text/plain; charset=utf-8", body)
	default:
		x.writeJSON(http.StatusOK, payload)
	}
}

// jsonContentType is most answers' Content-Type, shared by them: a header
// value is read, never written in place, and its capacity of one makes an
// append copy it.
var jsonContentType = []string{"application/json"}[:1:1]

func (x *exchange) writeJSON(status int, v any) {
	body, _ := json.Marshal(v) // cannot fail: only strings, bools, maps and structs of them
	x.write(status, "application/json", body)
}

func (x *exchange) write(status int, contentType string, body []byte) {
	// Set in canonical form: Header.Set would canonicalize the name anew
	// for every answer.
	h := x.w.Header()
	if !x.fault("no-request-id") {
		h[requestIDHeader] = x.requestID[:]
	}
	switch contentType {
	case "":
	case "application/json":
		h["Content-Type"] = jsonContentType
	default:
		h["Content-Type"] = []string{contentType}
	}
	x.w.WriteHeader(status)
	_, _ = x.w.Write(body)
}
