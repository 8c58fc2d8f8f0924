package api

import (
	"slices"
	"testing"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

func TestMalformedSampleIsRepeatableAndSpread(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range operations() {
		for _, in := range o.UUIDs {
			a, b := o.malformed(in), o.malformed(in)
			if len(a) != badSample || !slices.EqualFunc(a, b, func(x, y fixtures.BadUUID) bool { return x.Name == y.Name }) {
				t.Fatalf("%s %s: sample %v then %v", o, in.Name, a, b)
			}
			for _, bad := range a {
				if in.In == spec.InQuery {
					if _, ok := bad.Value.(string); !ok {
						t.Errorf("%s %s: query input sampled a non-string %q", o, in.Name, bad.Name)
					}
				}
				seen[bad.Name] = true
			}
		}
	}
	if len(seen) < 20 {
		t.Errorf("the sample uses %d values of the corpus; want it spread over most of them", len(seen))
	}
}

func TestEveryOperationIsLabelled(t *testing.T) {
	ops := operations()
	if len(ops) < 500 {
		t.Fatalf("%d operations; the embedded contract is Seam's whole document (522)", len(ops))
	}
	labels := map[string]bool{}
	for _, o := range ops {
		l := f.OperationLabel(o.Listed)
		if labels[l] {
			t.Errorf("two operations share the label %s", l)
		}
		labels[l] = true
	}
}

// operations lists every operation of the contract the spec tree is built
// from.
func operations() []operation {
	var out []operation
	for _, l := range listed() {
		out = append(out, l.describe())
	}
	return out
}
