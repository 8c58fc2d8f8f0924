package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Limits far enough apart that the moment a connection closes tells which
// one closed it.
var testLimits = serveLimits{readHeader: 300 * time.Millisecond, read: 700 * time.Millisecond, write: 1100 * time.Millisecond, idle: 500 * time.Millisecond, maxConns: 8}

// guardedServer serves handler under limits on a loopback port.
func guardedServer(t *testing.T, limits serveLimits, handler http.Handler) (string, *http.Server) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := limits.guard(nil)
	srv := g.server(handler, io.Discard, nil)
	go func() { _ = srv.Serve(g.listen(l)) }()
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String(), srv
}

// Each way of holding a connection is cut off by its own limit, counted
// from where net/http's timeout of the same name counts: not before, and
// not much after.
func TestServeLimitsCloseAConnectionThatOverstays(t *testing.T) {
	sleepy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(2 * testLimits.write)
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	addr, _ := guardedServer(t, testLimits, sleepy)
	request := func(path, body string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	for _, tc := range []struct {
		name  string
		send  string
		limit time.Duration
	}{
		{"headers never ended", "POST / HTTP/1.1\r\nHost: x\r\n", testLimits.readHeader},
		{"body never ended", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}", testLimits.read},
		{"handler overran", request("/slow", "{}"), testLimits.write},
		{"idle after an answer", request("/", "{}"), testLimits.idle},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			start := time.Now()
			if _, err := io.WriteString(c, tc.send); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(c)
			if tc.name == "idle after an answer" {
				res, err := http.ReadResponse(r, nil)
				if err != nil {
					t.Fatalf("no answer: %v", err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				start = time.Now()
			}
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			rest, err := io.ReadAll(r)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("the connection was not closed within 10 s (%v); read %q", err, rest)
			}
			if took < tc.limit || took > tc.limit+time.Second {
				t.Errorf("closed after %s; want it closed at its limit, %s", took.Round(time.Millisecond), tc.limit)
			}
			if tc.name == "handler overran" && len(rest) > 0 {
				t.Errorf("an answer came after the write limit: %q", rest)
			}
		})
	}
}

// A connection that keeps working is never cut off: requests on one
// keep-alive connection, each with a handler slower than the read limit
// (the body was read before it) and pauses shorter than the idle limit,
// for twice the longest limit.
func TestServeLimitsLetAWorkingConnectionGoOn(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		time.Sleep(testLimits.read + 100*time.Millisecond)
		_, _ = w.Write(body)
	})
	addr, _ := guardedServer(t, testLimits, slow)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	deadline := time.Now().Add(2 * testLimits.write)
	for i := 0; time.Now().Before(deadline); i++ {
		body := `{"n":` + strconv.Itoa(i) + `}`
		if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("request %d on the same connection: %v", i, err)
		}
		got, _ := io.ReadAll(res.Body)
		if string(got) != body {
			t.Fatalf("request %d: answered %q, want %q", i, got, body)
		}
		time.Sleep(testLimits.idle / 2)
	}
}

// A server shutting down waits for its active connections, which keep
// their limits: a client that stalls cannot hold the shutdown past them.
func TestServeLimitsHoldWhileShuttingDown(t *testing.T) {
	addr, srv := guardedServer(t, testLimits, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
	}))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the request is active
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v after %s; the stalled body should have been cut at %s", err, time.Since(start).Round(time.Millisecond), testLimits.read)
	}
	if took := time.Since(start); took > testLimits.read+time.Second {
		t.Errorf("shutdown took %s", took.Round(time.Millisecond))
	}
}

// Clients that keep their connections open between requests (a fresh
// transport per test, say) hold every slot while idle: the next client
// takes the slot of the one idle longest instead of waiting for the idle
// timeout.
func TestServeLimitsAnIdleConnectionGivesItsSlotUp(t *testing.T) {
	env := serveInProcess(t, io.Discard, "--max-conns", "2", "--idle-timeout", "1h")
	request := func(timeout time.Duration) error { return keptAliveRequest(env, timeout) }
	for range 2 {
		if err := request(5 * time.Second); err != nil {
			t.Fatalf("a request to fill a slot: %v", err)
		}
	}
	if err := request(3 * time.Second); err != nil {
		t.Fatalf("with every slot held by an idle connection: %v; want an answer", err)
	}
}

// A new connection that found every slot busy takes the slot of one that
// goes idle afterwards, not waiting for the idle timeout.
func TestServeLimitsAWaitingConnectionTakesASlotThatGoesIdle(t *testing.T) {
	env := serveInProcess(t, io.Discard, "--max-conns", "2", "--idle-timeout", "1h", "--sdk-fault", "latency:500ms@/workspaces/get")
	request := func(timeout time.Duration) error { return keptAliveRequest(env, timeout) }
	busy := make(chan error, 2)
	for range 2 {
		go func() { busy <- request(5 * time.Second) }()
	}
	time.Sleep(200 * time.Millisecond) // both slots are busy in the latency fault
	if err := request(3 * time.Second); err != nil {
		t.Fatalf("a connection waiting while both slots were busy: %v; want an answer once they went idle", err)
	}
	for range 2 {
		if err := <-busy; err != nil {
			t.Errorf("a request holding a slot: %v", err)
		}
	}
}

// keptAliveRequest asks serve POST /workspaces/get on a transport of its
// own, and reads the answer to its end: the connection stays open, idle.
func keptAliveRequest(env map[string]string, timeout time.Duration) error {
	req, _ := http.NewRequest(http.MethodPost, env["SEAM_ENDPOINT"]+"/workspaces/get", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+env["SEAM_API_KEY"])
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: timeout, Transport: &http.Transport{}}).Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body)
	return err
}
