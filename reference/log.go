package reference

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seamconform/seamconform/spec"
)

// LogRequests writes one line per request to w: time, method, path, status,
// duration and request ID. It never writes headers or bodies, so
// credentials cannot reach the log through them, and it writes the path
// percent-encoded, so a client cannot forge a line with %0A or drive the
// terminal with %1B: as it came, or as path returns it (serve's replaces a
// credential a client put in a path the contract does not have).
func LogRequests(h http.Handler, w io.Writer, path func(*http.Request) string) http.Handler {
	if path == nil {
		path = func(r *http.Request) string { return r.URL.EscapedPath() }
	}
	var mu sync.Mutex
	var second atomic.Pointer[stamp] // the time of the last second a line was written in
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK, start: time.Now()}
		// Deferred so that a connection dropped on purpose (an SDK fault's
		// reset, which panics out of the handler) has its line too.
		defer rec.log(r, path, w, &mu, &second)
		h.ServeHTTP(rec, r)
		rec.answered = true
	})
}

// log writes the request's line. It is put together before taking the
// lock, without fmt, in a pooled buffer, and with the time formatted once a
// second: a busy server writes a line for every request.
func (rec *statusRecorder) log(r *http.Request, path func(*http.Request) string, w io.Writer, mu *sync.Mutex, second *atomic.Pointer[stamp]) {
	start := rec.start
	s := second.Load()
	if s == nil || s.unix != start.Unix() {
		s = &stamp{start.Unix(), start.UTC().Format(time.RFC3339)}
		second.Store(s)
	}
	buf := linePool.Get().(*[]byte)
	line := append((*buf)[:0], s.text...)
	line = append(append(append(append(line, ' '), r.Method...), ' '), path(r)...)
	if rec.answered {
		line = strconv.AppendInt(append(line, ' '), int64(rec.status), 10)
	} else {
		line = append(line, " dropped"...)
	}
	// Milliseconds to the microsecond, in ASCII: no µ for the log's
	// escaping to look at, no string to allocate.
	us := time.Since(start).Microseconds()
	line = strconv.AppendInt(append(line, ' '), us/1000, 10)
	line = append(append(line, '.', byte('0'+us/100%10), byte('0'+us/10%10), byte('0'+us%10)), "ms"...)
	line = append(append(append(line, ' '), spec.HeaderValue(rec.Header(), requestIDHeader)...), '\n')
	mu.Lock()
	_, _ = w.Write(line) // the writer copies what it keeps: the buffer goes back to the pool
	mu.Unlock()
	*buf = line
	linePool.Put(buf)
}

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 160); return &b }}

// requestIDHeader is seam-request-id in canonical form, which
// Header.Get and Header.Set need not rewrite.
const requestIDHeader = "Seam-Request-Id"

type stamp struct {
	unix int64
	text string
}

// statusRecorder is a request's state in the log: one allocation per
// request.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	start    time.Time
	answered bool // the handler returned, rather than dropping the connection
}

// Unwrap lets http.ResponseController reach the connection (an SDK fault's
// reset hijacks it).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
