package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/suites"
	"github.com/seamconform/seamconform/suites/framework"
	"github.com/seamconform/seamconform/suites/parallel"
)

// ran is what running the specs found, sequentially or across workers.
type ran struct {
	report types.Report
	// leftBehind says what may remain on the target, a line each.
	leftBehind []string
	throttled  int64
}

// runSpecs runs the specs in this process, or, for a live endpoint with
// --concurrency above 1, across that many worker processes (the mocks
// answer in microseconds: workers would only add their start-up). Ginkgo's
// output goes through out, which an interrupt mutes.
func runSpecs(env *framework.Env, rf runFlags, sc types.SuiteConfig, rc types.ReporterConfig, out *console, stderr io.Writer, undoing func(func())) (ran, error) {
	// Ginkgo walks the tree of a dry run in one process only.
	if rf.concurrency <= 1 || env.Target.Mock() || sc.DryRun {
		restore := formatter.ColorableStdOut
		formatter.ColorableStdOut = out.ginkgo()
		defer func() { formatter.ColorableStdOut = restore }()
		report := suites.Run(env, sc, rc, rf.cleanup)
		return ran{report, env.LeftBehind(), env.Throttled()}, nil
	}
	o, err := parallel.Run(parallel.Options{
		Processes: rf.concurrency, Seed: sc.RandomSeed, RunID: env.RunID,
		WorkspaceID: env.Seed.WorkspaceID, PublishableKey: env.Seed.PublishableKey,
		ReporterConfig: rc, Stdout: out.ginkgo(), Stderr: stderr,
		// Time for an interrupted worker's clean-up: a spec's, then the sweep's.
		Grace: 4*rf.timeout + rf.cleanup + 5*time.Second,
		Split: suites.SplitFor(env.Contract, rf.concurrency, sc.LabelFilter),
		// A run stopped at once skips the deferred removal.
		Folder: func(dir string) { undoing(func() { _ = os.RemoveAll(dir) }) },
	})
	if err != nil {
		return ran{}, err
	}
	// Workers report IDs and the keys of creates without a clear answer
	// (which, like the parent's notes on workers that died, start with
	// "seamconform-"), to be said once for the whole run.
	var ids, keys []string
	for _, v := range o.LeftBehind {
		if strings.HasPrefix(v, "seamconform-") {
			keys = append(keys, v)
		} else {
			ids = append(ids, v)
		}
	}
	return ran{o.Report, env.Remains(ids, keys, o.Effects), o.Throttled + env.Throttled()}, nil
}

// runWorker runs this worker's share of the specs for its parent, and tells
// it what the worker could not clean up. The parent did the preflight and
// prints everything.
func runWorker(w parallel.Worker, env *framework.Env, sc types.SuiteConfig, rc types.ReporterConfig, rf runFlags) (int, error) {
	env.RunID = w.RunID
	framework.SetShard(w.Process, w.Shares)
	env.Learn(fixtures.Seed{WorkspaceID: w.WorkspaceID, PublishableKey: w.PublishableKey})
	w.Configure(&sc, &rc)
	stop := interruptOnSignal(env)
	defer stop()
	suites.Run(env, sc, rc, rf.cleanup)
	left := append(env.Ledger().IDs(), env.Ledger().PendingKeys()...)
	if err := w.WriteResult(parallel.Result{LeftBehind: left, Effects: env.Ledger().Effects(), Throttled: env.Throttled()}); err != nil {
		return 1, fmt.Errorf("worker %d: %w", w.Process, err)
	}
	return 0, nil
}

// interruptOnSignal is a worker's part of an interrupt (its parent prints):
// the first signal stops its specs from sending more, the second ends it at
// once.
func interruptOnSignal(env *framework.Env) (stop func()) {
	return onSignals(env.Interrupt, func() { os.Exit(reports.ExitIncomplete) })
}

// paceGC paces the collector for a run's parent process and for serve,
// unless GOGC or GOMEMLIMIT says otherwise. A run is a batch whose heap
// peaks at a few hundred MB; serve's heap is mostly the contract, which
// every collection marks again. At Go's default pace (a collection each
// time the heap doubles) the collector took a sixth of a mock run's CPU
// and a tenth of serve's under load. It collects when the heap has grown
// fivefold, and more often near 1 GiB. Workers keep the default: dozens of
// them may run at once.
func paceGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent, limit := debug.SetGCPercent(400), debug.SetMemoryLimit(1<<30)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
