package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seamconform/seamconform/spec"
)

// serveInProcess runs `seamconform serve args...` in-process, logging to
// log, until the test ends and returns the variables it printed.
func serveInProcess(t *testing.T, log io.Writer, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- serveCommand(ctx, args, outW, log); outW.Close() }()
	printed := map[string]string{}
	scanner := bufio.NewScanner(outR)
	for (printed["SEAM_ENDPOINT"] == "" || printed["SEAM_API_KEY"] == "") && scanner.Scan() {
		k, v, _ := strings.Cut(scanner.Text(), "=")
		printed[k] = v
	}
	go io.Copy(io.Discard, outR)
	if printed["SEAM_ENDPOINT"] == "" {
		cancel()
		t.Fatalf("serve %v printed no endpoint: %v", args, <-done)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	return printed
}

func TestServeRejectsBadLimits(t *testing.T) {
	for _, args := range [][]string{{"--read-timeout", "0s"}, {"--max-conns", "0"}, {"--idle-timeout", "-1s"}} {
		r := seamconform(t, nil, append([]string{"serve"}, args...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("serve %v: exit %d, stderr %q; want 2 and one line", args, r.code, r.stderr)
		}
	}
}

// slowBodies opens n connections that each announce a body and send it a
// byte at a time, as a slow-loris client does, until the server closes them
// or stop is closed.
func slowBodies(t *testing.T, endpoint string, n int, stop <-chan struct{}) *sync.WaitGroup {
	t.Helper()
	addr := strings.TrimPrefix(endpoint, "http://")
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer c.Close()
			if _, err := io.WriteString(c, "POST /user_identities/delete HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"); err != nil {
				return
			}
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if _, err := io.WriteString(c, " "); err != nil {
					return // the server gave up on us
				}
			}
		}()
	}
	return &wg
}

// normalRequest asks for the workspace as a well-behaved client, within
// timeout.
func normalRequest(endpoint, key string, timeout time.Duration) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/workspaces/get", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: timeout, Transport: &http.Transport{}}).Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// Slow bodies hold every connection serve allows, and more wait to be
// accepted: with a read timeout a normal request is still answered. Without
// one (an hour) the same flood starves it, which shows the test can fail.
func TestServeSlowBodiesDoNotStarveANormalRequest(t *testing.T) {
	for _, tc := range []struct {
		readTimeout string
		starves     bool
	}{{"300ms", false}, {"1h", true}} {
		t.Run("read-timeout "+tc.readTimeout, func(t *testing.T) {
			env := serveInProcess(t, io.Discard, "--read-timeout", tc.readTimeout, "--read-header-timeout", tc.readTimeout, "--max-conns", "40")
			stop := make(chan struct{})
			slow := slowBodies(t, env["SEAM_ENDPOINT"], 200, stop)
			defer func() { close(stop); slow.Wait() }()
			time.Sleep(200 * time.Millisecond) // the flood is in before the normal request
			clientTimeout := 20 * time.Second
			if tc.starves {
				clientTimeout = 2 * time.Second
			}
			status, err := normalRequest(env["SEAM_ENDPOINT"], env["SEAM_API_KEY"], clientTimeout)
			switch {
			case tc.starves && err == nil:
				t.Fatalf("with no read timeout a normal request was answered (%d): the flood does not hold the connections, so the test proves nothing", status)
			case !tc.starves && (err != nil || status != http.StatusOK):
				t.Fatalf("a normal request among 200 slow bodies: %d, %v; want 200", status, err)
			}
		})
	}
}

// soakDuration is how long TestServeSoak runs: a short form in every go
// test, 10 s under make soak (SEAMCONFORM_SOAK=10s).
func soakDuration(t *testing.T) time.Duration {
	if s := os.Getenv("SEAMCONFORM_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("SEAMCONFORM_SOAK=%q: %v", s, err)
		}
		return d
	}
	return 1500 * time.Millisecond
}

