package userdelete

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// form is one of the two ways to call the operation: a JSON body (the
// contract's POST) or a query parameter (the DELETE the JavaScript SDK uses).
type form struct {
	name string
	op   spec.Operation
	// idRule is the contract rule a malformed user_identity_id breaks.
	idRule spec.Rule
}

var (
	post    = form{"post", spec.DeleteIdentity, spec.RuleBody}
	delete_ = form{"delete", spec.DeleteIdentityByQuery, spec.RuleQuery}
	forms   = []form{post, delete_}
)

// naming builds a delete of id in this form, without credentials.
func (fm form) naming(id string) *f.Request {
	if fm == post {
		return f.Call(fm.op).JSON(map[string]any{"user_identity_id": id})
	}
	return f.Call(fm.op).Query("user_identity_id", id)
}

// perForm returns one entry per form for each case: "<form>: <name>",
// labelled with the form and any extra labels; the body receives the form
// followed by the case's parameters.
func perForm(name string, labels Labels, params ...any) []TableEntry {
	GinkgoHelper() // a case's location is where perForm was called
	var out []TableEntry
	for _, fm := range forms {
		args := append([]any{append(Labels{fm.name}, labels...), fm}, params...)
		out = append(out, Entry(fmt.Sprintf("%s: %s", fm.name, name), args...))
	}
	return out
}

// cases flattens entry lists.
func cases(lists ...[]TableEntry) []TableEntry {
	var out []TableEntry
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// unknownID is a well-formed UUID that names nothing: random v4 UUIDs do not
// collide, so requests with it cannot touch anyone's data.
func unknownID() string { return fixtures.NewUUID() }

func env() *f.Env { return f.Current() }
