package framework

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/target"
)

// What an answer names as made: not an action attempt (an action, not a
// thing made) and not what the request itself named.
func TestNamedIDs(t *testing.T) {
	body := []byte(`{"user_identity":{"user_identity_id":"made"},"action_attempt":{"action_attempt_id":"act"},"device":{"device_id":"sent"},"ok":true}`)
	if got, want := namedIDs(body, `{"device_id":"sent"}`), []string{"user_identity_id made"}; !slices.Equal(got, want) {
		t.Fatalf("namedIDs = %q, want %q", got, want)
	}
	if got := namedIDs([]byte(`not json`), ""); got != nil {
		t.Fatalf("namedIDs of no JSON = %q", got)
	}
}

// What wrongly accepted creates made is nothing the clean-up could remove:
// listed alone, it does not make the clean-up look cut short.
func TestEffectsAloneDoNotSayTheCleanUpStoppedEarly(t *testing.T) {
	c, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := target.NewHTTP("http://127.0.0.1:9", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	e := NewEnv(tg, c, fixtures.Seed{APIKey: testKey}, "run")
	e.ledger.effect(Effect{Operation: "POST /user_identities/create", Reasons: []string{"a credential no server knows"}, Named: []string{"user_identity_id made"}})
	e.Stop("the run reached its time limit")
	left := strings.Join(e.LeftBehind(), "\n")
	if !strings.Contains(left, "user_identity_id made") || strings.Contains(left, "clean-up stopped early") {
		t.Fatalf("left behind %q", left)
	}
}
