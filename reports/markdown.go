package reports

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/seamconform/seamconform/suites/framework"
)

// Markdown renders report.md: the verdict at the top, the run, a table of
// requirements by area, then each failure and error with what was sent,
// what came back and a curl command that repeats it.
func Markdown(d Document) string {
	var b strings.Builder
	b.WriteString(StepSummary(d))
	fmt.Fprintf(&b, "\n## The run\n\n| | |\n| --- | --- |\n")
	for _, row := range metaRows(d) {
		fmt.Fprintf(&b, "| %s | %s |\n", row[0], cell(row[1]))
	}
	if len(d.RunErrors) > 0 {
		b.WriteString("\n## Run errors\n\n")
		for _, e := range d.RunErrors {
			fmt.Fprintf(&b, "- %s\n", cell(e))
		}
	}
	if len(d.LeftBehind) > 0 {
		b.WriteString("\n## Left behind\n\n")
		for _, l := range d.LeftBehind {
			fmt.Fprintf(&b, "- %s\n", cell(l))
		}
	}
	b.WriteString("\n## Requirements\n")
	area := ""
	for _, r := range byArea(d.Requirements) {
		if r.Area != area {
			area = r.Area
			fmt.Fprintf(&b, "\n### %s\n\n| ID | level | outcome | statement |\n| --- | --- | --- | --- |\n", area)
		}
		outcome := string(r.Outcome)
		if r.Reason != "" {
			outcome += ": " + r.Reason
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.ID, r.Level, cell(outcome), cell(r.Statement))
	}
	failed, errored := d.Failures()
	for _, section := range []struct {
		title string
		reqs  []RequirementReport
		want  Outcome
	}{{"Failures", failed, Failed}, {"Errors", errored, Errored}} {
		if len(section.reqs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n", section.title)
		for _, r := range section.reqs {
			fmt.Fprintf(&b, "\n### %s [%s] %s\n", r.ID, r.Level, r.Statement)
			for _, c := range r.Cases {
				if c.Outcome != section.want {
					continue
				}
				fmt.Fprintf(&b, "\n#### %s\n\n%s\n\n```text\n%s\n```\n", c.Name, cell(c.Message), fence(CaseText(c)))
				if curl := c.Curl(); curl != "" {
					fmt.Fprintf(&b, "\nReproduce:\n\n```sh\n%s\n```\n", fence(curl))
				}
			}
		}
	}
	return b.String()
}

// StepSummary is the Markdown verdict and its failures, short enough for
// a CI job's summary ($GITHUB_STEP_SUMMARY).
func StepSummary(d Document) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# seamconform: %s\n\n**Verdict: %s**\n\n", cell(d.Headline), cell(d.Headline))
	fmt.Fprintf(&b, "| level | passed | failed | error | not checked |\n| --- | --- | --- | --- | --- |\n")
	for _, level := range []framework.Level{framework.MUST, framework.SHOULD} {
		c := d.Counts[level]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", level, c[Passed], c[Failed], c[Errored], c[NotChecked])
	}
	failed, errored := d.Failures()
	if len(failed)+len(errored) > 0 {
		b.WriteString("\n| requirement | outcome | first case |\n| --- | --- | --- |\n")
		for _, r := range append(failed, errored...) {
			first := ""
			for _, c := range r.Cases {
				if c.Outcome == r.Outcome {
					first = c.Name + ": " + c.Message
					break
				}
			}
			fmt.Fprintf(&b, "| %s [%s] %s | %s | %s |\n", r.ID, r.Level, cell(r.Statement), r.Outcome, cell(first))
		}
	}
	for _, e := range d.RunErrors {
		fmt.Fprintf(&b, "\n- run error: %s", cell(e))
	}
	if len(d.RunErrors) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

func metaRows(d Document) [][2]string {
	var not []string
	for _, s := range slices.Sorted(maps.Keys(d.Schemes.NotConfigured)) {
		not = append(not, fmt.Sprintf("%s (%s)", s, d.Schemes.NotConfigured[s]))
	}
	contract := d.Contract.Source
	if !strings.Contains(contract, d.Contract.SHA256) { // the embedded contract's source names it
		contract += ", sha256 " + d.Contract.SHA256
	}
	rows := [][2]string{
		{"tool", d.Tool.Name + " " + d.Tool.Version},
		{"contract", contract},
		{"target", d.Target},
	}
	if d.Selection != "" { // no row otherwise: a bundle made before it renders as it was written
		rows = append(rows, [2]string{"selection", d.Selection})
	}
	return append(rows, [][2]string{
		{"seed", fmt.Sprint(d.Seed)},
		{"started", d.Start},
		{"ended", d.End},
		{"schemes configured", orNone(strings.Join(d.Schemes.Configured, ", "))},
		{"schemes not configured", orNone(strings.Join(not, ", "))},
	}...)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// byArea orders requirements by area, then ID.
func byArea(rs []RequirementReport) []RequirementReport {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b RequirementReport) int {
		if c := strings.Compare(a.Area, b.Area); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// cell keeps text on one line of a Markdown table.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

// fence keeps text from closing its code block.
func fence(s string) string { return strings.ReplaceAll(s, "```", "` ` `") }
