package userdelete

import (
	"maps"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// A scenario provokes one kind of answer; the response requirements judge
// the answers of several.
type scenario func(fm form) *f.Exchange

var (
	succeeding scenario = func(fm form) *f.Exchange {
		return f.Send(fm.naming(env().CreateIdentity()).As(env().AnyCredential()))
	}
	badUUID scenario = func(fm form) *f.Exchange {
		return f.Send(fm.naming("not-a-uuid").As(env().AnyCredential()).Breaking(fm.idRule))
	}
	missingID scenario = func(fm form) *f.Exchange {
		return f.Send(f.Call(fm.op).As(env().AnyCredential()).Breaking(fm.idRule))
	}
	noCredentials scenario = func(fm form) *f.Exchange {
		return f.Send(fm.naming(unknownID()).Breaking(spec.RuleCredentials))
	}
	unknownAPIKey scenario = func(fm form) *f.Exchange {
		return f.Send(fm.naming(unknownID()).As(bearer(fixtures.RandomToken("seam_"))))
	}
	missingIdentity scenario = func(fm form) *f.Exchange {
		return f.Send(fm.naming(unknownID()).As(env().AnyCredential()))
	}
	numericID scenario = func(fm form) *f.Exchange {
		return f.Send(f.Call(spec.DeleteIdentity).JSON(map[string]any{"user_identity_id": 12345}).As(env().AnyCredential()).Breaking(spec.RuleBody))
	}
	malformedJSON scenario = func(fm form) *f.Exchange {
		return f.Send(f.Call(spec.DeleteIdentity).Body([]byte(`{"user_identity_id":`), "application/json").As(env().AnyCredential()).Breaking(spec.RuleBody))
	}
)

// scenarios returns entries "<form>: <name>" for each named scenario in
// both forms; postOnly ones only for the POST form.
func scenarios(named map[string]scenario, postOnly ...string) []TableEntry {
	GinkgoHelper()
	var out []TableEntry
	for _, name := range slices.Sorted(maps.Keys(named)) {
		for _, fm := range forms {
			if fm != post && slices.Contains(postOnly, name) {
				continue
			}
			out = append(out, Entry(fm.name+": "+name, Label(fm.name), fm, named[name]))
		}
	}
	return out
}

func errorAnswer(x *f.Exchange) {
	GinkgoHelper()
	Expect(x).To(f.HaveStatus(400, 401, 403, 404, 405, 409, 422), "precondition: the request must be refused before its error answer can be checked")
}

var _ = Describe("Answers are well-formed and safe", func() {
	f.ConformanceTable(respContract, func(fm form, s scenario) {
		Expect(s(fm)).To(f.ConformToContract())
	}, scenarios(map[string]scenario{"success": succeeding, "malformed UUID": badUUID, "no credentials": noCredentials, "unknown API key": unknownAPIKey})...)

	f.ConformanceTable(respNoInternals, func(fm form, s scenario) {
		Expect(s(fm)).To(f.NotLeakInternals())
	}, scenarios(map[string]scenario{
		"malformed UUID": badUUID, "numeric id": numericID, "malformed JSON": malformedJSON,
		"no credentials": noCredentials, "unknown API key": unknownAPIKey, "missing identity": missingIdentity,
	}, "numeric id", "malformed JSON")...)

	f.ConformanceTable(respNoEcho, func(fm form, present func() f.Credential, breaks []spec.Rule) {
		c := present()
		x := f.Send(fm.naming(unknownID()).As(c).Breaking(breaks...))
		tok, _ := spec.BearerToken(c.Authorization.Value)
		Expect(x).To(f.NotEcho(tok, c.Authorization.Shell))
	}, cases(
		perForm("unknown API key", Labels{apiKey}, func() f.Credential { return bearer(fixtures.RandomToken("seam_")) }, []spec.Rule(nil)),
		perForm("valid API key", Labels{apiKey}, func() f.Credential { return env().As(apiKey) }, []spec.Rule(nil)),
		perForm("personal access token without workspace", Labels{pat}, func() f.Credential { return bearer(token(pat)) }, []spec.Rule{spec.RuleCredentials}),
		perForm("console session with a replaced signature", Labels{console}, func() f.Credential {
			return withWorkspace(fixtures.TamperedSignature(token(console)), workspace())
		}, []spec.Rule(nil)),
	)...)

	f.ConformanceTable(respEnvelope, func(fm form, s scenario) {
		x := s(fm)
		errorAnswer(x)
		Expect(x).To(f.BeSeamError())
	}, scenarios(map[string]scenario{"malformed UUID": badUUID, "missing id": missingID, "no credentials": noCredentials, "unknown API key": unknownAPIKey})...)

	badInput := map[string]scenario{"malformed UUID": badUUID, "missing id": missingID}
	f.ConformanceTable(respInvalidType, func(fm form, s scenario) {
		x := s(fm)
		expect400(x)
		Expect(x).To(f.HaveErrorType("invalid_input"))
	}, scenarios(badInput)...)

	f.ConformanceTable(respNamesField, func(fm form, s scenario) {
		x := s(fm)
		expect400(x)
		Expect(x).To(f.NameField("user_identity_id"))
	}, scenarios(badInput)...)

	f.ConformanceTable(respUnauthType, func(fm form, s scenario) {
		x := s(fm)
		Expect(x).To(f.HaveStatus(401), "precondition: the credentials must be refused")
		Expect(x).To(f.HaveErrorType("unauthorized"))
	}, scenarios(map[string]scenario{"no credentials": noCredentials, "unknown API key": unknownAPIKey})...)

	f.ConformanceTable(respRequestID, func(fm form, s scenario) {
		Expect(s(fm)).To(f.HaveHeader("seam-request-id"))
	}, scenarios(map[string]scenario{"success": succeeding, "malformed UUID": badUUID, "no credentials": noCredentials})...)

	f.ConformanceTable(respErrorNotOK, func(fm form, s scenario) {
		x := s(fm)
		errorAnswer(x)
		Expect(x).NotTo(f.HaveField("ok", true))
	}, scenarios(map[string]scenario{"malformed UUID": badUUID, "no credentials": noCredentials, "unknown API key": unknownAPIKey, "missing identity": missingIdentity})...)
})
