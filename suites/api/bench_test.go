package api

import "testing"

// BenchmarkEntries is the API-wide family's share of building the spec tree:
// one case per operation for each of its twelve requirements.
func BenchmarkEntries(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for range 12 {
			n += len(cases(authMissing, func(operation) bool { return true }))
		}
		if n == 0 {
			b.Fatal("no operation")
		}
	}
}

// BenchmarkMalformedSample is the choice of malformed values for every UUID
// input of every operation.
func BenchmarkMalformedSample(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, o := range operations() {
			for _, in := range o.UUIDs {
				if len(o.malformed(in)) != badSample {
					b.Fatalf("%s %s: sample of %d", o, in.Name, len(o.malformed(in)))
				}
			}
		}
	}
}
