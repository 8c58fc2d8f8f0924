package spec

import (
	"testing"
)

// BenchmarkLoadEmbedded is the contract's share of a run's start-up:
// decompressing and loading the whole embedded document, then its operation
// model.
func BenchmarkLoadEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		data, err := gunzip(embedded)
		if err != nil {
			b.Fatal(err)
		}
		c, err := load(data, "embedded")
		if err != nil {
			b.Fatal(err)
		}
		if len(c.Operations()) == 0 {
			b.Fatal("no operations")
		}
	}
}
