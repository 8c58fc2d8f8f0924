package framework

import (
	"net/http"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
)

// SuccessRequirements binds the checks of a successful call to a suite's
// requirements. A zero requirement leaves its check out.
type SuccessRequirements struct {
	Status      Requirement // a valid call with any accepted scheme: 200
	ContentType Requirement // a 200 is application/json
	Schema      Requirement // a 200 body matches the documented schema
	OKTrue      Requirement // a 200 says ok: true
	SchemeCase  Requirement // the Bearer scheme word in any case
	SDKShape    Requirement // the query form as Seam's JavaScript SDK sends it
}

// Precondition200 explains a failed precondition of a check on a success.
const Precondition200 = "precondition: the call must succeed before its answer can be checked"

// SuccessFamily registers the success checks of r for the operation d.
func SuccessFamily(d Descriptor, r SuccessRequirements) bool {
	GinkgoHelper()
	return Describe("A valid call succeeds", func() {
		var schemes []TableEntry
		names := slices.Sorted(slices.Values(d.Schemes()))
		for _, fm := range d.formsByName() {
			for _, scheme := range names {
				schemes = append(schemes, formEntry(fm, "as "+scheme, Labels{scheme}, scheme))
			}
		}
		// succeed calls the operation on a fresh resource with the scheme's
		// credential, skipping before making anything when the scheme is
		// not available.
		succeed := func(fm Form, scheme string) *Exchange {
			GinkgoHelper()
			cred := Current().As(scheme)
			return Send(d.Naming(fm, d.Existing()).As(cred))
		}

		table(r.Status, func(fm Form, scheme string) {
			gomega.Expect(succeed(fm, scheme)).To(HaveStatus(http.StatusOK))
		}, schemes...)

		table(r.ContentType, func(fm Form, scheme string) {
			x := succeed(fm, scheme)
			gomega.Expect(x).To(HaveStatus(http.StatusOK), Precondition200)
			gomega.Expect(x).To(HaveJSONContentType())
		}, schemes...)

		table(r.Schema, func(fm Form, scheme string) {
			x := succeed(fm, scheme)
			gomega.Expect(x).To(HaveStatus(http.StatusOK), Precondition200)
			gomega.Expect(x).To(ConformToContract())
		}, schemes...)

		table(r.OKTrue, func(fm Form, scheme string) {
			x := succeed(fm, scheme)
			gomega.Expect(x).To(HaveStatus(http.StatusOK), Precondition200)
			gomega.Expect(x).To(HaveField("ok", true))
		}, schemes...)

		table(r.SchemeCase, func(fm Form, word string) {
			token := Current().Token(SchemeAPIKey)
			id := d.Existing()
			cred := Credential{Scheme: SchemeAPIKey, Authorization: fixtures.Concat(fixtures.Public(word+" "), token)}
			gomega.Expect(Send(d.Naming(fm, id).As(cred))).To(HaveStatus(http.StatusOK))
		}, d.onlyIf(SchemeAPIKey, Cases(
			d.PerForm("lower-case bearer", Labels{SchemeAPIKey}, "bearer"),
			d.PerForm("upper-case BEARER", Labels{SchemeAPIKey}, "BEARER")))...)

		for _, fm := range d.Only(false).Forms {
			if !r.SDKShape.bound() {
				break
			}
			Conformance(r.SDKShape, Label(formLabels(fm)...), func() {
				x := Send(d.Naming(fm, d.Existing()).Query("_strict", "true").
					Header("seam-sdk-name", "@seamapi/http").Header("seam-sdk-version", "1.0.0").
					As(Current().AnyCredential()))
				gomega.Expect(x).To(HaveStatus(http.StatusOK))
			})
		}
	})
}

// NotFoundRequirements binds the checks of a call naming no resource.
type NotFoundRequirements struct {
	Not2xx Requirement // a UUID naming nothing: not 2xx
	Is404  Requirement // a UUID naming nothing: 404 with the descriptor's NotFoundType
}

// NotFoundFamily registers the checks of r for the operation d.
func NotFoundFamily(d Descriptor, r NotFoundRequirements) bool {
	GinkgoHelper()
	return Describe("A call naming nothing", func() {
		table(r.Not2xx, func(fm Form, id string) {
			gomega.Expect(Send(d.Naming(fm, id).As(Current().AnyCredential()))).NotTo(BeSuccessful())
		}, Cases(
			d.PerForm("random v4 UUID", nil, UnknownID()),
			d.PerForm("nil UUID", nil, "00000000-0000-0000-0000-000000000000"),
			d.PerForm("upper-case random UUID", nil, strings.ToUpper(UnknownID())),
		)...)

		table(r.Is404, func(fm Form) {
			x := Send(d.Naming(fm, UnknownID()).As(Current().AnyCredential()))
			gomega.Expect(x).To(HaveStatus(http.StatusNotFound))
			gomega.Expect(x).To(HaveErrorType(d.NotFoundType))
		}, d.PerForm("random v4 UUID", nil)...)
	})
}
