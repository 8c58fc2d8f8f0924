package reports_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/suites/framework"
	_ "github.com/seamconform/seamconform/suites/userdelete" // registers the catalogue
)

// pickRequirements returns n registered requirements of a level.
func pickRequirements(t *testing.T, level framework.Level, n int) []framework.Requirement {
	t.Helper()
	var out []framework.Requirement
	for _, r := range framework.Requirements() {
		if r.Level == level {
			out = append(out, r)
		}
	}
	if len(out) < n {
		t.Fatalf("only %d %s requirements are registered; the test needs %d", len(out), level, n)
	}
	return out[:n]
}

// specOf is the report of one It proving r, labelled as framework's
// wrappers label it (the table's labels are on the container).
func specOf(r framework.Requirement, text string, state types.SpecState, message string) types.SpecReport {
	return types.SpecReport{
		ContainerHierarchyTexts:  []string{r.ID + " [" + string(r.Level) + "] " + r.Statement},
		ContainerHierarchyLabels: [][]string{{r.ID, string(r.Level), r.Area, "conformance"}},
		LeafNodeType:             types.NodeTypeIt,
		LeafNodeText:             text,
		LeafNodeLabels:           []string{"POST"},
		State:                    state,
		Failure:                  types.Failure{Message: message},
	}
}

