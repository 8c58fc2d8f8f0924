package userdelete

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// credential builds, when the spec runs, what a negative auth case presents.
type credential func() f.Credential

// authCase is a credential the operation must refuse. malformed says whether
// it also breaks the contract's security rules by its shape (a missing or
// non-Bearer header), rather than only being unknown to the server.
type authCase struct {
	credential credential
	malformed  bool
}

func header(value fixtures.Secret) f.Credential { return f.Credential{Authorization: value} }

func bearer(token fixtures.Secret) f.Credential { return header(f.Bearer(token)) }

// withWorkspace presents token with a seam-workspace header.
func withWorkspace(token fixtures.Secret, workspace string) f.Credential {
	c := bearer(token)
	c.Workspace = workspace
	return c
}

func token(scheme string) fixtures.Secret { return env().Token(scheme) }

func workspace() string { return env().WorkspaceID() }

func foreignWorkspace() string {
	return env().Need(env().Seed.ForeignWorkspaceID, "a workspace the credentials' user is not a member of")
}

func malformed(c credential) authCase { return authCase{credential: c, malformed: true} }
func unknown(c credential) authCase   { return authCase{credential: c} }

// refused sends a delete of an unknown identity with the case's credential.
func refused(fm form, c authCase) *f.Exchange {
	GinkgoHelper()
	r := fm.naming(unknownID()).As(c.credential())
	if c.malformed {
		r.Breaking(spec.RuleCredentials)
	}
	return f.Send(r)
}

// expect401 is a table body: no GinkgoHelper, so a failure points here.
func expect401(fm form, c authCase) {
	Expect(refused(fm, c)).To(f.HaveStatus(http.StatusUnauthorized))
}

var (
	apiKey  = f.SchemeAPIKey
	pat     = f.SchemePAT
	console = f.SchemeConsoleSession
)

