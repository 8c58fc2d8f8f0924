// Package userget holds the conformance specs for getting a user identity,
// POST /user_identities/get. It is a descriptor, the generic families bound
// to its requirement IDs, and the specs of what only a get does: it is the
// proof that a new operation costs no copy of a suite.
package userget

import (
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

var getIdentity = f.Descriptor{
	Forms:        []f.Form{{Name: "post", Op: spec.GetIdentity, Body: true}},
	ID:           "user_identity_id",
	Existing:     func() string { return f.Current().CreateIdentity() },
	NotFoundType: "user_identity_not_found",
}

var operations = getIdentity.Operations()

func must(id, area, statement string) f.Requirement {
	return f.Register(f.Requirement{ID: id, Level: f.MUST, Area: area, Statement: statement, Operations: operations, Family: "user_identities/get"})
}

func should(id, area, statement string) f.Requirement {
	return f.Register(f.Requirement{ID: id, Level: f.SHOULD, Area: area, Statement: statement, Operations: operations, Family: "user_identities/get"})
}

// The catalogue. IDs never change meaning: to change a rule, retire its ID
// and register a new one.
var (
	okStatus      = must("UIGET-OK-01", "success", "Getting an existing user identity with a valid credential of any documented scheme MUST answer 200.")
	okContentType = must("UIGET-OK-02", "success", "A 200 answer MUST have Content-Type application/json.")
	okSchema      = must("UIGET-OK-03", "success", "A 200 answer body MUST validate against the documented 200 schema (ok and a user_identity object).")
	okTrue        = must("UIGET-OK-04", "success", "A 200 answer MUST report ok: true.")

	effectByID      = must("UIGET-EFFECT-01", "effect", "A get by user_identity_id MUST return the identity with that ID.")
	effectByKey     = must("UIGET-EFFECT-02", "effect", "A get by user_identity_key MUST return the identity created with that key.")
	effectDeleted   = must("UIGET-EFFECT-03", "effect", "After an identity is deleted, getting it MUST NOT answer 2xx.")
	effectWorkspace = must("UIGET-EFFECT-04", "effect", "A get MUST NOT succeed for an identity in a workspace the credential cannot access.")

	notFoundNot2xx = must("UIGET-NOTFOUND-01", "notfound", "A well-formed UUID that names no identity MUST NOT answer 2xx.")
	notFound404    = should("UIGET-NOTFOUND-02", "notfound", "A well-formed UUID that names no identity SHOULD answer 404 with error type user_identity_not_found.")

	uuidBody = must("UIGET-UUID-01", "uuid", "A POST whose user_identity_id is not a well-formed UUID MUST answer 400.")
)

// The generic families, bound to this suite's IDs; effect.go holds the
// checks only a get has.
var (
	_ = f.SuccessFamily(getIdentity, f.SuccessRequirements{Status: okStatus, ContentType: okContentType, Schema: okSchema, OKTrue: okTrue})
	_ = f.NotFoundFamily(getIdentity, f.NotFoundRequirements{Not2xx: notFoundNot2xx, Is404: notFound404})
	_ = f.InputFamily(getIdentity, f.InputRequirements{BodyBadUUID: uuidBody})
)
