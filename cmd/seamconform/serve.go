package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
)

// serveCommand serves the reference implementation until ctx ends (SIGINT
// or SIGTERM in the real program).
func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen `address` (port 0: a free one)")
	envFile := fs.String("env-file", "", "also write the SEAM_* lines to `FILE` (mode 0600)")
	listFaults := fs.Bool("list-faults", false, "print the named faults and exit")
	nonSandbox := fs.Bool("non-sandbox", false, "the workspace reports is_sandbox: false (to try a client's sandbox guard)")
	var faults repeated
	fs.Var(&faults, "fault", "switch on a named fault, `NAME` or NAME@SCOPE with SCOPE a path, an operationId or * (repeatable)")
	maxIdentities := fs.Int("max-identities", 0, "store at most `N` user identities in a workspace; creating more answers 400 resource_limit_reached (0: no bound)")
	ci := addCIFlags(fs)
	limits := addServeLimits(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := limits.check(); err != nil {
		return err
	}
	if *listFaults {
		fmt.Fprintln(stdout, "Each fault applies to the operations of its scope; --fault NAME@SCOPE moves it (SCOPE: a path, an operationId or *).")
		for _, f := range append(reference.Faults(), reference.APIFaults()...) {
			fmt.Fprintf(stdout, "%-32s %-8s %-24s %s (breaks %s)\n", f.Name, f.Area, f.Scope, f.Description, strings.Join(f.Breaks, ", "))
		}
		return nil
	}
	if *addr == "" { // net.Listen would take every interface
		return usagef("--addr wants host:port, such as 127.0.0.1:8080")
	}
	if *maxIdentities < 0 {
		return usagef("--max-identities must be 0 (no bound) or more, got %d", *maxIdentities)
	}
	if err := ci.checkReportDir(); err != nil {
		return err
	}
	defer paceGC()()
	// The request log is written out every 100 ms, not a write per request:
	// nobody reads a log line faster, and a busy server stays fast.
	buffered := newFlushingWriter(stderr, 100*time.Millisecond)
	defer buffered.Close()
	requestLog := logLines(buffered)
	handler, err := ci.handler(reference.Options{Faults: faults, NonSandbox: *nonSandbox, MaxIdentities: *maxIdentities}, requestLog)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("cannot listen on %s: %s", *addr, err)
	}
	lines := ci.envLines("http://" + listener.Addr().String())
	if *envFile != "" { // before printing: whoever reads the lines may read the file next
		if err := writePrivate(*envFile, []byte(lines)); err != nil {
			listener.Close()
			return usagef("cannot write --env-file: %s", err)
		}
	}
	fmt.Fprint(stdout, lines)
	if len(faults) > 0 {
		fmt.Fprintf(stderr, "seamconform serve: faults on: %s\n", strings.Join(faults, ", "))
	}

	guard := limits.guard(ci.sdkFaults)
	httpServer := guard.server(handler, requestLog, ci.checker.LogPath)
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(guard.listen(listener)) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdown); err != nil {
		// A stalled client or a latency fault must not cost the session
		// its reports and its exit code: what is still running is cut off.
		fmt.Fprintln(stderr, "seamconform serve: requests still in flight after 5s were cut off")
		guard.cutAll("at shutdown")
		_ = httpServer.Close()
		guard.settle(2 * time.Second)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	buffered.Close()
	fmt.Fprintln(stderr, "seamconform serve: stopped")
	return ci.finish(stderr)
}

// envLines are shell assignments of everything `seamconform run` needs to
// check this server with every spec.
func envLines(endpoint string, seed fixtures.Seed) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SEAM_ENDPOINT=%s\n", endpoint)
	for _, name := range fixtures.Variables() {
		fmt.Fprintf(&b, "%s=%s\n", name, seed.Value(name))
	}
	return b.String()
}

// writePrivate writes data to a file only its owner can read. os.WriteFile's
// mode applies only to a file it creates: an existing one would keep its
// mode, perhaps readable by all, with the credentials in it.
func writePrivate(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil { // before anything is written
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
