package main

import (
	"testing"
)

// BenchmarkRunOnMocks is the default `seamconform run`: every spec of every
// family against the embedded mocks, in a child process as Ginkgo runs one
// suite per process. Its time per op is the wall time the README quotes.
func BenchmarkRunOnMocks(b *testing.B) {
	for b.Loop() {
		cmd := command(b, nil, "run", "--no-color", "--label-filter", "MUST || SHOULD")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("seamconform run on the mocks: %v\n%s", err, tail(string(out), 20))
		}
	}
}
