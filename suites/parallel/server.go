// Package parallel runs the suite's specs in several processes at once, as
// `ginkgo -p` does: a parent process serves Ginkgo's parallel protocol on
// loopback, starts the workers, prints their specs as they finish, and puts
// their reports together into one.
//
// Ginkgo's own server is internal to the ginkgo module, so this package
// speaks its HTTP protocol (GINKGO_PARALLEL_PROTOCOL=HTTP) itself. Ginkgo
// does the rest: every worker orders the specs with the same seed and takes
// the next spec (or the next Ordered container, whole) from a shared
// counter, so each spec runs exactly once and keeps its own sequence of
// requests.
//
// A run may also give some processes a shard of the independent specs
// (Split): such a process builds only its shard, takes it from a counter of
// its own, and stops when the rest of its tree, filtered out, begins. Every
// process on the shared counter must build the same tree; a shard process
// does not, so it is spared building and ordering thousands of specs it
// would never run.
package parallel

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sync"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// Server is the parent's end of Ginkgo's parallel protocol.
type Server struct {
	listener net.Listener
	// token is the first element of every path: only the workers, which
	// were given it, can report to the run (other local users cannot).
	token    string
	total    int
	reporter reporters.Reporter
	output   io.Writer

	// Processes from shardFrom on run a shard each (0: none does);
	// sharded tells the specs of a shard from the rest of their tree.
	shardFrom int
	sharded   func(types.SpecReport) bool

	mu      sync.Mutex
	began   int
	started bool         // the reporter was told the suite began
	header  types.Report // a shared process's report as the suite began
	headed  bool         // header is a shared process's
	// shardSpecs is how many specs the shard processes will run.
	shardSpecs int
	held       []types.SpecReport // specs that finished before every worker began
	didRun     [][]types.SpecReport
	final      []*types.Report // each worker's report at its end, nil until then
	alive      []func() bool
	counter    int
	own        []int  // each shard process's own counter
	shardEnd   []bool // the shard process reached the end of its shard
	abort      bool
	stateFor   map[string][]byte // raw bodies of the before-suite handshakes
}

// NewServer listens on a free loopback port for total workers. Their specs
// are reported to reporter as they finish; what they write to GinkgoWriter
// goes to output.
func NewServer(total int, reporter reporters.Reporter, output io.Writer) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var token [16]byte
	_, _ = rand.Read(token[:])
	s := &Server{
		listener: l, token: hex.EncodeToString(token[:]), total: total, reporter: reporter, output: output,
		didRun: make([][]types.SpecReport, total), final: make([]*types.Report, total),
		alive: make([]func() bool, total), stateFor: map[string][]byte{},
		own: make([]int, total), shardEnd: make([]bool, total),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/up", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/suite-will-begin", s.suiteWillBegin)
	mux.HandleFunc("/did-run", s.specDidRun)
	mux.HandleFunc("/suite-did-end", s.suiteDidEnd)
	mux.HandleFunc("/emit-output", s.emitOutput)
	mux.HandleFunc("/progress-report", s.progressReport)
	mux.HandleFunc("/counter", func(w http.ResponseWriter, _ *http.Request) { s.nextIndex(w, 0) })
	mux.HandleFunc("/abort", s.handleAbort)
	mux.HandleFunc("/have-nonprimary-procs-finished", s.othersFinished)
	mux.HandleFunc("/aggregated-nonprimary-procs-report", s.othersReport)
	// Handshakes for ReportBeforeSuite and SynchronizedBeforeSuite: process
	// 1 posts its outcome, the others wait for it.
	for post, get := range map[string]string{
		"/report-before-suite-completed": "/report-before-suite-state",
		"/before-suite-completed":        "/before-suite-state",
	} {
		mux.HandleFunc(post, s.keep(get))
		mux.HandleFunc(get, s.handOut(get))
	}
	root := http.NewServeMux()
	root.Handle("/"+s.token+"/", http.StripPrefix("/"+s.token, mux))
	// Each process also has a path of its own, for the counter: a shard
	// process counts through its own tree.
	for p := 1; p <= total; p++ {
		own := http.NewServeMux()
		own.Handle("/", mux)
		own.HandleFunc("/counter", func(w http.ResponseWriter, r *http.Request) { s.nextIndex(w, p) })
		prefix := fmt.Sprintf("/%s/p%d", s.token, p)
		root.Handle(prefix+"/", http.StripPrefix(prefix, own))
	}
	go http.Serve(l, root) //nolint:errcheck // ends when Close closes the listener
	return s, nil
}

