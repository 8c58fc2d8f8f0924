package framework

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/target"
)

// An identity looked up by key is the run's to delete and to name as left
// behind only if the endpoint names it by a UUID: an ID such as
// "\x1b]0;PWN\x07$(touch x)" is no answer, not a clear one.
func TestFindTakesOnlyAUUIDForAnIdentity(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{{"0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d", true}, {"\x1b]0;PWN\x07$(touch /tmp/pwned)", false}, {"", false}} {
		answer, _ := json.Marshal(map[string]any{"ok": true, "user_identity": map[string]any{"user_identity_id": tc.id, "user_identity_key": "k1"}})
		tg := target.NewMock(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(answer)
		}), time.Second)
		c, err := spec.Embedded()
		if err != nil {
			t.Fatal(err)
		}
		e := NewEnv(tg, c, fixtures.Seed{APIKey: testKey}, "run")
		found, sure := e.find("user_identity_key", "k1")
		if (found == tc.id && sure) != tc.want || !tc.want && (found != "" || sure) {
			t.Errorf("find with the endpoint naming %q: %q, sure %v", tc.id, found, sure)
		}
		tg.Close()
	}
}
