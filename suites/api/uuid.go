package api

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	f "github.com/seamconform/seamconform/suites/framework"
)

var _ = Describe("API-wide: bad UUID inputs are rejected", func() {
	table(uuidMissing, func(o operation) bool { return len(o.requiredUUIDs()) > 0 }, func(o operation) {
		var cs checks
		for _, input := range o.requiredUUIDs() {
			cs.add("without "+input.Name, o.call(o.minimal().without(input)).As(o.valid()).Breaking(rule(input)), f.HaveStatus(http.StatusBadRequest))
		}
		cs.run()
	})

	table(uuidMalformed, operation.hasUUID, func(o operation) {
		var cs checks
		for _, input := range o.UUIDs {
			for _, bad := range o.malformed(input) {
				r, refused := o.refusing(input, bad.For(f.UnknownID()))
				if !refused {
					continue // the document lets it through (another oneOf branch's input)
				}
				cs.add(input.Name+": "+bad.Name, r.Breaking(rule(input)), f.HaveStatus(http.StatusBadRequest))
			}
		}
		if len(cs) == 0 {
			f.NotApplicable("the contract refuses none of this operation's sampled malformed UUIDs")
		}
		cs.run()
	})

	table(uuidNamed, operation.hasUUID, func(o operation) {
		input := o.badInput()
		r := o.call(o.minimal().set(input, "not-a-uuid")).As(o.valid()).Breaking(rule(input))
		x := f.Send(r)
		Expect(x).To(f.HaveStatus(http.StatusBadRequest), "precondition: the malformed "+input.Name+" must be refused")
		Expect(x).To(f.HaveErrorType("invalid_input"))
		Expect(x).To(f.NameField(input.Name))
	})
})
