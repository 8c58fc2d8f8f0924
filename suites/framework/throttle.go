package framework

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
)

// A 429 Too Many Requests answer says the endpoint is busy, not how it
// behaves: the suite waits as the answer says and sends the request again.
// A request still throttled after that leaves its spec could-not-check (an
// error of the run), never failed.
const (
	// maxThrottleRetries bounds how often one request is sent again.
	maxThrottleRetries = 5
	// maxThrottleWait caps one wait, whatever Retry-After asks for.
	maxThrottleWait = 10 * time.Second
)

// Throttled counts the 429 answers the run got, retried or not.
func (e *Env) Throttled() int64 { return e.throttled.Load() }

// do sends req, and sends it again after each 429 answer once Retry-After
// has passed (capped; without the header 0.5 s, doubling). A request that
// was sent before the run was interrupted gives up at the next 429; the
// clean-up, which sends after the interrupt, keeps honouring them.
func (e *Env) do(req *http.Request) (*http.Response, error) {
	client := e.Target.Client()
	cleanUp := e.closed.Load()
	for retry := 0; ; retry++ {
		res, err := client.Do(req)
		if err != nil || res.StatusCode != http.StatusTooManyRequests {
			return res, err
		}
		e.throttled.Add(1)
		if retry == maxThrottleRetries || (e.closed.Load() && !cleanUp) || (req.GetBody == nil && req.Body != nil && req.Body != http.NoBody) {
			return res, nil
		}
		wait := retryAfter(res.Header.Get("Retry-After"), retry, time.Now())
		body, _ := io.ReadAll(io.LimitReader(res.Body, MaxResponseBody))
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(body)) // the answer, should the wait not be taken
		next := req.Clone(req.Context())
		if req.GetBody != nil {
			if next.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		if !e.pause(req.Context(), wait, cleanUp) {
			return res, nil
		}
		req = next
	}
}

// pause waits d before a retry, and reports false instead when the wait
// would run past the specs' time limit (or the clean-up's), or when the run
// is interrupted or the request cancelled meanwhile: the 429 then stands,
// and the run ends as its limits say.
func (e *Env) pause(ctx context.Context, d time.Duration, cleanUp bool) bool {
	e.mu.Lock()
	limit := e.deadline
	if cleanUp {
		limit = e.cleanupDeadline
	}
	e.mu.Unlock()
	end := time.Now().Add(d)
	if !limit.IsZero() && end.After(limit) {
		return false
	}
	for wait := time.Until(end); wait > 0; wait = time.Until(end) {
		if !cleanUp && e.closed.Load() {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(min(wait, 100*time.Millisecond)): // an interrupt is seen within this
		}
	}
	return true
}

// retryAfter is how long to wait before the retry'th retry: what the
// Retry-After header says (seconds or an HTTP date), else an exponential
// back-off; never more than maxThrottleWait.
func retryAfter(header string, retry int, now time.Time) time.Duration {
	wait := (500 * time.Millisecond) << retry
	if s, err := strconv.Atoi(header); err == nil && s >= 0 {
		wait = time.Duration(min(s, 3600)) * time.Second
	} else if t, err := http.ParseTime(header); err == nil {
		wait = max(t.Sub(now), 0)
	}
	return min(wait, maxThrottleWait)
}

// skipIfThrottled ends the spec as could-not-check when its request stayed
// throttled: the endpoint said it was busy, not how it behaves.
func skipIfThrottled(x *Exchange) {
	if x.Err == nil && x.Status == http.StatusTooManyRequests {
		GinkgoHelper() // only here: it looks up its caller, and this runs for every exchange
		// Worded for both ends of the retries: all of them spent, or a wait
		// that would have passed the run's time limit not taken.
		CouldNotCheck(fmt.Sprintf("the endpoint kept answering %s with 429 Too Many Requests (the suite waited as Retry-After said, up to %d retries and within the run's time limits); try a lower --concurrency",
			x.Operation, maxThrottleRetries))
	}
}
