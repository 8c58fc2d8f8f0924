// Package sdkfaults makes a handler answer the way any Seam client must
// survive: rate limited, a server error, unavailable, slow, or a connection
// reset, each on the operations it names. These test an SDK's error
// handling (its retries and error classes), where the reference's named
// faults test a conformance suite.
package sdkfaults

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seamconform/seamconform/fixtures"
)

// Kinds lists the faults with what each answers.
var Kinds = []struct{ Name, Answer string }{
	{"rate-limit", "429 with Retry-After (seconds, default 1: rate-limit:5) and Seam's envelope"},
	{"server-error", "500 with Seam's envelope"},
	{"unavailable", "503 with Retry-After: 1 and Seam's envelope"},
	{"latency", "the normal answer after a delay (latency:2s, default 1s)"},
	{"reset", "closes the connection without an answer (a TCP reset where possible)"},
}

// Fault is one parsed --sdk-fault.
type Fault struct {
	Kind  string
	Arg   string // the delay of latency, the Retry-After of rate-limit
	Times int    // how many matching requests it hits; 0: all of them
	Path  string // a path or a path.Match pattern; "": every path
	delay time.Duration
}

// Parse reads KIND[:ARG][*N][@PATH], for example rate-limit@/devices/list,
// latency:2s@/locks/*, server-error*1 (the first request only).
func Parse(s string) (Fault, error) {
	var f Fault
	rest, p, scoped := strings.Cut(s, "@")
	if scoped && p == "" {
		return f, fmt.Errorf("sdk fault %q: @ wants a path after it, such as @/devices/list", s)
	}
	f.Path = p
	if rest, times, ok := strings.Cut(rest, "*"); ok {
		n, err := strconv.Atoi(times)
		if err != nil || n < 1 {
			return f, fmt.Errorf("sdk fault %q: *N wants a positive count", s)
		}
		f.Times = n
		s = rest
	} else {
		s = rest
	}
	f.Kind, f.Arg, _ = strings.Cut(s, ":")
	known := false
	for _, k := range Kinds {
		known = known || k.Name == f.Kind
	}
	if !known {
		return f, fmt.Errorf("unknown sdk fault %q (want %s)", f.Kind, names())
	}
	if f.Path != "" {
		if _, err := path.Match(f.Path, "/"); err != nil || !strings.HasPrefix(f.Path, "/") {
			return f, fmt.Errorf("sdk fault %q: @PATH wants a path such as /devices/list or /locks/*", s)
		}
	}
	switch f.Kind {
	case "latency":
		f.delay = time.Second
		if f.Arg != "" {
			d, err := time.ParseDuration(f.Arg)
			if err != nil || d < 0 || d > 10*time.Minute {
				return f, fmt.Errorf("sdk fault latency:%s wants a duration up to 10m, such as 2s", f.Arg)
			}
			f.delay = d
		}
	case "rate-limit":
		if f.Arg == "" {
			f.Arg = "1"
		}
		if n, err := strconv.Atoi(f.Arg); err != nil || n < 0 {
			return f, fmt.Errorf("sdk fault rate-limit:%s wants whole seconds", f.Arg)
		}
	default:
		if f.Arg != "" {
			return f, fmt.Errorf("sdk fault %s takes no :ARG", f.Kind)
		}
	}
	return f, nil
}

func names() string {
	var out []string
	for _, k := range Kinds {
		out = append(out, k.Name)
	}
	return strings.Join(out, ", ")
}

func (f Fault) matches(p string) bool {
	if f.Path == "" {
		return true
	}
	ok, _ := path.Match(f.Path, p)
	return ok
}

// Wrap returns next with faults applied: the first fault that matches a
// request's path (and has hits left) answers it.
func Wrap(next http.Handler, faults []Fault) http.Handler {
	if len(faults) == 0 {
		return next
	}
	var mu sync.Mutex
	hits := make([]int, len(faults))
	pick := func(p string) (Fault, bool) {
		mu.Lock()
		defer mu.Unlock()
		for i, f := range faults {
			if f.matches(p) && (f.Times == 0 || hits[i] < f.Times) {
				hits[i]++
				return f, true
			}
		}
		return Fault{}, false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := pick(r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		switch f.Kind {
		case "latency":
			select {
			case <-time.After(f.delay):
			case <-r.Context().Done():
				// The client gave up or the server is shutting down: the
				// request is dropped, not answered 200 with nothing.
				panic(http.ErrAbortHandler)
			}
			next.ServeHTTP(w, r)
		case "rate-limit":
			w.Header().Set("Retry-After", f.Arg)
			envelope(w, http.StatusTooManyRequests, "rate_limited", "too many requests: retry after "+f.Arg+" s")
		case "server-error":
			envelope(w, http.StatusInternalServerError, "internal_server_error", "internal server error")
		case "unavailable":
			w.Header().Set("Retry-After", "1")
			envelope(w, http.StatusServiceUnavailable, "service_unavailable", "the service is unavailable")
		case "reset":
			reset(w)
		}
	})
}

func envelope(w http.ResponseWriter, status int, kind, message string) {
	requestID := fixtures.NewUUID() // as Seam's, and the reference's
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("seam-request-id", requestID)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]any{"type": kind, "message": message, "request_id": requestID},
		"ok":    false,
	})
}

// reset closes the connection with a TCP RST when the writer gives access
// to it, and otherwise with nothing written; either way the handler ends
// there, so nothing tries to answer on it.
func reset(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		raw := conn
		for {
			wrapped, ok := raw.(interface{ NetConn() net.Conn })
			if !ok {
				break
			}
			raw = wrapped.NetConn()
		}
		if tcp, ok := raw.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
		_ = conn.Close()
	}
	panic(http.ErrAbortHandler)
}
