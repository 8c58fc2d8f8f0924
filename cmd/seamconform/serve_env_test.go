package main

import (
	"reflect"
	"testing"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/spec"
)

// serve prints a valid credential of every scheme, and `run` reads back
// the same seed from those lines.
func TestServePrintsACredentialOfEveryScheme(t *testing.T) {
	srv, env := served(t, reference.Options{}, nil)
	for _, s := range spec.Schemes() {
		if env[s.Env] == "" || env[s.Env] != srv.Seed().Token(s.Name) {
			t.Errorf("%s: %s=%q, want the seed's token", s.Name, s.Env, env[s.Env])
		}
	}
	if env["SEAM_ENDPOINT"] == "" || env["SEAM_WORKSPACE_ID"] != srv.Seed().WorkspaceID {
		t.Errorf("endpoint or workspace missing: %v", env)
	}
	if got := fixtures.TokensFromEnv(func(k string) string { return env[k] }); !reflect.DeepEqual(got, srv.Seed().Tokens) {
		t.Errorf("tokens read back: %v, want %v", got, srv.Seed().Tokens)
	}
}