func resultByID(t *testing.T, s reports.Summary, id string) reports.Result {
	t.Helper()
	for _, r := range s.Results {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no result for %s", id)
	return reports.Result{}
}

func writeText(s reports.Summary) string {
	var b bytes.Buffer
	s.WriteText(&b)
	return b.String()
}

func TestSummarizeOutcomes(t *testing.T) {
	must := pickRequirements(t, framework.MUST, 4)
	should := pickRequirements(t, framework.SHOULD, 2)
	report := types.Report{SpecReports: types.SpecReports{
		specOf(must[0], "POST form", types.SpecStatePassed, ""),
		specOf(must[0], "DELETE form", types.SpecStatePassed, ""),

		specOf(must[1], "POST form", types.SpecStatePassed, ""),
		specOf(must[1], "DELETE form", types.SpecStateFailed, "\n  expected: status 400 Bad Request\ngot:      status 200 OK\n"),
		specOf(must[1], "DELETE form, again", types.SpecStateSkipped, "no personal access token"),

		specOf(must[2], "POST form", types.SpecStateSkipped, "this spec needs the workspace ID (set SEAM_WORKSPACE_ID)"),
		specOf(must[2], "DELETE form", types.SpecStateSkipped, "this spec needs the workspace ID (set SEAM_WORKSPACE_ID)"),
		specOf(must[2], "pending form", types.SpecStatePending, ""),

		specOf(must[3], "panics", types.SpecStatePanicked, "runtime error"),

		specOf(should[0], "POST form", types.SpecStateFailed, "expected: a non-empty seam-request-id header"),
		specOf(should[1], "POST form", types.SpecStatePassed, ""),

		// A passing suite node is not a requirement and not a failure.
		{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed},
	}}

	s := reports.Summarize(report)
	if len(s.Results) != len(framework.Requirements()) {
		t.Fatalf("%d results for %d requirements", len(s.Results), len(framework.Requirements()))
	}
	ids := make([]string, len(s.Results))
	for i, r := range s.Results {
		ids[i] = r.ID
	}
	if !slices.IsSorted(ids) {
		t.Errorf("results are not in ID order: %v", ids)
	}

	for _, tc := range []struct {
		id                      string
		outcome                 reports.Outcome
		passed, failed, skipped int
		errors                  int
	}{
		{must[0].ID, reports.Passed, 2, 0, 0, 0},
		{must[1].ID, reports.Failed, 1, 1, 1, 0},
		{must[2].ID, reports.NotChecked, 0, 0, 3, 0},
		{must[3].ID, reports.Errored, 0, 0, 0, 1},
		{should[0].ID, reports.Failed, 0, 1, 0, 0},
		{should[1].ID, reports.Passed, 1, 0, 0, 0},
	} {
		r := resultByID(t, s, tc.id)
		if r.Outcome != tc.outcome || r.Passed != tc.passed || r.Failed != tc.failed || r.NotChecked != tc.skipped || r.Errors != tc.errors {
			t.Errorf("%s: %s %d/%d/%d, want %s %d/%d/%d", tc.id, r.Outcome, r.Passed, r.Failed, r.NotChecked,
				tc.outcome, tc.passed, tc.failed, tc.skipped)
		}
	}

	failed := resultByID(t, s, must[1].ID)
	if want := []string{"DELETE form: expected: status 400 Bad Request; got: status 200 OK"}; !slices.Equal(failed.FailedCases, want) {
		t.Errorf("FailedCases = %q, want %q", failed.FailedCases, want)
	}
	skipped := resultByID(t, s, must[2].ID)
	if want := []string{"this spec needs the workspace ID (set SEAM_WORKSPACE_ID)"}; !slices.Equal(skipped.SkipReasons, want) {
		t.Errorf("SkipReasons = %q, want %q (once)", skipped.SkipReasons, want)
	}

	// Requirements with no spec in the report were not checked.
	reported := map[string]bool{}
	for _, r := range append(slices.Clone(must), should...) {
		reported[r.ID] = true
	}
	for _, r := range s.Results {
		if !reported[r.ID] && (r.Outcome != reports.NotChecked || r.Passed+r.Failed+r.NotChecked != 0 || len(r.SkipReasons) != 0) {
			t.Errorf("%s had no spec but is %s (%d/%d/%d, %v)", r.ID, r.Outcome, r.Passed, r.Failed, r.NotChecked, r.SkipReasons)
		}
	}

	if len(s.RunErrors) != 0 {
		t.Errorf("RunErrors = %v", s.RunErrors)
	}
	if s.Verdict() == reports.Conformant {
		t.Error("CONFORMANT with failed MUST requirements")
	}
	var failedMust []string
	for _, r := range s.FailedAt(framework.MUST) {
		failedMust = append(failedMust, r.ID)
	}
	if want := []string{must[1].ID}; !slices.Equal(failedMust, want) {
		t.Errorf("FailedAt(MUST) = %v, want %v", failedMust, want)
	}
	if got := s.FailedAt(framework.SHOULD); len(got) != 1 || got[0].ID != should[0].ID {
		t.Errorf("FailedAt(SHOULD) = %v", got)
	}

	text := writeText(s)
	for _, want := range []string{
		"\nVerdict: NOT CONFORMANT\n",
		fmt.Sprintf("  FAILED %s [MUST] %s\n", must[1].ID, must[1].Statement),
		"         - DELETE form: expected: status 400 Bad Request; got: status 200 OK\n",
		fmt.Sprintf("  ERROR  %s [MUST] could not be checked\n", must[3].ID),
		"         - panics: panicked: runtime error\n",
		fmt.Sprintf("  FAILED %s [SHOULD] %s\n", should[0].ID, should[0].Statement),
		fmt.Sprintf("  NOT CHECKED (this spec needs the workspace ID (set SEAM_WORKSPACE_ID)): %s\n", must[2].ID),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("WriteText lacks %q:\n%s", want, text)
		}
	}
	// A requirement that passed is not reported as failed, and a skip
	// reason of a requirement that otherwise passed or failed is not listed.
	if strings.Contains(text, "FAILED "+must[0].ID) || strings.Contains(text, "no personal access token") {
		t.Errorf("WriteText reports more than it should:\n%s", text)
	}
	if strings.Index(text, "FAILED "+must[1].ID) > strings.Index(text, "FAILED "+should[0].ID) {
		t.Errorf("SHOULD failures are listed before MUST failures:\n%s", text)
	}
	mustTotal := len(filterLevel(s.Results, framework.MUST))
	if want := fmt.Sprintf("  MUST   1 passed, 1 failed, 1 error, %d not checked\n", mustTotal-3); !strings.Contains(text, want) {
		t.Errorf("WriteText lacks the MUST tally %q:\n%s", want, text)
	}
	shouldTotal := len(filterLevel(s.Results, framework.SHOULD))
	if want := fmt.Sprintf("  SHOULD 1 passed, 1 failed, 0 error, %d not checked\n", shouldTotal-2); !strings.Contains(text, want) {
		t.Errorf("WriteText lacks the SHOULD tally %q:\n%s", want, text)
	}
}

