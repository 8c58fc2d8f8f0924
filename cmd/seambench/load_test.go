package main

import (
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestLoadCountsUnexpectedAnswersAsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Want") != "ok" {
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()
	good := runLoad(loadSpec{Method: http.MethodPost, URL: srv.URL, Header: http.Header{"X-Want": {"ok"}}, Want: http.StatusOK}, 2, 0, 50*time.Millisecond)
	if good.Requests == 0 || good.Errors != 0 || good.P99 < good.P50 {
		t.Fatalf("a target answering as expected: %+v", good)
	}
	bad := runLoad(loadSpec{Method: http.MethodPost, URL: srv.URL, Want: http.StatusOK}, 2, 0, 50*time.Millisecond)
	if bad.Errors == 0 || bad.Errors != bad.Requests || !strings.Contains(bad.FirstError, "418") {
		t.Fatalf("a target answering 418 to everything: %+v", bad)
	}
}

func TestPercentile(t *testing.T) {
	var sorted []time.Duration
	for i := 1; i <= 100; i++ {
		sorted = append(sorted, time.Duration(i))
	}
	if p50, p99 := percentile(sorted, 0.50), percentile(sorted, 0.99); p50 != 51 || p99 != 100 {
		t.Fatalf("p50 %d p99 %d, want 51 and 100", p50, p99)
	}
	if percentile(nil, 0.99) != 0 {
		t.Fatal("no samples must give 0")
	}
}

// Each slice's requests are counted for the target they went to, and
// each pair gives a's throughput over b's.
func TestCompareMeasuresEachTargetInItsOwnSlices(t *testing.T) {
	var fast, slow atomic.Int64
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fast.Add(1) }))
	defer a.Close()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slow.Add(1)
		time.Sleep(5 * time.Millisecond)
	}))
	defer b.Close()
	la := newLoader(loadSpec{Method: http.MethodPost, URL: a.URL, Want: http.StatusOK}, 2)
	lb := newLoader(loadSpec{Method: http.MethodPost, URL: b.URL, Want: http.StatusOK}, 2)
	defer la.close()
	defer lb.close()
	c := compare(la, lb, 4, 30*time.Millisecond)
	if c.a.Requests != int(fast.Load()) || c.b.Requests != int(slow.Load()) || c.a.Errors+c.b.Errors != 0 {
		t.Fatalf("measured %d and %d requests, the targets saw %d and %d", c.a.Requests, c.b.Requests, fast.Load(), slow.Load())
	}
	if len(c.ratios) != 4 || c.a.Elapsed != 4*30*time.Millisecond {
		t.Fatalf("4 pairs of 30 ms slices: %d ratios, %s of a", len(c.ratios), c.a.Elapsed)
	}
	if again := pooled([]loadResult{c.b}); again.P99 != c.b.P99 || again.P99 < 5*time.Millisecond {
		t.Fatalf("rounds pooled again keep their latencies: p99 %s, was %s", again.P99, c.b.P99)
	}
	if mean := geometricMean(c.ratios); mean <= 1 {
		t.Fatalf("a target answering at once against one sleeping 5 ms: ratio %.2f, want above 1", mean)
	}
}

func TestGeometricMean(t *testing.T) {
	if mean := geometricMean([]float64{0.8, 1.25}); math.Abs(mean-1) > 1e-9 {
		t.Fatalf("0.8 and 1.25: %v, want 1", mean)
	}
	if mean := geometricMean([]float64{0.9, 0.9, 0.9}); math.Abs(mean-0.9) > 1e-9 {
		t.Fatalf("three pairs at 90%%: %v", mean)
	}
	if mean := geometricMean(nil); !math.IsNaN(mean) {
		t.Fatalf("no pairs: %v, want NaN", mean)
	}
}

// The interval comes from how far the rounds differ, with Student's t
// for their number: two rounds that disagree leave almost anything open.
func TestMeanOfRoundsWidensWithFewRounds(t *testing.T) {
	mean, low, high := meanOfRounds([]float64{0.8, 1.25})
	if math.Abs(mean-1) > 1e-9 || math.Abs(low*high-1) > 1e-9 || low > 0.1 {
		t.Fatalf("two rounds at 80%% and 125%%: %v (%v–%v), want 1 with an interval past 10%%–1000%%", mean, low, high)
	}
	six := []float64{0.88, 0.90, 0.92, 0.88, 0.90, 0.92}
	mean, low, high = meanOfRounds(six)
	m, se := meanAndError(logs(six))
	if math.Abs(mean-math.Exp(m)) > 1e-9 || math.Abs(high-math.Exp(m+2.571*se)) > 1e-9 || math.Abs(low-math.Exp(m-2.571*se)) > 1e-9 {
		t.Fatalf("six rounds: %v (%v–%v), want five degrees of freedom's 2.571 standard errors", mean, low, high)
	}
	if mean, _, _ := meanOfRounds([]float64{0.9}); !math.IsNaN(mean) {
		t.Fatalf("one round has no interval: %v", mean)
	}
}

func TestDelayProxyForwardsAfterTheDelay(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.URL.Path))
	}))
	defer upstream.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go delayLine(l, strings.TrimPrefix(upstream.URL, "http://"), 20*time.Millisecond) //nolint:errcheck // ends with l
	// Two requests on one connection: each answer is held back.
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	for _, path := range []string{"/devices/list", "/locks/list"} {
		start := time.Now()
		res, err := client.Get("http://" + l.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		buf := new(strings.Builder)
		_, _ = io.Copy(buf, res.Body)
		res.Body.Close()
		// A lower bound only: sleeping never takes less than asked.
		if elapsed := time.Since(start); elapsed < 20*time.Millisecond || buf.String() != path {
			t.Fatalf("after %s got %q, want %s after at least 20ms", elapsed, buf, path)
		}
	}
}

func TestParseCPUTime(t *testing.T) {
	// A command name may hold spaces and parentheses; utime and stime are
	// the 14th and 15th fields (250 and 70 ticks: 3.2 s).
	stat := "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 70 0 0 20 0 9 0 100 0 0"
	if got, ok := parseCPUTime(stat); !ok || got != 3200*time.Millisecond {
		t.Fatalf("got %s, %v; want 3.2s", got, ok)
	}
	for _, bad := range []string{"", "4242 (a) S 1 2", "4242 (a) S 1 4242 4242 0 -1 4194560 1000 0 0 0 x 70 0"} {
		if got, ok := parseCPUTime(bad); ok {
			t.Fatalf("%q: read %s", bad, got)
		}
	}
}

func TestCPUTimeOfARunningProcessGrows(t *testing.T) {
	before, ok := cpuTime(os.Getpid())
	if !ok {
		t.Skip("no /proc/PID/stat here: the CPU per answer row is left out")
	}
	// Busy until the reading grows by three ticks; a loaded machine may
	// give this goroutine little of the wall time.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if after, _ := cpuTime(os.Getpid()); after-before >= 30*time.Millisecond {
			return
		}
	}
	t.Fatal("10 s of busy work, and the process's CPU time read as before")
}
