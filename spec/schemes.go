package spec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// WorkspaceHeader names the workspace that a personal access token or a
// console session acts on.
const WorkspaceHeader = "seam-workspace"

// Scheme is one credential scheme of the document: how a valid token looks,
// how it is sent, and where a run finds one.
//
// The document declares each scheme only as "http bearer" (publishable_key:
// an apiKey header) with a free-text bearerFormat. Shapes marked "Seam" are
// Seam's convention (shared/spec/README.md); the others are this project's
// model, chosen so that every kind has its own prefix and a token's shape
// tells its kind (longest prefix wins: "seam_at1" is a PAT, not an API key).
// Every token is a secret: runs redact it by value, and print the variable
// in Env instead.
type Scheme struct {
	Name      string // the document's name: "api_key"
	Kind      string // human words: "API key"
	Prefix    string // token prefix ("seam_", "seam_at", ...); "" when JWT
	JWT       bool   // the token is a JWT (console sessions)
	Companion string // header required with the token ("seam-workspace"), or ""
	// Header carries the token: "" for "Authorization: Bearer TOKEN", or an
	// apiKey header's name that carries the bare token.
	Header string
	Env    string // variable that supplies a valid token ("SEAM_API_KEY")
	Flag   string // run flag that supplies it ("api-key")
}

// schemes is the table, in the order the catalogue lists them: the three the
// seed contract named first, then by how many operations accept them.
var schemes = []Scheme{
	{Name: "api_key", Kind: "API key", Prefix: "seam_", Env: "SEAM_API_KEY", Flag: "api-key"},                                                                                                               // Seam
	{Name: "pat_with_workspace", Kind: "personal access token", Prefix: "seam_at", Companion: WorkspaceHeader, Env: "SEAM_PERSONAL_ACCESS_TOKEN", Flag: "personal-access-token"},                            // Seam
	{Name: "console_session_with_workspace", Kind: "console session token", JWT: true, Companion: WorkspaceHeader, Env: "SEAM_CONSOLE_SESSION_TOKEN", Flag: "console-session-token"},                        // Seam
	{Name: "client_session_with_customer", Kind: "customer client session token", Prefix: "seam_ccst", Env: "SEAM_CUSTOMER_CLIENT_SESSION_TOKEN", Flag: "customer-client-session-token"},                    // model
	{Name: "support_read_only_token", Kind: "support read-only token", Prefix: "seam_sro", Env: "SEAM_SUPPORT_READ_ONLY_TOKEN", Flag: "support-read-only-token"},                                            // model
	{Name: "client_session", Kind: "client session token", Prefix: "seam_cst", Env: "SEAM_CLIENT_SESSION_TOKEN", Flag: "client-session-token"},                                                              // Seam
	{Name: "client_session_with_customer_ro", Kind: "read-only customer client session token", Prefix: "seam_rcst", Env: "SEAM_CUSTOMER_CLIENT_SESSION_TOKEN_RO", Flag: "customer-client-session-token-ro"}, // model
	{Name: "console_session_without_workspace", Kind: "console session token (no workspace)", JWT: true, Env: "SEAM_CONSOLE_SESSION_TOKEN", Flag: "console-session-token"},                                  // Seam
	{Name: "bridge_client_session", Kind: "Bridge client session token", Prefix: "seam_bcst", Env: "SEAM_BRIDGE_CLIENT_SESSION_TOKEN", Flag: "bridge-client-session-token"},                                 // model
	{Name: "certified_client", Kind: "certified client token", Prefix: "seam_cert", Env: "SEAM_CERTIFIED_CLIENT_TOKEN", Flag: "certified-client-token"},                                                     // model
	{Name: "publishable_key", Kind: "publishable key", Prefix: "seam_pk", Header: "seam-publishable-key", Env: "SEAM_PUBLISHABLE_KEY", Flag: "publishable-key"},                                             // Seam
	{Name: "pat_without_workspace", Kind: "personal access token (no workspace)", Prefix: "seam_at", Env: "SEAM_PERSONAL_ACCESS_TOKEN", Flag: "personal-access-token"},                                      // Seam
	{Name: "internal_service_agent", Kind: "internal service agent key", Prefix: "seam_isa", Env: "SEAM_INTERNAL_SERVICE_AGENT_KEY", Flag: "internal-service-agent-key"},                                    // model
}

// Schemes returns the table: one row per credential scheme the document's
// operations accept.
func Schemes() []Scheme { return slices.Clone(schemes) }

// SchemeNamed returns the row for a scheme name of the document.
func SchemeNamed(name string) (Scheme, bool) {
	i := slices.IndexFunc(schemes, func(s Scheme) bool { return s.Name == name })
	if i < 0 {
		return Scheme{}, false
	}
	return schemes[i], true
}