func filterLevel(rs []reports.Result, level framework.Level) []reports.Result {
	var out []reports.Result
	for _, r := range rs {
		if r.Level == level {
			out = append(out, r)
		}
	}
	return out
}

func TestConformantWhenOnlyShouldFails(t *testing.T) {
	must := pickRequirements(t, framework.MUST, 2)
	should := pickRequirements(t, framework.SHOULD, 1)
	s := reports.Summarize(types.Report{SpecReports: types.SpecReports{
		specOf(must[0], "POST form", types.SpecStatePassed, ""),
		specOf(must[1], "POST form", types.SpecStateSkipped, "no credential was given"),
		specOf(should[0], "POST form", types.SpecStateFailed, "expected: status 404 Not Found"),
	}})
	if s.Verdict() != reports.Conformant {
		t.Fatalf("a failed SHOULD made the run non-conformant: %+v", s.FailedAt(framework.MUST))
	}
	text := writeText(s)
	for _, want := range []string{
		"\nVerdict: CONFORMANT (partial: ",
		fmt.Sprintf("  FAILED %s [SHOULD] %s\n", should[0].ID, should[0].Statement),
		"         - POST form: expected: status 404 Not Found\n",
		"  NOT CHECKED (no credential was given): " + must[1].ID + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("WriteText lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "NOT CONFORMANT") {
		t.Errorf("WriteText says NOT CONFORMANT:\n%s", text)
	}

	// Nothing ran at all: nothing was checked, so there is no verdict on
	// the implementation.
	if empty := reports.Summarize(types.Report{}); empty.Verdict() != reports.NothingChecked || empty.ExitCode() != reports.ExitNothingChecked {
		t.Errorf("an empty report: %s, exit %d", empty.Verdict(), empty.ExitCode())
	}
}

// A MUST requirement judged on some cases while others went unchecked (a
// credential not given) makes the run partial; a case that does not apply
// to its operation is left out and makes nothing partial.
func TestPartialCountsRequirementsCheckedInPart(t *testing.T) {
	var specs types.SpecReports
	var inPart, inapplicable framework.Requirement
	for i, r := range framework.Requirements() {
		specs = append(specs, specOf(r, "POST form", types.SpecStatePassed, ""))
		switch {
		case i == 0:
			inPart = r
			specs = append(specs, specOf(r, "DELETE form", types.SpecStateSkipped, "no personal access token"))
		case i == 1:
			inapplicable = r
			specs = append(specs, specOf(r, "GET form", types.SpecStateSkipped, framework.NotApplicablePrefix+"no UUID input"))
		}
	}
	if inPart.Level != framework.MUST || inapplicable.Level != framework.MUST {
		t.Fatalf("the first requirements are not MUST: %s %s", inPart.ID, inapplicable.ID)
	}
	s := reports.Summarize(types.Report{SpecReports: specs})
	if got, want := s.Headline(), "CONFORMANT (partial: 1 MUST requirements checked in part)"; got != want {
		t.Errorf("headline %q, want %q", got, want)
	}
	if r := resultByID(t, s, inapplicable.ID); r.NotChecked != 0 || r.Passed != 1 {
		t.Errorf("%s: a case that does not apply counted: %+v", r.ID, r)
	}
	d := reports.NewDocument(types.Report{SpecReports: specs}, reports.Meta{ToolVersion: "v-test"})
	for _, r := range d.Requirements {
		if r.ID == inapplicable.ID && len(r.Cases) != 1 {
			t.Errorf("%s: the report keeps a case that does not apply: %+v", r.ID, r.Cases)
		}
	}
	if !d.Partial() {
		t.Errorf("the document is not partial: %q", d.Headline)
	}
}

func TestUnattributedFailures(t *testing.T) {
	must := pickRequirements(t, framework.MUST, 1)
	s := reports.Summarize(types.Report{SpecReports: types.SpecReports{
		specOf(must[0], "POST form", types.SpecStatePassed, ""),
		{LeafNodeType: types.NodeTypeAfterSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "\n  clean-up failed: 2 identities remain\nmore detail"}},
		{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed},
		{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"stray"}, LeafNodeText: "spec", LeafNodeLabels: []string{"MUST", "unregistered-ID"}, State: types.SpecStatePassed},
	}})
	want := []string{"AfterSuite: clean-up failed: 2 identities remain", "spec without a requirement: stray spec"}
	if !slices.Equal(s.RunErrors, want) {
		t.Fatalf("RunErrors = %q, want %q", s.RunErrors, want)
	}
	if r := resultByID(t, s, must[0].ID); r.Outcome != reports.Passed {
		t.Errorf("%s: %s", r.ID, r.Outcome)
	}
	if len(s.FailedAt(framework.MUST)) != 0 || s.Verdict() == reports.Conformant {
		t.Fatalf("an error outside the specs left the run conformant")
	}
	text := writeText(s)
	for _, w := range []string{"\nVerdict: INCOMPLETE", "  RUN ERROR: AfterSuite: clean-up failed: 2 identities remain\n", "  RUN ERROR: spec without a requirement: stray spec\n"} {
		if !strings.Contains(text, w) {
			t.Errorf("WriteText lacks %q:\n%s", w, text)
		}
	}
}

