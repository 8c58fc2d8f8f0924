package reference

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/seamconform/seamconform/spec"
)

func unauthorized(message string) *apiError {
	return &apiError{status: http.StatusUnauthorized, kind: "unauthorized", message: message}
}

// principal is who a credential authenticates: the scheme it was
// presented as and the workspace it acts on ("" for the *_without_workspace
// schemes).
type principal struct {
	scheme      string
	workspaceID string
}

// authorize checks the request's credential against the operation's
// security: known, and of a scheme the operation accepts. It is the
// reference's own reading of credentials (not the validator's), so that a
// bug in one cannot hide in the other.
func (x *exchange) authorize() (string, *apiError) {
	if len(x.op.Schemes) == 0 {
		return x.s.seed.WorkspaceID, nil // the document declares no security
	}
	p, fail := x.authenticate()
	if fail != nil {
		return "", fail
	}
	if p.scheme != "" && !x.op.Accepts(p.scheme) && !x.fault("api-any-kind-accepted") {
		kind := p.scheme
		if row, ok := spec.SchemeNamed(p.scheme); ok {
			kind = row.Kind
		}
		return "", unauthorized(fmt.Sprintf("%s cannot call %s", spec.Indefinite(kind), x.op.Operation))
	}
	return p.workspaceID, nil
}

// authenticate returns who the request's credential stands for.
func (x *exchange) authenticate() (principal, *apiError) {
	header := spec.HeaderValue(x.r.Header, "Authorization")
	if header == "" {
		if key := x.r.Header.Get(publishableKeyHeader); key != "" {
			x.token = key
			if workspaceID, ok := x.s.publishable[key]; ok {
				return principal{"publishable_key", workspaceID}, nil
			}
			return principal{}, x.unknownCredential("publishable key")
		}
		if x.fault("anonymous-allowed") || x.fault("api-anonymous-allowed") {
			return principal{"", x.s.seed.WorkspaceID}, nil
		}
		return principal{}, unauthorized("the Authorization header is missing")
	}
	token, fail := x.bearerToken(header)
	if fail != nil {
		return principal{}, fail
	}
	if token == "" { // api-empty-bearer-accepted
		return principal{"", x.s.seed.WorkspaceID}, nil
	}
	x.token = token

	// The prefix says which kind of credential the token claims to be; the
	// lookup for that kind then decides whether it is one.
	switch kind := tokenKind(token); {
	case x.fault("token-prefix-only") && strings.HasPrefix(token, "seam_") && !strings.HasPrefix(token, "seam_at"):
		workspaceID, _ := x.apiKeyWorkspace(token)
		return principal{"api_key", workspaceID}, nil
	case strings.HasPrefix(token, "seam_at"):
		userID, ok := x.s.pats[token]
		if x.fault("pat-unverified") || x.fault("api-unknown-credential-accepted") {
			userID, ok = x.s.seededUserID, true
		}
		if !ok {
			return principal{}, x.unknownCredential("personal access token")
		}
		return x.userWorkspace(userID, true)
	case strings.HasPrefix(token, "ey"):
		userID, ok := x.consoleSessionUser(token)
		if !ok && x.fault("api-unknown-credential-accepted") {
			userID, ok = x.s.seededUserID, true
		}
		if !ok {
			return principal{}, x.unknownCredential("console session token")
		}
		return x.userWorkspace(userID, false)
	case kind.Name != "" && kind.Name != "api_key":
		g, ok := x.s.grants[token]
		if !ok && x.fault("api-unknown-credential-accepted") {
			g, ok = grant{kind.Name, x.s.seed.WorkspaceID}, true
		}
		if !ok || !kind.Bearer() {
			return principal{}, x.unknownCredential(kind.Kind)
		}
		return principal(g), nil
	case strings.HasPrefix(token, "seam_"):
		workspaceID, ok := x.apiKeyWorkspace(token)
		if !ok && x.fault("api-unknown-credential-accepted") {
			workspaceID, ok = x.s.seed.WorkspaceID, true
		}
		if !ok {
			return principal{}, x.unknownCredential("API key")
		}
		return principal{"api_key", workspaceID}, nil
	}
	return principal{}, x.unknownCredential("bearer token")
}

const publishableKeyHeader = "seam-publishable-key"

