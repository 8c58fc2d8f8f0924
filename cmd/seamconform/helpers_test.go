package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

type exec_ExitError = exec.ExitError

func httptestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// syncBuffer is a bytes.Buffer safe for the server's and the test's
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ginkgoReport reads the report a run wrote with --json-report.
func ginkgoReport(t *testing.T, path string) types.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var reports []types.Report
	if err := json.Unmarshal(raw, &reports); err != nil || len(reports) != 1 {
		t.Fatalf("unreadable JSON report %s: %v", path, err)
	}
	return reports[0]
}

// readREADME is the README, which several tests hold to what the code does.
func readREADME(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// thingsDocument is a published document of one secured operation, POST
// /things/get, and none of Seam's: a vendor's own subset.
const thingsDocument = `{"openapi":"3.0.0","info":{"title":"things","version":"1"},
 "components":{"securitySchemes":{"api_key":{"type":"http","scheme":"bearer"}}},
 "paths":{"/things/get":{"post":{"operationId":"thingsGet","security":[{"api_key":[]}],
  "requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["thing_id"],"properties":{"thing_id":{"type":"string","format":"uuid"}}}}}},
  "responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","required":["ok"],"properties":{"ok":{"type":"boolean"}}}}}},
   "400":{"description":"bad"},"401":{"description":"unauthorized"}}}}}}`

// slowCounting wraps a served handler so that every answer takes delay,
// and counts the creates it has seen: a test waits for a number of them to
// interrupt a run mid-way.
func slowCounting(delay time.Duration) (func(http.Handler) http.Handler, *atomic.Int32) {
	var creates atomic.Int32
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/user_identities/create" {
				creates.Add(1)
			}
			time.Sleep(delay)
			h.ServeHTTP(w, r)
		})
	}, &creates
}
