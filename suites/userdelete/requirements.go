// Package userdelete holds the conformance specs for deleting a user
// identity: POST /user_identities/delete with a JSON body, and the DELETE
// form with a query parameter that Seam's JavaScript SDK uses.
package userdelete

import f "github.com/seamconform/seamconform/suites/framework"

var bothForms = []string{"POST /user_identities/delete", "DELETE /user_identities/delete"}
var postForm = []string{"POST /user_identities/delete"}
var deleteForm = []string{"DELETE /user_identities/delete"}

// family names this suite in the catalogue.
const family = "user_identities/delete"

func must(id, area, statement string, ops []string) f.Requirement {
	return f.Register(f.Requirement{ID: id, Level: f.MUST, Area: area, Statement: statement, Operations: ops, Family: family})
}

func should(id, area, statement string, ops []string) f.Requirement {
	return f.Register(f.Requirement{ID: id, Level: f.SHOULD, Area: area, Statement: statement, Operations: ops, Family: family})
}

// The catalogue. IDs never change meaning: to change a rule, retire its ID
// and register a new one.
var (
	okStatus      = must("UIDEL-OK-01", "success", "Deleting an existing user identity with a valid credential of any documented scheme MUST answer 200.", bothForms)
	okContentType = must("UIDEL-OK-02", "success", "A 200 answer MUST have Content-Type application/json.", bothForms)
	okSchema      = must("UIDEL-OK-03", "success", "A 200 answer body MUST validate against the documented 200 schema (an object with a boolean ok).", bothForms)
	okTrue        = must("UIDEL-OK-04", "success", "A 200 answer MUST report ok: true.", bothForms)
	okSchemeCase  = should("UIDEL-OK-05", "success", "The Bearer scheme name SHOULD be matched without regard to case (RFC 9110 section 11.1).", bothForms)
	okSDKShape    = must("UIDEL-OK-06", "success", "A request shaped as Seam's JavaScript SDK sends it (DELETE with _strict=true and seam-sdk-* headers) MUST answer 200.", deleteForm)

	effectGone       = must("UIDEL-EFFECT-01", "effect", "After a 200 answer the identity MUST NOT be retrievable with POST /user_identities/get.", bothForms)
	effectTwice      = must("UIDEL-EFFECT-02", "effect", "Deleting an identity that was already deleted MUST NOT answer 2xx.", bothForms)
	effectOnlyNamed  = must("UIDEL-EFFECT-03", "effect", "A delete MUST remove only the named identity; other identities MUST remain retrievable.", bothForms)
	effectRejected   = must("UIDEL-EFFECT-04", "effect", "A request with invalid credentials, or naming the identity in a malformed way, MUST NOT delete it.", bothForms)
	effectWorkspaces = must("UIDEL-EFFECT-05", "effect", "A delete MUST NOT succeed for an identity in a workspace the credential cannot access.", bothForms)

	notFoundNot2xx = must("UIDEL-NOTFOUND-01", "notfound", "A well-formed UUID that names no identity MUST NOT answer 2xx.", bothForms)
	notFound404    = should("UIDEL-NOTFOUND-02", "notfound", "A well-formed UUID that names no identity SHOULD answer 404 with error type user_identity_not_found.", bothForms)

	inputNoBody    = must("UIDEL-INPUT-01", "input", "A POST without a body MUST answer 400.", postForm)
	inputAbsent    = must("UIDEL-INPUT-02", "input", "A POST whose JSON object has no user_identity_id MUST answer 400.", postForm)
	inputNull      = must("UIDEL-INPUT-03", "input", "A POST whose user_identity_id is null MUST answer 400.", postForm)
	inputEmpty     = must("UIDEL-INPUT-04", "input", "A POST whose user_identity_id is the empty string MUST answer 400.", postForm)
	inputMalformed = must("UIDEL-INPUT-05", "input", "A POST whose body is not valid JSON MUST answer 400.", postForm)
	inputNotObject = must("UIDEL-INPUT-06", "input", "A POST whose JSON body is not an object MUST answer 400.", postForm)
	inputNoParam   = must("UIDEL-INPUT-07", "input", "A DELETE without the user_identity_id query parameter MUST answer 400.", deleteForm)
	inputEmptyParm = must("UIDEL-INPUT-08", "input", "A DELETE whose user_identity_id query parameter is empty MUST answer 400.", deleteForm)

	uuidBody  = must("UIDEL-UUID-01", "uuid", "A POST whose user_identity_id is not a well-formed UUID MUST answer 400.", postForm)
	uuidQuery = must("UIDEL-UUID-02", "uuid", "A DELETE whose user_identity_id query parameter is not a well-formed UUID MUST answer 400.", deleteForm)

	authMissing        = must("UIDEL-AUTH-01", "auth", "A request without an Authorization header MUST answer 401.", bothForms)
	authEmpty          = must("UIDEL-AUTH-02", "auth", "A request whose Bearer credential is empty MUST answer 401.", bothForms)
	authOtherScheme    = must("UIDEL-AUTH-03", "auth", "A request using an authorization scheme other than Bearer MUST answer 401.", bothForms)
	authMalformed      = must("UIDEL-AUTH-04", "auth", "A request with a malformed Authorization header MUST answer 401.", bothForms)
	authUnknownKey     = must("UIDEL-AUTH-05", "auth", "An API key that is not exactly a valid key MUST answer 401.", bothForms)
	authUnknownPAT     = must("UIDEL-AUTH-06", "auth", "An unknown personal access token MUST answer 401, even with a valid seam-workspace.", bothForms)
	authPATWorkspace   = must("UIDEL-AUTH-07", "auth", "A personal access token with a seam-workspace its user cannot access MUST answer 401.", bothForms)
	authJWTSignature   = must("UIDEL-AUTH-08", "auth", "A console session token whose signature does not verify MUST answer 401.", bothForms)
	authJWTWorkspace   = must("UIDEL-AUTH-09", "auth", "A console session token with a seam-workspace its user cannot access MUST answer 401.", bothForms)
	authWrongKind      = must("UIDEL-AUTH-10", "auth", "A credential of a kind this operation does not accept MUST answer 401.", bothForms)
	authNoWorkspace    = must("UIDEL-AUTH-11", "auth", "A personal access token or console session without seam-workspace MUST answer 400 or 401.", bothForms)
	authNoWorkspace401 = should("UIDEL-AUTH-12", "auth", "A personal access token or console session without seam-workspace SHOULD answer 401.", bothForms)
	authBeforeInput    = must("UIDEL-AUTH-13", "auth", "Invalid credentials with invalid input MUST answer 401, not 400: credentials are checked first.", bothForms)
	authExpired        = must("UIDEL-AUTH-14", "auth", "An expired console session token MUST answer 401.", bothForms)

	respContract    = must("UIDEL-RESP-01", "response", "Answers to success, bad-input and bad-credential requests MUST use the documented status and match the contract's description of it.", bothForms)
	respNoInternals = must("UIDEL-RESP-02", "response", "Error answers MUST NOT contain a stack trace.", bothForms)
	respNoEcho      = must("UIDEL-RESP-03", "response", "Answers MUST NOT repeat the credential that was presented, in body or headers.", bothForms)
	respEnvelope    = should("UIDEL-RESP-04", "response", "Error answers SHOULD be Seam's JSON error envelope {\"error\":{\"type\",\"message\"},\"ok\":false}.", bothForms)
	respInvalidType = should("UIDEL-RESP-05", "response", "A 400 for bad input SHOULD have error type invalid_input.", bothForms)
	respNamesField  = should("UIDEL-RESP-06", "response", "A 400 for bad input SHOULD name user_identity_id in error.validation_errors or error.message.", bothForms)
	respUnauthType  = should("UIDEL-RESP-07", "response", "A 401 SHOULD have error type unauthorized.", bothForms)
	respRequestID   = should("UIDEL-RESP-08", "response", "Every answer SHOULD carry a seam-request-id header.", bothForms)
	respErrorNotOK  = must("UIDEL-RESP-09", "response", "An error answer with a JSON body MUST NOT report ok: true.", bothForms)
)