func TestManyFailedCasesAreShortened(t *testing.T) {
	must := pickRequirements(t, framework.MUST, 1)
	var specs types.SpecReports
	for i := range 5 {
		specs = append(specs, specOf(must[0], fmt.Sprintf("case %d", i), types.SpecStateFailed, "boom"))
	}
	s := reports.Summarize(types.Report{SpecReports: specs})
	if r := resultByID(t, s, must[0].ID); r.Failed != 5 || len(r.FailedCases) != 5 {
		t.Fatalf("%d failed, %d cases", r.Failed, len(r.FailedCases))
	}
	text := writeText(s)
	if !strings.Contains(text, "         - case 2: boom\n") || strings.Contains(text, "case 3: boom") || !strings.Contains(text, "         - … and 2 more\n") {
		t.Errorf("WriteText does not show three cases and a count:\n%s", text)
	}
	// Writing does not change the summary it prints.
	if r := resultByID(t, s, must[0].ID); len(r.FailedCases) != 5 || r.FailedCases[3] != "case 3: boom" {
		t.Errorf("WriteText changed FailedCases: %q", r.FailedCases)
	}
}

// Undocumented statuses are counted from the exchanges' evidence, whether
// the report is in memory or read back from Ginkgo's JSON report. A 429 is
// not among them: the THROTTLED line counts it.
func TestSummarizeCountsUndocumentedStatuses(t *testing.T) {
	req := pickRequirements(t, framework.MUST, 1)[0]
	sr := specOf(req, "case", types.SpecStatePassed, "")
	undocumented := framework.Evidence{Operation: "POST /user_identities/delete", Status: 404, UndocumentedStatus: true}
	documented := framework.Evidence{Operation: "POST /user_identities/delete", Status: 400}
	throttled := framework.Evidence{Operation: "POST /user_identities/delete", Status: 429, UndocumentedStatus: true}
	for _, ev := range []framework.Evidence{undocumented, undocumented, documented, throttled} {
		sr.ReportEntries = append(sr.ReportEntries, types.ReportEntry{Name: "exchange", Value: types.WrapEntryValue(ev)})
	}
	report := types.Report{SpecReports: types.SpecReports{sr}}
	raw, err := json.Marshal(report)
	if err != nil {
		t.Fatal(err)
	}
	var readBack types.Report
	if err := json.Unmarshal(raw, &readBack); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]types.Report{"in memory": report, "from JSON": readBack} {
		s := reports.Summarize(r)
		if got := s.Undocumented["404 from POST /user_identities/delete"]; got != 2 || len(s.Undocumented) != 1 {
			t.Errorf("%s: undocumented = %v, want 2 answers of one kind", name, s.Undocumented)
		}
		if !strings.Contains(writeText(s), "UNDOCUMENTED STATUS: 404 from POST /user_identities/delete (2 answers)") {
			t.Errorf("%s: the verdict block does not report it:\n%s", name, writeText(s))
		}
	}
}

