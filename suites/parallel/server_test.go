package parallel

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// recorder keeps what the server reported.
type recorder struct {
	reporters.NoopReporter
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(s string)                            { r.mu.Lock(); r.events = append(r.events, s); r.mu.Unlock() }
func (r *recorder) SuiteWillBegin(types.Report)             { r.add("begin") }
func (r *recorder) DidRun(s types.SpecReport)               { r.add("ran " + s.LeafNodeText) }
func (r *recorder) EmitProgressReport(types.ProgressReport) { r.add("progress") }
func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.events, ", ")
}

func newTestServer(t *testing.T, total int) (*Server, *recorder, *bytes.Buffer) {
	t.Helper()
	rec, out := &recorder{}, &bytes.Buffer{}
	s, err := NewServer(total, rec, out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, rec, out
}

func call(t *testing.T, s *Server, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.Host()+path, r)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func spec(process int, text string, start time.Time) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, ParallelProcess: process, StartTime: start, State: types.SpecStatePassed}
}

func ended(process int, specs ...types.SpecReport) types.Report {
	return types.Report{SuiteConfig: types.SuiteConfig{ParallelProcess: process}, SuiteSucceeded: true, SpecReports: specs}
}

func TestCounterHandsOutEachIndexOnce(t *testing.T) {
	s, _, _ := newTestServer(t, 4)
	seen := make([]atomic.Int32, 200)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				_, b := call(t, s, http.MethodGet, "/counter", nil)
				var c struct{ Index int }
				if err := json.Unmarshal(b, &c); err != nil || c.Index < 0 || c.Index >= 200 {
					t.Errorf("counter answered %q", b)
					return
				}
				seen[c.Index].Add(1)
			}
		})
	}
	wg.Wait()
	for i := range seen {
		if n := seen[i].Load(); n != 1 {
			t.Fatalf("index %d handed out %d times", i, n)
		}
	}
}

func TestOnlyWorkersReachTheServer(t *testing.T) {
	s, _, _ := newTestServer(t, 2)
	if code, _ := call(t, s, http.MethodGet, "/up", nil); code != http.StatusOK {
		t.Fatalf("a worker's /up: %d", code)
	}
	res, err := http.Get("http://" + s.listener.Addr().String() + "/up")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("/up without the run's token: %d, want 404", res.StatusCode)
	}
}

func TestAbortReachesEveryWorker(t *testing.T) {
	s, _, _ := newTestServer(t, 2)
	if code, _ := call(t, s, http.MethodGet, "/abort", nil); code != http.StatusOK {
		t.Fatalf("before any abort: %d, want 200", code)
	}
	call(t, s, http.MethodPost, "/abort", nil)
	if code, _ := call(t, s, http.MethodGet, "/abort", nil); code != http.StatusGone {
		t.Fatalf("after an abort: %d, want 410", code)
	}
}

// Specs that finish before every worker has begun are held, then reported
// in order once the suite's header is out.
func TestSpecsAreReportedOnceEveryWorkerBegan(t *testing.T) {
	s, rec, out := newTestServer(t, 2)
	call(t, s, http.MethodPost, "/suite-will-begin", ended(1))
	call(t, s, http.MethodPost, "/did-run", spec(1, "a", time.Now()))
	if got := rec.String(); got != "" {
		t.Fatalf("reported before every worker began: %s", got)
	}
	call(t, s, http.MethodPost, "/suite-will-begin", ended(2))
	call(t, s, http.MethodPost, "/did-run", spec(2, "b", time.Now()))
	call(t, s, http.MethodPost, "/progress-report", types.ProgressReport{})
	call(t, s, http.MethodPost, "/emit-output", "GinkgoWriter output")
	if got, want := rec.String(), "begin, ran a, ran b, progress"; got != want {
		t.Fatalf("reported %q, want %q", got, want)
	}
	if !strings.Contains(out.String(), "GinkgoWriter output") {
		t.Fatalf("output not passed on: %q", out.String())
	}
}

