package reference

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seamconform/seamconform/spec"
)

// Fault is a realistic way an implementation gets the contract wrong. The
// suite switches each on by name to prove that it catches it.
type Fault struct {
	// Name is kebab-case and stable: it is what --fault takes.
	Name string
	// Area is the part of the behaviour the fault breaks: "input", "auth",
	// "success", "effect", "response" or "form".
	Area string
	// Description says in one line what the broken implementation does.
	Description string
	// Breaks lists the requirement IDs that must fail with the fault on.
	Breaks []string
	// Scope is where the fault applies unless `--fault NAME@SCOPE` says
	// otherwise: "*" (every operation), a path (every method on it) or an
	// operationId. Auth faults apply everywhere; the user-identity faults
	// to /user_identities/delete, so the set-up operations (create, get,
	// workspaces/get) stay trustworthy; the API-wide faults to one
	// operation, APIFaultScope.
	Scope string
}

// APIFaultScope is the operation the api-* faults break by default: it
// takes a required UUID, accepts *_with_workspace credentials and refuses
// client sessions, so every API-wide requirement can be broken on it.
const APIFaultScope = "/acs/systems/get"

func defaultScope(area string) string {
	switch area {
	case "auth":
		return "*"
	case "api":
		return APIFaultScope
	}
	return spec.DeleteIdentity.Path
}

// faultScope is a switched-on fault's scope.
type faultScope string

func (sc faultScope) covers(d spec.Described) bool {
	return sc == "*" || (d.Path != "" && (string(sc) == d.Path || string(sc) == d.ID))
}

// parseFault reads a --fault value, NAME or NAME@SCOPE.
func (s *Server) parseFault(entry string) (string, faultScope, error) {
	name, scope, scoped := strings.Cut(entry, "@")
	f, ok := faultsByName[name]
	if !ok {
		return "", "", fmt.Errorf("unknown fault %q (seamconform serve --list-faults lists them)", name)
	}
	if !scoped {
		return name, faultScope(f.Scope), nil
	}
	if scope == "*" || len(s.methods[scope]) > 0 || slices.ContainsFunc(s.contract.Operations(), func(d spec.Described) bool { return d.ID == scope }) {
		return name, faultScope(scope), nil
	}
	return "", "", fmt.Errorf("fault %s: %q is neither *, a path nor an operationId of the contract", name, scope)
}

