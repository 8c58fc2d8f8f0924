package reference_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/reference"
)

func TestSeedGivesTheSameCredentialsOnEveryStart(t *testing.T) {
	seed, other := uint64(7), uint64(8)
	start := func(seed *uint64) *reference.Server {
		s, err := reference.New(reference.Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := start(&seed), start(&seed)
	if !reflect.DeepEqual(a.Seed(), b.Seed()) {
		t.Errorf("same seed, different credentials:\n%+v\n%+v", a.Seed(), b.Seed())
	}
	for _, s := range []*reference.Server{start(&other), start(nil)} {
		if s.Seed().APIKey == a.Seed().APIKey || s.Seed().WorkspaceID == a.Seed().WorkspaceID {
			t.Errorf("another seed, or none, must give other credentials")
		}
	}
	// The second start accepts what the first gave: a CI file may hold it.
	for _, headers := range []map[string]string{
		{"Authorization": "Bearer " + a.Seed().APIKey},
		{"Authorization": "Bearer " + a.Seed().ConsoleSessionToken, "seam-workspace": a.Seed().WorkspaceID},
	} {
		r := httptest.NewRequest(http.MethodPost, "/workspaces/get", strings.NewReader("{}"))
		r.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		b.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Errorf("workspaces/get on the second start: %d %s", w.Code, w.Body)
		}
	}
}

func TestGivenCredentials(t *testing.T) {
	s, err := reference.New(reference.Options{APIKey: "seam_ci_key_1234567890", PersonalAccessToken: "seam_at_ci_pat_1234567890"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Seed().APIKey != "seam_ci_key_1234567890" || s.Seed().PersonalAccessToken != "seam_at_ci_pat_1234567890" {
		t.Fatalf("seed %+v does not hold the given credentials", s.Seed())
	}
	for _, headers := range []map[string]string{
		{"Authorization": "Bearer seam_ci_key_1234567890"},
		{"Authorization": "Bearer seam_at_ci_pat_1234567890", "seam-workspace": s.Seed().WorkspaceID},
	} {
		r := httptest.NewRequest(http.MethodPost, "/workspaces/get", strings.NewReader("{}"))
		r.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Errorf("workspaces/get with a given credential: %d %s", w.Code, w.Body)
		}
	}
	for _, bad := range []reference.Options{{APIKey: "sk_live_123"}, {APIKey: "seam_at123"}, {APIKey: "seam_a b"}, {PersonalAccessToken: "seam_123"}} {
		if _, err := reference.New(bad); err == nil {
			t.Errorf("New(%+v) accepted a credential of the wrong shape", bad)
		}
	}
}
