package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/seamconform/seamconform/reference"
)

// Issue 10: an error body of valid JSON followed by <html> passed the MUST
// that error answers conform to the contract (as JSON).
func TestErrorBodyWithTrailingDataFails(t *testing.T) {
	trailing := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			if rec.Code >= 400 && r.URL.Path != "/workspaces/get" {
				w.Write([]byte("<html><body>Bad Request</body></html>"))
			}
		})
	}
	_, env := served(t, reference.Options{}, trailing)
	r := seamconform(t, env, "run", "--no-color", "--label-filter", "response")
	expect(t, r, 1, "Verdict: NOT CONFORMANT", "response body is not one valid JSON value")
}
