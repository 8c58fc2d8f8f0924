package reference

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// LogRequests writes one line per request to w: time, method, path, status,
// duration and request ID. It never writes headers or bodies, so
// credentials cannot reach the log, and it writes the path as it came,
// percent-encoded, so a client cannot forge a line with %0A or drive the
// terminal with %1B.
func LogRequests(h http.Handler, w io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "%s %s %s %d %s %s\n", start.UTC().Format(time.RFC3339), r.Method, r.URL.EscapedPath(), rec.status,
			time.Since(start).Round(time.Microsecond), rw.Header().Get("seam-request-id"))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