// The generic families, bound to this suite's IDs; effect.go holds the
// checks only a delete has.
var (
	_ = f.SuccessFamily(deleteIdentity, f.SuccessRequirements{
		Status: okStatus, ContentType: okContentType, Schema: okSchema, OKTrue: okTrue, SchemeCase: okSchemeCase, SDKShape: okSDKShape,
	})
	_ = f.NotFoundFamily(deleteIdentity, f.NotFoundRequirements{Not2xx: notFoundNot2xx, Is404: notFound404})
	_ = f.InputFamily(deleteIdentity, f.InputRequirements{
		BodyMissing: inputNoBody, BodyAbsent: inputAbsent, BodyNull: inputNull, BodyEmpty: inputEmpty,
		BodyMalformed: inputMalformed, BodyNotObject: inputNotObject, QueryMissing: inputNoParam, QueryEmpty: inputEmptyParm,
		BodyBadUUID: uuidBody, QueryBadUUID: uuidQuery,
	})
	_ = f.AuthFamily(deleteIdentity, f.AuthRequirements{
		Missing: authMissing, Empty: authEmpty, OtherScheme: authOtherScheme, Malformed: authMalformed,
		UnknownKey: authUnknownKey, UnknownPAT: authUnknownPAT, PATWorkspace: authPATWorkspace,
		JWTSignature: authJWTSignature, JWTWorkspace: authJWTWorkspace, WrongKind: authWrongKind,
		NoWorkspace: authNoWorkspace, NoWorkspace401: authNoWorkspace401, BeforeInput: authBeforeInput, Expired: authExpired,
	})
	_ = f.ResponseFamily(deleteIdentity, f.ResponseRequirements{
		Contract: respContract, NoInternals: respNoInternals, NoEcho: respNoEcho, Envelope: respEnvelope,
		InvalidType: respInvalidType, NamesField: respNamesField, UnauthType: respUnauthType,
		RequestID: respRequestID, ErrorNotOK: respErrorNotOK,
	})
)
