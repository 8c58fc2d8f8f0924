// Package suites runs the conformance specs: it builds a run's environment
// for a target (the in-process reference through gock, or a live endpoint),
// hands it to Ginkgo, and returns Ginkgo's report.
package suites

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/framework"
	"github.com/seamconform/seamconform/suites/target"

	// The specs, registered by operation.
	_ "github.com/seamconform/seamconform/suites/api"
	_ "github.com/seamconform/seamconform/suites/userdelete"
	_ "github.com/seamconform/seamconform/suites/userget"
)

// Description names the suite in Ginkgo's output and reports.
const Description = "seamconform"

// DefaultRequestTimeout bounds each request unless the user sets another.
const DefaultRequestTimeout = 10 * time.Second

// NewRunID returns a short random tag for everything a run creates.
func NewRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// MockEnv builds an environment whose requests the reference implementation
// answers in-process, with the named faults switched on. The caller must
// Close the environment's target.
func MockEnv(contract *spec.Contract, faults []string) (*framework.Env, *reference.Server, error) {
	server, err := reference.New(reference.Options{Faults: faults, Contract: contract})
	if err != nil {
		return nil, nil, err
	}
	t := target.NewMock(server, DefaultRequestTimeout)
	return framework.NewEnv(t, contract, server.Seed(), NewRunID()), server, nil
}

// LiveEnv builds an environment that sends requests to endpoint.
func LiveEnv(contract *spec.Contract, endpoint string, seed fixtures.Seed, timeout time.Duration) (*framework.Env, error) {
	t, err := target.NewHTTP(endpoint, timeout)
	if err != nil {
		return nil, err
	}
	return framework.NewEnv(t, contract, seed, NewRunID()), nil
}

// DefaultRunTimeout bounds the specs' part of a run unless the user sets
// another; DefaultCleanupTimeout bounds the final clean-up on its own.
const (
	DefaultRunTimeout     = 30 * time.Minute
	DefaultCleanupTimeout = 2 * time.Minute
)

var lastReport types.Report

// A spec that starts once the run is interrupted ends the suite, as
// Ginkgo's own interrupt does. A signal that came before Ginkgo listened
// for it (while it built its tree, or a worker started) would otherwise
// end every spec at its first request, each reported as a panic.
var _ = BeforeEach(func() {
	if framework.Current().Interrupted() {
		AbortSuite("Interrupted by User")
	}
})

var _ = ReportAfterSuite("seamconform report", func(r types.Report) { lastReport = r })

// failer adapts RunSpecs to a plain program: Ginkgo only calls Fail.
type failer struct{ failed bool }

func (f *failer) Fail() { f.failed = true }

// Run runs every spec against env with Ginkgo's configuration, sweeps up
// whatever the run created and could not yet remove (also after a failed or
// interrupted run) within cleanupBudget, and returns Ginkgo's report.
// Ginkgo allows one run per process. The caller handles signals: Ginkgo
// interrupts the running spec on SIGINT, and the caller should call
// env.Interrupt so that the abandoned spec sends nothing more.
func Run(env *framework.Env, suiteConfig types.SuiteConfig, reporterConfig types.ReporterConfig, cleanupBudget time.Duration) types.Report {
	framework.Use(env)
	gomega.RegisterFailHandler(framework.RedactedFail)
	RunSpecs(&failer{}, Description, suiteConfig, reporterConfig)
	env.Sweep(cleanupBudget)
	return lastReport
}

// RunTest is Run for `go test`: t fails when any spec fails.
func RunTest(t GinkgoTestingT, env *framework.Env) types.Report {
	framework.Use(env)
	gomega.RegisterFailHandler(framework.RedactedFail)
	suiteConfig, reporterConfig := GinkgoConfiguration()
	RunSpecs(t, Description, suiteConfig, reporterConfig)
	env.Sweep(DefaultCleanupTimeout)
	return lastReport
}
