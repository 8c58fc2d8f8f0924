package userdelete

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// rejectedDelete is a request that must not delete the identity it names.
type rejectedDelete func(fm f.Form, id string) *f.Request

var _ = Describe("Deleting a user identity has the right effect", func() {
	f.ConformanceTable(effectGone, func(fm f.Form) {
		id := env().CreateIdentity()
		Expect(f.Send(deleteIdentity.Naming(fm, id).As(env().AnyCredential()))).To(f.HaveStatus(http.StatusOK), f.Precondition200)
		Expect(env().IdentityExists(id)).To(BeFalse(), "identity %s can still be fetched after a 200 delete", id)
	}, deleteIdentity.PerForm("get after delete", nil)...)

	f.ConformanceTable(effectTwice, func(fm f.Form) {
		id := env().CreateIdentity()
		Expect(f.Send(deleteIdentity.Naming(fm, id).As(env().AnyCredential()))).To(f.HaveStatus(http.StatusOK), f.Precondition200)
		Expect(f.Send(deleteIdentity.Naming(fm, id).As(env().AnyCredential()))).NotTo(f.BeSuccessful())
	}, deleteIdentity.PerForm("second delete", nil)...)

	f.ConformanceTable(effectOnlyNamed, func(fm f.Form) {
		deleted, kept := env().CreateIdentity(), env().CreateIdentity()
		Expect(f.Send(deleteIdentity.Naming(fm, deleted).As(env().AnyCredential()))).To(f.HaveStatus(http.StatusOK), f.Precondition200)
		Expect(env().IdentityExists(kept)).To(BeTrue(), "identity %s was not named but is gone after deleting %s", kept, deleted)
	}, deleteIdentity.PerForm("other identity survives", nil)...)

	malformed := func(mangle func(string) string) rejectedDelete {
		return func(fm f.Form, id string) *f.Request {
			return deleteIdentity.Naming(fm, mangle(id)).As(env().AnyCredential()).Breaking(fm.Rule())
		}
	}
	f.ConformanceTable(effectRejected, func(fm f.Form, request rejectedDelete) {
		id := env().CreateIdentity()
		f.Send(request(fm, id))
		Expect(env().IdentityExists(id)).To(BeTrue(), "identity %s is gone after a request that must be rejected", id)
	}, f.Cases(
		deleteIdentity.PerForm("no credentials", nil, rejectedDelete(func(fm f.Form, id string) *f.Request {
			return deleteIdentity.Naming(fm, id).Breaking(spec.RuleCredentials)
		})),
		deleteIdentity.PerForm("unknown API key", nil, rejectedDelete(func(fm f.Form, id string) *f.Request {
			return deleteIdentity.Naming(fm, id).As(f.Credential{Authorization: f.Bearer(fixtures.RandomToken("seam_"))})
		})),
		deleteIdentity.PerForm("id without hyphens", nil, malformed(func(id string) string { return strings.ReplaceAll(id, "-", "") })),
		deleteIdentity.PerForm("id with surrounding spaces", nil, malformed(func(id string) string { return " " + id + " " })),
		deleteIdentity.PerForm("id in braces", nil, malformed(func(id string) string { return "{" + id + "}" })),
	)...)

	f.ConformanceTable(effectWorkspaces, func(fm f.Form) {
		x := f.Send(deleteIdentity.Naming(fm, env().ForeignIdentity()).As(env().AnyCredential()))
		env().ForeignAnswer(x)
		Expect(x).NotTo(f.BeSuccessful())
	}, deleteIdentity.PerForm("identity of another workspace", nil)...)
})
