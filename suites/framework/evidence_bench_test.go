package framework

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/fixtures"
)

// BenchmarkEvidenceOfAHugeAnswer: the evidence of an answer with 900 KB of
// headers and a 1 MB body costs a few KB to keep (B/op counts what is
// allocated to build it; what is kept is bounded by the shown* limits).
func BenchmarkEvidenceOfAHugeAnswer(b *testing.B) {
	e := newTestEnv(b, fixtures.Seed{APIKey: testKey})
	x := exchange(e, 400, "application/json", `{"ok":false,"pad":"`+strings.Repeat("p", 1<<20)+`"}`)
	for i := range 90 {
		x.Header.Set(fmt.Sprintf("X-Pad-%02d", i), strings.Repeat("h", 10_000))
	}
	b.ReportAllocs()
	var kept int
	for b.Loop() {
		kept = len(x.Evidence().String())
	}
	b.ReportMetric(float64(kept), "shown-bytes")
}