var _ = Describe("Bad credentials are refused", func() {
	f.ConformanceTable(authMissing, expect401,
		perForm("no Authorization header", nil, malformed(func() f.Credential { return f.Anonymous }))...)

	f.ConformanceTable(authEmpty, expect401, cases(
		perForm(`"Bearer"`, nil, malformed(func() f.Credential { return header(fixtures.Public("Bearer")) })),
		perForm(`"Bearer "`, nil, malformed(func() f.Credential { return header(fixtures.Public("Bearer ")) })),
		perForm(`"Bearer" and blanks`, nil, malformed(func() f.Credential { return header(fixtures.Public("Bearer    ")) })),
	)...)

	f.ConformanceTable(authOtherScheme, expect401, cases(
		perForm("Basic with the API key as user", Labels{apiKey}, malformed(func() f.Credential { return header(fixtures.BasicAuth(token(apiKey))) })),
		perForm("Token scheme with the API key", Labels{apiKey}, malformed(func() f.Credential {
			return header(fixtures.Concat(fixtures.Public("Token "), token(apiKey)))
		})),
		perForm("ApiKey scheme with the API key", Labels{apiKey}, malformed(func() f.Credential {
			return header(fixtures.Concat(fixtures.Public("ApiKey "), token(apiKey)))
		})),
	)...)

	f.ConformanceTable(authMalformed, expect401, cases(
		perForm("the API key without a scheme", Labels{apiKey}, malformed(func() f.Credential { return header(token(apiKey)) })),
		perForm("Bearer glued to the API key", Labels{apiKey}, malformed(func() f.Credential {
			return header(fixtures.Concat(fixtures.Public("Bearer"), token(apiKey)))
		})),
		perForm("the API key followed by another word", Labels{apiKey}, malformed(func() f.Credential {
			return header(fixtures.Concat(f.Bearer(token(apiKey)), fixtures.Public(" extra")))
		})),
		perForm("two Bearer credentials in one header", Labels{apiKey}, malformed(func() f.Credential {
			return header(fixtures.Concat(f.Bearer(token(apiKey)), fixtures.Public(", "), f.Bearer(token(apiKey))))
		})),
	)...)

	f.ConformanceTable(authUnknownKey, expect401, cases(
		perForm("random key", Labels{apiKey}, unknown(func() f.Credential { return bearer(fixtures.RandomToken("seam_")) })),
		perForm("the key without its last character", Labels{apiKey}, unknown(func() f.Credential { return bearer(fixtures.Truncated(token(apiKey))) })),
		perForm("the key with one more character", Labels{apiKey}, unknown(func() f.Credential { return bearer(fixtures.Extended(token(apiKey))) })),
		perForm("the key with its last character changed", Labels{apiKey}, unknown(func() f.Credential { return bearer(fixtures.LastCharChanged(token(apiKey))) })),
	)...)

	f.ConformanceTable(authUnknownPAT, expect401,
		perForm("random seam_at token with the valid workspace", Labels{pat}, unknown(func() f.Credential {
			return withWorkspace(fixtures.RandomToken("seam_at"), workspace())
		}))...)

	f.ConformanceTable(authPATWorkspace, expect401, cases(
		perForm("unknown workspace", Labels{pat}, unknown(func() f.Credential { return withWorkspace(token(pat), unknownID()) })),
		perForm("workspace of which the user is not a member", Labels{pat}, unknown(func() f.Credential { return withWorkspace(token(pat), foreignWorkspace()) })),
	)...)

	consoleToken := func(mangle func(fixtures.Secret) fixtures.Secret) credential {
		return func() f.Credential { return withWorkspace(mangle(token(console)), workspace()) }
	}
	f.ConformanceTable(authJWTSignature, expect401, cases(
		perForm("signature replaced", Labels{console}, unknown(consoleToken(fixtures.TamperedSignature))),
		perForm("claims changed, signature kept", Labels{console}, unknown(consoleToken(fixtures.AlteredClaims))),
		perForm(`"alg": "none" without a signature`, Labels{console}, unknown(consoleToken(fixtures.AlgNone))),
		perForm("signature segment removed", Labels{console}, malformed(consoleToken(fixtures.StrippedSignature))),
	)...)

	f.ConformanceTable(authJWTWorkspace, expect401, cases(
		perForm("unknown workspace", Labels{console}, unknown(func() f.Credential { return withWorkspace(token(console), unknownID()) })),
		perForm("workspace of which the user is not a member", Labels{console}, unknown(func() f.Credential { return withWorkspace(token(console), foreignWorkspace()) })),
	)...)

	f.ConformanceTable(authWrongKind, expect401, cases(
		perForm("client session token", nil, malformed(func() f.Credential {
			return bearer(fixtures.EnvSecret("SEAM_CLIENT_SESSION_TOKEN", env().Need(env().Seed.ClientSessionToken, "a client session token (SEAM_CLIENT_SESSION_TOKEN)")))
		})),
		perForm("publishable key", nil, malformed(func() f.Credential {
			return bearer(fixtures.EnvSecret("SEAM_PUBLISHABLE_KEY", env().Need(env().Seed.PublishableKey, "the workspace's publishable key")))
		})),
		perForm("workspace ID as a token", nil, malformed(func() f.Credential { return bearer(fixtures.Public(workspace())) })),
	)...)

	withoutWorkspace := func(scheme string) authCase {
		return malformed(func() f.Credential { return bearer(token(scheme)) })
	}
	noWorkspaceCases := func() []TableEntry {
		return cases(perForm("personal access token", Labels{pat}, withoutWorkspace(pat)), perForm("console session", Labels{console}, withoutWorkspace(console)))
	}
	f.ConformanceTable(authNoWorkspace, func(fm form, c authCase) {
		Expect(refused(fm, c)).To(f.HaveStatus(http.StatusBadRequest, http.StatusUnauthorized))
	}, noWorkspaceCases()...)
	f.ConformanceTable(authNoWorkspace401, expect401, noWorkspaceCases()...)

	f.ConformanceTable(authExpired, expect401,
		perForm("expired but correctly signed", Labels{console}, unknown(func() f.Credential {
			expired := fixtures.EnvSecret("SEAM_EXPIRED_CONSOLE_SESSION_TOKEN", env().Need(env().Seed.ExpiredConsoleSessionToken, "an expired console session token (SEAM_EXPIRED_CONSOLE_SESSION_TOKEN)"))
			return withWorkspace(expired, workspace())
		}))...)
})

var _ = Describe("Credentials are checked before input", func() {
	noAuth := f.Anonymous
	unknownKey := func() f.Credential { return bearer(fixtures.RandomToken("seam_")) }
	f.ConformanceTable(authBeforeInput, func(build func() *f.Request) {
		Expect(f.Send(build())).To(f.HaveStatus(http.StatusUnauthorized))
	},
		Entry("post: no credentials, no body", Label("post"), func() *f.Request {
			return f.Call(spec.DeleteIdentity).As(noAuth).Breaking(spec.RuleCredentials, spec.RuleBody)
		}),
		Entry("post: no credentials, malformed UUID", Label("post"), func() *f.Request {
			return post.naming("not-a-uuid").As(noAuth).Breaking(spec.RuleCredentials, spec.RuleBody)
		}),
		Entry("post: unknown API key, malformed JSON", Label("post"), func() *f.Request {
			return f.Call(spec.DeleteIdentity).Body([]byte(`{"user_identity_id":`), "application/json").As(unknownKey()).Breaking(spec.RuleBody)
		}),
		Entry("delete: no credentials, no query parameter", Label("delete"), func() *f.Request {
			return f.Call(spec.DeleteIdentityByQuery).As(noAuth).Breaking(spec.RuleCredentials, spec.RuleQuery)
		}),
		Entry("delete: unknown API key, malformed UUID", Label("delete"), func() *f.Request {
			return delete_.naming("not-a-uuid").As(unknownKey()).Breaking(spec.RuleQuery)
		}),
	)
})