// A run that stopped early is not conformant, whatever passed before.
func TestIncompleteRunIsNotConformant(t *testing.T) {
	req := pickRequirements(t, framework.SHOULD, 1)[0]
	for name, report := range map[string]types.Report{
		"interrupted spec": {SpecReports: types.SpecReports{specOf(req, "case", types.SpecStateInterrupted, "Interrupted by User")}},
		"aborted spec":     {SpecReports: types.SpecReports{specOf(req, "case", types.SpecStateAborted, "the endpoint gave no answer")}},
		"suite reason":     {SpecialSuiteFailureReasons: []string{"Interrupted by User"}},
	} {
		s := reports.Summarize(report)
		if s.Verdict() != reports.Incomplete || s.ExitCode() != reports.ExitIncomplete || !strings.Contains(writeText(s), "Verdict: INCOMPLETE") {
			t.Errorf("%s: %s\n%s", name, s.Verdict(), writeText(s))
		}
	}
	// Each case's error says its state once, in the user's words (an
	// aborted one had sent a request: see TestAnAbortBeforeSendingIsNotChecked).
	for _, c := range []struct {
		state         types.SpecState
		message, want string
	}{
		{types.SpecStateInterrupted, "Interrupted by User", "- case: interrupted (Ctrl-C or SIGTERM)\n"},
		{types.SpecStateAborted, "the endpoint gave no answer", "- case: aborted: the endpoint gave no answer\n"},
	} {
		sr := specOf(req, "case", c.state, c.message)
		sr.ReportEntries = append(sr.ReportEntries, exchangeEntry())
		s := reports.Summarize(types.Report{SpecReports: types.SpecReports{sr}})
		if text := writeText(s); !strings.Contains(text, c.want) {
			t.Errorf("%s: want %q in\n%s", c.state, c.want, text)
		}
	}
}

func exchangeEntry() types.ReportEntry {
	return types.ReportEntry{Name: framework.ExchangeEntry, Value: types.WrapEntryValue(framework.Evidence{Operation: "POST /user_identities/delete", Status: 400})}
}

