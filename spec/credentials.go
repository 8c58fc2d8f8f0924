package spec

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// WorkspaceHeader names the workspace that a personal access token or a
// console session acts on.
const WorkspaceHeader = "seam-workspace"

// The document declares each scheme only as "http bearer" with a free-text
// bearerFormat. What makes a credential of each scheme is Seam's convention
// (shared/spec/README.md): API keys start with seam_, personal access tokens
// with seam_at, console sessions are JWTs, and the *_with_workspace schemes
// need the seam-workspace header. These shapes are what a conforming client
// sends; whether the server knows the credential is a separate question.
var (
	jwtShape   = regexp.MustCompile(`^ey[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)
	otherSeam  = []string{"seam_at", "seam_cst", "seam_pk"}
	bearerWord = "bearer"
)

// b64token is RFC 6750's token grammar: 1*( ALPHA / DIGIT / "-" / "." /
// "_" / "~" / "+" / "/" ) *"=".
var b64token = regexp.MustCompile(`^[A-Za-z0-9._~+/-]+=*$`)

// BearerToken returns the token of an RFC 6750 Authorization header,
// `"Bearer" 1*SP b64token`, the scheme matched without regard to case (RFC
// 9110 section 11.1).
func BearerToken(header string) (string, bool) {
	scheme, rest, found := strings.Cut(header, " ")
	token := strings.TrimLeft(rest, " ")
	if !found || !strings.EqualFold(scheme, bearerWord) || !b64token.MatchString(token) {
		return "", false
	}
	return token, true
}

func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	token, ok := BearerToken(req.Header.Get("Authorization"))
	if !ok {
		return errors.New("no Bearer credential in the Authorization header")
	}
	hasWorkspace := req.Header.Get(WorkspaceHeader) != ""
	switch in.SecuritySchemeName {
	case "api_key":
		if !strings.HasPrefix(token, "seam_") {
			return errors.New("an API key starts with seam_")
		}
		for _, p := range otherSeam {
			if strings.HasPrefix(token, p) {
				return fmt.Errorf("a token starting with %s is not an API key", p)
			}
		}
		return nil
	case "pat_with_workspace":
		if !strings.HasPrefix(token, "seam_at") {
			return errors.New("a personal access token starts with seam_at")
		}
		if !hasWorkspace {
			return errors.New("a personal access token needs the seam-workspace header")
		}
		return nil
	case "console_session_with_workspace":
		if !jwtShape.MatchString(token) {
			return errors.New("a console session token is a JWT")
		}
		if !hasWorkspace {
			return errors.New("a console session token needs the seam-workspace header")
		}
		return nil
	}
	return fmt.Errorf("the suite does not model security scheme %q", in.SecuritySchemeName)
}

var uuidFormat = openapi3.NewRegexpFormatValidator(UUIDPattern.String())

func validationOptions() openapi3filter.Options {
	return openapi3filter.Options{
		MultiError:              true,
		IncludeResponseStatus:   true,
		AuthenticationFunc:      authenticate,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidator("uuid", uuidFormat)},
	}
}
