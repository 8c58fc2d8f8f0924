package framework

import (
	"slices"
	"testing"
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
