package parallel

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/suites/framework"
)

// DefaultConcurrency is how many requests a run has in flight against a
// distant endpoint unless told otherwise: enough to cut its latency by that
// factor, few enough to stay under the rate limits of a shared sandbox.
const DefaultConcurrency = 4

// NearEndpoint is the round trip under which a run goes one spec at a time
// unless told otherwise. A worker costs a process and each spec's report
// crosses to the parent (about 4.6 ms of CPU per spec in all); against an
// endpoint that answers in a few milliseconds, such as serve on the same
// machine, that costs more than overlapping requests saves (the whole API
// against serve on 2 cores: 7 s one at a time, 17 s with 4 workers).
const NearEndpoint = 20 * time.Millisecond

// Auto is the concurrency of a run whose endpoint answered in roundTrip.
func Auto(roundTrip time.Duration) int {
	if roundTrip < NearEndpoint {
		return 1
	}
	return DefaultConcurrency
}

// MaxConcurrency bounds --concurrency: each worker is a process.
const MaxConcurrency = 64

// Options describe a parent run.
type Options struct {
	Processes int
	// Seed orders the specs alike in every worker.
	Seed int64
	// RunID is the parent's; worker i tags what it creates with RunID-i.
	RunID                       string
	WorkspaceID, PublishableKey string
	// Reporter prints the specs as the workers finish them, and the end of
	// the suite; Ginkgo's report files are written as ReporterConfig says.
	ReporterConfig types.ReporterConfig
	Stdout, Stderr io.Writer
	// Grace is how long workers get to clean up after an interrupt before
	// they are killed.
	Grace time.Duration
	// Split shares the independent specs out among shard processes; its
	// zero value puts every spec on the shared counter.
	Split Split
	// Folder, if set, is told the folder Run makes for the workers'
	// results, for a caller that may end the program before Run removes it.
	Folder func(dir string)
}

// Split says how a run's processes share its specs. The first Shared
// processes take specs from one counter, as under ginkgo -p, and each
// builds the whole tree but the independent specs; each of the others
// builds and runs only a shard of the independent specs. A run whose
// independent specs are most of its work spends far less CPU this way:
// Ginkgo builds and orders every spec of its tree in every process, which
// for the API-wide family's thousands of specs costs a shared process more
// than the specs it runs.
type Split struct {
	Shared int
	// Shares weighs each process's part of the independent specs (index 0
	// is process 1): 0 runs none. Process 1, alone on the shared counter,
	// may have a part too, smaller for the operation suites it runs.
	Shares []int
	// ShardFilter is a shard process's label filter: the run's, narrowed
	// to the independent specs.
	ShardFilter string
	// Sharded tells an independent spec from the others in a report.
	Sharded func(types.SpecReport) bool
}

// sharding reports whether the split shares anything out.
func (s Split) sharding(processes int) bool {
	return s.Sharded != nil && s.Shared >= 1 && s.Shared <= processes && len(s.Shares) == processes &&
		slices.ContainsFunc(s.Shares, func(w int) bool { return w > 0 })
}

// worker fills in process's part of the split: the shares and, for a shard
// process, its filter.
func (s Split) worker(w *Worker, processes int) {
	if !s.sharding(processes) {
		return
	}
	w.Shares = s.Shares
	if w.Process > s.Shared {
		w.LabelFilter = s.ShardFilter
	}
}

// Outcome is a parent run's result: the workers' reports as one, and what
// they could not clean up.
type Outcome struct {
	Report     types.Report
	LeftBehind []string
	Effects    []framework.Effect
	Throttled  int64
}

