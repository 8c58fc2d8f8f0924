package api

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// refused sends o's minimal request with c and expects 401; malformed says
// the credential breaks the contract's security rules by its shape.
func refused(o operation, c f.Credential, malformed bool) {
	GinkgoHelper()
	r := o.call(o.minimal()).As(c)
	if malformed {
		r.Breaking(spec.RuleCredentials)
	}
	Expect(f.Send(r)).To(f.HaveStatus(http.StatusUnauthorized))
}

var secured = operation.secured

var _ = Describe("API-wide: bad credentials are refused", func() {
	table(authMissing, secured, func(o operation) {
		refused(o, f.Anonymous, true)
	})

	table(authEmpty, secured, func(o operation) {
		refused(o, f.Credential{Authorization: fixtures.Public("Bearer ")}, true)
	})

	table(authUnknown, secured, func(o operation) {
		for _, s := range schemesOf(o) {
			By("an unknown " + s.Kind)
			refused(o, presented(s, unknownToken(s), true), false)
		}
	})

	table(authOtherScheme, secured, func(o operation) {
		s := schemesOf(o)[0]
		for _, word := range []string{"Token ", "Basic "} {
			By(word + "with an unknown " + s.Kind)
			refused(o, otherScheme(s, word, unknownToken(s)), true)
		}
		// A server that ignores the scheme word is only caught with a token
		// it knows: sent with input that names nothing, or is malformed.
		if !o.hasUUID() {
			return
		}
		for _, s := range schemesOf(o) {
			if !f.Current().Available(s.Name) {
				continue
			}
			in, breaks := o.harmless()
			for _, word := range []string{"Token ", "Basic "} {
				By(word + "with a valid " + s.Kind)
				c := otherScheme(s, word, f.Current().Token(s.Name))
				r := o.call(in).As(c).Breaking(append(breaks, spec.RuleCredentials)...)
				Expect(f.Send(r)).To(f.HaveStatus(http.StatusUnauthorized))
			}
			return
		}
	})

	table(authWrongKind, func(o operation) bool { return o.secured() && o.hasUUID() }, func(o operation) {
		in, breaks := o.harmless()
		sent := map[string]bool{}
		for _, s := range spec.Schemes() {
			if o.acceptsToken(s.Env) || sent[s.Env] || !f.Current().Available(s.Name) {
				continue
			}
			sent[s.Env] = true
			By("a valid " + s.Kind)
			r := o.call(in).As(f.Current().As(s.Name)).Breaking(append(breaks, spec.RuleCredentials)...)
			Expect(f.Send(r)).To(f.HaveStatus(http.StatusUnauthorized))
		}
		if len(sent) == 0 {
			Skip("the run has no valid credential of a kind this operation does not accept")
		}
	})

	table(authNoCompanion, func(o operation) bool { return o.hasUUID() && len(o.companionOnly()) > 0 }, func(o operation) {
		in, breaks := o.harmless()
		sent := 0
		for _, s := range o.companionOnly() {
			if !f.Current().Available(s.Name) {
				continue
			}
			sent++
			By("a valid " + s.Kind + " without " + s.Companion)
			c := f.Current().As(s.Name)
			c.Workspace = ""
			r := o.call(in).As(c).Breaking(append(breaks, spec.RuleCredentials)...)
			Expect(f.Send(r)).To(f.HaveStatus(http.StatusBadRequest, http.StatusUnauthorized))
		}
		if sent == 0 {
			Skip("the run has no valid credential of a scheme that needs a companion header")
		}
	})

	table(authFirst, func(o operation) bool { return o.secured() && (o.hasUUID() || o.Body) }, func(o operation) {
		in, breaks := o.minimal(), []spec.Rule{spec.RuleCredentials}
		if input, ok := o.findBadInput(); ok {
			By("no credentials and a malformed " + input.Name)
			Expect(f.Send(o.call(in.set(input, "not-a-uuid")).Breaking(append(breaks, rule(input))...))).To(f.HaveStatus(http.StatusUnauthorized))
			return
		}
		if !o.Body {
			Skip("no input of this operation can be made invalid")
		}
		By("no credentials and a body that is not JSON")
		r := o.call(inputs{query: in.query}).Body([]byte(`{"`), "application/json").Breaking(append(breaks, spec.RuleBody)...)
		Expect(f.Send(r)).To(f.HaveStatus(http.StatusUnauthorized))
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
