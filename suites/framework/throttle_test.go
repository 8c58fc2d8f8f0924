package framework

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/target"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		retry  int
		want   time.Duration
	}{
		{"0", 0, 0},
		{"2", 3, 2 * time.Second},
		{"3600", 0, maxThrottleWait}, // capped
		{"99999999999999999999", 0, 500 * time.Millisecond}, // not a number Go can hold: back off
		{now.Add(3 * time.Second).Format(http.TimeFormat), 0, 3 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, 0}, // already past
		{"", 0, 500 * time.Millisecond},
		{"", 2, 2 * time.Second},
		{"soon", 1, time.Second},
		{"-5", 0, 500 * time.Millisecond},
		{"", 10, maxThrottleWait},
	} {
		if got := retryAfter(tc.header, tc.retry, now); got != tc.want {
			t.Errorf("retryAfter(%q, %d) = %s, want %s", tc.header, tc.retry, got, tc.want)
		}
	}
}

// throttledEnv targets a server that answers 429 to the first `times`
// requests, then 200 with the body it was sent.
func throttledEnv(t *testing.T, times int32, wait string) (*Env, *atomic.Int32) {
	t.Helper()
	var seen atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= times {
			w.Header().Set("Retry-After", wait)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(w, r.Body)
	}))
	t.Cleanup(ts.Close)
	tg, err := target.NewHTTP(ts.URL, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return NewEnv(tg, c, fixtures.Seed{APIKey: testKey}, "run"), &seen
}

func TestThrottledRequestIsSentAgainWithItsBody(t *testing.T) {
	e, seen := throttledEnv(t, 3, "0")
	x := e.Do(Call(spec.GetIdentity).As(e.As(SchemeAPIKey)).JSON(map[string]any{"user_identity_id": "x"}))
	if x.Err != nil || x.Status != http.StatusOK || string(x.Body) != `{"user_identity_id":"x"}` {
		t.Fatalf("after three 429s: %v, status %d, body %q; want 200 with the body sent", x.Err, x.Status, x.Body)
	}
	if e.Throttled() != 3 || seen.Load() != 4 {
		t.Fatalf("throttled %d, sent %d; want 3 and 4", e.Throttled(), seen.Load())
	}
}

func TestThrottlingIsBounded(t *testing.T) {
	e, seen := throttledEnv(t, 1000, "0")
	x := e.Do(Call(spec.GetIdentity).As(e.As(SchemeAPIKey)).JSON(map[string]any{"user_identity_id": "x"}))
	if x.Status != http.StatusTooManyRequests || seen.Load() != maxThrottleRetries+1 || e.Throttled() != maxThrottleRetries+1 {
		t.Fatalf("status %d after %d requests (%d throttled); want 429 after %d", x.Status, seen.Load(), e.Throttled(), maxThrottleRetries+1)
	}
}

// A spec's request waiting out a 429 when the run is interrupted stops
// waiting, with the 429 as its answer; a clean-up request, sent after the
// interrupt, keeps honouring them.
func TestInterruptStopsThrottledSpecRequests(t *testing.T) {
	e, seen := throttledEnv(t, 1000, "5")
	time.AfterFunc(100*time.Millisecond, e.Interrupt)
	x := e.Do(Call(spec.GetIdentity).As(e.As(SchemeAPIKey)).JSON(map[string]any{}))
	if x.Status != http.StatusTooManyRequests || seen.Load() != 1 {
		t.Fatalf("request interrupted while throttled: status %d after %d requests; want 429 after 1", x.Status, seen.Load())
	}

	e, seen = throttledEnv(t, 1000, "0")
	e.Interrupt()
	e.Do(Call(spec.GetIdentity).As(e.As(SchemeAPIKey)).JSON(map[string]any{}))
	if seen.Load() != maxThrottleRetries+1 {
		t.Fatalf("clean-up request: %d requests; want every retry (%d)", seen.Load(), maxThrottleRetries+1)
	}
}

// A wait that would run past the specs' time limit, or the clean-up's, is
// not taken: the 429 stands, and the run ends as its limit says.
func TestThrottleWaitsKeepTheTimeLimits(t *testing.T) {
	e, seen := throttledEnv(t, 1000, "5")
	e.SetRunDeadline(time.Now().Add(time.Second), "--run-timeout 1s")
	if x := e.Do(Call(spec.GetIdentity).As(e.As(SchemeAPIKey)).JSON(map[string]any{})); x.Status != http.StatusTooManyRequests || seen.Load() != 1 {
		t.Fatalf("a 5 s wait with 1 s left: status %d after %d requests; want 429 after 1", x.Status, seen.Load())
	}

	e, seen = throttledEnv(t, 1000, "5")
	e.Interrupt() // the clean-up
	e.mu.Lock()
	e.cleanupDeadline = time.Now().Add(time.Second)
	e.mu.Unlock()
	if x := e.Do(Call(spec.GetIdentity).As(e.As(SchemeAPIKey)).JSON(map[string]any{})); x.Status != http.StatusTooManyRequests || seen.Load() != 1 {
		t.Fatalf("a clean-up's 5 s wait with 1 s left: status %d after %d requests; want 429 after 1", x.Status, seen.Load())
	}
}

// An operation throttled past the suite's retries again and again is given
// up as one that does not answer: a sandbox that throttles it for good
// costs a few waits, not one per case until the run's time limit.
func TestAnOperationThrottledForGoodIsGivenUp(t *testing.T) {
	e, _ := throttledEnv(t, 1<<30, "0")
	for i := 1; i <= maxTimeoutsPerOperation; i++ {
		if x := e.Do(Call(spec.GetIdentity).As(e.As(SchemeAPIKey)).JSON(map[string]any{"user_identity_id": "x"})); x.Status != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", x.Status)
		}
		if given := e.givenUp(spec.GetIdentity, false); (given > 0) != (i == maxTimeoutsPerOperation) {
			t.Fatalf("after %d throttled requests: given up %d", i, given)
		}
	}
	// The clean-up still waits for it: a throttled delete is worth it.
	if given := e.givenUp(spec.GetIdentity, true); given != 0 {
		t.Errorf("the clean-up gave a throttled operation up: %d", given)
	}
}
