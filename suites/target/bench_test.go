package target_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/suites/target"
)

// BenchmarkMockRoundTrip is one spec-sized request through gock to the
// reference: the unit of a mock run's cost.
func BenchmarkMockRoundTrip(b *testing.B) {
	server, err := reference.New(reference.Options{})
	if err != nil {
		b.Fatal(err)
	}
	m := target.NewMock(server, time.Second)
	defer m.Close()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, m.Endpoint()+"/user_identities/delete", strings.NewReader(`{"user_identity_id":"not-a-uuid"}`))
		req.Header.Set("Authorization", "Bearer "+server.Seed().APIKey)
		res, err := m.Client().Do(req)
		if err != nil || res.StatusCode != http.StatusBadRequest {
			b.Fatalf("%v %v", res, err)
		}
		res.Body.Close()
	}
}
