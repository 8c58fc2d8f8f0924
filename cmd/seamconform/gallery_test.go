package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/suites/framework"
)

// TestFaultGallery is the mutation test: the suite, run against the
// reference with each named fault switched on, must fail, and must fail the
// requirements the fault is meant to break. Every MUST requirement must be
// caught breaking by at least one fault; a requirement no fault breaks is a
// gap in the proof that the suite can fail. `make mutation` prints the table.
func TestFaultGallery(t *testing.T) {
	faults := append(reference.Faults(), registered(reference.APIFaults())...)
	if len(faults) < 25 {
		t.Fatalf("%d faults, want at least 25", len(faults))
	}
	var mu sync.Mutex
	caughtBy := map[string][]string{} // requirement ID -> faults whose run failed it
	rows := map[string]string{}
	caught := 0

	t.Run("faults", func(t *testing.T) {
		for _, fault := range faults {
			t.Run(fault.Name, func(t *testing.T) {
				t.Parallel()
				failed, r := runWithFault(t, fault.Name)
				if strings.Contains(r.stdout, "suite error:") {
					t.Errorf("the suite's own requests broke the contract under this fault:\n%s", tail(r.stdout, 30))
				}
				if missing := without(fault.Breaks, failed); len(missing) > 0 {
					t.Errorf("fault %s should break %v, but these passed: %v (the suite failed %v)", fault.Name, fault.Breaks, missing, failed)
				}
				wantCode := 0
				for _, id := range failed {
					if req, _ := framework.Lookup(id); req.Level == framework.MUST {
						wantCode = 1
					}
				}
				if len(failed) == 0 || r.code != wantCode {
					t.Errorf("fault %s: exit code %d with failed requirements %v; want exit %d and at least one failure", fault.Name, r.code, failed, wantCode)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, id := range failed {
					caughtBy[id] = append(caughtBy[id], fault.Name)
				}
				verdict := "caught by"
				if t.Failed() {
					verdict = "NOT CAUGHT as declared; failed"
				} else {
					caught++
				}
				rows[fault.Name] = fmt.Sprintf("%-30s %s %s", fault.Name, verdict, strings.Join(failed, ", "))
			})
		}
	})

	var gaps, shouldGaps []string
	for _, req := range framework.Requirements() {
		if len(caughtBy[req.ID]) > 0 {
			continue
		}
		if req.Level == framework.MUST {
			gaps = append(gaps, req.ID)
		} else {
			shouldGaps = append(shouldGaps, req.ID)
		}
	}
	if len(gaps) > 0 {
		t.Errorf("no fault breaks these MUST requirements, so nothing proves the suite catches their violation: %v", gaps)
	}
	if len(shouldGaps) > 0 {
		t.Logf("SHOULD requirements no fault breaks: %v", shouldGaps)
	}
	if testing.Verbose() {
		names := make([]string, 0, len(rows))
		for name := range rows {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Println(rows[name])
		}
		exercised := len(framework.Requirements()) - len(gaps) - len(shouldGaps)
		fmt.Printf("mutation score: %d/%d faults caught (%.0f%%); %d/%d requirements exercised by a fault (every MUST: %v)\n",
			caught, len(faults), 100*float64(caught)/float64(len(faults)),
			exercised, len(framework.Requirements()), len(gaps) == 0)
	}
}

// registered keeps the faults whose requirements are all registered: the
// API-wide faults join the gallery with the API-wide family's requirements.
func registered(faults []reference.Fault) []reference.Fault {
	var out []reference.Fault
	for _, f := range faults {
		known := true
		for _, id := range f.Breaks {
			if _, ok := framework.Lookup(id); !ok {
				known = false
			}
		}
		if known {
			out = append(out, f)
		}
	}
	return out
}

// runWithFault runs the suite on the mocks with one fault and returns the
// IDs of the requirements that failed, from Ginkgo's JSON report.
func runWithFault(t *testing.T, fault string) ([]string, result) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.json")
	r := seamconform(t, nil, "run", "--no-color", "--fault", fault, "--json-report", path)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no JSON report (exit %d): %v\n%s", r.code, err, tail(r.stderr, 10))
	}
	var ginkgoReports []types.Report
	if err := json.Unmarshal(raw, &ginkgoReports); err != nil || len(ginkgoReports) != 1 {
		t.Fatalf("unreadable JSON report: %v", err)
	}
	var failed []string
	for _, res := range reports.Summarize(ginkgoReports[0]).Results {
		if res.Outcome == reports.Failed {
			failed = append(failed, res.ID)
		}
	}
	return failed, r
}

func without(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}
