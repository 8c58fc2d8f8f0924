package reports_test

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/onsi/ginkgo/v2"

	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/suites"
	"github.com/seamconform/seamconform/suites/framework"
)

// The committed catalogue is generated; it must match the code, so that a
// requirement's change of meaning is always visible in review.
// Ginkgo builds the spec tree once per process, so -count>1 reuses it.
var preview = sync.OnceValue(func() types.Report { return ginkgo.PreviewSpecs(suites.Description) })

func TestRequirementsFileIsGenerated(t *testing.T) {
	entries, err := reports.Catalogue(preview())
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	reports.WriteMarkdown(&want, entries)
	got, err := os.ReadFile("../REQUIREMENTS.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatal("REQUIREMENTS.md is out of date with the registered specs: run `make requirements` and review the diff")
	}
	must := 0
	for _, e := range entries {
		if e.Level == framework.MUST {
			must++
		}
	}
	if len(entries) < 40 || must == 0 || must == len(entries) {
		t.Fatalf("catalogue has %d requirements (%d MUST); want at least 40 of both levels", len(entries), must)
	}
}
