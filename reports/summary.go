// Package reports turns Ginkgo's report of a run into what users read and
// machines check: a per-requirement summary, a verdict, and the requirement
// catalogue.
package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/suites/framework"
)

// Outcome of one requirement over all its cases.
type Outcome string

const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped" // every case was skipped or not selected
)

// Result is what a run found for one requirement.
type Result struct {
	framework.Requirement
	Outcome Outcome
	Passed  int
	Failed  int
	Skipped int
	// FailedCases and SkipReasons explain a failure or a skip, one line each.
	FailedCases []string
	SkipReasons []string
}

// Summary is a run's results by requirement and its verdict.
type Summary struct {
	Results []Result
	// Unattributed lists failures outside any requirement's spec (a suite
	// set-up or clean-up node); they make a run fail like a MUST.
	Unattributed []string
	// Incomplete gives Ginkgo's reasons a run stopped early (interrupted,
	// aborted because the endpoint stopped answering); such a run is not
	// conformant whatever passed.
	Incomplete []string
	// Undocumented counts answers whose status the contract does not
	// describe, by "STATUS from OPERATION".
	Undocumented map[string]int
}

// Summarize groups a Ginkgo report by requirement. Requirements with no spec
// in the report (filtered out) appear as skipped.
func Summarize(report types.Report) Summary {
	byID := map[string]*Result{}
	for _, r := range framework.Requirements() {
		byID[r.ID] = &Result{Requirement: r, Outcome: Skipped}
	}
	s := Summary{Undocumented: map[string]int{}, Incomplete: report.SpecialSuiteFailureReasons}
	for _, sr := range report.SpecReports {
		for _, entry := range sr.ReportEntries {
			if ev, ok := evidence(entry); ok && ev.UndocumentedStatus {
				s.Undocumented[fmt.Sprintf("%d from %s", ev.Status, ev.Operation)]++
			}
		}
		if sr.LeafNodeType != types.NodeTypeIt {
			if sr.State.Is(types.SpecStateFailureStates) {
				s.Unattributed = append(s.Unattributed, fmt.Sprintf("%s: %s", sr.LeafNodeType, firstLine(sr.Failure.Message)))
			}
			continue
		}
		req, ok := framework.RequirementOf(sr.Labels())
		if !ok {
			s.Unattributed = append(s.Unattributed, "spec without a requirement: "+sr.FullText())
			continue
		}
		res := byID[req.ID]
		switch {
		case sr.State.Is(types.SpecStateFailureStates):
			res.Failed++
			res.FailedCases = append(res.FailedCases, fmt.Sprintf("%s: %s", sr.LeafNodeText, gist(sr.Failure.Message)))
			if sr.State == types.SpecStateAborted || sr.State == types.SpecStateInterrupted {
				s.Incomplete = append(s.Incomplete, fmt.Sprintf("%s: %s", sr.State, firstLine(sr.Failure.Message)))
			}
		case sr.State == types.SpecStatePassed:
			res.Passed++
		default:
			res.Skipped++
			if sr.State == types.SpecStateSkipped && sr.Failure.Message != "" {
				res.SkipReasons = append(res.SkipReasons, sr.Failure.Message)
			}
		}
	}
	for _, r := range framework.Requirements() {
		res := byID[r.ID]
		switch {
		case res.Failed > 0:
			res.Outcome = Failed
		case res.Passed > 0:
			res.Outcome = Passed
		}
		res.SkipReasons = unique(res.SkipReasons)
		s.Results = append(s.Results, *res)
	}
	return s
}

// evidence reads an exchange's report entry, whether the report is this
// process's or was read back from a JSON report.
func evidence(entry types.ReportEntry) (framework.Evidence, bool) {
	if entry.Name != "exchange" {
		return framework.Evidence{}, false
	}
	if ev, ok := entry.Value.GetRawValue().(framework.Evidence); ok {
		return ev, true
	}
	var ev framework.Evidence
	return ev, json.Unmarshal([]byte(entry.Value.AsJSON), &ev) == nil
}

// Conformant reports whether every MUST requirement that ran passed and the
// run had no failure outside the specs.
func (s Summary) Conformant() bool {
	return len(s.Unattributed) == 0 && len(s.Incomplete) == 0 && len(s.FailedAt(framework.MUST)) == 0
}

// FailedAt lists the failed requirements of a level.
func (s Summary) FailedAt(level framework.Level) []Result {
	var out []Result
	for _, r := range s.Results {
		if r.Level == level && r.Outcome == Failed {
			out = append(out, r)
		}
	}
	return out
}

func (s Summary) count(level framework.Level, o Outcome) int {
	n := 0
	for _, r := range s.Results {
		if r.Level == level && r.Outcome == o {
			n++
		}
	}
	return n
}

// WriteText prints the verdict block shown after Ginkgo's own summary.
func (s Summary) WriteText(w io.Writer) {
	verdict := "CONFORMANT"
	if !s.Conformant() {
		verdict = "NOT CONFORMANT"
	} else if n := s.count(framework.MUST, Skipped); n > 0 {
		// A filtered run or one without every credential proves less; say so.
		verdict += fmt.Sprintf(" (partial: %d MUST requirements not checked)", n)
	}
	fmt.Fprintf(w, "\nVerdict: %s\n", verdict)
	for _, level := range []framework.Level{framework.MUST, framework.SHOULD} {
		fmt.Fprintf(w, "  %-6s %d passed, %d failed, %d not checked\n", level,
			s.count(level, Passed), s.count(level, Failed), s.count(level, Skipped))
	}
	for _, level := range []framework.Level{framework.MUST, framework.SHOULD} {
		for _, r := range s.FailedAt(level) {
			fmt.Fprintf(w, "  FAILED %s [%s] %s\n", r.ID, r.Level, r.Statement)
			for _, c := range firstN(r.FailedCases, 3) {
				fmt.Fprintf(w, "         - %s\n", c)
			}
		}
	}
	for _, why := range s.Incomplete {
		fmt.Fprintf(w, "  INCOMPLETE RUN: %s\n", why)
	}
	for _, u := range s.Unattributed {
		fmt.Fprintf(w, "  ERROR  %s\n", u)
	}
	for _, what := range slices.Sorted(maps.Keys(s.Undocumented)) {
		fmt.Fprintf(w, "  UNDOCUMENTED STATUS: %s (%d answers); the contract does not describe it\n", what, s.Undocumented[what])
	}
	reasons := map[string][]string{}
	for _, r := range s.Results {
		if r.Outcome == Skipped {
			for _, why := range r.SkipReasons {
				reasons[why] = append(reasons[why], r.ID)
			}
		}
	}
	for _, why := range slices.Sorted(maps.Keys(reasons)) {
		fmt.Fprintf(w, "  NOT CHECKED (%s): %s\n", why, strings.Join(reasons[why], ", "))
	}
}

// gist is a failure message in one line: the matchers' "expected:" and
// "got:" lines joined, or the first line of any other message.
func gist(message string) string {
	lines := strings.SplitN(strings.TrimSpace(message), "\n", 3)
	if len(lines) >= 2 && strings.HasPrefix(lines[0], "expected:") && strings.HasPrefix(strings.TrimSpace(lines[1]), "got:") {
		return strings.Join(strings.Fields(lines[0]+"; "+lines[1]), " ")
	}
	return firstLine(message)
}

func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) != "" {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("… and %d more", len(s)-n))
	}
	return s
}

func unique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