// Host is what workers on the shared counter may be given as Ginkgo's
// ParallelHost.
func (s *Server) Host() string { return "http://" + s.listener.Addr().String() + "/" + s.token }

// HostFor is what worker process is given as Ginkgo's ParallelHost.
func (s *Server) HostFor(process int) string { return fmt.Sprintf("%s/p%d", s.Host(), process) }

// ShardFrom makes processes from first on shard processes, whose specs are
// those sharded reports as such; the first spec of another kind one of them
// reports (filtered out: its shard comes first) ends its shard. It is
// called before any worker starts.
func (s *Server) ShardFrom(first int, sharded func(types.SpecReport) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shardFrom, s.sharded = first, sharded
}

// shardProcess reports whether process runs a shard of its own; s.mu held.
func (s *Server) shardProcess(process int) bool {
	return s.shardFrom > 0 && process >= s.shardFrom && process <= s.total
}

// Close stops serving.
func (s *Server) Close() { s.listener.Close() }

// RegisterAlive tells the server how to know whether worker process (1-based)
// is still running, so nobody waits for a worker that died.
func (s *Server) RegisterAlive(process int, alive func() bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alive[process-1] = alive
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	defer r.Body.Close()
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return false
	}
	return true
}

// suiteWillBegin: the reporter starts once every worker has begun, then
// prints what finished in the meantime.
func (s *Server) suiteWillBegin(w http.ResponseWriter, r *http.Request) {
	var report types.Report
	if !decode(w, r, &report) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.began++
	// The shared processes' trees are alike; each shard process adds the
	// specs of its shard, all it will run (the rest of its tree is
	// filtered out, and counted by the shared ones).
	if s.shardProcess(report.SuiteConfig.ParallelProcess) {
		s.shardSpecs += report.PreRunStats.SpecsThatWillRun
		if !s.headed {
			s.header = report
			s.header.PreRunStats = types.PreRunStats{}
		}
	} else {
		s.header, s.headed = report, true
	}
	if s.began == s.total {
		s.startReporter(s.suiteHeader())
	}
}

// suiteHeader is the run's header: a shared process's, with the specs of
// every shard; s.mu held.
func (s *Server) suiteHeader() types.Report {
	h := s.header
	h.PreRunStats.TotalSpecs += s.shardSpecs
	h.PreRunStats.SpecsThatWillRun += s.shardSpecs
	return h
}

func (s *Server) startReporter(report types.Report) {
	s.started = true
	s.reporter.SuiteWillBegin(report)
	for _, sr := range s.held {
		s.reporter.WillRun(sr)
		s.reporter.DidRun(sr)
	}
	s.held = nil
}

func (s *Server) specDidRun(w http.ResponseWriter, r *http.Request) {
	var sr types.SpecReport
	if !decode(w, r, &sr) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := sr.ParallelProcess
	if p < 1 || p > s.total {
		return
	}
	if s.shardProcess(p) && !s.sharded(sr) {
		s.shardEnd[p-1] = true
		return
	}
	s.didRun[p-1] = append(s.didRun[p-1], sr)
	if s.started {
		s.reporter.WillRun(sr)
		s.reporter.DidRun(sr)
	} else {
		s.held = append(s.held, sr)
	}
}

