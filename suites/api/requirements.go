// Package api holds the API-wide family: requirements that every operation
// of the contract must meet (credentials, UUID inputs, documented answers),
// checked on every operation the document describes, one spec per operation
// and requirement, each labelled with its operation ("op:devicesListPost")
// and tag ("tag:devices").
//
// Every request of this family is safe on a live workspace by construction:
// it carries invalid credentials, or an identifier that is malformed, missing
// or names nothing, so no valid call can change anything. A case that would
// need a valid call is not generated.
package api

import f "github.com/seamconform/seamconform/suites/framework"

// Family names the API-wide family in the catalogue.
const Family = "API-wide"

// EveryOperation is what the catalogue lists as an API-wide requirement's
// operations.
var EveryOperation = []string{"every operation"}

func must(id, area, statement string) f.Requirement {
	return f.Register(f.Requirement{ID: id, Level: f.MUST, Area: area, Statement: statement, Operations: EveryOperation, Family: Family})
}

func should(id, area, statement string) f.Requirement {
	return f.Register(f.Requirement{ID: id, Level: f.SHOULD, Area: area, Statement: statement, Operations: EveryOperation, Family: Family})
}

// The catalogue. IDs never change meaning: to change a rule, retire its ID
// and register a new one.
var (
	authMissing     = must("API-AUTH-01", "auth", "A request without an Authorization header MUST answer 401.")
	authEmpty       = must("API-AUTH-02", "auth", "An empty Bearer credential MUST answer 401.")
	authUnknown     = must("API-AUTH-03", "auth", "An unknown credential of each kind the operation accepts MUST answer 401.")
	authOtherScheme = must("API-AUTH-04", "auth", "An authorization scheme other than Bearer MUST answer 401.")
	authWrongKind   = must("API-AUTH-05", "auth", "A valid credential of a kind the operation does not accept MUST answer 401.")
	authNoCompanion = must("API-AUTH-06", "auth", "A credential of a *_with_workspace scheme without its seam-workspace header MUST answer 400 or 401.")
	authFirst       = must("API-AUTH-07", "auth", "Invalid credentials with invalid input MUST answer 401: credentials are checked before input.")

	uuidMissing   = must("API-UUID-01", "uuid", "A request missing a required UUID input MUST answer 400 under valid credentials.")
	uuidMalformed = must("API-UUID-02", "uuid", "A malformed value of a UUID input MUST answer 400 under valid credentials.")
	uuidNamed     = should("API-UUID-03", "uuid", "A 400 for a bad UUID input SHOULD have error type invalid_input and name the field.")

	respContract = must("API-RESP-01", "response", "Every answer MUST use a status the operation documents and match its description.")
	respEnvelope = should("API-RESP-02", "response", "Error answers SHOULD be Seam's JSON error envelope.")
)
