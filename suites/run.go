// Package suites runs the conformance specs: it builds a run's environment
// for a target (the in-process reference through gock, or a live endpoint),
// hands it to Ginkgo, and returns Ginkgo's report.
package suites

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/signal"
	"syscall"
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
	_ "github.com/seamconform/seamconform/suites/userdelete"
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
	server, err := reference.New(reference.Options{Faults: faults})
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

var lastReport types.Report

var _ = ReportAfterSuite("seamconform report", func(r types.Report) { lastReport = r })

// failer adapts RunSpecs to a plain program: Ginkgo only calls Fail.
type failer struct{ failed bool }

func (f *failer) Fail() { f.failed = true }

// Run runs every spec against env with Ginkgo's configuration, sweeps up
// whatever the run created and could not yet remove (also after a failed or
// interrupted run), and returns Ginkgo's report. Ginkgo allows one run per
// process.
func Run(env *framework.Env, suiteConfig types.SuiteConfig, reporterConfig types.ReporterConfig) types.Report {
	// Ginkgo handles the signal too (it interrupts the spec and runs its
	// clean-up); this only stops the abandoned spec from sending more.
	signals, done := make(chan os.Signal, 1), make(chan struct{})
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer func() { signal.Stop(signals); close(done) }()
	go func() {
		select {
		case <-signals:
			env.Interrupt()
		case <-done:
		}
	}()
	framework.Use(env)
	gomega.RegisterFailHandler(framework.RedactedFail)
	RunSpecs(&failer{}, Description, suiteConfig, reporterConfig)
	env.Sweep()
	return lastReport
}

// RunTest is Run for `go test`: t fails when any spec fails.
func RunTest(t GinkgoTestingT, env *framework.Env) types.Report {
	framework.Use(env)
	gomega.RegisterFailHandler(framework.RedactedFail)
	suiteConfig, reporterConfig := GinkgoConfiguration()
	RunSpecs(t, Description, suiteConfig, reporterConfig)
	env.Sweep()
	return lastReport
}