// jwtShaped reports whether token is three base64url parts, the first a
// JSON header ("ey"), the second not empty: `^ey[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`,
// written out because every request checked asks it.
func jwtShaped(token string) bool {
	header, rest, ok := strings.Cut(token, ".")
	if !ok || !strings.HasPrefix(header, "ey") || !base64URL(header) {
		return false
	}
	payload, signature, ok := strings.Cut(rest, ".")
	return ok && payload != "" && base64URL(payload) && base64URL(signature)
}

func base64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(alnum(c) || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// Shaped reports whether token has the shape of this scheme's tokens: a JWT,
// or this prefix and no longer prefix of another scheme.
func (s Scheme) Shaped(token string) bool {
	if s.JWT {
		return jwtShaped(token)
	}
	if s.Prefix == "" || !strings.HasPrefix(token, s.Prefix) {
		return false
	}
	for _, other := range schemes {
		if len(other.Prefix) > len(s.Prefix) && strings.HasPrefix(token, other.Prefix) {
			return false
		}
	}
	return true
}

// Bearer reports whether the token travels in the Authorization header.
func (s Scheme) Bearer() bool { return s.Header == "" }

const bearerWord = "bearer"

// b64token reports whether s is RFC 6750's token grammar:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func b64token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		if c := body[i]; !(alnum(c) || strings.IndexByte("-._~+/", c) >= 0) {
			return false
		}
	}
	return true
}

// BearerToken returns the token of an RFC 6750 Authorization header,
// `"Bearer" 1*SP b64token`, the scheme matched without regard to case (RFC
// 9110 section 11.1).
func BearerToken(header string) (string, bool) {
	scheme, rest, found := strings.Cut(header, " ")
	token := strings.TrimLeft(rest, " ")
	if !found || !strings.EqualFold(scheme, bearerWord) || !b64token(token) {
		return "", false
	}
	return token, true
}

// authenticate is the validator's check of one security requirement: the
// request presents a token of the scheme's shape, where the scheme sends it,
// with its companion header. Whether the server knows the token is a
// separate question.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s, ok := SchemeNamed(in.SecuritySchemeName)
	return presents(in.RequestValidationInput.Request, in.SecuritySchemeName, s, ok)
}

// presents is authenticate for the scheme named name, whose row s is
// modelled (the table has it) or not.
func presents(req *http.Request, name string, s Scheme, modelled bool) error {
	var token string
	var bearer bool
	if s.Bearer() {
		token, bearer = BearerToken(req.Header.Get("Authorization"))
	}
	switch lacking(req, s, modelled, token, bearer) {
	case lacksModel:
		return fmt.Errorf("the suite does not model security scheme %q", name)
	case lacksBearer:
		return errors.New("no Bearer credential in the Authorization header")
	case lacksHeader:
		return fmt.Errorf("no %s header", s.Header)
	case lacksShape:
		if s.JWT {
			return fmt.Errorf("%s is a JWT", Indefinite(s.Kind))
		}
		return fmt.Errorf("%s starts with %s (and no longer prefix of another kind)", Indefinite(s.Kind), s.Prefix)
	case lacksCompanion:
		return fmt.Errorf("%s needs the %s header", Indefinite(s.Kind), s.Companion)
	}
	return nil
}

// lack is the first thing a request lacks to present a scheme.
type lack int

const (
	lacksNothing   lack = iota
	lacksModel          // the table does not model the scheme
	lacksBearer         // no Bearer credential in the Authorization header
	lacksHeader         // the scheme's header is missing or empty
	lacksShape          // the credential is not of the scheme's shape
	lacksCompanion      // the scheme's companion header is missing
)

// lacking says what req lacks to present scheme s, whose row is modelled
// or not. token and bearer are req's Bearer credential, read once by a
// caller that checks many schemes; presents explains the answer.
func lacking(req *http.Request, s Scheme, modelled bool, token string, bearer bool) lack {
	switch {
	case !modelled:
		return lacksModel
	case !s.Bearer():
		if token = req.Header.Get(s.Header); token == "" {
			return lacksHeader
		}
	case !bearer:
		return lacksBearer
	}
	if !s.Shaped(token) {
		return lacksShape
	}
	if s.Companion != "" && req.Header.Get(s.Companion) == "" {
		return lacksCompanion
	}
	return lacksNothing
}

// Indefinite puts "a" or "an" before a scheme's kind: "an API key", "a
// personal access token".
func Indefinite(kind string) string {
	if kind != "" && strings.ContainsRune("AEIOUaeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}