// A spec the run was aborted at before it sent anything (the time limit,
// an endpoint gone silent) did not check its requirement, which the spec
// order picked: the reports say it was not sent, and the abort is a run
// error. One aborted after sending is an error of its requirement.
func TestAnAbortBeforeSendingIsNotChecked(t *testing.T) {
	must := pickRequirements(t, framework.MUST, 2)
	const why = "the run reached its time limit (30m0s); the run ends here"
	var specs types.SpecReports
	for _, r := range framework.Requirements() {
		if r.ID != must[0].ID && r.ID != must[1].ID {
			specs = append(specs, specOf(r, "post", types.SpecStatePassed, ""))
		}
	}
	sent := specOf(must[1], "post", types.SpecStateAborted, why)
	sent.ReportEntries = append(sent.ReportEntries, exchangeEntry())
	specs = append(specs, specOf(must[0], "post", types.SpecStateAborted, why), sent)
	s := reports.Summarize(types.Report{SpecReports: specs})
	notSent := resultByID(t, s, must[0].ID)
	if notSent.Outcome != reports.NotChecked || notSent.Errors != 0 || !slices.Equal(notSent.SkipReasons, []string{"not sent: " + why}) {
		t.Errorf("%s, aborted before sending: %+v", must[0].ID, notSent)
	}
	if r := resultByID(t, s, must[1].ID); r.Outcome != reports.Errored || r.Errors != 1 {
		t.Errorf("%s, aborted after sending: %+v", must[1].ID, r)
	}
	if !slices.Equal(s.RunErrors, []string{why}) || s.Verdict() != reports.Incomplete {
		t.Errorf("run errors %q, verdict %s; want the abort's reason, INCOMPLETE", s.RunErrors, s.Verdict())
	}
	// The bundle's cases say the same, and report check agrees.
	d := reports.NewDocument(types.Report{SpecReports: specs}, reports.Meta{ToolVersion: "v-test"})
	for _, r := range d.Requirements {
		if r.ID == must[0].ID && (r.Outcome != reports.NotChecked || r.Cases[0].Outcome != reports.NotChecked || r.Reason != "not sent: "+why) {
			t.Errorf("report.json: %+v", r)
		}
	}
	if p := problemsOf(t, writeBundle(t, d)); p != "" {
		t.Errorf("the bundle has problems:\n%s", p)
	}
}

func TestPartialRunSaysSo(t *testing.T) {
	req := pickRequirements(t, framework.MUST, 1)[0]
	s := reports.Summarize(types.Report{SpecReports: types.SpecReports{specOf(req, "case", types.SpecStatePassed, "")}})
	must := len(filterLevel(s.Results, framework.MUST))
	want := fmt.Sprintf("Verdict: CONFORMANT (partial: %d MUST requirements not checked)", must-1)
	if s.Verdict() != reports.Conformant || !strings.Contains(writeText(s), want) {
		t.Fatalf("want %q in:\n%s", want, writeText(s))
	}
}

// A dry run marks every spec passed without sending anything; it is no
// verdict on the implementation.
func TestDryRunIsNothingChecked(t *testing.T) {
	req := pickRequirements(t, framework.MUST, 1)[0]
	report := types.Report{SpecReports: types.SpecReports{specOf(req, "case", types.SpecStatePassed, "")}}
	report.SuiteConfig.DryRun = true
	s := reports.Summarize(report)
	if s.Verdict() != reports.NothingChecked || s.ExitCode() != reports.ExitNothingChecked || resultByID(t, s, req.ID).Outcome != reports.NotChecked {
		t.Fatalf("dry run: %s, exit %d", s.Verdict(), s.ExitCode())
	}
	if text := writeText(s); !strings.Contains(text, "Verdict: NOTHING CHECKED (a dry run") {
		t.Fatalf("WriteText:\n%s", text)
	}
}

