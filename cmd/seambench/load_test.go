package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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

func TestDelayProxyForwardsAfterTheDelay(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.URL.Path))
	}))
	defer upstream.Close()
	u, _ := url.Parse(upstream.URL)
	proxy := httptest.NewServer(delayProxy(u, 20*time.Millisecond))
	defer proxy.Close()
	start := time.Now()
	res, err := http.Get(proxy.URL + "/devices/list")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf := new(strings.Builder)
	_, _ = io.Copy(buf, res.Body)
	// A lower bound only: sleeping never takes less than asked.
	if elapsed := time.Since(start); elapsed < 20*time.Millisecond || buf.String() != "/devices/list" {
		t.Fatalf("after %s got %q, want /devices/list after at least 20ms", elapsed, buf)
	}
}
