package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/suites/parallel"
)

// outcomes runs seamconform and returns each requirement's result, read
// from the JSON report, and the worker processes its specs ran in.
func outcomes(t *testing.T, env map[string]string, args ...string) (map[string]string, result, map[int]bool) {
	got, r, procs, _ := outcomesAndSpecs(t, env, args...)
	return got, r, procs
}

// outcomesAndSpecs is outcomes with how many times each spec was reported,
// by its full text and state.
func outcomesAndSpecs(t *testing.T, env map[string]string, args ...string) (map[string]string, result, map[int]bool, map[string]int) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.json")
	r := seamconform(t, env, append(args, "--no-color", "--json-report", file)...)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no JSON report (exit %d):\n%s\n%s", r.code, tail(r.stdout, 30), r.stderr)
	}
	var suites []types.Report
	if err := json.Unmarshal(raw, &suites); err != nil || len(suites) != 1 {
		t.Fatalf("JSON report: %v (%d suites)", err, len(suites))
	}
	got := map[string]string{}
	for _, res := range reports.Summarize(suites[0]).Results {
		got[res.ID] = fmt.Sprintf("%s (%d passed, %d failed, %d errors, %d not checked)", res.Outcome, res.Passed, res.Failed, res.Errors, res.NotChecked)
	}
	procs, specs := map[int]bool{}, map[string]int{}
	for _, sr := range suites[0].SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt {
			procs[sr.ParallelProcess] = true
			specs[sr.FullText()+" ("+sr.State.String()+")"]++
		}
	}
	return got, r, procs, specs
}

// Running the specs across workers changes nothing a run finds: every
// requirement has the same result, failures included, and the workers clean
// up what they created or say what they could not.
func TestConcurrentRunFindsWhatASequentialRunFinds(t *testing.T) {
	for _, faults := range [][]string{nil, {"ok-false", "not-deleted"}} {
		server, env := served(t, reference.Options{Faults: faults}, nil)
		before := len(server.IdentityIDs())
		sequential, r1, _, specs1 := outcomesAndSpecs(t, env, "run", "--concurrency", "1")
		between := len(server.IdentityIDs())
		concurrent, r4, procs, specs4 := outcomesAndSpecs(t, env, "run", "--concurrency", "4")
		after := len(server.IdentityIDs())
		if len(procs) < 2 || !strings.Contains(r4.stdout, "Running in parallel across 4 processes") {
			t.Fatalf("faults %v: the specs ran in processes %v, not in parallel", faults, slices.Sorted(maps.Keys(procs)))
		}
		// Every spec once, shards of the API-wide family included.
		for _, spec := range slices.Sorted(maps.Keys(specs1)) {
			if specs1[spec] != 1 || specs4[spec] != 1 {
				t.Errorf("faults %v: %s reported %d times sequential, %d concurrent", faults, spec, specs1[spec], specs4[spec])
			}
		}
		if len(specs4) != len(specs1) {
			t.Errorf("faults %v: %d specs sequential, %d concurrent", faults, len(specs1), len(specs4))
		}
		if ran := regexp.MustCompile(`Ran \d+ of \d+ Specs`); ran.FindString(r1.stdout) != ran.FindString(r4.stdout) {
			t.Errorf("faults %v: %q sequential, %q concurrent", faults, ran.FindString(r1.stdout), ran.FindString(r4.stdout))
		}
		if r1.code != r4.code {
			t.Errorf("faults %v: exit code %d sequential, %d concurrent", faults, r1.code, r4.code)
		}
		for _, id := range slices.Sorted(maps.Keys(sequential)) {
			if sequential[id] != concurrent[id] {
				t.Errorf("faults %v: %s is %s sequential, %s concurrent", faults, id, sequential[id], concurrent[id])
			}
		}
		// What each run says it left is what it left.
		if got, want := leftBehindCount(r1.stdout), between-before; got != want {
			t.Errorf("faults %v: the sequential run says it left %d identities, it left %d", faults, got, want)
		}
		if got, want := leftBehindCount(r4.stdout), after-between; got != want {
			t.Errorf("faults %v: the concurrent run says it left %d identities, it left %d\n%s", faults, got, want, tail(r4.stdout, 20))
		}
		if faults == nil {
			expect(t, r4, 0, "Verdict: CONFORMANT")
			if after != before {
				t.Errorf("the concurrent run left %d identities behind", after-before)
			}
		} else {
			expect(t, r4, 1, "Verdict: NOT CONFORMANT", "UIDEL-OK-04", "UIDEL-EFFECT-01", "LEFT BEHIND")
		}
		noSecrets(t, r4, env)
	}
}

