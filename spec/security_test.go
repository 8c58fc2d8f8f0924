package spec

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// checkSecurity must say what kin-openapi's ValidateSecurityRequirements
// says, error for error, for every operation of the contract and every way
// of presenting (or not) a credential.
func TestCheckSecuritySaysWhatKinOpenAPISays(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	type presented struct {
		name    string
		headers map[string]string
	}
	cases := []presented{{"nothing", nil}, {"basic", map[string]string{"Authorization": "Basic dXNlcjpwdw=="}}, {"bare bearer", map[string]string{"Authorization": "Bearer"}}}
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	for _, s := range Schemes() {
		token := s.Prefix + "abcdefghijk123"
		if s.JWT {
			token = jwt
		}
		header, value := "Authorization", "Bearer "+token
		if !s.Bearer() {
			header, value = s.Header, token
		}
		cases = append(cases,
			presented{s.Name, map[string]string{header: value}},
			presented{s.Name + " with a workspace", map[string]string{header: value, WorkspaceHeader: "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}},
			presented{s.Name + " misshapen", map[string]string{header: value + "!"}},
		)
	}
	compared, differentAnswers := 0, map[string]bool{}
	for _, l := range c.List() {
		check := c.requestCheck(l.Operation)
		for _, p := range cases {
			req, _ := http.NewRequest(l.Method, "https://example.invalid"+l.Path, nil)
			for k, v := range p.headers {
				req.Header.Set(k, v)
			}
			ours := check.checkSecurity(c, req)
			theirs := openapi3filter.ValidateSecurityRequirements(context.Background(), c.input(check, req, nil), check.security)
			if fmt.Sprint(ours) != fmt.Sprint(theirs) {
				t.Fatalf("%s, %s:\n ours:   %v\n theirs: %v", l.Operation, p.name, ours, theirs)
			}
			compared++
			differentAnswers[fmt.Sprint(theirs)] = true
		}
	}
	if compared < 500*len(cases) || len(differentAnswers) < 20 {
		t.Fatalf("compared %d requests with %d different answers: too few to tell", compared, len(differentAnswers))
	}
}

func TestIndefinite(t *testing.T) {
	for kind, want := range map[string]string{
		"API key":                     "an API key",
		"internal service agent key":  "an internal service agent key",
		"personal access token":       "a personal access token",
		"Bridge client session token": "a Bridge client session token",
	} {
		if got := Indefinite(kind); got != want {
			t.Errorf("Indefinite(%q) = %q, want %q", kind, got, want)
		}
	}
}
