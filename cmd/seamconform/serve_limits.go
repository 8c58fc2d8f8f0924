package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reference/sdkfaults"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/framework"
)

// serveLimits bound what one client can hold of serve: a connection that
// sends slowly is closed after the read timeout, one that reads slowly after
// the write timeout, an idle one after the idle timeout, and no more than
// maxConns connections are open at once (an idle one gives its slot up to
// a new one). Further connections wait in the kernel's accept queue, not
// in the process, so a flood cannot exhaust its open files and a normal
// request is served once a slot frees.
//
// The time limits are kept by one watchdog over the open connections, not
// by net/http's timeouts: those set a connection's deadlines five times in
// every request, and the runtime timers behind them cost serve about 5 µs
// of CPU per request, as much as checking the request against the contract.
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

// maxRequestBody is as much of a body as the checker and the reference read.
const maxRequestBody = 1 << 20

// guard returns what keeps the limits of one server; sdkFaults lengthen
// the write timeout by their latency so that a delayed answer is still
// written.
func (l *serveLimits) guard(sdkFaults []string) *connGuard {
	g := &connGuard{
		readHeader: min(l.readHeader, l.read), read: l.read, write: l.write + longestLatency(sdkFaults), idle: l.idle,
		epoch: time.Now(), slots: make(chan struct{}, l.maxConns), conns: map[*guardedConn]struct{}{}, closed: make(chan struct{}), wentIdle: make(chan struct{}, 1),
	}
	// A limit is kept to within a tenth of the shortest, at least every
	// millisecond and at most every half second.
	g.every = min(max(min(g.readHeader, g.read, g.write, g.idle)/10, time.Millisecond), 500*time.Millisecond)
	return g
}

// connGuard keeps serve's limits on the connections it accepts. Each
// connection is in one phase at a time, with the time it must leave it by:
//
//	awaiting  a request's headers, from its first byte (or the connection's
//	          start): the read-header timeout
//	reading   the body, from the same moment: the read timeout
//	answering the handler and its answer, from the end of the headers: the
//	          write timeout
//	idle      between requests: the idle timeout
//
// as net/http's timeouts of the same names would. The watchdog closes a
// connection that overstays.
type connGuard struct {
	readHeader, read, write, idle time.Duration
	every                         time.Duration // the watchdog's round

	epoch time.Time // times are nanoseconds since, on the monotonic clock
	slots chan struct{}

	mu    sync.Mutex
	conns map[*guardedConn]struct{}
	// handling counts the handlers running, for a shutdown to wait for
	// those it cut off (their connections are forgotten once closed).
	handling atomic.Int64

	closeOnce sync.Once
	closed    chan struct{}
	// wentIdle tells Accept, waiting for a slot, that a connection went
	// idle: it may take that one's slot.
	wentIdle chan struct{}
}

const (
	awaiting int32 = iota
	reading
	answering
	idle
)

// timeoutNames say, by phase, which limit a connection overstayed.
var timeoutNames = [...]string{awaiting: "at the read-header timeout", reading: "at the read timeout", answering: "at the write timeout", idle: "at the idle timeout"}

// cutAll marks every open connection as cut off by serve, for why, before
// a shutdown closes them.
func (g *connGuard) cutAll(why string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		c.cut.CompareAndSwap(nil, &why)
	}
}

func (g *connGuard) now() int64 { return int64(time.Since(g.epoch)) }

// server returns the HTTP server for handler, logging to log each request's
// path as logPath gives it, whose connections g guards once it serves on
// g.listen's listener.
func (g *connGuard) server(handler http.Handler, log io.Writer, logPath func(*http.Request) string) *http.Server {
	logged := reference.LogRequests(g.handler(handler), log, logPath)
	return &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			g.handling.Add(1)
			defer g.handling.Add(-1) // also when the handler drops the connection (a panic)
			logged.ServeHTTP(w, r)
		}),
		MaxHeaderBytes: maxRequestHeader,
		ConnState:      g.connState,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, guardedKey{}, c)
		},
	}
}

type guardedKey struct{}

// handler reads the body before next runs, so that reading it is held to
// the read timeout and the handler to the write timeout, as with net/http's
// own. next reads the same bytes, from memory (spec.BufferBody).
func (g *connGuard) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received := r.Body
		_, _ = spec.BufferBody(r, maxRequestBody) // a body cut short is next's to answer: it reads the error again
		if c, ok := r.Context().Value(guardedKey{}).(*guardedConn); ok {
			c.due.Store(c.headersEnd + int64(g.write))
			c.phase.Store(answering)
		}
		next.ServeHTTP(w, r)
		r.Body = received // net/http's own, read to its end: it need not drain it
	})
}

func (g *connGuard) connState(nc net.Conn, state http.ConnState) {
	c, ok := nc.(*guardedConn)
	if !ok {
		return
	}
	switch now := g.now(); state {
	case http.StateActive: // the headers are in
		if c.phase.Load() != awaiting { // a pipelined request, read ahead
			c.start = now
		}
		c.headersEnd = now
		c.due.Store(c.start + int64(g.read))
		c.phase.Store(reading)
	case http.StateIdle:
		c.due.Store(now + int64(g.idle))
		c.phase.Store(idle)
		select {
		case g.wentIdle <- struct{}{}: // for a new connection waiting for a slot
		default:
		}
	case http.StateHijacked, http.StateClosed:
		g.forget(c)
	}
}

// listen wraps inner so that at most maxConns accepted connections are
// open, each guarded, and starts the watchdog.
func (g *connGuard) listen(inner net.Listener) net.Listener {
	go g.watch()
	return &guardedListener{Listener: inner, g: g}
}