var faultTable = []Fault{
	// input
	{"uuid-not-validated", "input", "a malformed UUID is looked up instead of rejected (answers 404 user_identity_not_found)", []string{"UIDEL-UUID-01", "UIDEL-UUID-02"}, ""},
	{"wrong-type-500", "input", "a non-string user_identity_id crashes: 500 with a Go panic trace in a text/plain body", []string{"UIDEL-UUID-01", "UIDEL-RESP-02"}, ""},
	{"hyphenless-uuid-accepted", "input", "32 hex digits without hyphens are normalised and accepted", []string{"UIDEL-UUID-01", "UIDEL-UUID-02", "UIDEL-EFFECT-04"}, ""},
	{"uuid-whitespace-trimmed", "input", "surrounding whitespace is trimmed from user_identity_id before validation", []string{"UIDEL-UUID-01", "UIDEL-UUID-02", "UIDEL-EFFECT-04"}, ""},
	{"missing-body-500", "input", "an empty POST body answers 500 internal_error", []string{"UIDEL-INPUT-01"}, ""},
	{"missing-id-404", "input", "an absent user_identity_id is looked up as \"\" and answers 404", []string{"UIDEL-INPUT-02"}, ""},
	{"null-id-500", "input", "\"user_identity_id\": null answers 500", []string{"UIDEL-INPUT-03"}, ""},
	{"empty-id-404", "input", "an empty user_identity_id is looked up and answers 404", []string{"UIDEL-INPUT-04"}, ""},
	{"malformed-json-500", "input", "an unparseable JSON body answers 500", []string{"UIDEL-INPUT-05"}, ""},
	{"non-object-body-unwrapped", "input", "a JSON array body is replaced by its first element, a JSON string body is taken as the id", []string{"UIDEL-INPUT-06"}, ""},
	{"query-param-missing-404", "input", "the DELETE form without (or with an empty) user_identity_id answers 404", []string{"UIDEL-INPUT-07", "UIDEL-INPUT-08"}, ""},
	// form
	{"delete-form-unsupported", "form", "DELETE /user_identities/delete answers 405 after authentication", []string{"UIDEL-OK-01", "UIDEL-OK-02", "UIDEL-OK-03", "UIDEL-OK-04", "UIDEL-OK-06", "UIDEL-RESP-01"}, ""},
	{"post-form-unsupported", "form", "POST /user_identities/delete answers 405 after authentication (only the SDK's DELETE form is implemented)", []string{"UIDEL-OK-01", "UIDEL-OK-02", "UIDEL-OK-03", "UIDEL-OK-04", "UIDEL-EFFECT-01", "UIDEL-RESP-01"}, ""},
	{"sdk-query-extras-rejected", "form", "the DELETE form with any query parameter besides user_identity_id answers 400 invalid_input", []string{"UIDEL-OK-06"}, ""},
	// auth
	{"pat-without-workspace-accepted", "auth", "a personal access token without seam-workspace acts on the user's first workspace", []string{"UIDEL-AUTH-11", "UIDEL-AUTH-12"}, ""},
	{"missing-workspace-400", "auth", "a PAT or console session without seam-workspace answers 400 missing_workspace_id", []string{"UIDEL-AUTH-12"}, ""},
	{"input-before-auth", "auth", "input is validated before credentials, so bad input with bad credentials answers 400", []string{"UIDEL-AUTH-13"}, ""},
	{"token-prefix-only", "auth", "any bearer token starting with seam_ (but not seam_at) is taken as an API key of the seeded workspace", []string{"UIDEL-AUTH-05", "UIDEL-AUTH-10"}, ""},
	{"api-key-prefix-match", "auth", "an API key is accepted when it is a prefix of, or extends, a real key", []string{"UIDEL-AUTH-05"}, ""},
	{"pat-unverified", "auth", "any seam_at token is taken as the seeded user's PAT (workspace membership still checked)", []string{"UIDEL-AUTH-06"}, ""},
	{"pat-workspace-unchecked", "auth", "a known PAT is accepted with any seam-workspace value and acts on the user's first workspace", []string{"UIDEL-AUTH-07"}, ""},
	{"jwt-signature-unchecked", "auth", "a console session's HS256 signature is not verified (alg none is still rejected)", []string{"UIDEL-AUTH-08"}, ""},
	{"jwt-alg-none-accepted", "auth", "a console session JWT with alg none and an empty signature is accepted", []string{"UIDEL-AUTH-08"}, ""},
	{"jwt-expiry-unchecked", "auth", "a console session's exp claim is not checked", []string{"UIDEL-AUTH-14"}, ""},
	{"console-workspace-unchecked", "auth", "a console session acts on any existing seam-workspace, member or not", []string{"UIDEL-AUTH-09"}, ""},
	{"auth-scheme-ignored", "auth", "the Authorization scheme word is ignored (Token, Basic and Bearer all work; Basic's decoded user part is tried too)", []string{"UIDEL-AUTH-03"}, ""},
	{"bearer-case-sensitive", "auth", "only the exact scheme word Bearer is accepted, so lower-case bearer gets 401", []string{"UIDEL-OK-05"}, ""},
	{"token-second-word", "auth", "the credential is the second space-separated word of Authorization, anything after it ignored", []string{"UIDEL-AUTH-04"}, ""},
	{"raw-token-accepted", "auth", "an Authorization header holding just the token, without a scheme, is accepted", []string{"UIDEL-AUTH-04"}, ""},
	{"empty-bearer-500", "auth", "Bearer with an empty or blank token answers 500", []string{"UIDEL-AUTH-02"}, ""},
	{"anonymous-allowed", "auth", "a request without Authorization acts on the seeded workspace", []string{"UIDEL-AUTH-01", "UIDEL-AUTH-13"}, ""},
	{"forbidden-403", "auth", "unknown credentials get 403 forbidden instead of 401", []string{"UIDEL-AUTH-05", "UIDEL-AUTH-06"}, ""},
	// success
	{"ok-false", "success", "success answers 200 {\"ok\": false}", []string{"UIDEL-OK-04"}, ""},
	{"ok-string", "success", "success answers 200 {\"ok\": \"true\"}", []string{"UIDEL-OK-03", "UIDEL-OK-04", "UIDEL-RESP-01"}, ""},
	{"success-text-plain", "success", "success answers with Content-Type text/plain", []string{"UIDEL-OK-02", "UIDEL-RESP-01"}, ""},
	{"success-204", "success", "success answers 204 with no body", []string{"UIDEL-OK-01", "UIDEL-OK-02", "UIDEL-OK-03", "UIDEL-OK-04", "UIDEL-RESP-01"}, ""},
	// effect
	{"not-deleted", "effect", "answers 200 but keeps the identity", []string{"UIDEL-EFFECT-01", "UIDEL-EFFECT-02"}, ""},
	{"missing-identity-200", "effect", "deleting an identity that does not exist answers 200 ok:true", []string{"UIDEL-EFFECT-02", "UIDEL-NOTFOUND-01", "UIDEL-NOTFOUND-02"}, ""},
	{"not-found-400", "effect", "an unknown identity answers 400 invalid_input instead of 404", []string{"UIDEL-NOTFOUND-02"}, ""},
	{"deletes-whole-workspace", "effect", "a successful delete removes every identity in the workspace", []string{"UIDEL-EFFECT-03"}, ""},
	{"delete-before-auth", "effect", "a well-formed id is deleted before credentials are checked (the answer is still 401)", []string{"UIDEL-EFFECT-04"}, ""},
	{"cross-workspace-delete", "effect", "the identity is looked up in every workspace, not only the caller's", []string{"UIDEL-EFFECT-05"}, ""},
	// response
	{"stack-trace-in-errors", "response", "every error message ends with a Go stack trace", []string{"UIDEL-RESP-02"}, ""},
	{"credential-echoed", "response", "401 messages echo the presented token", []string{"UIDEL-RESP-03"}, ""},
	{"errors-text-plain", "response", "error answers are plain text such as Bad Request or Unauthorized", []string{"UIDEL-RESP-04", "UIDEL-RESP-05", "UIDEL-RESP-06", "UIDEL-RESP-07"}, ""},
	{"generic-error-type", "response", "400 answers use type bad_request instead of invalid_input", []string{"UIDEL-RESP-05"}, ""},
	{"validation-errors-unnamed", "response", "invalid_input has no validation_errors and a message that does not name the field", []string{"UIDEL-RESP-06"}, ""},
	{"unauthorized-type-wrong", "response", "401 answers use type invalid_credentials", []string{"UIDEL-RESP-07"}, ""},
	{"no-request-id", "response", "answers carry no seam-request-id header", []string{"UIDEL-RESP-08"}, ""},
	{"errors-ok-true", "response", "error envelopes say \"ok\": true", []string{"UIDEL-RESP-04", "UIDEL-RESP-09"}, ""},
	// user_identities/get
	{"get-returns-latest", "effect", "a get answers the workspace's most recently created identity, whichever it names", []string{"UIGET-EFFECT-01"}, spec.GetIdentity.Path},
	{"get-unknown-200", "effect", "a get of an ID that names no identity answers 200 with only that ID", []string{"UIGET-NOTFOUND-01", "UIGET-NOTFOUND-02"}, spec.GetIdentity.Path},
	{"get-by-key-unsupported", "input", "a get by user_identity_key answers 400: only user_identity_id is read", []string{"UIGET-EFFECT-02"}, spec.GetIdentity.Path},
	{"cross-workspace-get", "effect", "a get finds identities of every workspace, not only the caller's", []string{"UIGET-EFFECT-04"}, spec.GetIdentity.Path},
}

