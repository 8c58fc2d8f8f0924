package main

import (
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reference/sdkfaults"
	"github.com/seamconform/seamconform/suites/framework"
)

// serveLimits bound what one client can hold of serve: a connection that
// sends slowly is closed after the read timeout, one that reads slowly after
// the write timeout, an idle one after the idle timeout, and no more than
// maxConns connections are open at once. Further connections wait in the
// kernel's accept queue, not in the process, so a flood cannot exhaust its
// open files and a normal request is served once a slot frees.
type serveLimits struct {
	readHeader, read, write, idle time.Duration
	maxConns                      int
}

func addServeLimits(fs *flag.FlagSet) *serveLimits {
	l := &serveLimits{}
	fs.DurationVar(&l.readHeader, "read-header-timeout", 5*time.Second, "time limit to read a request's headers")
	fs.DurationVar(&l.read, "read-timeout", 10*time.Second, "time limit to read a whole request, body included")
	fs.DurationVar(&l.write, "write-timeout", 30*time.Second, "time limit to write an answer, from the end of the request's headers (a --sdk-fault latency is added)")
	fs.DurationVar(&l.idle, "idle-timeout", 60*time.Second, "how long an idle keep-alive connection stays open")
	fs.IntVar(&l.maxConns, "max-conns", 512, "connections open at once; more wait to be accepted")
	return l
}

func (l *serveLimits) check() error {
	for name, d := range map[string]time.Duration{"--read-header-timeout": l.readHeader, "--read-timeout": l.read, "--write-timeout": l.write, "--idle-timeout": l.idle} {
		if d <= 0 {
			return usagef("%s must be positive, got %s", name, d)
		}
	}
	if l.maxConns < 1 {
		return usagef("--max-conns must be at least 1, got %d", l.maxConns)
	}
	return nil
}

// maxRequestHeader bounds a request's headers; the reference bounds bodies.
const maxRequestHeader = 64 << 10

// server returns the HTTP server for handler, logging to log, with the
// limits; sdkFaults lengthen the write timeout by their latency so that a
// delayed answer is still written.
func (l *serveLimits) server(handler http.Handler, log io.Writer, sdkFaults []string) *http.Server {
	return &http.Server{
		Handler:           reference.LogRequests(handler, log),
		ReadHeaderTimeout: min(l.readHeader, l.read),
		ReadTimeout:       l.read,
		WriteTimeout:      l.write + longestLatency(sdkFaults),
		IdleTimeout:       l.idle,
		MaxHeaderBytes:    maxRequestHeader,
	}
}

func longestLatency(faults []string) time.Duration {
	var longest time.Duration
	for _, s := range faults {
		f, err := sdkfaults.Parse(s)
		if err != nil || f.Kind != "latency" {
			continue
		}
		d := time.Second // the fault's default
		if f.Arg != "" {
			d, _ = time.ParseDuration(f.Arg)
		}
		longest = max(longest, d)
	}
	return longest
}

// listen wraps l so that at most maxConns accepted connections are open.
func (l *serveLimits) listen(inner net.Listener) net.Listener {
	return &limitListener{Listener: inner, slots: make(chan struct{}, l.maxConns)}
}

// limitListener accepts a connection only when a slot is free; closing the
// connection frees it.
type limitListener struct {
	net.Listener
	slots     chan struct{}
	closeOnce sync.Once
	closed    chan struct{}
	initOnce  sync.Once
}

func (l *limitListener) done() chan struct{} {
	l.initOnce.Do(func() { l.closed = make(chan struct{}) })
	return l.closed
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done():
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done()) })
	return l.Listener.Close()
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// logLines returns w for a log written a line per write (the request log,
// VIOLATION lines): whatever a client put in a line (a path with %0A, a
// body value with ESC) is escaped, so it stays one line and cannot drive
// the terminal.
func logLines(w io.Writer) io.Writer { return lineWriter{w} }

type lineWriter struct{ w io.Writer }

func (l lineWriter) Write(p []byte) (int, error) {
	line, ended := strings.CutSuffix(string(p), "\n")
	escaped := framework.EscapeControl(line)
	if escaped == line && !strings.Contains(line, "\n") {
		if _, err := l.w.Write(p); err != nil { // the usual line, safe as it is
			return 0, err
		}
		return len(p), nil
	}
	line = strings.ReplaceAll(escaped, "\n", `\n`)
	if ended {
		line += "\n"
	}
	if _, err := io.WriteString(l.w, line); err != nil {
		return 0, err
	}
	return len(p), nil
}