// watch closes what overstays, every round, until the listener is closed
// and the last connection with it: a server shutting down waits for its
// active connections, which must still keep their limits.
func (g *connGuard) watch() {
	tick := time.NewTicker(g.every)
	defer tick.Stop()
	var overdue []*guardedConn
	for range tick.C {
		now := g.now()
		g.mu.Lock()
		for c := range g.conns {
			if now > c.due.Load() {
				overdue = append(overdue, c)
			}
		}
		open := len(g.conns)
		g.mu.Unlock()
		select {
		case <-g.closed:
			if open == 0 {
				return
			}
		default:
		}
		for _, c := range overdue {
			c.cut.CompareAndSwap(nil, &timeoutNames[c.phase.Load()])
			c.Close() // what blocks on it fails, and net/http ends the connection
		}
		overdue = overdue[:0]
	}
}

// settle waits, up to limit, for the handlers a shutdown cut off to
// return: what they record and log belongs to the session's reports.
func (g *connGuard) settle(limit time.Duration) {
	for end := time.Now().Add(limit); g.handling.Load() > 0 && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
}

func (g *connGuard) forget(c *guardedConn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
}

type guardedListener struct {
	net.Listener
	g *connGuard
}

// Accept takes a slot for each connection it accepts; closing the
// connection frees it. When every slot is held, the connection idle
// longest between requests gives its slot up: its client opens another
// when it needs one, as a client does after an idle timeout. (A client
// that keeps a fresh transport per test would otherwise hold every slot
// with idle connections, and starve the next.) With none idle, the new
// connection waits for a slot, and those after it in the kernel's queue.
func (l *guardedListener) Accept() (net.Conn, error) {
	g := l.g
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if !g.takeSlot() {
		nc.Close()
		return nil, net.ErrClosed
	}
	c := &guardedConn{Conn: nc, g: g, start: g.now()}
	c.due.Store(c.start + int64(g.readHeader))
	g.mu.Lock()
	g.conns[c] = struct{}{}
	g.mu.Unlock()
	return c, nil
}

// takeSlot takes a slot for a new connection, closing the idlest one when
// every slot is held, or waiting for one to be free or to go idle; false
// once the listener is closed.
func (g *connGuard) takeSlot() bool {
	for {
		select {
		case g.slots <- struct{}{}:
			return true
		default:
		}
		g.closeIdlest()
		select {
		case g.slots <- struct{}{}:
			return true
		case <-g.wentIdle: // a connection busy a moment ago may now give its slot up
		case <-g.closed:
			return false
		}
	}
}

// closeIdlest closes the connection idle longest, if any is idle. A
// request that arrives on it the moment it closes fails as one does on any
// server's idle timeout: clients retry those.
func (g *connGuard) closeIdlest() {
	var idlest *guardedConn
	g.mu.Lock()
	for c := range g.conns {
		if c.phase.Load() == idle && (idlest == nil || c.due.Load() < idlest.due.Load()) {
			idlest = c
		}
	}
	g.mu.Unlock()
	if idlest != nil {
		idlest.Close() // frees its slot
	}
}

func (l *guardedListener) Close() error {
	l.g.closeOnce.Do(func() { close(l.g.closed) })
	return l.Listener.Close()
}

type guardedConn struct {
	net.Conn
	g     *connGuard
	phase atomic.Int32
	due   atomic.Int64 // the watchdog closes the connection after it
	// Written and read by the connection's own goroutine only.
	start      int64 // the first byte of the request being read
	headersEnd int64
	closeOnce  sync.Once
	cut        atomic.Pointer[string] // why serve cut it off (a limit, shutdown), if it did
}

// cutOff says why serve closed r's connection ("at the write timeout", "at
// shutdown"), or "" when it did not: its client did.
func cutOff(r *http.Request) string {
	if c, ok := r.Context().Value(guardedKey{}).(*guardedConn); ok {
		if why := c.cut.Load(); why != nil {
			return *why
		}
	}
	return ""
}

// NetConn is the connection under the guard, for a reset to set its linger.
func (c *guardedConn) NetConn() net.Conn { return c.Conn }

// Read notes the first bytes of a request after an idle spell: its headers
// are due within the read-header timeout from now.
func (c *guardedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.phase.Load() == idle {
		c.start = c.g.now()
		c.due.Store(c.start + int64(c.g.readHeader))
		c.phase.Store(awaiting)
	}
	return n, err
}

func (c *guardedConn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() {
		c.g.forget(c)
		<-c.g.slots
	})
	return err
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

// logLines returns w for a log written a line per write (the request log,
// VIOLATION lines): whatever a client put in a line (a path with %0A, a
// body value with ESC) is escaped, so it stays one line and cannot drive
// the terminal.
func logLines(w io.Writer) io.Writer { return lineWriter{w} }

type lineWriter struct{ w io.Writer }

func (l lineWriter) Write(p []byte) (int, error) {
	if printableASCII(p) { // the usual line, safe as it is
		return l.w.Write(p)
	}
	line, ended := strings.CutSuffix(string(p), "\n")
	escaped := framework.EscapeControl(line)
	if escaped == line && !strings.Contains(line, "\n") {
		if _, err := l.w.Write(p); err != nil { // other text, safe as it is
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

// printableASCII reports whether p is printable ASCII and tabs, but for a
// newline at its end: what the escaping leaves as it is.
func printableASCII(p []byte) bool {
	p = bytes.TrimSuffix(p, []byte("\n"))
	for _, c := range p {
		if (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}