// TestServeSoak: 64 clients each create, get and delete their own
// identities through serve for the soak's duration. Every client sees its
// own writes (the identity it created is there with its key, and gone after
// its delete), every answer is the documented one and conforms to the
// contract, and the heap after the soak is back near where it started.
func TestServeSoak(t *testing.T) {
	const clients = 64
	duration := soakDuration(t)
	contract, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	env := serveInProcess(t, io.Discard)
	endpoint, key := env["SEAM_ENDPOINT"], env["SEAM_API_KEY"]
	heapBefore, goroutinesBefore := settledHeap(), runtime.NumGoroutine()

	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	call := func(op spec.Operation, body map[string]any, want int) (map[string]any, error) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(op.Method, endpoint+op.Path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		got, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: reading the answer: %w", op, err)
		}
		if res.StatusCode != want {
			return nil, fmt.Errorf("%s: %d %s, want %d", op, res.StatusCode, got, want)
		}
		// 404 for an identity that is gone is what Seam answers, though its
		// document does not say so: it must still be a Seam error envelope.
		var undocumented *spec.UndocumentedStatusError
		if err := contract.CheckResponse(op, req, raw, res.StatusCode, res.Header, got); err != nil && !(errors.As(err, &undocumented) && want == http.StatusNotFound) {
			return nil, fmt.Errorf("%s: the answer breaks the contract: %v", op, err)
		}
		var out map[string]any
		if err := json.Unmarshal(got, &out); err != nil {
			return nil, fmt.Errorf("%s: the answer is not JSON: %q", op, got)
		}
		if want >= 400 && (out["ok"] != false || out["error"] == nil) {
			return nil, fmt.Errorf("%s: %d without Seam's error envelope: %s", op, want, got)
		}
		return out, nil
	}
	field := func(m map[string]any, path ...string) any {
		var v any = m
		for _, k := range path {
			obj, _ := v.(map[string]any)
			v = obj[k]
		}
		return v
	}

	var rounds atomic.Int64
	deadline := time.Now().Add(duration)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n == 0 || time.Now().Before(deadline); n++ { // at least one round each, however loaded the machine
				ownKey := fmt.Sprintf("soak-%d-%d", c, n)
				created, err := call(spec.CreateIdentity, map[string]any{"user_identity_key": ownKey, "full_name": "soak"}, http.StatusOK)
				if err != nil {
					errs <- err
					return
				}
				id, _ := field(created, "user_identity", "user_identity_id").(string)
				got, err := call(spec.GetIdentity, map[string]any{"user_identity_id": id}, http.StatusOK)
				if err != nil {
					errs <- err
					return
				}
				if field(got, "user_identity", "user_identity_key") != ownKey {
					errs <- fmt.Errorf("client %d got identity %s with key %v, want its own %s", c, id, field(got, "user_identity", "user_identity_key"), ownKey)
					return
				}
				if _, err := call(spec.DeleteIdentity, map[string]any{"user_identity_id": id}, http.StatusOK); err != nil {
					errs <- err
					return
				}
				if _, err := call(spec.GetIdentity, map[string]any{"user_identity_id": id}, http.StatusNotFound); err != nil {
					errs <- fmt.Errorf("client %d, after deleting %s: %w", c, id, err)
					return
				}
				rounds.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if rounds.Load() < clients {
		t.Fatalf("only %d rounds in %s", rounds.Load(), duration)
	}
	transport.CloseIdleConnections()
	grown := int64(settledHeap()) - int64(heapBefore)
	t.Logf("%d clients, %s: %d rounds of create, get, delete, get; heap %+d KB", clients, duration, rounds.Load(), grown>>10)
	if grown > 8<<20 {
		t.Errorf("the heap grew by %d MB over the soak: something is kept per request", grown>>20)
	}
	// The server's connection goroutines end once the clients hang up.
	for wait := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > goroutinesBefore+8 && time.Now().Before(wait); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutinesBefore+8 {
		t.Errorf("%d goroutines after the soak, %d before", n, goroutinesBefore)
	}
}

// settledHeap is the live heap after garbage collection.
func settledHeap() uint64 {
	var m runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// A client cannot forge a line of serve's log or reach its terminal: not
// with %0A in a path (request line and VIOLATION line), not with ESC in a
// body value.
func TestServeLogCannotBeForged(t *testing.T) {
	var log syncBuffer
	env := serveInProcess(t, &log)
	for _, tc := range []struct{ path, body string }{
		{"/nowhere%0A2026-01-01T00:00:00Z%20POST%20/user_identities/delete%20200%20forged", `{}`},
		{"/user_identities/delete", `{"user_identity_id":"\u001b[2J\u0000\n2026 forged"}`},
		{"/user_identities/delete%0D%1B%5B2J", `{}`},
	} {
		req, _ := http.NewRequest(http.MethodPost, env["SEAM_ENDPOINT"]+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+env["SEAM_API_KEY"])
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	// The log is written out every 100 ms, after the answer.
	for deadline := time.Now().Add(10 * time.Second); strings.Count(log.String(), "\n") < 4 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	text := log.String()
	if strings.Contains(text, "\n2026-01-01") || strings.ContainsAny(text, "\r\x1b\x00") || !strings.Contains(text, "VIOLATION") {
		t.Fatalf("a client shaped the log:\n%s", text)
	}
}

// A client that goes away in the middle of its body (an SDK test aborting
// an upload) sent no malformed JSON: the half it sent is no violation.
func TestServeAClientGoneMidBodyIsNoViolation(t *testing.T) {
	var log syncBuffer
	env := serveInProcess(t, &log, "--seed", "1")
	body := `{"user_identity_id":"0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d"}`
	conn, err := net.Dial("tcp", strings.TrimPrefix(env["SEAM_ENDPOINT"], "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /user_identities/delete HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", env["SEAM_API_KEY"], len(body), body[:30])
	_ = conn.(*net.TCPConn).CloseWrite()
	_, _ = io.Copy(io.Discard, conn) // serve's answer, if any, then its close
	conn.Close()

	res, err := http.Get(env["SEAM_ENDPOINT"] + "/_seamconform/violations")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var report struct{ Violations []any }
	if err := json.NewDecoder(res.Body).Decode(&report); err != nil || len(report.Violations) != 0 {
		t.Errorf("violations %v (%v): want none for a body its client broke off\n%s", report.Violations, err, log.String())
	}
}
