package spec_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/spec"
)

// Issue 10: an error body of valid JSON followed by other data passed as
// JSON, because kin-openapi decodes only the first value.
func TestCheckResponseWantsExactlyOneJSONValue(t *testing.T) {
	c := contract(t)
	req := request("POST", "", "Bearer seam_abc123", "")
	body := []byte(`{"user_identity_id":"` + someUUID + `"}`)
	envelope := `{"error":{"type":"invalid_input","message":"bad"},"ok":false}`
	for name, tc := range map[string]struct {
		status      int
		contentType string
		body        string
		ok          bool
	}{
		"error then html":        {400, "application/json", envelope + "<html></html>", false},
		"two values":             {200, "application/json", `{"ok":true}{"ok":true}`, false},
		"value then garbage":     {200, "application/json; charset=utf-8", `{"ok":true} x`, false},
		"+json media":            {200, "application/problem+json", `{"ok":true}]`, false},
		"one value":              {200, "application/json", `{"ok":true}`, true},
		"trailing whitespace":    {200, "application/json", "{\"ok\":true}\r\n", true},
		"error envelope":         {400, "application/json", envelope, true},
		"text is not judged so":  {401, "text/plain", `Unauthorized <html>`, true},
		"empty body is not JSON": {401, "application/json", ``, true},
	} {
		err := c.CheckResponse(spec.DeleteIdentity, req, body, tc.status, http.Header{"Content-Type": {tc.contentType}}, []byte(tc.body))
		if tc.ok && err != nil && strings.Contains(err.Error(), "one valid JSON value") || !tc.ok && (err == nil || !strings.Contains(err.Error(), "one valid JSON value")) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzBearerToken: BearerToken never panics, and accepts exactly
// `"Bearer" 1*SP b64token`, returning the token.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer seam_x", "bearer  a.b.c==", "Bearer", "Bearer ", "Bearer\tx", "Bearer x y", "Bearer =", "Bearer a=b", "BEARER \u00e9", "Bearer \x00", "Basic abc", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, ok := spec.BearerToken(header)
		scheme, rest, found := strings.Cut(header, " ")
		want := strings.TrimLeft(rest, " ")
		wantOK := found && strings.EqualFold(scheme, "bearer") && isB64Token(want)
		if ok != wantOK || ok && token != want || !ok && token != "" {
			t.Fatalf("BearerToken(%q) = %q, %v; want %q, %v", header, token, ok, want, wantOK)
		}
	})
}

// isB64Token is RFC 6750's b64token, written out by hand.
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for _, c := range body {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~+/", c)) {
			return false
		}
	}
	return true
}

// FuzzUUIDPattern: the pattern accepts exactly the canonical 8-4-4-4-12
// hex form, either case, and nothing around it.
func FuzzUUIDPattern(f *testing.F) {
	for _, s := range []string{someUUID, strings.ToUpper(someUUID), someUUID + "\n", " " + someUUID, "{" + someUUID + "}", "7ad2566e6fd8466db8e4c10a14a74fd3", "７ad2566e-6fd8-466d-b8e4-c10a14a74fd3", "7ad2566e-6fd8-466d-b8e4-c10a14a74fdg", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := spec.UUIDPattern.MatchString(s), isCanonicalUUID(s); got != want {
			t.Fatalf("UUIDPattern.MatchString(%q) = %v, want %v", s, got, want)
		}
	})
}

func isCanonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