var leftBehindLine = regexp.MustCompile(`LEFT BEHIND: (\d+) identities`)

func leftBehindCount(stdout string) int {
	m := leftBehindLine.FindStringSubmatch(stdout)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// throttleOnce answers 429 Too Many Requests (Retry-After: 0) the first time
// it sees a request, and passes it on when it comes again.
func throttleOnce(throttled *atomic.Int64) func(http.Handler) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			key := fmt.Sprint(r.Method, r.URL, r.Header, string(body))
			mu.Lock()
			first := !seen[key]
			seen[key] = true
			mu.Unlock()
			if first {
				throttled.Add(1)
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

// 429 answers are waited out and sent again, never failures; the summary
// counts them, across workers and the parent's preflight.
func TestThrottledAnswersAreRetried(t *testing.T) {
	_, plain := served(t, reference.Options{}, nil)
	want, _, _ := outcomes(t, plain, "run", "--concurrency", "1")

	var throttled atomic.Int64
	server, env := served(t, reference.Options{}, throttleOnce(&throttled))
	got, r, _ := outcomes(t, env, "run", "--concurrency", "2")
	expect(t, r, 0, "Verdict: CONFORMANT", fmt.Sprintf("THROTTLED: %d answers were 429 Too Many Requests", throttled.Load()))
	if throttled.Load() < 200 {
		t.Fatalf("only %d requests were throttled", throttled.Load())
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		if want[id] != got[id] {
			t.Errorf("%s is %s unthrottled, %s throttled", id, want[id], got[id])
		}
	}
	if left := server.IdentityIDs(); len(left) != 0 {
		t.Fatalf("the throttled run left %d identities behind", len(left))
	}
}

// Ctrl-C stops every worker; each cleans up what it created, and the run
// says it is incomplete.
func TestConcurrentRunCleansUpAfterInterrupt(t *testing.T) {
	slow, creates := slowCounting(5 * time.Millisecond) // long enough to interrupt mid-run
	server, env := served(t, reference.Options{}, slow)
	cmd := command(t, env, "run", "--no-color", "--concurrency", "3")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for creates.Load() < 20 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if exit, ok := err.(*exec_ExitError); !ok || exit.ExitCode() != 3 {
		t.Fatalf("interrupted run: %v, want exit code 3\n%s", err, tail(out.String(), 30))
	}
	if !strings.Contains(out.String(), "Verdict: INCOMPLETE") || strings.Contains(out.String(), "goroutine ") || !strings.Contains(out.String(), "Running in parallel across 3 processes") {
		t.Fatalf("the concurrent run was not interrupted mid-way:\n%s", tail(out.String(), 30))
	}
	if left := server.IdentityIDs(); len(left) != 0 {
		t.Fatalf("the interrupted run left %d identities behind: %v\n%s", len(left), left, tail(out.String(), 60))
	}
}

func TestConcurrencyOutOfRange(t *testing.T) {
	for _, n := range []string{"0", "-1", "65"} {
		r := seamconform(t, nil, "run", "--concurrency", n)
		if r.code != 2 || !strings.Contains(r.stderr, "--concurrency must be between 1 and 64") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("--concurrency %s: exit %d, stderr %q; want exit 2 and one line", n, r.code, r.stderr)
		}
	}
}

// A worker killed mid-run cannot clean up: the parent says the run is
// incomplete and names the key prefix of what that worker created.
func TestConcurrentRunNamesWhatADeadWorkerLeft(t *testing.T) {
	slow, creates := slowCounting(5 * time.Millisecond) // long enough to interrupt mid-run
	_, env := served(t, reference.Options{}, slow)
	cmd := command(t, env, "run", "--no-color", "--concurrency", "2")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	// Under load the parent may print its header after the workers' first
	// creates: wait for both.
	for (creates.Load() < 10 || !strings.Contains(out.String(), "Running in parallel across 2 processes")) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	// Linux lists a process's children by the thread that started them.
	threads, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", cmd.Process.Pid))
	if len(threads) == 0 {
		t.Skip("cannot find the workers without Linux's /proc/PID/task/TID/children")
	}
	var pids []string
	for _, f := range threads {
		children, _ := os.ReadFile(f)
		pids = append(pids, strings.Fields(string(children))...)
	}
	if len(pids) != 2 || !strings.Contains(out.String(), "Running in parallel across 2 processes") {
		t.Fatalf("the run has %d child processes, want 2 workers", len(pids))
	}
	// Which worker is which the listing does not say: kill one, and expect
	// whichever it was to be named.
	pid, _ := strconv.Atoi(pids[1])
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if exit, ok := err.(*exec_ExitError); !ok || exit.ExitCode() != 3 {
		t.Fatalf("run with a dead worker: %v, want exit code 3 (incomplete)\n%s", err, tail(out.String(), 30))
	}
	for _, want := range []string{`Verdict: INCOMPLETE`, `RUN ERROR: worker [12] of 2 ended before the end of the suite \(signal: killed\)`,
		`RUN ERROR: worker [12] did not finish its clean-up \(signal: killed\): identities keyed seamconform-[0-9a-f]+-[12]-\*`} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Fatalf("output lacks %q:\n%s", want, tail(out.String(), 30))
		}
	}
}

