package framework

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
)

// AuthRequirements binds the checks of the credential family to a suite's
// requirements. A zero requirement leaves its check out.
type AuthRequirements struct {
	Missing        Requirement // no Authorization header: 401
	Empty          Requirement // an empty Bearer credential: 401
	OtherScheme    Requirement // Basic, Token, ApiKey schemes: 401
	Malformed      Requirement // a malformed Authorization header: 401
	UnknownKey     Requirement // an API key that is not exactly a valid key: 401
	UnknownPAT     Requirement // an unknown personal access token: 401
	PATWorkspace   Requirement // a PAT with a workspace its user cannot access: 401
	JWTSignature   Requirement // a console session whose signature does not verify: 401
	JWTWorkspace   Requirement // a console session with a workspace its user cannot access: 401
	WrongKind      Requirement // a credential of a kind the operation does not accept: 401
	NoWorkspace    Requirement // a *_with_workspace credential without seam-workspace: 400 or 401
	NoWorkspace401 Requirement // the same: 401
	BeforeInput    Requirement // invalid credentials with invalid input: 401
	Expired        Requirement // an expired console session: 401
}

// credential builds, when the spec runs, what a negative auth case presents.
type credential func() Credential

// authCase is a credential the operation must refuse. malformed says whether
// it also breaks the contract's security rules by its shape (a missing or
// non-Bearer header), rather than only being unknown to the server.
type authCase struct {
	credential credential
	malformed  bool
}

func header(value fixtures.Secret) Credential { return Credential{Authorization: value} }

func bearer(token fixtures.Secret) Credential { return header(Bearer(token)) }

// withWorkspace presents token with a seam-workspace header.
func withWorkspace(token fixtures.Secret, workspace string) Credential {
	c := bearer(token)
	c.Workspace = workspace
	return c
}

func token(scheme string) fixtures.Secret { return Current().Token(scheme) }

func workspace() string { return Current().WorkspaceID() }

func foreignWorkspace() string {
	return Current().Need(Current().Seed.ForeignWorkspaceID, "a workspace the credentials' user is not a member of")
}

func malformedCase(c credential) authCase { return authCase{credential: c, malformed: true} }
func unknownCase(c credential) authCase   { return authCase{credential: c} }

// refused sends a request naming an unknown resource with the case's
// credential.
func (d Descriptor) refused(fm Form, c authCase) *Exchange {
	GinkgoHelper()
	r := d.Naming(fm, UnknownID()).As(c.credential()).MustBeRefused()
	if c.malformed {
		r.Breaking(spec.RuleCredentials)
	}
	return Send(r)
}

// onlyIf keeps entries when the operation accepts scheme.
func (d Descriptor) onlyIf(scheme string, entries []TableEntry) []TableEntry {
	if !d.Accepts(scheme) {
		return nil
	}
	return entries
}

// AuthFamily registers the credential checks of r for the operation d.
func AuthFamily(d Descriptor, r AuthRequirements) bool {
	GinkgoHelper()
	return Describe("Bad credentials are refused", func() {
		d.authSpecs(r)
	})
}

