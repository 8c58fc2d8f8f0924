package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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

// The median run is the one of median throughput, whatever their order.
func TestMedianLoadIsTheRunOfMedianThroughput(t *testing.T) {
	run := func(requests int) loadResult { return loadResult{Requests: requests, Elapsed: time.Second} }
	if got := medianLoad([]loadResult{run(300), run(100), run(200)}); got.Requests != 200 {
		t.Fatalf("median of 300, 100 and 200 req/s: %d", got.Requests)
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