// apiFaults break the API-wide requirements (API-*), each on
// APIFaultScope. They join Faults once the API-wide family registers
// those requirements; until then they work with --fault and are listed by
// APIFaults.
var apiFaults = []Fault{
	{Name: "api-anonymous-allowed", Area: "api", Description: "a request without Authorization acts on the seeded workspace", Breaks: []string{"API-AUTH-01"}},
	{Name: "api-empty-bearer-accepted", Area: "api", Description: "Bearer with an empty or blank token acts on the seeded workspace", Breaks: []string{"API-AUTH-02"}},
	{Name: "api-unknown-credential-accepted", Area: "api", Description: "a token shaped like an accepted kind is accepted without being looked up", Breaks: []string{"API-AUTH-03"}},
	{Name: "api-scheme-ignored", Area: "api", Description: "the Authorization scheme word is ignored: Token, Basic and Bearer all work", Breaks: []string{"API-AUTH-04"}},
	{Name: "api-any-kind-accepted", Area: "api", Description: "a valid credential of any kind is accepted, whether the operation's security lists it or not", Breaks: []string{"API-AUTH-05"}},
	{Name: "api-workspace-header-optional", Area: "api", Description: "a PAT or console session without seam-workspace acts on the user's first workspace", Breaks: []string{"API-AUTH-06"}},
	{Name: "api-input-before-auth", Area: "api", Description: "input is validated before credentials, so bad input with bad credentials answers 400", Breaks: []string{"API-AUTH-07"}},
	{Name: "api-missing-uuid-accepted", Area: "api", Description: "a required UUID input that is missing is not noticed: 200", Breaks: []string{"API-UUID-01"}},
	{Name: "api-malformed-uuid-accepted", Area: "api", Description: "UUID inputs are not validated: a malformed one answers 200", Breaks: []string{"API-UUID-02"}},
	{Name: "api-validation-errors-unnamed", Area: "api", Description: "400 answers use type bad_request with no validation_errors", Breaks: []string{"API-UUID-03"}},
	{Name: "api-answer-incomplete", Area: "api", Description: "200 answers leave out a property the document requires", Breaks: []string{"API-RESP-01"}},
	{Name: "api-undocumented-status", Area: "api", Description: "bad input answers 422 Unprocessable Entity, a status the operation does not document", Breaks: []string{"API-RESP-01", "API-UUID-01", "API-UUID-02"}},
	{Name: "api-errors-text-plain", Area: "api", Description: "error answers are plain text, not Seam's JSON envelope", Breaks: []string{"API-RESP-02"}},
}

var faultsByName = func() map[string]Fault {
	m := map[string]Fault{}
	for _, table := range [][]Fault{faultTable, apiFaults} {
		for i, f := range table {
			if f.Scope == "" {
				f.Scope = defaultScope(f.Area)
			}
			table[i] = f
			m[f.Name] = f
		}
	}
	return m
}()

// Faults returns every fault of the fault gallery, sorted by name.
func Faults() []Fault { return sortedCopy(faultTable) }

// APIFaults returns the faults that break the API-wide requirements, sorted
// by name.
func APIFaults() []Fault { return sortedCopy(apiFaults) }

func sortedCopy(table []Fault) []Fault {
	out := make([]Fault, len(table))
	for i, f := range table {
		f.Breaks = slices.Clone(f.Breaks)
		out[i] = f
	}
	slices.SortFunc(out, func(a, b Fault) int { return strings.Compare(a.Name, b.Name) })
	return out
}
