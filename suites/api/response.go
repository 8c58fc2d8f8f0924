package api

import (
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega/types"

	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// answers sends the family's harmless requests that provoke an answer of
// each kind o can give without a valid call, and checks each with m.
func answers(o operation, m func() types.GomegaMatcher) {
	GinkgoHelper()
	var cs checks
	if o.secured() {
		cs.add("no credentials", o.call(o.minimal()).Breaking(spec.RuleCredentials), m())
		s := schemesOf(o)[0]
		cs.add("an unknown "+s.Kind, o.call(o.minimal()).As(presented(s, unknownToken(s), true)).MustBeRefused(), m())
	}
	if input, ok := o.findBadInput(); ok {
		cs.add("a malformed "+input.Name, o.call(o.minimal().set(input, "not-a-uuid")).As(o.valid()).Breaking(rule(input)), m())
	}
	cs.run()
}

var answering = func(o operation) bool { return o.secured() || o.hasUUID() }

var _ = Describe("API-wide: answers match the contract", func() {
	table(respContract, answering, func(o operation) {
		answers(o, f.ConformToContract)
	})

	table(respEnvelope, answering, func(o operation) {
		answers(o, f.BeSeamError)
	})
})
