package violations

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Report is everything a Checker recorded.
type Report struct {
	Violations []Violation `json:"violations"`
	// NotKept counts the violations past the first maxKept distinct ones:
	// counted in Count, without their evidence.
	NotKept int    `json:"not_kept,omitempty"`
	Notes   []Note `json:"notes"`
	Calls   []Call `json:"calls"`
	// Unforwarded counts the requests a proxy could not get an answer to
	// from its upstream (unreachable, timed out): their answers were not
	// checked, so a session with any is not a clean one.
	Unforwarded int `json:"unforwarded,omitempty"`
	// Passed is whether serve ended the session with exit code 0, and
	// Failure why not, for a CI step that reads the report; nil while the
	// session runs (the control API's report).
	Passed  *bool  `json:"passed,omitempty"`
	Failure string `json:"failure,omitempty"`
}

// Files written by WriteFiles.
const (
	JSONFile     = "violations.json"
	SummaryFile  = "violations.md"
	JUnitFile    = "junit.xml"
	junitSuiteID = "seamconform contract"
)

// WriteFiles writes the report into dir (created if needed): the JSON, the
// Markdown summary and a JUnit file with one test case per operation the
// client called.
func (r Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	junit, err := r.JUnit()
	if err != nil {
		return err
	}
	for name, content := range map[string][]byte{JSONFile: append(data, '\n'), SummaryFile: []byte(r.Summary()), JUnitFile: junit} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Count is how many violations there were, each repeat and each not kept
// included.
func (r Report) Count() int {
	n := r.NotKept
	for _, v := range r.Violations {
		n += v.Repeats + 1
	}
	return n
}

// Summary is the report in Markdown.
func (r Report) Summary() string {
	var b strings.Builder
	requests := 0
	for _, c := range r.Calls {
		requests += c.Requests
	}
	fmt.Fprintf(&b, "# Contract violations\n\n%d violation(s) in %d request(s) to %d operation(s).\n", r.Count(), requests, len(r.Calls))
	if r.Failure != "" {
		fmt.Fprintf(&b, "\n**Failed:** %s\n", sentence(r.Failure))
	}
	if r.Unforwarded > 0 && r.Failure != UnforwardedFailure(r.Unforwarded, requests) { // else said just above
		fmt.Fprintf(&b, "\n**%d request(s) got no answer from the upstream** (unreachable or timed out): their answers were not checked.\n", r.Unforwarded)
	}
	if len(r.Violations) > 0 {
		b.WriteString("\n| side | operation | rule | reason | answered | times |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, v := range r.Violations {
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %d | %d |\n", v.Side, v.Operation, v.Rule, cell(v.Reason), v.Status, v.Repeats+1)
		}
	}
	if r.NotKept > 0 {
		fmt.Fprintf(&b, "\n%d more violation(s) were counted but not kept: a session keeps the first %d distinct ones.\n", r.NotKept, maxKept)
	}
	if len(r.Calls) > 0 {
		// The answers' column only when answers broke the contract (behind
		// a proxy, or with --check-responses): elsewhere it would be all
		// zeros.
		answers := slices.ContainsFunc(r.Calls, func(c Call) bool { return c.AnswerViolations > 0 })
		header, rule := "| operation | requests | request violations |", "| --- | --- | --- |"
		if answers {
			header, rule = header+" answer violations |", rule+" --- |"
		}
		b.WriteString("\n" + header + "\n" + rule + "\n")
		for _, c := range r.Calls {
			fmt.Fprintf(&b, "| `%s` | %d | %d |", c.Operation, c.Requests, c.Violations)
			if answers {
				fmt.Fprintf(&b, " %d |", c.AnswerViolations)
			}
			b.WriteString("\n")
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\nNoted, not violations:\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- `%s`: %s (%d×)\n", n.Operation, n.Text, n.Count)
		}
	}
	return b.String()
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit is the report as a JUnit file: one test case per operation called,
// failed when any request or answer of it broke the contract.
func (r Report) JUnit() ([]byte, error) {
	suite := junitSuite{Name: junitSuiteID}
	byOp := map[string][]Violation{}
	for _, v := range r.Violations {
		byOp[v.Operation] = append(byOp[v.Operation], v)
	}
	for _, c := range r.Calls {
		tc := junitCase{Name: c.Operation, Classname: "seamconform.violations"}
		if vs := byOp[c.Operation]; len(vs) > 0 {
			var text strings.Builder
			for _, v := range vs {
				fmt.Fprintf(&text, "%s\n  sent: %s %s\n", v, v.Request.Method, v.Request.Target)
			}
			// The call counts its violations, kept or not.
			tc.Failure = &junitFailure{Message: fmt.Sprintf("%d contract violation(s), first: [%s] %s", c.Violations+c.AnswerViolations, vs[0].Rule, vs[0].Reason), Type: vs[0].Rule, Text: text.String()}
			suite.Failures++
		} else if n := c.Violations + c.AnswerViolations; n > 0 { // past maxKept: counted, not kept
			tc.Failure = &junitFailure{Message: fmt.Sprintf("%d contract violation(s), not kept (a session keeps the first %d distinct ones)", n, maxKept), Type: "not-kept"}
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	if r.Unforwarded > 0 {
		suite.Cases = append(suite.Cases, junitCase{Name: "upstream", Classname: "seamconform.violations", Failure: &junitFailure{
			Message: fmt.Sprintf("%d request(s) got no answer from the upstream: their answers were not checked", r.Unforwarded), Type: "upstream"}})
		suite.Failures++
	}
	if r.Failure != "" && suite.Failures == 0 {
		// A session that failed with no operation failing (no request, or
		// answers that never came): a CI viewer shows it red too.
		suite.Cases = append(suite.Cases, junitCase{Name: "session", Classname: "seamconform.violations", Failure: &junitFailure{Message: r.Failure, Type: "session"}})
		suite.Failures++
	}
	suite.Tests = len(suite.Cases)
	out, err := xml.MarshalIndent(junitSuites{Suites: []junitSuite{suite}}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// sentence ends s with a full stop, unless it ends with a question.
func sentence(s string) string {
	if strings.HasSuffix(s, "?") || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// UnforwardedFailure is why a session in which unforwarded of requests
// requests got no answer from the upstream failed.
func UnforwardedFailure(unforwarded, requests int) string {
	return fmt.Sprintf("%d of %d request(s) got no answer from the upstream (unreachable or timed out): their answers were not checked", unforwarded, requests)
}
