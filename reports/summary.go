// Package reports turns Ginkgo's report of a run into what users read and
// machines check: a per-requirement summary, a verdict, and the requirement
// catalogue.
package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/suites/framework"
)

// Outcome of one requirement over all its cases.
type Outcome string

const (
	Passed Outcome = "passed"
	Failed Outcome = "failed"
	// Errored: no case failed, but some could not be checked (a set-up
	// step failed, the endpoint stopped answering, the run was interrupted).
	Errored Outcome = "error"
	// NotChecked: no case ran (skipped, not selected, a dry run).
	NotChecked Outcome = "not checked"
	// notApplicable: a case that does not apply to its operation
	// (framework.NotApplicable); the reports leave it out.
	notApplicable Outcome = "not applicable"
)

// Verdict is what a run says about the implementation.
type Verdict string

const (
	Conformant    Verdict = "CONFORMANT"
	NotConformant Verdict = "NOT CONFORMANT"
	// Incomplete: no MUST failed, but something could not be checked.
	Incomplete Verdict = "INCOMPLETE"
	// NothingChecked: no request was judged (a dry run, an empty selection).
	NothingChecked Verdict = "NOTHING CHECKED"
)

// Exit codes of `seamconform run`, one per verdict; 2 is bad usage.
const (
	ExitConformant     = 0
	ExitNotConformant  = 1
	ExitUsage          = 2
	ExitIncomplete     = 3
	ExitNothingChecked = 4
)

// Result is what a run found for one requirement.
type Result struct {
	framework.Requirement
	Outcome    Outcome
	Passed     int
	Failed     int
	Errors     int
	NotChecked int
	// FailedCases, ErrorCases and SkipReasons explain a failure, an error
	// or a case not checked, one line each.
	FailedCases []string
	ErrorCases  []string
	SkipReasons []string
}

// Summary is a run's results by requirement and its verdict.
type Summary struct {
	Results []Result
	// RunErrors are errors of the run outside any one requirement: a
	// failure in a set-up or clean-up node, a spec without a requirement,
	// the reason the run stopped early (interrupted, the endpoint stopped
	// answering, the time limit). Each makes the run incomplete.
	RunErrors []string
	// Undocumented counts answers whose status the contract does not
	// describe, by "STATUS from OPERATION".
	Undocumented map[string]int
	// DryRun is set when Ginkgo only walked the specs: nothing was sent.
	DryRun bool
	// Checked counts the cases that were judged: passed, failed or errors.
	Checked int
	// Selection is the flags that narrowed the run (--operation '/devices/*'),
	// "" when every spec was selected. It makes a CONFORMANT verdict partial:
	// specs left out are never built, so nothing else counts them.
	Selection string
}

// Summarize groups a Ginkgo report by requirement. Requirements with no spec
// in the report (filtered out) appear as not checked.
func Summarize(report types.Report) Summary {
	byID := map[string]*Result{}
	for _, r := range framework.Requirements() {
		byID[r.ID] = &Result{Requirement: r, Outcome: NotChecked}
	}
	s := Summary{Undocumented: map[string]int{}, DryRun: report.SuiteConfig.DryRun}
	for _, why := range report.SpecialSuiteFailureReasons {
		s.RunErrors = append(s.RunErrors, runError(why))
	}
	for _, sr := range report.SpecReports {
		for _, entry := range sr.ReportEntries {
			if what, ok := undocumented(entry); ok {
				s.Undocumented[what]++
			}
		}
		if sr.LeafNodeType != types.NodeTypeIt {
			if sr.State.Is(types.SpecStateFailureStates) {
				s.RunErrors = append(s.RunErrors, fmt.Sprintf("%s: %s", sr.LeafNodeType, firstLine(sr.Failure.Message)))
			}
			continue
		}
		req, ok := framework.RequirementOf(sr.Labels())
		if !ok {
			s.RunErrors = append(s.RunErrors, "spec without a requirement: "+sr.FullText())
			continue
		}
		res := byID[req.ID]
		outcome, why := Classify(sr)
		if s.DryRun {
			outcome, why = NotChecked, "dry run: nothing was sent"
		}
		if sr.State == types.SpecStateAborted {
			// Why the run ended, whether the spec had sent anything or not.
			s.RunErrors = append(s.RunErrors, runError(firstLine(sr.Failure.Message)))
		}
		switch outcome {
		case notApplicable:
		case Passed:
			res.Passed++
		case Failed:
			res.Failed++
			res.FailedCases = append(res.FailedCases, fmt.Sprintf("%s: %s", sr.LeafNodeText, why))
		case Errored:
			res.Errors++
			res.ErrorCases = append(res.ErrorCases, fmt.Sprintf("%s: %s", sr.LeafNodeText, why))
		default:
			res.NotChecked++
			if why != "" {
				res.SkipReasons = append(res.SkipReasons, why)
			}
		}
	}
	for _, r := range framework.Requirements() {
		res := byID[r.ID]
		switch {
		case res.Failed > 0:
			res.Outcome = Failed
		case res.Errors > 0:
			res.Outcome = Errored
		case res.Passed > 0:
			res.Outcome = Passed
		}
		s.Checked += res.Passed + res.Failed + res.Errors
		res.SkipReasons = unique(res.SkipReasons)
		s.Results = append(s.Results, *res)
	}
	s.RunErrors = unique(s.RunErrors)
	return s
}

