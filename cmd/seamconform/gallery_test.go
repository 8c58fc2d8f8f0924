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

// galleryRun is one run of the fault gallery: a fault switched on (NAME or
// NAME@SCOPE), the requirements it must break, and the specs that run.
type galleryRun struct {
	fault  string
	breaks []string
	// selection keeps each run to the specs that can see the fault: an
	// API-wide fault runs the API-wide family on the operation it breaks,
	// every other fault the operation suites (it would break API-wide
	// requirements too, on all 522 operations for an auth fault).
	selection []string
}

// scopedVariants switch generic faults on for POST /user_identities/get,
// whose suite must catch them as the delete suite does.
var scopedVariants = []struct {
	fault  string
	breaks []string
}{
	{"ok-false@/user_identities/get", []string{"UIGET-OK-04"}},
	{"ok-string@/user_identities/get", []string{"UIGET-OK-03", "UIGET-OK-04"}},
	{"success-204@/user_identities/get", []string{"UIGET-OK-01", "UIGET-OK-02", "UIGET-OK-03", "UIGET-OK-04"}},
	{"success-text-plain@/user_identities/get", []string{"UIGET-OK-02", "UIGET-OK-03"}},
	{"uuid-not-validated@/user_identities/get", []string{"UIGET-UUID-01"}},
}

// notInGallery are faults no suite is meant to catch, with the reason.
var notInGallery = map[string]string{
	"api-answer-incomplete": "it breaks only 200 answers, and the API-wide family never makes a valid call (its requests are invalid by construction); api-undocumented-status breaks API-RESP-01 instead",
}

func galleryRuns() []galleryRun {
	operationSuites := []string{"--label-filter", "!/^API-/"}
	var runs []galleryRun
	for _, f := range append(reference.Faults(), reference.APIFaults()...) {
		if _, skip := notInGallery[f.Name]; skip {
			continue
		}
		run := galleryRun{fault: f.Name, breaks: f.Breaks, selection: operationSuites}
		if f.Area == "api" {
			run.selection = []string{"--label-filter", "/^API-/", "--operation", f.Scope}
		}
		runs = append(runs, run)
	}
	for _, v := range scopedVariants {
		runs = append(runs, galleryRun{fault: v.fault, breaks: v.breaks, selection: operationSuites})
	}
	return runs
}

// The README counts the faults and the gallery's runs as they are.
func TestReadmeCountsTheGallery(t *testing.T) {
	readme := readREADME(t)
	faults := len(reference.Faults()) + len(reference.APIFaults())
	for _, want := range []string{
		fmt.Sprintf("each named fault (%d today", faults),
		fmt.Sprintf("and against %d moved to `/user_identities/get` (%d runs)", len(scopedVariants), len(galleryRuns())),
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("the README lacks %q", want)
		}
	}
	for name := range notInGallery {
		if !strings.Contains(readme, "`"+name+"`") {
			t.Errorf("the README does not say %s is left out of the gallery", name)
		}
	}
}

// TestFaultGallery is the mutation test: the suite, run against the
// reference with each named fault switched on, must fail, and must fail the
// requirements the fault is meant to break. Every MUST requirement must be
// caught breaking by at least one fault; a requirement no fault breaks is a
// gap in the proof that the suite can fail. `make mutation` prints the table.
func TestFaultGallery(t *testing.T) {
	runs := galleryRuns()
	if len(runs) < 25 {
		t.Fatalf("%d faults, want at least 25", len(runs))
	}
	for name, why := range notInGallery {
		t.Logf("not in the gallery: %s: %s", name, why)
	}
	var mu sync.Mutex
	caughtBy := map[string][]string{} // requirement ID -> faults whose run failed it
	rows := map[string]string{}
	caught := 0

	t.Run("faults", func(t *testing.T) {
		for _, run := range runs {
			t.Run(run.fault, func(t *testing.T) {
				t.Parallel()
				failed, r := runWithFault(t, run.fault, run.selection...)
				if strings.Contains(r.stdout, "suite error:") {
					t.Errorf("the suite's own requests broke the contract under this fault:\n%s", tail(r.stdout, 30))
				}
				if missing := without(run.breaks, failed); len(missing) > 0 {
					t.Errorf("fault %s should break %v, but these passed: %v (the suite failed %v)", run.fault, run.breaks, missing, failed)
				}
				wantCode := 0
				for _, id := range failed {
					if req, _ := framework.Lookup(id); req.Level == framework.MUST {
						wantCode = 1
					}
				}
				if len(failed) == 0 || r.code != wantCode {
					t.Errorf("fault %s: exit code %d with failed requirements %v; want exit %d and at least one failure", run.fault, r.code, failed, wantCode)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, id := range failed {
					caughtBy[id] = append(caughtBy[id], run.fault)
				}
				verdict := "caught by"
				if t.Failed() {
					verdict = "NOT CAUGHT as declared; failed"
				} else {
					caught++
				}
				rows[run.fault] = fmt.Sprintf("%-40s %s %s", run.fault, verdict, strings.Join(failed, ", "))
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
			caught, len(runs), 100*float64(caught)/float64(len(runs)),
			exercised, len(framework.Requirements()), len(gaps) == 0)
	}
}

// runWithFault runs the suite on the mocks with one fault and returns the
// IDs of the requirements that failed, from Ginkgo's JSON report.
func runWithFault(t *testing.T, fault string, selection ...string) ([]string, result) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.json")
	r := seamconform(t, nil, append([]string{"run", "--no-color", "--fault", fault, "--json-report", path}, selection...)...)
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