func (s *Server) suiteDidEnd(w http.ResponseWriter, r *http.Request) {
	// The worker's report repeats every spec it already posted one by one
	// (Ginkgo posts each spec as it adds it to the report): they are not
	// decoded a second time, the largest part of a run's reports.
	var final struct {
		types.Report
		SpecReports json.RawMessage
	}
	if !decode(w, r, &final) {
		return
	}
	report := final.Report
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := report.SuiteConfig.ParallelProcess; p >= 1 && p <= s.total {
		s.final[p-1] = &report
	}
}

func (s *Server) emitOutput(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.output.Write(b)
}

func (s *Server) progressReport(w http.ResponseWriter, r *http.Request) {
	var pr types.ProgressReport
	if !decode(w, r, &pr) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reporter.EmitProgressReport(pr)
}

// nextIndex hands out the index of the next spec group process is to run:
// the shared counter's, or a shard process's own, past the end of any tree
// once its shard has ended.
func (s *Server) nextIndex(w http.ResponseWriter, process int) {
	s.mu.Lock()
	var n int
	switch {
	case !s.shardProcess(process):
		n = s.counter
		s.counter++
	case s.shardEnd[process-1]:
		n = math.MaxInt32
	default:
		n = s.own[process-1]
		s.own[process-1]++
	}
	s.mu.Unlock()
	_ = json.NewEncoder(w).Encode(struct{ Index int }{n})
}

// handleAbort: a worker that fails fast or aborts the suite posts; the
// others poll and stop (410 Gone means abort).
func (s *Server) handleAbort(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodGet {
		s.abort = true
		return
	}
	if s.abort {
		w.WriteHeader(http.StatusGone)
	}
}

// Abort tells every worker to stop after its current spec.
func (s *Server) Abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.abort = true
}

// finished reports whether worker process has ended or died; s.mu held.
func (s *Server) finished(process int) bool {
	if s.final[process-1] != nil {
		return true
	}
	alive := s.alive[process-1]
	return alive != nil && !alive()
}

func (s *Server) othersDone() bool {
	for p := 2; p <= s.total; p++ {
		if !s.finished(p) {
			return false
		}
	}
	return true
}

// othersFinished: process 1 waits for the others before Serial specs and
// its ReportAfterSuite nodes (425 Too Early means ask again).
func (s *Server) othersFinished(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.othersDone() {
		w.WriteHeader(http.StatusTooEarly)
	}
}

// othersReport gives process 1 the other workers' reports put together for
// its ReportAfterSuite nodes, without their specs: the suite's node only
// keeps the report for a run in one process, and the parent puts the specs
// together itself (Report), so sending every spec back would only cost
// encoding and decoding them all once more. A worker that died gives the
// specs it finished: the parent, not Ginkgo, says the run is incomplete.
func (s *Server) othersReport(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.othersDone() {
		w.WriteHeader(http.StatusTooEarly)
		return
	}
	combined := s.reportOf(2)
	for p := 3; p <= s.total; p++ {
		combined = combined.Add(s.reportOf(p))
	}
	combined.SpecReports = nil
	_ = json.NewEncoder(w).Encode(combined)
}

// reportOf returns worker process's report, or for one that ended without
// it, the specs it finished; s.mu held.
func (s *Server) reportOf(process int) types.Report {
	if r := s.final[process-1]; r != nil {
		final := *r
		final.SpecReports = s.didRun[process-1]
		return final
	}
	r := s.header
	r.SpecReports = s.didRun[process-1]
	r.SuiteSucceeded = false
	return r
}

// keep stores what process 1 posts for the handshake read at get.
func (s *Server) keep(get string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.stateFor[get] = b
	}
}

// handOut answers a handshake: 425 until process 1 posted, 410 when it died
// first.
func (s *Server) handOut(get string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		b, ok := s.stateFor[get]
		switch {
		case ok:
			_, _ = w.Write(b)
		case s.finished(1):
			w.WriteHeader(http.StatusGone)
		default:
			w.WriteHeader(http.StatusTooEarly)
		}
	}
}
