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
type rejectedDelete func(fm form, id string) *f.Request

var _ = Describe("Deleting a user identity has the right effect", func() {
	f.ConformanceTable(effectGone, func(fm form) {
		id := env().CreateIdentity()
		Expect(f.Send(fm.naming(id).As(env().AnyCredential()))).To(f.HaveStatus(http.StatusOK), precondition200)
		Expect(env().IdentityExists(id)).To(BeFalse(), "identity %s can still be fetched after a 200 delete", id)
	}, perForm("get after delete", nil)...)

	f.ConformanceTable(effectTwice, func(fm form) {
		id := env().CreateIdentity()
		Expect(f.Send(fm.naming(id).As(env().AnyCredential()))).To(f.HaveStatus(http.StatusOK), precondition200)
		Expect(f.Send(fm.naming(id).As(env().AnyCredential()))).NotTo(f.BeSuccessful())
	}, perForm("second delete", nil)...)

	f.ConformanceTable(effectOnlyNamed, func(fm form) {
		deleted, kept := env().CreateIdentity(), env().CreateIdentity()
		Expect(f.Send(fm.naming(deleted).As(env().AnyCredential()))).To(f.HaveStatus(http.StatusOK), precondition200)
		Expect(env().IdentityExists(kept)).To(BeTrue(), "identity %s was not named but is gone after deleting %s", kept, deleted)
	}, perForm("other identity survives", nil)...)

	malformed := func(mangle func(string) string) rejectedDelete {
		return func(fm form, id string) *f.Request {
			return fm.naming(mangle(id)).As(env().AnyCredential()).Breaking(fm.idRule)
		}
	}
	f.ConformanceTable(effectRejected, func(fm form, request rejectedDelete) {
		id := env().CreateIdentity()
		f.Send(request(fm, id))
		Expect(env().IdentityExists(id)).To(BeTrue(), "identity %s is gone after a request that must be rejected", id)
	}, cases(
		perForm("no credentials", nil, rejectedDelete(func(fm form, id string) *f.Request {
			return fm.naming(id).Breaking(spec.RuleCredentials)
		})),
		perForm("unknown API key", nil, rejectedDelete(func(fm form, id string) *f.Request {
			return fm.naming(id).As(f.Credential{Authorization: f.Bearer(fixtures.RandomToken("seam_"))})
		})),
		perForm("id without hyphens", nil, malformed(func(id string) string { return strings.ReplaceAll(id, "-", "") })),
		perForm("id with surrounding spaces", nil, malformed(func(id string) string { return " " + id + " " })),
		perForm("id in braces", nil, malformed(func(id string) string { return "{" + id + "}" })),
	)...)

	f.ConformanceTable(effectWorkspaces, func(fm form) {
		foreign := env().Need(env().Seed.ForeignIdentityID, "an identity in a workspace the credentials cannot access (SEAMCONFORM_FOREIGN_IDENTITY_ID)")
		Expect(f.Send(fm.naming(foreign).As(env().AnyCredential()))).NotTo(f.BeSuccessful())
	}, perForm("identity of another workspace", nil)...)
})

var _ = Describe("Deleting an identity that does not exist", func() {
	f.ConformanceTable(notFoundNot2xx, func(fm form, id string) {
		Expect(f.Send(fm.naming(id).As(env().AnyCredential()))).NotTo(f.BeSuccessful())
	}, cases(
		perForm("random v4 UUID", nil, unknownID()),
		perForm("nil UUID", nil, "00000000-0000-0000-0000-000000000000"),
		perForm("upper-case random UUID", nil, strings.ToUpper(unknownID())),
	)...)

	f.ConformanceTable(notFound404, func(fm form) {
		x := f.Send(fm.naming(unknownID()).As(env().AnyCredential()))
		Expect(x).To(f.HaveStatus(http.StatusNotFound))
		Expect(x).To(f.HaveErrorType("user_identity_not_found"))
	}, perForm("random v4 UUID", nil)...)
})
