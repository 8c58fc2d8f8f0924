package userget

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

func env() *f.Env { return f.Current() }

// get asks for the identity that inputs name, with any valid credential.
func get(fm f.Form, inputs map[string]any) *f.Exchange {
	GinkgoHelper()
	return f.Send(fm.With(inputs).As(env().AnyCredential()))
}

var _ = Describe("Getting a user identity returns the one asked for", func() {
	f.ConformanceTable(effectByID, func(fm f.Form) {
		id := env().CreateIdentity()
		env().CreateIdentity() // another one, newer: the get must not answer it
		x := get(fm, map[string]any{"user_identity_id": id})
		Expect(x).To(f.HaveStatus(http.StatusOK), f.Precondition200)
		Expect(x).To(f.HaveField("user_identity.user_identity_id", id))
	}, getIdentity.PerForm("get after creating it and another", nil)...)

	f.ConformanceTable(effectByKey, func(fm f.Form) {
		id := env().CreateIdentity()
		byID := get(fm, map[string]any{"user_identity_id": id})
		Expect(byID).To(f.HaveStatus(http.StatusOK), "precondition: the identity must be found by its ID to learn its key")
		key, _ := byID.Field("user_identity.user_identity_key")
		Expect(key).To(BeAssignableToTypeOf(""), "precondition: the identity must have a user_identity_key")
		x := get(fm, map[string]any{"user_identity_key": key})
		Expect(x).To(f.HaveStatus(http.StatusOK))
		Expect(x).To(f.HaveField("user_identity.user_identity_id", id))
	}, getIdentity.PerForm("get by key", nil)...)

	f.ConformanceTable(effectDeleted, func(fm f.Form) {
		id := env().CreateIdentity()
		del := f.Send(f.Call(spec.DeleteIdentity).JSON(map[string]any{"user_identity_id": id}).As(env().AnyCredential()))
		Expect(del).To(f.HaveStatus(http.StatusOK), "precondition: the identity must be deleted")
		Expect(get(fm, map[string]any{"user_identity_id": id})).NotTo(f.BeSuccessful())
	}, getIdentity.PerForm("get after delete", nil)...)

	f.ConformanceTable(effectWorkspace, func(fm f.Form) {
		Expect(get(fm, map[string]any{"user_identity_id": env().ForeignIdentity()})).NotTo(f.BeSuccessful())
	}, getIdentity.PerForm("identity of another workspace", nil)...)
})
