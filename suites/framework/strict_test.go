package framework

import (
	"testing"

	"github.com/seamconform/seamconform/fixtures"
)

// An error body must be exactly one JSON value: x.JSON(), BeSeamError and
// ConformToContract all reject valid JSON followed by anything else.
func TestTrailingDataIsNotJSON(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	body := `{"error":{"type":"invalid_input","message":"bad"},"ok":false}<html></html>`
	x := exchange(e, 400, "application/json", body)
	if _, ok := x.JSON(); ok {
		t.Error("x.JSON() accepted trailing data")
	}
	for name, m := range map[string]interface{ Match(any) (bool, error) }{"BeSeamError": BeSeamError(), "ConformToContract": ConformToContract()} {
		if ok, err := m.Match(x); ok || err != nil {
			t.Errorf("%s accepted %q (%v)", name, body, err)
		}
	}
	if ok, _ := BeSeamError().Match(exchange(e, 400, "application/json", body[:len(body)-len("<html></html>")]+"\n")); !ok {
		t.Error("BeSeamError refused one value followed by a newline")
	}
}