// Worker 1 waits for the others before its Serial specs and
// ReportAfterSuite, and is told when one of them died without a report.
func TestWorkerOneWaitsForTheOthers(t *testing.T) {
	s, _, _ := newTestServer(t, 3)
	var thirdAlive atomic.Bool
	thirdAlive.Store(true)
	s.RegisterAlive(3, thirdAlive.Load)
	if code, _ := call(t, s, http.MethodGet, "/have-nonprimary-procs-finished", nil); code != http.StatusTooEarly {
		t.Fatalf("others running: %d, want 425", code)
	}
	t0 := time.Now()
	call(t, s, http.MethodPost, "/did-run", spec(2, "two", t0))
	call(t, s, http.MethodPost, "/suite-did-end", ended(2, spec(2, "two", t0)))
	if code, _ := call(t, s, http.MethodGet, "/aggregated-nonprimary-procs-report", nil); code != http.StatusTooEarly {
		t.Fatalf("worker 3 running: %d, want 425", code)
	}
	thirdAlive.Store(false)
	if code, _ := call(t, s, http.MethodGet, "/have-nonprimary-procs-finished", nil); code != http.StatusOK {
		t.Fatalf("others ended or died: %d, want 200", code)
	}
	// Worker 3 died: worker 1 is told the suite did not succeed, and gets
	// no Ginkgo error (the parent says the run is incomplete). The specs
	// are not sent back: the parent puts them together itself.
	call(t, s, http.MethodPost, "/did-run", spec(3, "three", t0))
	code, b := call(t, s, http.MethodGet, "/aggregated-nonprimary-procs-report", nil)
	var r types.Report
	if code != http.StatusOK || json.Unmarshal(b, &r) != nil || len(r.SpecReports) != 0 || r.SuiteSucceeded {
		t.Fatalf("aggregated report with a dead worker: %d %s", code, b)
	}
	dead := &worker{spec: Worker{Process: 3}, done: make(chan struct{})}
	dead.exited.Store(true)
	if all := s.Report([]*worker{{spec: Worker{Process: 1}}, {spec: Worker{Process: 2}}, dead}); len(all.SpecReports) != 2 {
		t.Fatalf("the run's report has %d specs, want worker 2's and dead worker 3's", len(all.SpecReports))
	}
}

func TestBeforeSuiteHandshake(t *testing.T) {
	s, _, _ := newTestServer(t, 2)
	if code, _ := call(t, s, http.MethodGet, "/before-suite-state", nil); code != http.StatusTooEarly {
		t.Fatalf("before worker 1 posted: %d, want 425", code)
	}
	call(t, s, http.MethodPost, "/before-suite-completed", map[string]any{"Data": "eA==", "State": "passed"})
	if code, b := call(t, s, http.MethodGet, "/before-suite-state", nil); code != http.StatusOK || !strings.Contains(string(b), `"eA=="`) {
		t.Fatalf("after worker 1 posted: %d %s", code, b)
	}
	var dead atomic.Bool
	s.RegisterAlive(1, dead.Load)
	if code, _ := call(t, s, http.MethodGet, "/report-before-suite-state", nil); code != http.StatusGone {
		t.Fatalf("worker 1 died before posting: %d, want 410", code)
	}
}

// The run's report has every worker's specs in the order they started; a
// worker that died gives the specs it finished and makes the run fail.
func TestReportPutsWorkersTogether(t *testing.T) {
	s, rec, _ := newTestServer(t, 2)
	t0 := time.Now()
	call(t, s, http.MethodPost, "/suite-will-begin", ended(1))
	call(t, s, http.MethodPost, "/did-run", spec(2, "second", t0.Add(time.Second)))
	call(t, s, http.MethodPost, "/did-run", spec(1, "first", t0))
	one := ended(1, spec(1, "first", t0))
	one.SpecialSuiteFailureReasons = []string{ginkgoStoppedByAnotherWorker}
	call(t, s, http.MethodPost, "/suite-did-end", one)
	dead := &worker{spec: Worker{Process: 2}, done: make(chan struct{})}
	dead.exited.Store(true)
	r := s.Report([]*worker{{spec: Worker{Process: 1}}, dead})
	if len(r.SpecReports) != 2 || r.SpecReports[0].LeafNodeText != "first" || r.SpecReports[1].LeafNodeText != "second" {
		t.Fatalf("specs %v", r.SpecReports)
	}
	if r.SuiteSucceeded || len(r.SpecialSuiteFailureReasons) != 2 || r.SpecialSuiteFailureReasons[0] != "stopped early because another worker ended the run" ||
		!strings.Contains(r.SpecialSuiteFailureReasons[1], "worker 2 of 2 ended before the end of the suite") {
		t.Fatalf("a dead worker: succeeded %v, reasons %q", r.SuiteSucceeded, r.SpecialSuiteFailureReasons)
	}
	if got := rec.String(); !strings.HasPrefix(got, "begin, ") {
		t.Fatalf("the held specs were not reported: %q", got)
	}
}

