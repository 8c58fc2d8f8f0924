package reference_test

import (
	"net/http"
	"net/http/httptest"
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
	if a.Seed() != b.Seed() {
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
