package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// loadSpec is one kind of request sent over and over.
type loadSpec struct {
	Method, URL string
	Header      http.Header
	Body        []byte
	// Want is the status every answer must have; others count as errors,
	// so a target that fails fast cannot look fast.
	Want int
}

// loadResult is what a load run measured.
type loadResult struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	// FirstError describes one unexpected answer, for the table's note.
	FirstError string
	latencies  []time.Duration // sorted, for pooling slices
}

func (r loadResult) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// runLoad sends spec from clients concurrent clients, each waiting for its
// answer before the next request (a closed loop, like wrk), for duration
// after a warm-up that is not measured.
func runLoad(spec loadSpec, clients int, warmup, duration time.Duration) loadResult {
	l := newLoader(spec, clients)
	defer l.close()
	l.run(warmup)
	return l.run(duration)
}

// loader sends one loadSpec from a fixed number of clients over one pool
// of connections, kept from one run to the next: a target can be measured
// in many short slices without connecting again.
type loader struct {
	spec      loadSpec
	clients   int
	transport *http.Transport
	client    *http.Client
}

func newLoader(spec loadSpec, clients int) *loader {
	transport := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	return &loader{spec: spec, clients: clients, transport: transport, client: &http.Client{Transport: transport, Timeout: 10 * time.Second}}
}

func (l *loader) close() { l.transport.CloseIdleConnections() }

// run sends requests in a closed loop for d and measures them all.
func (l *loader) run(d time.Duration) loadResult {
	if d <= 0 {
		return loadResult{}
	}
	stop := time.Now().Add(d)
	var mu sync.Mutex
	var all []time.Duration
	var errors int
	var firstError string
	var wg sync.WaitGroup
	for range l.clients {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			note := ""
			for {
				t0 := time.Now()
				if t0.After(stop) {
					break
				}
				status, err := send(l.client, l.spec)
				mine = append(mine, time.Since(t0))
				if err != nil || status != l.spec.Want {
					bad++
					if note == "" {
						note = fmt.Sprintf("status %d, want %d (%v)", status, l.spec.Want, err)
					}
				}
			}
			mu.Lock()
			all = append(all, mine...)
			errors += bad
			if firstError == "" {
				firstError = note
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(all)
	return loadResult{
		Requests: len(all), Errors: errors, Elapsed: d, FirstError: firstError,
		P50: percentile(all, 0.50), P99: percentile(all, 0.99), latencies: all,
	}
}

// comparison is two targets measured in alternating slices.
type comparison struct {
	a, b loadResult // each target's slices together
	// ratios are a's throughput over b's, one per pair of slices.
	ratios []float64
}

// compare measures a and b, both warmed up, under the same load in pairs
// of short slices, one right after the other, the first of each pair
// alternating (ABBA). This shared machine's speed moves by ±15% from one
// second to the next: pairs of long runs minutes apart put a single ratio
// anywhere from 74% to 93%, where many short pairs cancel the drift.
func compare(a, b *loader, pairs int, slice time.Duration) comparison {
	var c comparison
	var aSlices, bSlices []loadResult
	for i := range pairs {
		var x, y loadResult
		if i%2 == 0 {
			x, y = a.run(slice), b.run(slice)
		} else {
			y, x = b.run(slice), a.run(slice)
		}
		aSlices, bSlices = append(aSlices, x), append(bSlices, y)
		if y.Requests > 0 {
			c.ratios = append(c.ratios, x.PerSecond()/y.PerSecond())
		}
	}
	c.a, c.b = pooled(aSlices), pooled(bSlices)
	return c
}

// pooled is the slices of one target taken as one run.
func pooled(runs []loadResult) loadResult {
	var p loadResult
	var all []time.Duration
	for _, s := range runs {
		p.Requests += s.Requests
		p.Errors += s.Errors
		p.Elapsed += s.Elapsed
		if p.FirstError == "" {
			p.FirstError = s.FirstError
		}
		all = append(all, s.latencies...)
	}
	slices.Sort(all)
	p.P50, p.P99, p.latencies = percentile(all, 0.50), percentile(all, 0.99), all
	return p
}

// geometricMean is the mean ratio, taken over the ratios' logarithms as a
// ratio's mean must be (a pair at 80% and one at 125% average to 100%).
func geometricMean(ratios []float64) float64 {
	mean, _ := meanAndError(logs(ratios))
	return math.Exp(mean) // NaN for none
}

func logs(ratios []float64) []float64 {
	out := make([]float64, len(ratios))
	for i, r := range ratios {
		out[i] = math.Log(r)
	}
	return out
}

func send(client *http.Client, spec loadSpec) (int, error) {
	req, err := http.NewRequest(spec.Method, spec.URL, bytes.NewReader(spec.Body))
	if err != nil {
		return 0, err
	}
	req.Header = spec.Header.Clone()
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body) // drain, so the connection is reused
	res.Body.Close()
	return res.StatusCode, nil
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p))]
}

// meanOfRounds is the mean of the rounds' ratios, over their logarithms,
// with its 95% interval from how far the rounds differ (Student's t: a few
// rounds say less than many).
func meanOfRounds(means []float64) (mean, low, high float64) {
	n := len(means)
	if n < 2 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	m, se := meanAndError(logs(means))
	t := studentT975[min(n-1, len(studentT975))-1]
	return math.Exp(m), math.Exp(m - t*se), math.Exp(m + t*se)
}

// studentT975 is the 97.5% quantile of Student's t with 1, 2, … degrees of
// freedom; beyond the table, the last.
var studentT975 = []float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228}

func meanAndError(xs []float64) (mean, standardError float64) {
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	var squares float64
	for _, x := range xs {
		squares += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(squares / (n - 1) / n)
}

// cpuTime is the user and system CPU a running process has used so far,
// read from Linux's /proc; false elsewhere.
func cpuTime(pid int) (time.Duration, bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	return parseCPUTime(string(stat))
}

// parseCPUTime reads utime and stime, fields 14 and 15 of proc(5)'s stat
// line, counted after the command name: it is in parentheses and may
// hold spaces and parentheses itself.
func parseCPUTime(stat string) (time.Duration, bool) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, false
	}
	fields := strings.Fields(stat[end+1:]) // from field 3, the state
	if len(fields) < 13 {
		return 0, false
	}
	user, err1 := strconv.ParseInt(fields[11], 10, 64)
	system, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	// In clock ticks of USER_HZ, which Linux fixes at 100 for /proc on
	// the architectures Go runs on.
	return time.Duration(user+system) * 10 * time.Millisecond, true
}