// Run starts o.Processes workers, each this program started again as it was
// (same arguments, same environment) with WorkerEnv set, and waits for
// them. An interrupt (SIGINT, SIGTERM) is passed on to every worker, which
// stops and cleans up as a sequential run does; workers still running after
// o.Grace are killed, and what they may have left is named.
func Run(o Options) (Outcome, error) {
	self, err := os.Executable()
	if err != nil {
		return Outcome{}, err
	}
	dir, err := os.MkdirTemp("", "seamconform-workers-")
	if err != nil {
		return Outcome{}, err
	}
	defer os.RemoveAll(dir)
	if o.Folder != nil {
		o.Folder(dir)
	}

	stdout := &lockedWriter{w: o.Stdout}
	stderr := stdout
	if o.Stderr != o.Stdout {
		stderr = &lockedWriter{w: o.Stderr}
	}
	reporter := reporters.NewDefaultReporter(o.ReporterConfig, stdout)
	server, err := NewServer(o.Processes, reporter, stdout)
	if err != nil {
		return Outcome{}, err
	}
	defer server.Close()
	if o.Split.sharding(o.Processes) && o.Split.Shared < o.Processes {
		server.ShardFrom(o.Split.Shared+1, o.Split.Sharded)
	}

	// Signals are caught before any worker starts, so none is lost.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	workers := make([]*worker, o.Processes)
	for i := range workers {
		spec := Worker{
			Process: i + 1, Total: o.Processes, Host: server.HostFor(i + 1), Seed: o.Seed,
			RunID:       fmt.Sprintf("%s-%d", o.RunID, i+1),
			WorkspaceID: o.WorkspaceID, PublishableKey: o.PublishableKey,
			ResultFile: filepath.Join(dir, fmt.Sprintf("worker-%d.json", i+1)),
		}
		o.Split.worker(&spec, o.Processes)
		w, err := start(self, spec, stdout, stderr)
		if err != nil {
			server.Abort()
			for _, started := range workers[:i] {
				started.signal(os.Interrupt)
			}
			waitAll(workers[:i], o.Grace)
			return Outcome{}, fmt.Errorf("cannot start worker %d: %w", i+1, err)
		}
		workers[i] = w
		server.RegisterAlive(i+1, w.running)
	}

	all := make(chan struct{})
	go func() { waitAll(workers, 0); close(all) }()
	var kill <-chan time.Time
	for done := false; !done; {
		select {
		case sig := <-signals:
			for _, w := range workers {
				w.signal(sig)
			}
			if kill == nil {
				kill = time.After(o.Grace)
			}
		case <-kill:
			for _, w := range workers {
				w.signal(os.Kill)
			}
		case <-all:
			done = true
		}
	}

	out := Outcome{Report: server.Report(workers)}
	for _, w := range workers {
		res, err := w.result()
		if err != nil {
			// Killed, or crashed: what it still held is unknown.
			out.Report.SuiteSucceeded = false
			out.Report.SpecialSuiteFailureReasons = append(out.Report.SpecialSuiteFailureReasons, fmt.Sprintf(
				"worker %d did not finish its clean-up (%s): identities keyed seamconform-%s-* may remain", w.spec.Process, w.howEnded(), w.spec.RunID))
			continue
		}
		out.LeftBehind = append(out.LeftBehind, res.LeftBehind...)
		out.Effects = append(out.Effects, res.Effects...)
		out.Throttled += res.Throttled
	}
	slices.Sort(out.LeftBehind)
	reporter.SuiteDidEnd(out.Report)
	return out, writeReportFiles(out.Report, o.ReporterConfig)
}

// writeReportFiles writes the report files a sequential run's Ginkgo would.
func writeReportFiles(report types.Report, rc types.ReporterConfig) error {
	var errs []error
	if rc.JSONReport != "" {
		errs = append(errs, reporters.GenerateJSONReport(report, rc.JSONReport))
	}
	if rc.JUnitReport != "" {
		errs = append(errs, reporters.GenerateJUnitReport(report, rc.JUnitReport))
	}
	if rc.TeamcityReport != "" {
		errs = append(errs, reporters.GenerateTeamcityReport(report, rc.TeamcityReport))
	}
	if rc.GoJSONReport != "" {
		errs = append(errs, reporters.GenerateGoTestJSONReport(report, rc.GoJSONReport))
	}
	return errors.Join(errs...)
}

