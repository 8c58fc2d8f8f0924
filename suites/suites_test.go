package suites_test

import (
	"strings"
	"testing"

	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites"
	"github.com/seamconform/seamconform/suites/framework"
)

// TestConformanceOnMocks runs every spec against the reference through gock:
// the reference must pass all of them.
func TestConformanceOnMocks(t *testing.T) {
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	env, _, err := suites.MockEnv(contract, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Target.Close()
	report := suites.RunTest(t, env)

	// Each exchange is attached at the line of the spec that sent it, past
	// the framework's helpers.
	entries := 0
	for _, s := range report.SpecReports {
		for _, e := range s.ReportEntries {
			if e.Name != framework.ExchangeEntry {
				continue
			}
			entries++
			if where := e.Location.FileName; where == "" || strings.HasSuffix(where, "/framework/exchange.go") {
				t.Fatalf("%s: an exchange attached at %s, not at its spec", s.FullText(), e.Location)
			}
		}
	}
	if entries == 0 {
		t.Fatal("no exchange attached to the report")
	}
}
