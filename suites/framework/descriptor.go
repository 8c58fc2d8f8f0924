package framework

import (
	"fmt"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
)

// Form is one way to call an operation: a method on a path, with its inputs
// in a JSON body or in the query string.
type Form struct {
	// Name labels the form's cases ("post", "delete").
	Name string
	Op   spec.Operation
	// Body says the inputs go in a JSON body; otherwise in the query.
	Body bool
}

// Rule is the contract rule a bad input of this form breaks.
func (fm Form) Rule() spec.Rule {
	if fm.Body {
		return spec.RuleBody
	}
	return spec.RuleQuery
}

// With builds a request of this form carrying inputs, without credentials.
func (fm Form) With(inputs map[string]any) *Request {
	r := Call(fm.Op)
	if fm.Body {
		return r.JSON(inputs)
	}
	for k, v := range inputs {
		r.Query(k, fmt.Sprint(v))
	}
	return r
}

// minimal is the contract's minimal valid request of this form as inputs.
func (fm Form) minimal() map[string]any {
	body, query := TreeContract().MinimalRequest(fm.Op)
	if fm.Body {
		if body == nil {
			body = map[string]any{}
		}
		return body
	}
	out := map[string]any{}
	for k := range query {
		out[k] = query.Get(k)
	}
	return out
}

// Descriptor is what the generic requirement families need to know about an
// operation: its forms, the UUID input that names the resource it acts on,
// how to make a resource for it to act on, and the error type of a missing
// one. The rest (accepted schemes, the minimal valid request) is read from
// the contract. A suite for a new operation is a descriptor, the families it binds to
// its requirement IDs, and the specs of its own effects.
type Descriptor struct {
	Forms []Form
	// ID is the UUID input that names the resource ("user_identity_id").
	ID string
	// Existing makes a resource the operation may act on and returns its
	// ID; the resource is removed when the spec ends.
	Existing func() string
	// NotFoundType is the error type of an answer naming no resource
	// ("user_identity_not_found").
	NotFoundType string
}

// Naming builds the contract's minimal request of form fm with the ID
// input set to id, without credentials.
func (d Descriptor) Naming(fm Form, id any) *Request {
	inputs := fm.minimal()
	inputs[d.ID] = id
	return fm.With(inputs)
}

// Schemes lists the credential schemes the operation accepts, in the
// contract's order.
func (d Descriptor) Schemes() []string {
	op, _ := TreeContract().Describe(d.Forms[0].Op)
	return op.Schemes
}

// Accepts reports whether the operation accepts the scheme.
func (d Descriptor) Accepts(scheme string) bool { return slices.Contains(d.Schemes(), scheme) }

// Operations names the forms as the catalogue lists them.
func (d Descriptor) Operations() []string { return operationsOf(d.Forms) }

func operationsOf(forms []Form) []string {
	out := make([]string, len(forms))
	for i, fm := range forms {
		out[i] = fm.Op.String()
	}
	return out
}

// Only returns a copy of d with the forms that send their inputs in a body
// (body true) or in the query (body false).
func (d Descriptor) Only(body bool) Descriptor {
	var kept []Form
	for _, fm := range d.Forms {
		if fm.Body == body {
			kept = append(kept, fm)
		}
	}
	d.Forms = kept
	return d
}

// PerForm returns one entry per form for a case: "<form>: <name>", labelled
// with the form and any extra labels; the body receives the form followed by
// the case's parameters, in their names' order (see formsByName).
func (d Descriptor) PerForm(name string, labels Labels, params ...any) []TableEntry {
	GinkgoHelper() // a case's location is where PerForm was called
	var out []TableEntry
	for _, fm := range d.formsByName() {
		out = append(out, formEntry(fm, name, labels, params...))
	}
	return out
}

// formEntry is PerForm's entry for the form fm.
func formEntry(fm Form, name string, labels Labels, params ...any) TableEntry {
	GinkgoHelper()
	args := append([]any{append(Labels(formLabels(fm)), labels...), fm}, params...)
	return Entry(fmt.Sprintf("%s: %s", fm.Name, name), args...)
}

// formsByName returns d's forms in their names' order, the order Ginkgo
// runs entries made at one place in (see the wrappers in ginkgo.go).
func (d Descriptor) formsByName() []Form {
	return slices.SortedFunc(slices.Values(d.Forms), func(a, b Form) int { return strings.Compare(a.Name, b.Name) })
}

// Cases flattens entry lists.
func Cases(lists ...[]TableEntry) []TableEntry {
	var out []TableEntry
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// UnknownID is a well-formed UUID that names nothing: random v4 UUIDs do not
// collide, so requests with it cannot touch anyone's data.
func UnknownID() string { return fixtures.NewUUID() }

// table registers a family's check unless the suite left its requirement
// zero: a suite binds only the checks that apply to its operation.
func table(r Requirement, body any, entries ...TableEntry) {
	GinkgoHelper()
	if r.bound() && len(entries) > 0 {
		ConformanceTable(r, body, entries...)
	}
}

func (r Requirement) bound() bool { return r.ID != "" }
