package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/seamconform/seamconform/reference"
)

// huge wraps a working implementation so that every answer carries 900 KB
// of headers and a body over 1 MB (its JSON padded with trailing spaces).
func huge(h http.Handler) http.Handler {
	pad := strings.Repeat("h", 10_000)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		for i := range 90 {
			w.Header().Set(fmt.Sprintf("X-Pad-%02d", i), pad)
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		w.Write(bytes.Repeat([]byte(" "), 1<<20)) // past the 1 MB the suite reads
	})
}

// measuredRun runs seamconform and returns its result, the total size of
// its reports and its peak resident memory in KB.
func measuredRun(t *testing.T, env map[string]string, args ...string) (result, int64, int64) {
	t.Helper()
	dir := t.TempDir()
	jsonReport, junitReport := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	cmd := command(t, env, append([]string{"run", "--no-color", "--concurrency", "1", "--json-report", jsonReport, "--junit-report", junitReport}, args...)...)
	r := finish(t, cmd)
	var size int64
	for _, f := range []string{jsonReport, junitReport} {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatalf("no report %s: %v\n%s", f, err, tail(r.stdout, 20))
		}
		size += info.Size()
	}
	var peak int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak = int64(ru.Maxrss)
	}
	return r, size, peak
}

// Issue 10: 900 KB of headers on every answer made 605 MB reports and
// 3.7 GB of memory. Evidence is bounded, so the same specs against answers
// a thousand times larger write reports about as large, in about as much
// memory.
func TestHugeAnswersKeepReportsAndMemoryBounded(t *testing.T) {
	filter := []string{"--label-filter", "success"}
	_, normal := served(t, reference.Options{}, nil)
	r, normalSize, normalPeak := measuredRun(t, normal, filter...)
	expect(t, r, 0, "Verdict: CONFORMANT")

	_, bloated := served(t, reference.Options{}, huge)
	r, hugeSize, hugePeak := measuredRun(t, bloated, filter...)
	if r.code != 0 || !strings.Contains(r.stdout, "Ran ") {
		t.Fatalf("huge answers: exit %d, want the same verdict\n%s\n%s", r.code, tail(r.stdout, 30), r.stderr)
	}
	t.Logf("reports: %d KB normal, %d KB huge; peak memory: %d MB normal, %d MB huge", normalSize>>10, hugeSize>>10, normalPeak>>10, hugePeak>>10)
	if hugeSize > 4*normalSize {
		t.Errorf("reports of huge answers are %d KB, normal ones %d KB: evidence is not bounded", hugeSize>>10, normalSize>>10)
	}
	if normalPeak > 0 && hugePeak > normalPeak+200<<10 {
		t.Errorf("peak memory %d MB with huge answers, %d MB with normal ones: the run keeps what it reads", hugePeak>>10, normalPeak>>10)
	}
}