// A case that could not be checked (a set-up step failed, the endpoint
// stopped answering) or that a suite bug failed is an error, not a failure
// of its requirement.
func TestErrorsAreNotFailures(t *testing.T) {
	must := pickRequirements(t, framework.MUST, 3)
	setUp := specOf(must[0], "post", types.SpecStateFailed, "could not be checked: set-up failed: POST /user_identities/create did not create an identity.")
	setUp.ReportEntries = append(setUp.ReportEntries, types.ReportEntry{Name: framework.RunErrorEntry, Value: types.WrapEntryValue("set-up failed")})
	s := reports.Summarize(types.Report{SpecReports: types.SpecReports{
		setUp,
		specOf(must[1], "post", types.SpecStateFailed, "suite error: this request was meant to break [] of the contract"),
		specOf(must[2], "post", types.SpecStatePassed, ""),
	}})
	for _, id := range []string{must[0].ID, must[1].ID} {
		if r := resultByID(t, s, id); r.Outcome != reports.Errored || r.Errors != 1 || r.Failed != 0 {
			t.Errorf("%s: %s (%d failed, %d errors)", id, r.Outcome, r.Failed, r.Errors)
		}
	}
	if s.Verdict() != reports.Incomplete || s.ExitCode() != reports.ExitIncomplete {
		t.Fatalf("verdict %s, exit %d; want INCOMPLETE, 3", s.Verdict(), s.ExitCode())
	}
	text := writeText(s)
	if strings.Contains(text, "FAILED") || !strings.Contains(text, "ERROR  "+must[0].ID+" [MUST] could not be checked\n         - post: could not be checked: set-up failed") {
		t.Fatalf("WriteText:\n%s", text)
	}
	// A case whose failure names only its step says the run's reason too.
	silent := specOf(must[0], "post", types.SpecStateFailed, "without access_code_id\nexpected: status 400")
	silent.ReportEntries = append(silent.ReportEntries, types.ReportEntry{Name: framework.RunErrorEntry, Value: types.WrapEntryValue("the endpoint stopped answering (EOF)")})
	if text := writeText(reports.Summarize(types.Report{SpecReports: types.SpecReports{silent}})); !strings.Contains(text, "- post: without access_code_id: the endpoint stopped answering (EOF)\n") {
		t.Fatalf("WriteText:\n%s", text)
	}
	// A real failure beside an error still decides the verdict.
	s = reports.Summarize(types.Report{SpecReports: types.SpecReports{setUp, specOf(must[2], "post", types.SpecStateFailed, "expected: status 401")}})
	if s.Verdict() != reports.NotConformant || s.ExitCode() != reports.ExitNotConformant {
		t.Fatalf("verdict %s with a failed MUST", s.Verdict())
	}
}

// A run narrowed by --operation or a filter proves less than a whole one
// even when every requirement had a case in it: the specs it left out were
// never built. A failure it found still stands.
func TestSelectionMakesTheRunPartial(t *testing.T) {
	const selection = "--operation '/user_identities/*'"
	must := pickRequirements(t, framework.MUST, 2)
	mustCount := len(filterLevel(reports.Summarize(types.Report{}).Results, framework.MUST))
	var passing types.SpecReports
	for _, r := range framework.Requirements() {
		passing = append(passing, specOf(r, "post", types.SpecStatePassed, ""))
	}
	for _, c := range []struct {
		name  string
		specs types.SpecReports
		want  string
		exit  int
	}{
		{"every requirement passed", passing, "CONFORMANT (partial: selected with " + selection + ")", reports.ExitConformant},
		{"one MUST not checked", types.SpecReports{specOf(must[0], "post", types.SpecStatePassed, "")},
			fmt.Sprintf("CONFORMANT (partial: %d MUST requirements not checked, selected with %s)", mustCount-1, selection), reports.ExitConformant},
		{"a MUST failed", append(slices.Clone(passing), specOf(must[1], "delete", types.SpecStateFailed, "expected: status 401")), "NOT CONFORMANT", reports.ExitNotConformant},
	} {
		s := reports.Summarize(types.Report{SpecReports: c.specs})
		s.Selection = selection
		if got := s.Headline(); got != c.want || s.ExitCode() != c.exit {
			t.Errorf("%s: headline %q, exit %d; want %q, exit %d", c.name, got, s.ExitCode(), c.want, c.exit)
		}
		d := reports.NewDocument(types.Report{SpecReports: c.specs}, reports.Meta{ToolVersion: "v-test", Selection: selection})
		if d.Headline != c.want || d.Selection != selection {
			t.Errorf("%s: report.json has headline %q, selection %q", c.name, d.Headline, d.Selection)
		}
	}
}