// tokenKind is the scheme whose prefix the token has, the longest one
// winning (the zero Scheme for none, and for JWTs).
func tokenKind(token string) spec.Scheme {
	best := -1
	for i := range schemeRows { // by index: a row is nine strings to copy
		if p := schemeRows[i].Prefix; p != "" && strings.HasPrefix(token, p) && (best < 0 || len(p) > len(schemeRows[best].Prefix)) {
			best = i
		}
	}
	if best < 0 {
		return spec.Scheme{}
	}
	return schemeRows[best]
}

var schemeRows = spec.Schemes()

// bearerToken returns the token of an Authorization header.
func (x *exchange) bearerToken(header string) (string, *apiError) {
	scheme, rest, _ := strings.Cut(header, " ")
	switch {
	case x.fault("empty-bearer-500") && strings.EqualFold(scheme, "bearer") && strings.TrimSpace(rest) == "":
		return "", internalError()
	case x.fault("raw-token-accepted") && !strings.Contains(header, " "):
		return header, nil
	case x.fault("bearer-case-sensitive") && scheme != "Bearer":
		return "", unauthorized(`the Authorization header is not "Bearer <token>"`)
	case x.fault("token-second-word"):
		if words := strings.Fields(header); len(words) >= 2 && strings.EqualFold(words[0], "bearer") {
			return words[1], nil
		}
	case x.fault("api-empty-bearer-accepted") && strings.EqualFold(scheme, "bearer") && strings.TrimSpace(rest) == "":
		return "", nil
	case x.fault("auth-scheme-ignored") || x.fault("api-scheme-ignored"):
		if strings.EqualFold(scheme, "basic") {
			if user := basicUser(rest); user != "" {
				rest = user
			}
		}
		header = "Bearer " + rest
	}
	token, ok := spec.BearerToken(header)
	if !ok {
		return "", unauthorized(`the Authorization header is not "Bearer <token>"`)
	}
	return token, nil
}

// basicUser returns the user part of HTTP Basic credentials, or "".
func basicUser(credentials string) string {
	raw, err := base64.StdEncoding.DecodeString(credentials)
	if err != nil {
		return ""
	}
	user, _, _ := strings.Cut(string(raw), ":")
	return user
}

// unknownCredential is the answer to a credential that is well formed but
// not one the server issued.
func (x *exchange) unknownCredential(kind string) *apiError {
	if x.fault("forbidden-403") {
		return &apiError{status: http.StatusForbidden, kind: "forbidden", message: "the " + kind + " is not valid"}
	}
	return unauthorized("the " + kind + " is not valid")
}

func (x *exchange) apiKeyWorkspace(token string) (string, bool) {
	if workspaceID, ok := x.s.apiKeys[token]; ok {
		return workspaceID, true
	}
	switch {
	case x.fault("token-prefix-only"):
		return x.s.seed.WorkspaceID, true
	case x.fault("api-key-prefix-match"):
		for key, workspaceID := range x.s.apiKeys {
			if strings.HasPrefix(key, token) || strings.HasPrefix(token, key) {
				return workspaceID, true
			}
		}
	}
	return "", false
}

// userWorkspace returns who a user's credential (a PAT or a console
// session) stands for: with seam-workspace, the *_with_workspace scheme on
// that workspace, which the user must be a member of; without, the
// *_without_workspace scheme where the operation accepts it.
func (x *exchange) userWorkspace(userID string, isPAT bool) (principal, *apiError) {
	with, without := "console_session_with_workspace", "console_session_without_workspace"
	if isPAT {
		with, without = "pat_with_workspace", "pat_without_workspace"
	}
	requested := x.r.Header.Get(spec.WorkspaceHeader)
	memberOf := x.s.memberships[userID]
	switch {
	case requested == "" && x.op.Accepts(without):
		return principal{without, ""}, nil
	case requested == "" && x.fault("missing-workspace-400"):
		return principal{}, &apiError{status: http.StatusBadRequest, kind: "missing_workspace_id", message: "the seam-workspace header is missing"}
	case isPAT && requested == "" && x.fault("pat-without-workspace-accepted"),
		isPAT && requested != "" && x.fault("pat-workspace-unchecked"),
		requested == "" && x.fault("api-workspace-header-optional"):
		return principal{with, memberOf[0]}, nil
	case requested == "":
		return principal{}, unauthorized("the seam-workspace header is missing: a personal access token or console session must name the workspace it acts on")
	case !isPAT && x.fault("console-workspace-unchecked") && x.s.workspaces[requested] != nil:
		return principal{with, requested}, nil
	case slices.Contains(memberOf, requested):
		return principal{with, requested}, nil
	}
	return principal{}, unauthorized("the seam-workspace header does not name a workspace this user is a member of")
}

