package api

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// refusal is o's minimal request with c, to be answered 401; malformed
// says the credential breaks the contract's security rules by its shape.
func refusal(o operation, c f.Credential, malformed bool) *f.Request {
	r := o.call(o.minimal()).As(c).MustBeRefused()
	if malformed {
		r.Breaking(spec.RuleCredentials)
	}
	return r
}

// refused sends refusal(o, c, malformed) and expects 401.
func refused(o operation, c f.Credential, malformed bool) {
	GinkgoHelper()
	Expect(f.Send(refusal(o, c, malformed))).To(f.HaveStatus(http.StatusUnauthorized))
}

func unauthorized() types.GomegaMatcher { return f.HaveStatus(http.StatusUnauthorized) }

var secured = operation.secured

var _ = Describe("API-wide: bad credentials are refused", func() {
	table(authMissing, secured, func(o operation) {
		refused(o, f.Anonymous, true)
	})

	table(authEmpty, secured, func(o operation) {
		refused(o, f.Credential{Authorization: fixtures.Public("Bearer ")}, true)
	})

	table(authUnknown, secured, func(o operation) {
		var cs checks
		for _, s := range schemesOf(o) {
			cs.add("an unknown "+s.Kind, refusal(o, presented(s, unknownToken(s), true), false), unauthorized())
		}
		cs.run()
	})

	table(authOtherScheme, secured, func(o operation) {
		var cs checks
		s := schemesOf(o)[0]
		for _, word := range []string{"Token ", "Basic "} {
			cs.add(word+"with an unknown "+s.Kind, refusal(o, otherScheme(s, word, unknownToken(s)), true), unauthorized())
		}
		cs.run()
		// A server that ignores the scheme word is only caught with a token
		// it knows: sent with input that names nothing, or is malformed.
		// An endpoint's operation with no harmless request keeps only the
		// unknown tokens: a valid one, wrongly accepted, could act on data
		// the run did not create.
		in, breaks, ok := o.harmlessRequest()
		if !ok {
			By("not sent: a valid credential under another scheme word, as no request to " + o.String() + " is harmless")
			return
		}
		for _, s := range schemesOf(o) {
			if !f.Current().Available(s.Name) {
				continue
			}
			var valid checks
			for _, word := range []string{"Token ", "Basic "} {
				c := otherScheme(s, word, f.Current().Token(s.Name))
				valid.add(word+"with a valid "+s.Kind, o.call(in).As(c).Breaking(append(breaks, spec.RuleCredentials)...), unauthorized())
			}
			valid.run()
			return
		}
	})

	table(authWrongKind, func(o operation) bool { return o.secured() && o.hasUUID() }, func(o operation) {
		in, breaks := o.harmless()
		var cs checks
		sent := map[string]bool{}
		for _, s := range spec.Schemes() {
			if o.acceptsToken(s.Env) || sent[s.Env] || !f.Current().Available(s.Name) {
				continue
			}
			sent[s.Env] = true
			cs.add("a valid "+s.Kind, o.call(in).As(f.Current().As(s.Name)).Breaking(append(breaks, spec.RuleCredentials)...), unauthorized())
		}
		if len(cs) == 0 {
			Skip("the run has no valid credential of a kind this operation does not accept")
		}
		cs.run()
	})

	table(authNoCompanion, func(o operation) bool { return o.hasUUID() && len(o.companionOnly()) > 0 }, func(o operation) {
		in, breaks := o.harmless()
		var cs checks
		for _, s := range o.companionOnly() {
			if !f.Current().Available(s.Name) {
				continue
			}
			c := f.Current().As(s.Name)
			c.Workspace = ""
			cs.add("a valid "+s.Kind+" without "+s.Companion, o.call(in).As(c).Breaking(append(breaks, spec.RuleCredentials)...),
				f.HaveStatus(http.StatusBadRequest, http.StatusUnauthorized))
		}
		if len(cs) == 0 {
			Skip("the run has no valid credential of a scheme that needs a companion header")
		}
		cs.run()
	})

	table(authFirst, func(o operation) bool { return o.secured() && (o.hasUUID() || o.Body) }, func(o operation) {
		in, breaks := o.minimal(), []spec.Rule{spec.RuleCredentials}
		if input, ok := o.findBadInput(); ok {
			Expect(f.Send(o.call(in.set(input, "not-a-uuid")).Breaking(append(breaks, rule(input))...))).To(f.HaveStatus(http.StatusUnauthorized), "no credentials and a malformed "+input.Name)
			return
		}
		if !o.Body {
			Skip("no input of this operation can be made invalid")
		}
		r := o.call(inputs{query: in.query}).Body([]byte(`{"`), "application/json").Breaking(append(breaks, spec.RuleBody)...)
		Expect(f.Send(r)).To(f.HaveStatus(http.StatusUnauthorized), "no credentials and a body that is not JSON")
	})
})

// otherScheme presents token with a scheme word other than Bearer ("Basic"
// sends it as the user name, base64-encoded), with the companion header.
func otherScheme(s spec.Scheme, word string, token fixtures.Secret) f.Credential {
	c := presented(s, token, true)
	c.Header = ""
	if word == "Basic " {
		c.Authorization = fixtures.BasicAuth(token)
		return c
	}
	c.Authorization = fixtures.Concat(fixtures.Public(word), token)
	return c
}

// companionOnly lists the schemes o accepts that need a companion header
// and whose token o accepts in no scheme without one: for these, a missing
// header must be refused.
func (o operation) companionOnly() []spec.Scheme {
	var out []spec.Scheme
	for _, s := range schemesOf(o) {
		if s.Companion == "" {
			continue
		}
		alone := true
		for _, other := range schemesOf(o) {
			if other.Env == s.Env && other.Companion == "" {
				alone = false
			}
		}
		if alone {
			out = append(out, s)
		}
	}
	return out
}
