package framework

import (
	"slices"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
)

// ResponseRequirements binds the checks of well-formed, safe answers to a
// suite's requirements. A zero requirement leaves its check out.
type ResponseRequirements struct {
	Contract    Requirement // answers match the contract's description of their status
	NoInternals Requirement // error answers hold no stack trace
	NoEcho      Requirement // answers do not repeat the credential
	Envelope    Requirement // error answers are Seam's error envelope
	InvalidType Requirement // a 400 for bad input has error type invalid_input
	NamesField  Requirement // a 400 for bad input names the ID field
	UnauthType  Requirement // a 401 has error type unauthorized
	RequestID   Requirement // every answer has a seam-request-id header
	ErrorNotOK  Requirement // an error answer does not say ok: true
}

// A scenario provokes one kind of answer; the response checks judge the
// answers of several.
type scenario func(fm Form) *Exchange

func (d Descriptor) scenarios() map[string]scenario {
	return map[string]scenario{
		"success": func(fm Form) *Exchange {
			return Send(d.Naming(fm, d.Existing()).As(Current().AnyCredential()))
		},
		"malformed UUID": func(fm Form) *Exchange {
			return Send(d.Naming(fm, "not-a-uuid").As(Current().AnyCredential()).Breaking(fm.Rule()))
		},
		"missing id": func(fm Form) *Exchange {
			return Send(Call(fm.Op).As(Current().AnyCredential()).Breaking(fm.Rule()))
		},
		"no credentials": func(fm Form) *Exchange {
			return Send(d.Naming(fm, UnknownID()).Breaking(spec.RuleCredentials))
		},
		"unknown API key": func(fm Form) *Exchange {
			return Send(d.Naming(fm, UnknownID()).As(bearer(fixtures.RandomToken("seam_"))))
		},
		"missing identity": func(fm Form) *Exchange {
			return Send(d.Naming(fm, UnknownID()).As(Current().AnyCredential()))
		},
		"numeric id": func(fm Form) *Exchange {
			return Send(fm.With(map[string]any{d.ID: 12345}).As(Current().AnyCredential()).Breaking(spec.RuleBody))
		},
		"malformed JSON": func(fm Form) *Exchange {
			return Send(Call(fm.Op).Body([]byte(`{"`+d.ID+`":`), "application/json").As(Current().AnyCredential()).Breaking(spec.RuleBody))
		},
	}
}

// bodyOnly are the scenarios that only a body form can send.
var bodyOnly = []string{"numeric id", "malformed JSON"}

// entries returns "<form>: <name>" for each named scenario in every form
// that can send it.
func (d Descriptor) entries(names ...string) []TableEntry {
	GinkgoHelper()
	all := d.scenarios()
	var out []TableEntry
	for _, fm := range d.formsByName() {
		for _, name := range slices.Sorted(slices.Values(names)) {
			if !fm.Body && slices.Contains(bodyOnly, name) {
				continue
			}
			out = append(out, Entry(fm.Name+": "+name, Label(formLabels(fm)...), fm, all[name]))
		}
	}
	return out
}

func errorAnswer(x *Exchange) {
	GinkgoHelper()
	gomega.Expect(x).To(HaveStatus(400, 401, 403, 404, 405, 409, 422), "precondition: the request must be refused before its error answer can be checked")
}

// ResponseFamily registers the answer checks of r for the operation d.
func ResponseFamily(d Descriptor, r ResponseRequirements) bool {
	GinkgoHelper()
	return Describe("Answers are well-formed and safe", func() {
		table(r.Contract, func(fm Form, s scenario) {
			gomega.Expect(s(fm)).To(ConformToContract())
		}, d.entries("success", "malformed UUID", "no credentials", "unknown API key")...)

		table(r.NoInternals, func(fm Form, s scenario) {
			gomega.Expect(s(fm)).To(NotLeakInternals())
		}, d.entries("malformed UUID", "numeric id", "malformed JSON", "no credentials", "unknown API key", "missing identity")...)

		apiKey, pat, console := SchemeAPIKey, SchemePAT, SchemeConsoleSession
		table(r.NoEcho, func(fm Form, present func() Credential, breaks []spec.Rule) {
			c := present()
			x := Send(d.Naming(fm, UnknownID()).As(c).Breaking(breaks...))
			tok, _ := spec.BearerToken(c.Authorization.Value)
			gomega.Expect(x).To(NotEcho(tok, c.Authorization.Shell))
		}, Cases(
			d.onlyIf(apiKey, d.PerForm("unknown API key", Labels{apiKey}, func() Credential { return bearer(fixtures.RandomToken("seam_")) }, []spec.Rule(nil))),
			d.onlyIf(apiKey, d.PerForm("valid API key", Labels{apiKey}, func() Credential { return Current().As(apiKey) }, []spec.Rule(nil))),
			d.onlyIf(pat, d.PerForm("personal access token without workspace", Labels{pat}, func() Credential { return bearer(token(pat)) }, []spec.Rule{spec.RuleCredentials})),
			d.onlyIf(console, d.PerForm("console session with a replaced signature", Labels{console}, func() Credential {
				return withWorkspace(fixtures.TamperedSignature(token(console)), workspace())
			}, []spec.Rule(nil))),
		)...)

		table(r.Envelope, func(fm Form, s scenario) {
			x := s(fm)
			errorAnswer(x)
			gomega.Expect(x).To(BeSeamError())
		}, d.entries("malformed UUID", "missing id", "no credentials", "unknown API key")...)

		table(r.InvalidType, func(fm Form, s scenario) {
			x := s(fm)
			expect400(x)
			gomega.Expect(x).To(HaveErrorType("invalid_input"))
		}, d.entries("malformed UUID", "missing id")...)

		table(r.NamesField, func(fm Form, s scenario) {
			x := s(fm)
			expect400(x)
			gomega.Expect(x).To(NameField(d.ID))
		}, d.entries("malformed UUID", "missing id")...)

		table(r.UnauthType, func(fm Form, s scenario) {
			x := s(fm)
			gomega.Expect(x).To(HaveStatus(401), "precondition: the credentials must be refused")
			gomega.Expect(x).To(HaveErrorType("unauthorized"))
		}, d.entries("no credentials", "unknown API key")...)

		table(r.RequestID, func(fm Form, s scenario) {
			gomega.Expect(s(fm)).To(HaveHeader("seam-request-id"))
		}, d.entries("success", "malformed UUID", "no credentials")...)

		table(r.ErrorNotOK, func(fm Form, s scenario) {
			x := s(fm)
			errorAnswer(x)
			gomega.Expect(x).NotTo(HaveField("ok", true))
		}, d.entries("malformed UUID", "no credentials", "unknown API key", "missing identity")...)
	})
}
