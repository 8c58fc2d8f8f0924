package reference

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// A path cannot forge a log line (%0A) or reach the terminal as a control
// byte (%1B): the log shows it percent-encoded, one line per request.
func TestLogLineCannotBeForged(t *testing.T) {
	var log bytes.Buffer
	h := LogRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) }), &log, nil)
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

// A line is the time, method, escaped path, status, duration and request
// ID, separated by spaces.
func TestLogLineFields(t *testing.T) {
	var log bytes.Buffer
	h := LogRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("seam-request-id", "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3")
		w.WriteHeader(http.StatusTeapot)
	}), &log, nil)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodDelete, "/user_identities/delete?user_identity_id=x", nil))
	line := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ DELETE /user_identities/delete 418 [0-9]+\.[0-9]{3}ms 7ad2566e-6fd8-466d-b8e4-c10a14a74fd3\n$`)
	if !line.MatchString(log.String()) {
		t.Errorf("log line %q", log.String())
	}
}