type worker struct {
	spec   Worker
	cmd    *exec.Cmd
	exited atomic.Bool
	done   chan struct{}
	err    error // how it ended; read after done
}

func start(self string, spec Worker, stdout, stderr io.Writer) (*worker, error) {
	desc, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Env = append(os.Environ(), WorkerEnv+"="+string(desc), "GINKGO_PARALLEL_PROTOCOL=HTTP")
	cmd.Stdout, cmd.Stderr = stdout, stderr
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w := &worker{spec: spec, cmd: cmd, done: make(chan struct{})}
	go func() {
		w.err = cmd.Wait()
		w.exited.Store(true)
		close(w.done)
	}()
	return w, nil
}

func (w *worker) running() bool { return !w.exited.Load() }

func (w *worker) signal(sig os.Signal) {
	if w != nil && w.running() {
		_ = w.cmd.Process.Signal(sig)
	}
}

// waitAll waits for every worker; with a limit, those still running after
// it are killed.
func waitAll(workers []*worker, limit time.Duration) {
	var deadline <-chan time.Time
	if limit > 0 {
		deadline = time.After(limit)
	}
	for _, w := range workers {
		select {
		case <-w.done:
		case <-deadline:
			w.signal(os.Kill)
			<-w.done
		}
	}
}

func (w *worker) howEnded() string {
	switch {
	case w.err != nil:
		return w.err.Error()
	case w.exited.Load():
		return "it exited early"
	}
	return "it is still running"
}

func (w *worker) result() (Result, error) {
	var r Result
	b, err := os.ReadFile(w.spec.ResultFile)
	if err == nil {
		err = json.Unmarshal(b, &r)
	}
	return r, err
}

// Report puts the workers' reports together, their specs in the order they
// started. A worker that ended without its report (it crashed or was killed)
// gives the specs it finished and makes the run incomplete.
func (s *Server) Report(workers []*worker) types.Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started && s.began > 0 {
		s.startReporter(s.suiteHeader())
	}
	var combined types.Report
	var specs []types.SpecReport
	for i, w := range workers {
		r := s.reportOf(i + 1)
		if s.final[i] == nil {
			r.SpecialSuiteFailureReasons = []string{fmt.Sprintf("worker %d of %d ended before the end of the suite (%s)", i+1, s.total, w.howEnded())}
		}
		specs = append(specs, r.SpecReports...)
		// Add copies every spec so far: the specs are put together once.
		r.SpecReports = nil
		if i == 0 {
			combined = r
		} else {
			combined = combined.Add(r)
		}
	}
	combined.SpecReports = specs
	combined.PreRunStats = s.suiteHeader().PreRunStats
	slices.SortStableFunc(combined.SpecReports, func(a, b types.SpecReport) int { return a.StartTime.Compare(b.StartTime) })
	// Ginkgo does not say why another worker ended the run. An aborted
	// spec's message does (the time limit, an endpoint gone silent), and
	// the reports list it: then this reason adds nothing.
	aborted := slices.ContainsFunc(combined.SpecReports, func(sr types.SpecReport) bool { return sr.State == types.SpecStateAborted })
	var reasons []string
	for _, why := range combined.SpecialSuiteFailureReasons {
		switch {
		case why != ginkgoStoppedByAnotherWorker:
			reasons = append(reasons, why)
		case !aborted:
			reasons = append(reasons, "stopped early because another worker ended the run")
		}
	}
	combined.SpecialSuiteFailureReasons = reasons
	return combined
}

// ginkgoStoppedByAnotherWorker is how Ginkgo says a worker stopped because
// another one aborted the run.
const ginkgoStoppedByAnotherWorker = "Interrupted by Other Ginkgo Process"

// lockedWriter lets the workers' output and the reporter share one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
