package userdelete

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
	f "github.com/seamconform/seamconform/suites/framework"
)

// successCases: every documented scheme in both forms.
func successCases() []TableEntry {
	var out []TableEntry
	for _, scheme := range f.Schemes {
		out = append(out, perForm("as "+scheme, Labels{scheme}, scheme)...)
	}
	return out
}

// deleteNew creates an identity and deletes it with the scheme's credential.
func deleteNew(fm form, scheme string) *f.Exchange {
	GinkgoHelper()
	cred := env().As(scheme) // skips before creating anything when the scheme is not available
	return f.Send(fm.naming(env().CreateIdentity()).As(cred))
}

const precondition200 = "precondition: the delete must succeed before its answer can be checked"

var _ = Describe("Deleting a user identity succeeds", func() {
	f.ConformanceTable(okStatus, func(fm form, scheme string) {
		Expect(deleteNew(fm, scheme)).To(f.HaveStatus(http.StatusOK))
	}, successCases()...)

	f.ConformanceTable(okContentType, func(fm form, scheme string) {
		x := deleteNew(fm, scheme)
		Expect(x).To(f.HaveStatus(http.StatusOK), precondition200)
		Expect(x).To(f.HaveJSONContentType())
	}, successCases()...)

	f.ConformanceTable(okSchema, func(fm form, scheme string) {
		x := deleteNew(fm, scheme)
		Expect(x).To(f.HaveStatus(http.StatusOK), precondition200)
		Expect(x).To(f.ConformToContract())
	}, successCases()...)

	f.ConformanceTable(okTrue, func(fm form, scheme string) {
		x := deleteNew(fm, scheme)
		Expect(x).To(f.HaveStatus(http.StatusOK), precondition200)
		Expect(x).To(f.HaveField("ok", true))
	}, successCases()...)

	f.ConformanceTable(okSchemeCase, func(fm form, word string) {
		token := env().Token(f.SchemeAPIKey)
		id := env().CreateIdentity()
		cred := f.Credential{Scheme: f.SchemeAPIKey, Authorization: fixtures.Concat(fixtures.Public(word+" "), token)}
		Expect(f.Send(fm.naming(id).As(cred))).To(f.HaveStatus(http.StatusOK))
	}, cases(perForm("lower-case bearer", Labels{f.SchemeAPIKey}, "bearer"), perForm("upper-case BEARER", Labels{f.SchemeAPIKey}, "BEARER"))...)

	f.Conformance(okSDKShape, Label(delete_.name), func() {
		id := env().CreateIdentity()
		x := f.Send(delete_.naming(id).Query("_strict", "true").
			Header("seam-sdk-name", "@seamapi/http").Header("seam-sdk-version", "1.0.0").
			As(env().AnyCredential()))
		Expect(x).To(f.HaveStatus(http.StatusOK))
	})
})
