package reports

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// JUnit XML as CI viewers read it: one test suite per requirement (its ID
// as class name), one test case per case with a short name, a one-line
// failure message with the exchange in the body, and cases that could not
// be checked as errors, not failures.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr,omitempty"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr,omitempty"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

// notRunCase names the placeholder case of a requirement no case of which
// was in the run, so that every requirement shows in a CI viewer.
const notRunCase = "(not run)"

// JUnit renders the document as JUnit XML.
func JUnit(d Document) ([]byte, error) {
	out := junitSuites{Name: fmt.Sprintf("seamconform %s: %s", d.Tool.Version, d.Headline)}
	// A suite's time is its cases', summed, as CI viewers add them up.
	withTimes := timed(d)
	var total float64
	for _, r := range d.Requirements {
		var suiteTime float64
		suite := junitSuite{Name: r.ID, Timestamp: d.Start, Properties: []junitProperty{
			{"level", string(r.Level)}, {"area", r.Area}, {"statement", r.Statement}, {"outcome", string(r.Outcome)},
			{"verdict", string(d.Verdict)}, {"tool_version", d.Tool.Version}, {"contract_sha256", d.Contract.SHA256}, {"target", d.Target},
		}}
		if d.Selection != "" { // none otherwise: a bundle made before it renders as it was written
			suite.Properties = append(suite.Properties, junitProperty{"selection", d.Selection})
		}
		cases := r.Cases
		if len(cases) == 0 {
			cases = []CaseReport{{Name: notRunCase, Outcome: NotChecked, Message: r.Reason}}
		}
		for _, c := range cases {
			jc := junitCase{Name: c.Name, Classname: r.ID}
			if withTimes {
				t := 0.0 // a requirement's "(not run)" placeholder
				if c.Seconds != nil {
					t = *c.Seconds
				}
				jc.Time, suiteTime = formatSeconds(t), suiteTime+t
			}
			switch c.Outcome {
			case Failed:
				// A CI viewer shows every failure alike: the level says
				// which ones leave the verdict CONFORMANT.
				jc.Failure = &junitMessage{Message: "[" + string(r.Level) + "] " + c.Message, Type: "failed", Body: CaseText(c)}
				suite.Failures++
			case Errored:
				jc.Error = &junitMessage{Message: c.Message, Type: "error", Body: CaseText(c)}
				suite.Errors++
			case NotChecked:
				// A case Ginkgo skipped on its own has no reason to give.
				jc.Skipped = &junitMessage{Message: cmp.Or(c.Message, "not selected or not run (the run ended before it)")}
				suite.Skipped++
			}
			suite.Tests++
			suite.Cases = append(suite.Cases, jc)
		}
		if withTimes {
			suite.Time, total = formatSeconds(suiteTime), total+suiteTime
		}
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Errors += suite.Errors
		out.Skipped += suite.Skipped
		out.Suites = append(out.Suites, suite)
	}
	if withTimes {
		out.Time = formatSeconds(total)
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// CaseText is what a failed or errored case shows: its whole message, then
// every exchange of the case the message does not already show, in the
// order they were made, each with its curl command. A failure seen after a
// create and a delete takes all three to reproduce.
func CaseText(c CaseReport) string {
	text := c.Detail
	for i, ev := range c.Exchanges {
		if ev.Curl == "" || !strings.Contains(c.Detail, ev.Curl) {
			text += fmt.Sprintf("\n\nexchange %d of %d:\n%s", i+1, len(c.Exchanges), ev.String())
		}
	}
	return strings.TrimSpace(text)
}

// Curl is the command that repeats a case's last exchange, or "".
func (c CaseReport) Curl() string {
	if n := len(c.Exchanges); n > 0 {
		return c.Exchanges[n-1].Curl
	}
	return ""
}

// timed reports whether d records how long its cases ran; a bundle made
// before they were recorded does not, and its junit.xml shows no times.
func timed(d Document) bool {
	for _, r := range d.Requirements {
		for _, c := range r.Cases {
			if c.Seconds != nil {
				return true
			}
		}
	}
	return false
}

func formatSeconds(t float64) string { return strconv.FormatFloat(t, 'f', 3, 64) }