// When a worker aborted the run, its aborted spec says why (the time
// limit, an endpoint gone silent), and the others' "stopped by another
// process" is left out rather than guessed at.
func TestReportLeavesTheCauseToTheAbortedSpec(t *testing.T) {
	s, _, _ := newTestServer(t, 2)
	t0 := time.Now()
	abortedSpec := spec(1, "aborted", t0)
	abortedSpec.State = types.SpecStateAborted
	abortedSpec.Failure.Message = "the run reached its time limit (1m0s); the run ends here"
	call(t, s, http.MethodPost, "/did-run", abortedSpec)
	call(t, s, http.MethodPost, "/suite-did-end", ended(1, abortedSpec))
	call(t, s, http.MethodPost, "/did-run", spec(2, "passed", t0))
	two := ended(2, spec(2, "passed", t0))
	two.SpecialSuiteFailureReasons = []string{ginkgoStoppedByAnotherWorker}
	call(t, s, http.MethodPost, "/suite-did-end", two)
	r := s.Report([]*worker{{spec: Worker{Process: 1}}, {spec: Worker{Process: 2}}})
	if len(r.SpecReports) != 2 || len(r.SpecialSuiteFailureReasons) != 0 {
		t.Fatalf("%d specs, reasons %q; want 2 specs and no reason beside the aborted spec", len(r.SpecReports), r.SpecialSuiteFailureReasons)
	}
}

// A shard process takes its own shard from its own counter, and ends where
// its shard does: the first other spec it reports (filtered out) is
// dropped, as the shared processes report that spec. The run's header
// counts each shard's specs once.
func TestShardProcessesRunTheirShardOnly(t *testing.T) {
	s, rec, _ := newTestServer(t, 3)
	s.ShardFrom(2, func(sr types.SpecReport) bool { return strings.HasPrefix(sr.LeafNodeText, "api ") })
	index := func(process int) int {
		t.Helper()
		res, err := http.Get(s.HostFor(process) + "/counter")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var c struct{ Index int }
		if err := json.NewDecoder(res.Body).Decode(&c); err != nil {
			t.Fatal(err)
		}
		return c.Index
	}
	if got := []int{index(1), index(2), index(3), index(1), index(2)}; !slices.Equal(got, []int{0, 0, 0, 1, 1}) {
		t.Fatalf("indices %v: process 1 counts alone, 2 and 3 each through their own tree", got)
	}
	header := func(process, total, willRun int) types.Report {
		r := ended(process)
		r.PreRunStats = types.PreRunStats{TotalSpecs: total, SpecsThatWillRun: willRun}
		return r
	}
	call(t, s, http.MethodPost, "/suite-will-begin", header(2, 12, 2))
	call(t, s, http.MethodPost, "/suite-will-begin", header(1, 10, 4))
	call(t, s, http.MethodPost, "/suite-will-begin", header(3, 13, 3))
	t0 := time.Now()
	call(t, s, http.MethodPost, "/did-run", spec(2, "api a", t0))
	call(t, s, http.MethodPost, "/did-run", spec(2, "effect b", t0))
	if i := index(2); i < 1000 {
		t.Fatalf("process 2 reported the end of its shard but was given index %d", i)
	}
	if i := index(3); i != 1 {
		t.Fatalf("process 3 was given %d, want 1: only process 2's shard ended", i)
	}
	if got := rec.String(); got != "begin, ran api a" {
		t.Fatalf("reported %q: the spec outside process 2's shard must be dropped", got)
	}
	var workers []*worker
	for p := 1; p <= 3; p++ {
		workers = append(workers, &worker{spec: Worker{Process: p}})
	}
	r := s.Report(workers)
	if want := (types.PreRunStats{TotalSpecs: 15, SpecsThatWillRun: 9}); r.PreRunStats != want {
		t.Fatalf("run's counts %+v, want %+v: process 1's and each shard's", r.PreRunStats, want)
	}
	if len(r.SpecReports) != 1 {
		t.Fatalf("run's report has %d specs, want process 2's shard spec", len(r.SpecReports))
	}
}

func TestSplitGivesEachWorkerItsPart(t *testing.T) {
	sharded := func(types.SpecReport) bool { return true }
	shares := []int{500, 1000, 1000}
	for _, c := range []struct {
		split     Split
		processes int
		filters   []string
		shares    bool
	}{
		{Split{}, 3, []string{"", "", ""}, false},
		{Split{Shared: 3, Shares: []int{0, 0, 0}, Sharded: sharded}, 3, []string{"", "", ""}, false},
		{Split{Shared: 1, Shares: shares, ShardFilter: "f", Sharded: sharded}, 3, []string{"", "f", "f"}, true},
		{Split{Shared: 2, Shares: []int{0, 0, 1000}, ShardFilter: "f", Sharded: sharded}, 3, []string{"", "", "f"}, true},
		{Split{Shared: 1, Shares: shares, ShardFilter: "f", Sharded: sharded}, 4, []string{"", "", "", ""}, false}, // shares for another count
	} {
		for i, filter := range c.filters {
			w := Worker{Process: i + 1}
			c.split.worker(&w, c.processes)
			if w.LabelFilter != filter || (w.Shares != nil) != c.shares {
				t.Errorf("%+v, process %d: filter %q, shares %v; want %q, shares %v", c.split, i+1, w.LabelFilter, w.Shares, filter, c.shares)
			}
		}
	}
}
