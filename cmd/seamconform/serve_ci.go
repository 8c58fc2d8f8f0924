package main

import (
	"crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reference/violations"
	"github.com/seamconform/seamconform/spec"
)

// ciFlags are serve's flags for running in an SDK's CI: a fixed seed, the
// violation reports and the exit code.
type ciFlags struct {
	seed            *string
	reportDir       *string
	failOnViolation *bool
	checkResponses  *bool

	checker *violations.Checker
	seedOf  func() fixtures.Seed
}

func addCIFlags(fs *flag.FlagSet) *ciFlags {
	return &ciFlags{
		seed:            fs.String("seed", "", "derive IDs and credentials from `N` (an unsigned integer): the same on every start"),
		reportDir:       fs.String("report-dir", "", "at shutdown, write violations.json, violations.md and junit.xml into `DIR`"),
		failOnViolation: fs.Bool("fail-on-violation", false, "at shutdown, print the summary and exit 1 if any request broke the contract"),
		checkResponses:  fs.Bool("check-responses", false, "also check the reference's answers against the contract (side response)"),
	}
}

// handler is the reference behind the contract checker. Every start has a
// seed (random unless --seed), so a reset through the control API starts
// the state afresh with the same credentials.
func (c *ciFlags) handler(opts reference.Options, log io.Writer) (http.Handler, error) {
	seed, err := c.seedValue()
	if err != nil {
		return nil, err
	}
	opts.Seed = &seed
	first, err := reference.New(opts)
	if err != nil {
		return nil, usagef("%s", err)
	}
	contract, err := spec.Embedded()
	if err != nil {
		return nil, err
	}
	var current atomic.Pointer[reference.Server]
	current.Store(first)
	c.seedOf = func() fixtures.Seed { return current.Load().Seed() }
	c.checker = violations.New(contract, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Load().ServeHTTP(w, r)
	}), violations.Options{
		// With faults on, the reference is wrong on purpose: its answers stand.
		AnswerAsSeam:   len(opts.Faults) == 0,
		CheckResponses: *c.checkResponses,
		Secrets:        first.Seed().Secrets(),
		Log:            log,
		OnReset: func() {
			fresh, _ := reference.New(opts) // cannot fail: the same options worked above
			current.Store(fresh)
		},
	})
	return c.checker, nil
}

func (c *ciFlags) seedValue() (uint64, error) {
	if *c.seed == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		return binary.LittleEndian.Uint64(b[:]), nil
	}
	n, err := strconv.ParseUint(*c.seed, 10, 64)
	if err != nil {
		return 0, usagef("--seed wants an unsigned integer, not %q", *c.seed)
	}
	return n, nil
}

func (c *ciFlags) envLines(endpoint string) string {
	return envLines(endpoint, c.seedOf())
}

// finish writes the reports and decides the exit code.
func (c *ciFlags) finish(stderr io.Writer) error {
	report := c.checker.Report()
	requests := 0
	for _, call := range report.Calls {
		requests += call.Requests
	}
	fmt.Fprintf(stderr, "seamconform serve: %d contract violation(s) in %d request(s)\n", len(report.Violations), requests)
	if *c.reportDir != "" {
		if err := report.WriteFiles(*c.reportDir); err != nil {
			return fmt.Errorf("writing the reports: %w", err)
		}
	}
	if *c.failOnViolation && len(report.Violations) > 0 {
		fmt.Fprint(stderr, report.Summary())
		return fmt.Errorf("%d contract violation(s) (--fail-on-violation)", len(report.Violations))
	}
	return nil
}