// Classify judges one case: passed; failed, with the one-line gist of its
// failure; an error, with why it could not be checked; or not checked, with
// the skip reason if any. A failure is an error when it is not the
// implementation's: the spec was aborted, interrupted, timed out or
// panicked, was marked as an error of the run (framework.CouldNotCheck, an
// endpoint that stopped answering), or is a bug in the suite. A spec the
// run was aborted at before it sent anything was not checked: which spec
// that is depends on the order they ran in.
func Classify(sr types.SpecReport) (Outcome, string) {
	switch {
	case sr.State == types.SpecStatePassed:
		return Passed, ""
	case sr.State == types.SpecStateAborted && !sentAny(sr):
		return NotChecked, "not sent: " + runError(firstLine(sr.Failure.Message))
	case !sr.State.Is(types.SpecStateFailureStates):
		why := strings.TrimSpace(sr.Failure.Message)
		if strings.HasPrefix(why, framework.NotApplicablePrefix) {
			return notApplicable, why
		}
		return NotChecked, why
	}
	if sr.State != types.SpecStateFailed {
		why := runError(firstLine(sr.Failure.Message))
		if !strings.HasPrefix(why, sr.State.String()) { // not "interrupted: interrupted (Ctrl-C ...)"
			why = fmt.Sprintf("%s: %s", sr.State, why)
		}
		return Errored, why
	}
	for _, entry := range sr.ReportEntries {
		if entry.Name == framework.RunErrorEntry {
			// The failure may name only the case (a step of a spec whose
			// endpoint went silent): the entry says why.
			why, run := gist(sr.Failure.Message), firstLine(entry.Value.String())
			if run != "" && !strings.Contains(why, run) {
				why += ": " + run
			}
			return Errored, why
		}
	}
	if strings.HasPrefix(strings.TrimSpace(sr.Failure.Message), "suite error:") {
		return Errored, gist(sr.Failure.Message)
	}
	return Failed, gist(sr.Failure.Message)
}

// sentAny reports whether the spec sent a request: each is in its report.
func sentAny(sr types.SpecReport) bool {
	return slices.ContainsFunc(sr.ReportEntries, func(e types.ReportEntry) bool { return e.Name == framework.ExchangeEntry })
}

// runError rewords Ginkgo's reasons for ending a run for the user.
func runError(why string) string {
	switch why {
	case "Interrupted by User":
		return "interrupted (Ctrl-C or SIGTERM)"
	case "Suite Timeout Elapsed":
		return "the run reached Ginkgo's suite timeout"
	}
	return why
}

// evidence reads an exchange's report entry, whether the report is this
// process's or was read back from a JSON report.
func evidence(entry types.ReportEntry) (framework.Evidence, bool) {
	if entry.Name != framework.ExchangeEntry {
		return framework.Evidence{}, false
	}
	switch raw := entry.Value.GetRawValue().(type) {
	case *framework.LazyEvidence:
		return raw.Evidence(), true
	case framework.Evidence:
		return raw, true
	}
	var ev framework.Evidence
	return ev, json.Unmarshal([]byte(entry.Value.AsJSON), &ev) == nil
}

