// Package interrupted_test runs the suite once in a process of its own
// (Ginkgo allows one run per process), interrupted before its first spec.
package interrupted_test

import (
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites"
)

// An interrupt that comes after the run's own handler is set but before
// Ginkgo listens (while it builds its tree, or a worker starts) ends the
// suite at the first spec, as Ginkgo's own interrupt does: one run error,
// the other specs not run, and none reported as a panic.
func TestAnInterruptBeforeTheFirstSpecEndsTheSuite(t *testing.T) {
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	env, _, err := suites.MockEnv(contract, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Target.Close()
	env.Interrupt()
	sc, rc := ginkgo.GinkgoConfiguration()
	sc.LabelFilter = "/UIDEL-INPUT/"
	rc.Succinct, rc.NoColor, rc.SilenceSkips = true, true, true
	report := suites.Run(env, sc, rc, time.Second)
	aborted := 0
	for _, sr := range report.SpecReports {
		switch sr.State {
		case types.SpecStatePanicked, types.SpecStatePassed, types.SpecStateFailed:
			t.Errorf("%s: %s, want aborted or not run", sr.FullText(), sr.State)
		case types.SpecStateAborted:
			aborted++
		}
	}
	summary := reports.Summarize(report)
	if aborted != 1 || summary.Verdict() != reports.Incomplete || len(summary.RunErrors) != 1 {
		t.Errorf("%d aborted, verdict %s, run errors %q; want one aborted spec, INCOMPLETE and one run error", aborted, summary.Verdict(), summary.RunErrors)
	}
}
