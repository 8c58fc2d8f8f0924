package reference

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A path cannot forge a log line (%0A) or reach the terminal as a control
// byte (%1B): the log shows it percent-encoded, one line per request.
func TestLogLineCannotBeForged(t *testing.T) {
	var log bytes.Buffer
	h := LogRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) }), &log)
	for _, path := range []string{
		"/x%0A2026-01-01T00:00:00Z%20POST%20/user_identities/delete%20200%201ms%20forged",
		"/x%0D%1B%5B2J%00%E2%80%AE",
		"/x%E2%80%AEdeleted",
	} {
		log.Reset()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, path, nil))
		line := log.String()
		if strings.Count(line, "\n") != 1 || strings.ContainsAny(line[:len(line)-1], "\n\r\x1b\x00\u202e") {
			t.Errorf("path %s logged as %q", path, line)
		}
		if !strings.Contains(line, " POST /x%") || !strings.Contains(line, " 404 ") {
			t.Errorf("path %s: the line does not show the encoded path and status: %q", path, line)
		}
	}
}