// An endpoint that stays throttled leaves the specs it throttles
// could-not-check: the run is incomplete, no requirement fails.
func TestEndlessThrottlingFailsNoRequirement(t *testing.T) {
	throttleDeletes := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	_, env := served(t, reference.Options{}, throttleDeletes)
	got, r, _ := outcomes(t, env, "run", "--concurrency", "2", "--label-filter", "delete && success")
	expect(t, r, reports.ExitIncomplete, "kept answering DELETE /user_identities/delete with 429 Too Many Requests (the suite waited as Retry-After said, up to 5 retries", "THROTTLED: ")
	// The 429 that stood is throttling, counted there, and no undocumented
	// status, whether a worker or the run's own process recorded it.
	alone := seamconform(t, env, "run", "--no-color", "--concurrency", "1", "--label-filter", "delete && success")
	expect(t, alone, reports.ExitIncomplete, "THROTTLED: ")
	for _, out := range []string{r.stdout, alone.stdout} {
		if strings.Contains(out, "UNDOCUMENTED STATUS: 429") {
			t.Errorf("a 429 is listed as an undocumented status:\n%s", tail(out, 15))
		}
	}
	errored := 0
	for id, outcome := range got {
		if strings.HasPrefix(outcome, string(reports.Failed)) {
			t.Errorf("%s failed: %s", id, outcome)
		}
		if strings.HasPrefix(outcome, string(reports.Errored)) {
			errored++
		}
	}
	if errored == 0 {
		t.Fatalf("no requirement could-not-check: %v", got)
	}
}

// Without --concurrency, a run goes one spec at a time against an endpoint
// that answers at once (workers would cost more than they save) and uses
// workers against a distant one; the header says which and why.
func TestConcurrencyFollowsTheEndpointsRoundTrip(t *testing.T) {
	_, near := served(t, reference.Options{}, nil)
	r := seamconform(t, near, "run", "--no-color", "--label-filter", "UIDEL-AUTH-01")
	expect(t, r, 0, "Concurrency: 1 (the endpoint answered in ")
	if strings.Contains(r.stdout, "Running in parallel") {
		t.Fatalf("a run against a near endpoint started workers:\n%s", tail(r.stdout, 20))
	}

	_, far := served(t, reference.Options{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(2 * parallel.NearEndpoint)
			h.ServeHTTP(w, r)
		})
	})
	r = seamconform(t, far, "run", "--no-color", "--label-filter", "UIDEL-AUTH-01")
	expect(t, r, 0, fmt.Sprintf("Concurrency: %d (the endpoint answered in ", parallel.DefaultConcurrency), "Running in parallel across")
}

// A run's parent and serve collect less often, unless the user paced the collector.
func TestPaceGCPacesTheCollectorUnlessTheUserDid(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetGCPercent(-1)
	debug.SetGCPercent(before)
	restore := paceGC()
	if got := debug.SetGCPercent(400); got != 400 {
		t.Errorf("GC percent during a run: %d, want 400", got)
	}
	restore()
	if got := debug.SetGCPercent(before); got != before {
		t.Errorf("GC percent after a run: %d, want %d again", got, before)
	}
	t.Setenv("GOGC", "50")
	restore = paceGC()
	if got := debug.SetGCPercent(before); got != before {
		t.Errorf("with GOGC set, a run changed the GC percent to %d", got)
	}
	restore()
}

// A probe that gets no answer is not reported as an answer in its
// timeout's time.
func TestConcurrencyProbeWithoutAnAnswer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // accepts and says nothing: the probe times out
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	r := seamconform(t, map[string]string{"SEAM_ENDPOINT": "http://" + l.Addr().String(), "SEAM_API_KEY": "seam_silent0000000000"},
		"run", "--no-color", "--allow-non-sandbox", "--request-timeout", "200ms", "--run-timeout", "2s", "--label-filter", "UIDEL-AUTH-01")
	if !strings.Contains(r.stdout, "(the endpoint did not answer the probe;") || strings.Contains(r.stdout, "answered in 200") {
		t.Errorf("exit %d, stdout:\n%s", r.code, tail(r.stdout, 10))
	}
}
