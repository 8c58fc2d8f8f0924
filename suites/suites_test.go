package suites_test

import (
	"testing"

	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites"
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
	suites.RunTest(t, env)
}
