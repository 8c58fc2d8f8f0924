package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
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
}

func (r loadResult) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// runLoad sends spec from clients concurrent clients, each waiting for its
// answer before the next request (a closed loop, like wrk), for duration
// after a warm-up that is not measured.
func runLoad(spec loadSpec, clients int, warmup, duration time.Duration) loadResult {
	transport := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	start := time.Now()
	measureFrom, stop := start.Add(warmup), start.Add(warmup+duration)
	var mu sync.Mutex
	var all []time.Duration
	var errors int
	var firstError string
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			note := ""
			for {
				t0 := time.Now()
				if t0.After(stop) {
					break
				}
				status, err := send(client, spec)
				elapsed := time.Since(t0)
				if t0.Before(measureFrom) {
					continue
				}
				mine = append(mine, elapsed)
				if err != nil || status != spec.Want {
					bad++
					if note == "" {
						note = fmt.Sprintf("status %d, want %d (%v)", status, spec.Want, err)
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
		Requests: len(all), Errors: errors, Elapsed: duration, FirstError: firstError,
		P50: percentile(all, 0.50), P99: percentile(all, 0.99),
	}
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
