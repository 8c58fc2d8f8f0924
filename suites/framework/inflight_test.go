package framework

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/target"
)

// The sweep waits for the requests in flight, and no longer, while others
// start and end (a spec's clean-up that Ginkgo stopped waiting for sends
// one after another). A sync.WaitGroup panicked when a request started
// as the count dropped to zero: Ctrl-C during a slow request crashed the run.
func TestWaitingForRequestsInFlightWhileOthersStart(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Slow") != "" {
			arrived <- struct{}{}
			<-release
		}
	}))
	t.Cleanup(ts.Close)
	tg, err := target.NewHTTP(ts.URL, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	e := NewEnv(tg, c, fixtures.Seed{APIKey: testKey}, "run")
	probe := func() *Request { return Call(spec.GetWorkspace).As(e.As(SchemeAPIKey)) }

	go e.Do(probe().Header("X-Slow", "1"))
	<-arrived
	waited := make(chan struct{})
	go func() { e.waitInflight(5 * time.Second); close(waited) }()
	select {
	case <-waited:
		t.Fatal("the wait ended while a request was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	select {
	case <-waited:
	case <-time.After(2 * time.Second):
		t.Fatal("the wait went on after the request in flight ended")
	}

	for range 1000 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 5 {
				e.Do(probe())
			}
		}()
		for range 5 {
			e.waitInflight(5 * time.Second)
		}
		<-done
	}
}

// Once interrupted, no spec request starts: its check shares a lock with
// Interrupt, so the sweep waits for every one that did. Clean-up's still do.
func TestNoSpecRequestStartsOnceInterrupted(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	if !e.begin(true) {
		t.Fatal("a spec request was refused before any interrupt")
	}
	e.end()
	e.Interrupt()
	if e.begin(true) {
		t.Error("a spec request started after the interrupt")
	}
	if !e.begin(false) {
		t.Error("a clean-up request was refused after the interrupt")
	}
	e.end()
}