func (d Descriptor) authSpecs(r AuthRequirements) {
	expect401 := func(fm Form, c authCase) {
		gomega.Expect(d.refused(fm, c)).To(HaveStatus(http.StatusUnauthorized))
	}
	apiKey, pat, console := SchemeAPIKey, SchemePAT, SchemeConsoleSession

	table(r.Missing, expect401,
		d.PerForm("no Authorization header", nil, malformedCase(func() Credential { return Anonymous }))...)

	table(r.Empty, expect401, Cases(
		d.PerForm(`"Bearer"`, nil, malformedCase(func() Credential { return header(fixtures.Public("Bearer")) })),
		d.PerForm(`"Bearer "`, nil, malformedCase(func() Credential { return header(fixtures.Public("Bearer ")) })),
		d.PerForm(`"Bearer" and blanks`, nil, malformedCase(func() Credential { return header(fixtures.Public("Bearer    ")) })),
	)...)

	table(r.OtherScheme, expect401, d.onlyIf(apiKey, Cases(
		d.PerForm("Basic with the API key as user", Labels{apiKey}, malformedCase(func() Credential { return header(fixtures.BasicAuth(token(apiKey))) })),
		d.PerForm("Token scheme with the API key", Labels{apiKey}, malformedCase(func() Credential {
			return header(fixtures.Concat(fixtures.Public("Token "), token(apiKey)))
		})),
		d.PerForm("ApiKey scheme with the API key", Labels{apiKey}, malformedCase(func() Credential {
			return header(fixtures.Concat(fixtures.Public("ApiKey "), token(apiKey)))
		})),
	))...)

	table(r.Malformed, expect401, d.onlyIf(apiKey, Cases(
		d.PerForm("the API key without a scheme", Labels{apiKey}, malformedCase(func() Credential { return header(token(apiKey)) })),
		d.PerForm("Bearer glued to the API key", Labels{apiKey}, malformedCase(func() Credential {
			return header(fixtures.Concat(fixtures.Public("Bearer"), token(apiKey)))
		})),
		d.PerForm("the API key followed by another word", Labels{apiKey}, malformedCase(func() Credential {
			return header(fixtures.Concat(Bearer(token(apiKey)), fixtures.Public(" extra")))
		})),
		d.PerForm("two Bearer credentials in one header", Labels{apiKey}, malformedCase(func() Credential {
			return header(fixtures.Concat(Bearer(token(apiKey)), fixtures.Public(", "), Bearer(token(apiKey))))
		})),
	))...)

	table(r.UnknownKey, expect401, d.onlyIf(apiKey, Cases(
		d.PerForm("random key", Labels{apiKey}, unknownCase(func() Credential { return bearer(fixtures.RandomToken("seam_")) })),
		d.PerForm("the key without its last character", Labels{apiKey}, unknownCase(func() Credential { return bearer(fixtures.Truncated(token(apiKey))) })),
		d.PerForm("the key with one more character", Labels{apiKey}, unknownCase(func() Credential { return bearer(fixtures.Extended(token(apiKey))) })),
		d.PerForm("the key with its last character changed", Labels{apiKey}, unknownCase(func() Credential { return bearer(fixtures.LastCharChanged(token(apiKey))) })),
	))...)

	table(r.UnknownPAT, expect401, d.onlyIf(pat,
		d.PerForm("random seam_at token with the valid workspace", Labels{pat}, unknownCase(func() Credential {
			return withWorkspace(fixtures.RandomToken("seam_at"), workspace())
		})))...)

	table(r.PATWorkspace, expect401, d.onlyIf(pat, Cases(
		d.PerForm("unknown workspace", Labels{pat}, unknownCase(func() Credential { return withWorkspace(token(pat), UnknownID()) })),
		d.PerForm("workspace of which the user is not a member", Labels{pat}, unknownCase(func() Credential { return withWorkspace(token(pat), foreignWorkspace()) })),
	))...)

	consoleToken := func(mangle func(fixtures.Secret) fixtures.Secret) credential {
		return func() Credential { return withWorkspace(mangle(token(console)), workspace()) }
	}
	table(r.JWTSignature, expect401, d.onlyIf(console, Cases(
		d.PerForm("signature replaced", Labels{console}, unknownCase(consoleToken(fixtures.TamperedSignature))),
		d.PerForm("claims changed, signature kept", Labels{console}, unknownCase(consoleToken(fixtures.AlteredClaims))),
		d.PerForm(`"alg": "none" without a signature`, Labels{console}, unknownCase(consoleToken(fixtures.AlgNone))),
		d.PerForm("signature segment removed", Labels{console}, malformedCase(consoleToken(fixtures.StrippedSignature))),
	))...)

	table(r.JWTWorkspace, expect401, d.onlyIf(console, Cases(
		d.PerForm("unknown workspace", Labels{console}, unknownCase(func() Credential { return withWorkspace(token(console), UnknownID()) })),
		d.PerForm("workspace of which the user is not a member", Labels{console}, unknownCase(func() Credential { return withWorkspace(token(console), foreignWorkspace()) })),
	))...)

	table(r.WrongKind, expect401, Cases(
		d.PerForm("client session token", nil, malformedCase(func() Credential {
			return bearer(fixtures.EnvSecret("SEAM_CLIENT_SESSION_TOKEN", Current().Need(Current().Seed.ClientSessionToken, "a client session token (SEAM_CLIENT_SESSION_TOKEN)")))
		})),
		d.PerForm("publishable key", nil, malformedCase(func() Credential {
			return bearer(fixtures.EnvSecret("SEAM_PUBLISHABLE_KEY", Current().Need(Current().Seed.PublishableKey, "the workspace's publishable key")))
		})),
		d.PerForm("workspace ID as a token", nil, malformedCase(func() Credential { return bearer(fixtures.Public(workspace())) })),
	)...)

	withoutWorkspace := func(scheme string) authCase {
		return malformedCase(func() Credential { return bearer(token(scheme)) })
	}
	noWorkspaceCases := func() []TableEntry {
		return Cases(
			d.onlyIf(pat, d.PerForm("personal access token", Labels{pat}, withoutWorkspace(pat))),
			d.onlyIf(console, d.PerForm("console session", Labels{console}, withoutWorkspace(console))))
	}
	table(r.NoWorkspace, func(fm Form, c authCase) {
		gomega.Expect(d.refused(fm, c)).To(HaveStatus(http.StatusBadRequest, http.StatusUnauthorized))
	}, noWorkspaceCases()...)
	table(r.NoWorkspace401, expect401, noWorkspaceCases()...)

	table(r.Expired, expect401, d.onlyIf(console,
		d.PerForm("expired but correctly signed", Labels{console}, unknownCase(func() Credential {
			expired := fixtures.EnvSecret("SEAM_EXPIRED_CONSOLE_SESSION_TOKEN", Current().Need(Current().Seed.ExpiredConsoleSessionToken, "an expired console session token (SEAM_EXPIRED_CONSOLE_SESSION_TOKEN)"))
			return withWorkspace(expired, workspace())
		})))...)

	table(r.BeforeInput, func(build func() *Request) {
		gomega.Expect(Send(build())).To(HaveStatus(http.StatusUnauthorized))
	}, d.beforeInputCases()...)
}

