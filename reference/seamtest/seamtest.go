// Package seamtest runs the reference implementation in-process for the
// tests of a Go client of the Seam API, and fails a test whose client sent
// any request that breaks the contract.
//
//	func TestDeleteIdentity(t *testing.T) {
//		seam := seamtest.Start(t)
//		client := myseam.New(seam.URL, seam.Seed.APIKey)
//		... // use the client; a bad request fails t at cleanup
//	}
package seamtest

import (
	mathrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reference/violations"
	"github.com/seamconform/seamconform/spec"
)

// TB is the part of testing.TB that Start uses; *testing.T and *testing.B
// satisfy it.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Server is the reference serving on a loopback port, its requests checked
// against the contract.
type Server struct {
	// URL is the endpoint, such as http://127.0.0.1:41767, to give the
	// client instead of https://connect.getseam.com.
	URL string
	// Seed holds working credentials: APIKey; PersonalAccessToken and
	// ConsoleSessionToken, each with WorkspaceID in seam-workspace.
	Seed fixtures.Seed

	checker *violations.Checker
}

// Start starts the reference for the test. At cleanup it fails t with
// every violation the client sent, then stops the server: the caller need
// not close it.
func Start(t TB) *Server { t.Helper(); return StartWith(t, reference.Options{}) }

// StartWith is Start with the reference's options (faults, a seed).
func StartWith(t TB, opts reference.Options) *Server {
	t.Helper()
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatalf("seamtest: %v", err)
		return nil
	}
	if opts.Seed == nil { // drawn once: a reset through the control API keeps the credentials
		seed := mathrand.Uint64()
		opts.Seed = &seed
	}
	ref, err := reference.New(opts)
	if err != nil {
		t.Fatalf("seamtest: %v", err)
		return nil
	}
	// The control API answers as serve's does, for a client's tests that
	// run against either: its reset starts the state afresh.
	var current atomic.Pointer[reference.Server]
	current.Store(ref)
	checker := violations.New(contract, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { current.Load().ServeHTTP(w, r) }), violations.Options{
		AnswerAsSeam: len(opts.Faults) == 0,
		Secrets:      ref.Seed().Secrets(),
		OnReset: func() {
			fresh, _ := reference.New(opts) // cannot fail: the same options worked above
			current.Store(fresh)
		},
	})
	var inFlight atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		checker.ServeHTTP(w, r)
	}))
	s := &Server{URL: ts.URL, Seed: ref.Seed(), checker: checker}
	t.Cleanup(func() {
		t.Helper() // the failure points at the test's call of Start
		if n := inFlight.Load(); n > 0 {
			// Close would wait for them, and a body that never ends
			// would hang the test binary until its timeout.
			t.Errorf("seamtest: %d request(s) still in flight when the test ended, cut off: a client call outlived its test", n)
			ts.CloseClientConnections()
		}
		ts.Close()
		if report := checker.SessionReport(); report.Count() > 0 { // a reset through the control API keeps them
			t.Errorf("seamtest: the client sent %d request(s) that break Seam's contract:\n%s", report.Count(), describe(report.Violations))
		}
	})
	return s
}

// Violations returns what the client sent that breaks the contract so far.
func (s *Server) Violations() []violations.Violation { return s.checker.SessionReport().Violations }

// Forget clears the violations recorded so far, after a test that sent bad
// requests on purpose has checked them.
func (s *Server) Forget() { s.checker.ForgetSession() }

func describe(vs []violations.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("  " + v.String() + "\n    sent: " + v.Request.Method + " " + v.Request.Target)
		if v.Request.Body != "" {
			b.WriteString(" " + v.Request.Body)
		}
		b.WriteString("\n")
	}
	return b.String()
}