// undocumented returns "<status> from <operation>" for an exchange whose
// answer's status the contract does not describe; the verdict needs no
// more of an exchange than that. A 429 is left out: it says the endpoint
// was busy, which the THROTTLED line counts.
func undocumented(entry types.ReportEntry) (string, bool) {
	if lazy, ok := entry.Value.GetRawValue().(*framework.LazyEvidence); ok && entry.Name == framework.ExchangeEntry {
		return lazy.Undocumented() // without working out the evidence
	}
	if ev, ok := evidence(entry); ok && ev.UndocumentedStatus && ev.Status != http.StatusTooManyRequests {
		return fmt.Sprintf("%d from %s", ev.Status, ev.Operation), true
	}
	return "", false
}

// Verdict decides the run: nothing checked for a dry run; not conformant
// when a MUST requirement failed; incomplete when anything could not be
// checked; nothing checked when no case was judged; conformant otherwise.
func (s Summary) Verdict() Verdict {
	switch {
	case s.DryRun:
		return NothingChecked
	case len(s.FailedAt(framework.MUST)) > 0:
		return NotConformant
	case len(s.RunErrors) > 0 || s.count(framework.MUST, Errored)+s.count(framework.SHOULD, Errored) > 0:
		return Incomplete
	case s.Checked == 0:
		return NothingChecked
	}
	return Conformant
}

// ExitCode is the process exit code of the verdict.
func (s Summary) ExitCode() int { return s.Verdict().ExitCode() }

// ExitCode is the exit code of `seamconform run` for the verdict; report
// check holds a bundle's exit_code to it.
func (v Verdict) ExitCode() int {
	switch v {
	case Conformant:
		return ExitConformant
	case NotConformant:
		return ExitNotConformant
	case Incomplete:
		return ExitIncomplete
	}
	return ExitNothingChecked
}

// Headline is the verdict with what qualifies it, as printed after
// "Verdict: ".
func (s Summary) Headline() string {
	inPart := 0
	for _, r := range s.Results {
		if r.Level == framework.MUST && r.Outcome != NotChecked && r.NotChecked > 0 {
			inPart++
		}
	}
	return headline(s.Verdict(), s.count(framework.MUST, NotChecked), inPart, s.Selection, s.DryRun)
}

// headline qualifies a verdict; report check recomputes it from a bundle's
// results, so a partial run cannot pass for a whole one. mustInPart counts
// the MUST requirements judged with some of their cases not checked;
// selection is Summary.Selection.
func headline(v Verdict, mustNotChecked, mustInPart int, selection string, dryRun bool) string {
	switch {
	case v == NothingChecked && dryRun:
		return string(v) + " (a dry run: no request was sent)"
	case v == NothingChecked:
		return string(v) + " (no spec ran: check --label-filter, --focus and --skip)"
	case v == Incomplete:
		return string(v) + " (not everything could be checked; see the errors below)"
	case v == Conformant && (mustNotChecked+mustInPart > 0 || selection != ""):
		// A filtered run or one without every credential proves less; say so.
		var parts []string
		if mustNotChecked > 0 {
			parts = append(parts, fmt.Sprintf("%d MUST requirements not checked", mustNotChecked))
		}
		if mustInPart > 0 {
			parts = append(parts, fmt.Sprintf("%d checked in part", mustInPart))
		}
		if mustNotChecked == 0 && mustInPart > 0 {
			parts[0] = fmt.Sprintf("%d MUST requirements checked in part", mustInPart)
		}
		if selection != "" {
			parts = append(parts, "selected with "+selection)
		}
		return string(v) + " (partial: " + strings.Join(parts, ", ") + ")"
	}
	return string(v)
}

// FailedAt lists the failed requirements of a level.
func (s Summary) FailedAt(level framework.Level) []Result {
	return s.at(level, Failed)
}