// Console sessions are HS256 JWTs signed with the server's secret.

const consoleSessionType = "console_session"

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

type consoleClaims struct {
	Sub  string   `json:"sub"`
	Type string   `json:"type"`
	Iat  *float64 `json:"iat,omitempty"`
	Exp  *float64 `json:"exp"`
}

func (s *Server) consoleSession(userID string, issued, expires time.Time) string {
	iat, exp := float64(issued.Unix()), float64(expires.Unix())
	claims, _ := json.Marshal(consoleClaims{Sub: userID, Type: consoleSessionType, Iat: &iat, Exp: &exp})
	signed := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(claims)
	return signed + "." + base64.RawURLEncoding.EncodeToString(s.sign(signed))
}

func (s *Server) sign(signed string) []byte {
	mac := hmac.New(sha256.New, s.jwtSecret)
	mac.Write([]byte(signed))
	return mac.Sum(nil)
}

// consoleSessionUser returns the user of a valid console session token.
func (x *exchange) consoleSessionUser(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims consoleClaims
	if !decodeSegment(parts[0], &header) || !decodeSegment(parts[1], &claims) {
		return "", false
	}
	switch {
	case header.Alg == "HS256":
		signature, err := base64.RawURLEncoding.DecodeString(parts[2])
		valid := err == nil && hmac.Equal(signature, x.s.sign(parts[0]+"."+parts[1]))
		if !valid && !x.fault("jwt-signature-unchecked") {
			return "", false
		}
	case strings.EqualFold(header.Alg, "none") && parts[2] == "" && x.fault("jwt-alg-none-accepted"):
	default:
		return "", false
	}
	expired := claims.Exp == nil || *claims.Exp <= float64(time.Now().Unix())
	if claims.Type != consoleSessionType || expired && !x.fault("jwt-expiry-unchecked") {
		return "", false
	}
	if _, known := x.s.memberships[claims.Sub]; !known {
		return "", false
	}
	return claims.Sub, true
}

func decodeSegment(segment string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(segment)
	return err == nil && json.Unmarshal(raw, v) == nil
}

// Identifiers and secrets come from crypto/rand, fresh for every server,
// unless Options.Seed asks for the same ones on every start.

func randomBytes(src io.Reader, n int) []byte {
	b := make([]byte, n)
	// Never fails: crypto/rand crashes the program instead, and a ChaCha8
	// stream has no end.
	_, _ = io.ReadFull(src, b)
	return b
}

// seededSource is a deterministic stream of random bytes for a seed.
func seededSource(seed uint64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return mathrand.NewChaCha8(key)
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomText(src io.Reader, n int) string {
	out := make([]byte, 0, n)
	for len(out) < n {
		for _, b := range randomBytes(src, n) {
			// Drop bytes above the largest multiple of 62, so every
			// character is equally likely.
			if b < 248 && len(out) < n {
				out = append(out, base62[b%62])
			}
		}
	}
	return string(out)
}

// newAPIKey returns "seam_" and random text that does not make the key look
// like another kind of Seam credential (seam_at..., seam_cst...).
func newAPIKey(src io.Reader) string {
	for {
		key := "seam_" + randomText(src, 24)
		if tokenKind(key).Name == "api_key" {
			return key
		}
	}
}

// requestID returns a random (version 4) UUID for an answer's
// seam-request-id. It names an answer and guards nothing, so it comes from
// the runtime's generator (ChaCha8, seeded by the system): crypto/rand's
// system call took a tenth of serve's handler.
func requestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], mathrand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], mathrand.Uint64())
	return spec.UUIDFrom(b)
}

// newUUID returns a random (version 4) UUID in lower case.
func newUUID(src io.Reader) string {
	return spec.UUIDFrom([16]byte(randomBytes(src, 16)))
}