// beforeInputCases pair a bad credential with bad input in each form: the
// answer must be about the credential.
func (d Descriptor) beforeInputCases() []TableEntry {
	GinkgoHelper()
	unknownKey := func() Credential { return bearer(fixtures.RandomToken("seam_")) }
	var out []TableEntry
	for _, fm := range d.formsByName() {
		label := Label(formLabels(fm)...)
		if fm.Body {
			out = append(out,
				Entry(fm.Name+": no credentials, malformed UUID", label, func() *Request {
					return d.Naming(fm, "not-a-uuid").As(Anonymous).Breaking(spec.RuleCredentials, spec.RuleBody)
				}),
				Entry(fm.Name+": no credentials, no body", label, func() *Request {
					return Call(fm.Op).As(Anonymous).Breaking(spec.RuleCredentials, spec.RuleBody)
				}),
				Entry(fm.Name+": unknown API key, malformed JSON", label, func() *Request {
					return Call(fm.Op).Body([]byte(`{"`+d.ID+`":`), "application/json").As(unknownKey()).Breaking(spec.RuleBody)
				}))
			continue
		}
		out = append(out,
			Entry(fm.Name+": no credentials, no query parameter", label, func() *Request {
				return Call(fm.Op).As(Anonymous).Breaking(spec.RuleCredentials, spec.RuleQuery)
			}),
			Entry(fm.Name+": unknown API key, malformed UUID", label, func() *Request {
				return d.Naming(fm, "not-a-uuid").As(unknownKey()).Breaking(spec.RuleQuery)
			}))
	}
	return out
}
