package main

import (
	"fmt"
	"io"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/suites"
	"github.com/seamconform/seamconform/suites/framework"
	"github.com/seamconform/seamconform/suites/parallel"
)

// ran is what running the specs found, sequentially or across workers.
type ran struct {
	report     types.Report
	leftBehind []string
	throttled  int64
}

// runSpecs runs the specs in this process, or, for a live endpoint with
// --concurrency above 1, across that many worker processes (the mocks
// answer in microseconds: workers would only add their start-up).
func runSpecs(env *framework.Env, rf runFlags, sc types.SuiteConfig, rc types.ReporterConfig, stdout, stderr io.Writer) (ran, error) {
	if rf.concurrency <= 1 || env.Target.Mock() {
		report := suites.Run(env, sc, rc)
		return ran{report, leftBehind(env), env.Throttled()}, nil
	}
	out, err := parallel.Run(parallel.Options{
		Processes: rf.concurrency, Seed: sc.RandomSeed, RunID: env.RunID,
		WorkspaceID: env.Seed.WorkspaceID, PublishableKey: env.Seed.PublishableKey,
		ReporterConfig: rc, Stdout: stdout, Stderr: stderr,
		// Time for an interrupted worker's clean-up: a spec's, then the sweep's.
		Grace: 4*rf.timeout + 5*time.Second,
	})
	if err != nil {
		return ran{}, err
	}
	return ran{out.Report, out.LeftBehind, out.Throttled + env.Throttled()}, nil
}

// runWorker runs this worker's share of the specs for its parent, and tells
// it what the worker could not clean up. The parent did the preflight and
// prints everything.
func runWorker(w parallel.Worker, env *framework.Env, sc types.SuiteConfig, rc types.ReporterConfig) (int, error) {
	env.RunID = w.RunID
	env.Learn(fixtures.Seed{WorkspaceID: w.WorkspaceID, PublishableKey: w.PublishableKey})
	w.Configure(&sc, &rc)
	suites.Run(env, sc, rc)
	if err := w.WriteResult(parallel.Result{LeftBehind: leftBehind(env), Throttled: env.Throttled()}); err != nil {
		return 1, fmt.Errorf("worker %d: %w", w.Process, err)
	}
	return 0, nil
}

func leftBehind(env *framework.Env) []string {
	return append(env.Ledger().IDs(), env.Ledger().PendingKeys()...)
}