// ErroredAt lists the requirements of a level that could not be checked.
func (s Summary) ErroredAt(level framework.Level) []Result {
	return s.at(level, Errored)
}

func (s Summary) at(level framework.Level, o Outcome) []Result {
	var out []Result
	for _, r := range s.Results {
		if r.Level == level && r.Outcome == o {
			out = append(out, r)
		}
	}
	return out
}

func (s Summary) count(level framework.Level, o Outcome) int {
	return len(s.at(level, o))
}

// WriteText prints the verdict block shown after Ginkgo's own summary.
func (s Summary) WriteText(w io.Writer) {
	fmt.Fprintf(w, "\nVerdict: %s\n", s.Headline())
	for _, level := range []framework.Level{framework.MUST, framework.SHOULD} {
		fmt.Fprintf(w, "  %-6s %d passed, %d failed, %d error, %d not checked\n", level,
			s.count(level, Passed), s.count(level, Failed), s.count(level, Errored), s.count(level, NotChecked))
	}
	for _, level := range []framework.Level{framework.MUST, framework.SHOULD} {
		for _, r := range s.FailedAt(level) {
			fmt.Fprintf(w, "  FAILED %s [%s] %s\n", r.ID, r.Level, r.Statement)
			for _, c := range firstN(r.FailedCases, 3) {
				fmt.Fprintf(w, "         - %s\n", c)
			}
		}
	}
	for _, level := range []framework.Level{framework.MUST, framework.SHOULD} {
		for _, r := range s.ErroredAt(level) {
			fmt.Fprintf(w, "  ERROR  %s [%s] could not be checked\n", r.ID, r.Level)
			for _, c := range firstN(r.ErrorCases, 3) {
				fmt.Fprintf(w, "         - %s\n", c)
			}
		}
	}
	for _, why := range s.RunErrors {
		fmt.Fprintf(w, "  RUN ERROR: %s\n", why)
	}
	for _, what := range slices.Sorted(maps.Keys(s.Undocumented)) {
		fmt.Fprintf(w, "  UNDOCUMENTED STATUS: %s (%d answers); the contract does not describe it\n", what, s.Undocumented[what])
	}
	if s.DryRun {
		return // every requirement is unchecked for the same reason: the headline says it
	}
	for _, nc := range s.NotCheckedByReason() {
		fmt.Fprintf(w, "  NOT CHECKED (%s): %s\n", nc.Reason, strings.Join(nc.IDs, ", "))
	}
}

// NotCheckedGroup is the requirements left unchecked for one reason.
type NotCheckedGroup struct {
	Reason string
	IDs    []string
}

// NotCheckedByReason groups the requirements not checked by the reason
// their specs gave (a credential not given, say), sorted by reason.
// Requirements filtered out without a reason are not listed.
func (s Summary) NotCheckedByReason() []NotCheckedGroup {
	reasons := map[string][]string{}
	for _, r := range s.Results {
		if r.Outcome == NotChecked {
			for _, why := range r.SkipReasons {
				reasons[why] = append(reasons[why], r.ID)
			}
		}
	}
	var out []NotCheckedGroup
	for _, why := range slices.Sorted(maps.Keys(reasons)) {
		out = append(out, NotCheckedGroup{why, reasons[why]})
	}
	return out
}

// gist is a failure message in one line: the matchers' "expected:" and
// "got:" lines joined, after the case's name when the assertion gave one
// on the line before (as the API-wide family does), or the first line of
// any other message.
func gist(message string) string {
	lines := strings.SplitN(strings.TrimSpace(message), "\n", 4)
	name := ""
	if len(lines) >= 3 && !isExpected(lines[0]) && isExpected(lines[1]) {
		name, lines = strings.TrimSpace(lines[0])+": ", lines[1:]
	}
	if len(lines) >= 2 && isExpected(lines[0]) && strings.HasPrefix(strings.TrimSpace(lines[1]), "got:") {
		return name + strings.Join(strings.Fields(lines[0]+"; "+lines[1]), " ")
	}
	return firstLine(message)
}

func isExpected(line string) bool { return strings.HasPrefix(strings.TrimSpace(line), "expected:") }

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
