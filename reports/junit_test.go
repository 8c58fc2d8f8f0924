package reports_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/suites/framework"
)

// JUnit's time attributes are the cases' run times, summed per suite and
// over the run, as CI viewers and strict JUnit schemas read them. A
// bundle made before times were recorded renders as it was written: with
// none, so `report check` still accepts it.
func TestJUnitTimesAreTheCases(t *testing.T) {
	reqs := framework.Requirements()
	first, second := specOf(reqs[0], "post: a case", types.SpecStatePassed, ""), specOf(reqs[0], "delete: a case", types.SpecStatePassed, "")
	first.RunTime, second.RunTime = 1250*time.Millisecond, 500*time.Millisecond
	other := specOf(reqs[1], "post: a case", types.SpecStatePassed, "")
	other.RunTime = 2 * time.Second
	d := reports.NewDocument(types.Report{SpecReports: types.SpecReports{first, second, other}}, reports.Meta{ToolVersion: "v-test", Start: time.Now(), End: time.Now()})

	var junit struct {
		Time   string `xml:"time,attr"`
		Suites []struct {
			Name  string `xml:"name,attr"`
			Time  string `xml:"time,attr"`
			Cases []struct {
				Name string `xml:"name,attr"`
				Time string `xml:"time,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	rendered, err := reports.JUnit(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(rendered, &junit); err != nil {
		t.Fatal(err)
	}
	if junit.Time != "3.750" {
		t.Errorf("the run's time %q, want 3.750", junit.Time)
	}
	want := map[string]string{reqs[0].ID: "1.750", reqs[1].ID: "2.000"}
	for _, s := range junit.Suites {
		if w, ok := want[s.Name]; ok && s.Time != w {
			t.Errorf("suite %s: time %q, want %s", s.Name, s.Time, w)
		}
		if _, ok := want[s.Name]; !ok && (s.Time != "0.000" || len(s.Cases) != 1 || s.Cases[0].Time != "0.000") {
			t.Errorf("suite %s, not run: time %q, cases %+v", s.Name, s.Time, s.Cases)
		}
	}

	for i := range d.Requirements {
		for j := range d.Requirements[i].Cases {
			d.Requirements[i].Cases[j].Seconds = nil
		}
	}
	if rendered, _ := reports.JUnit(d); strings.Contains(string(rendered), "time=") {
		t.Errorf("a bundle without times renders times:\n%.600s", rendered)
	}
}

// A case skipped without a reason (the run ended before it) still says
// why in JUnit, where an empty message reads as a skip by choice.
func TestJUnitSkippedCasesSayWhy(t *testing.T) {
	reqs := framework.Requirements()
	notRun := specOf(reqs[0], "post: a case", types.SpecStateSkipped, "")
	reasoned := specOf(reqs[1], "post: a case", types.SpecStateSkipped, "this spec needs SEAM_PERSONAL_ACCESS_TOKEN")
	d := reports.NewDocument(types.Report{SpecReports: types.SpecReports{notRun, reasoned}}, reports.Meta{ToolVersion: "v-test", Start: time.Now(), End: time.Now()})
	rendered, err := reports.JUnit(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(rendered), `<skipped message="">`) || !strings.Contains(string(rendered), `<skipped message="not selected or not run (the run ended before it)">`) || !strings.Contains(string(rendered), `<skipped message="this spec needs SEAM_PERSONAL_ACCESS_TOKEN">`) {
		t.Errorf("skipped cases:\n%s", rendered)
	}
}

// A failure whose assertion names its case on the line before the
// matcher's expected and got (the API-wide family's) gives all three in
// its one line: the case's name alone says nothing of what went wrong.
func TestJUnitFailureMessageSaysWhatWasExpected(t *testing.T) {
	req := framework.Requirements()[0]
	failed := specOf(req, "POST /acs/systems/get", types.SpecStateFailed,
		"without acs_system_id\nexpected: status 400 Bad Request\ngot:      status 200 OK\n\n  sent:     POST /acs/systems/get\n")
	d := reports.NewDocument(types.Report{SpecReports: types.SpecReports{failed}}, reports.Meta{ToolVersion: "v-test", Start: time.Now(), End: time.Now()})
	rendered, err := reports.JUnit(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<failure message="[MUST] without acs_system_id: expected: status 400 Bad Request; got: status 200 OK" type="failed">`; !strings.Contains(string(rendered), want) {
		t.Errorf("want %s in:\n%.1500s", want, rendered)
	}
	if md := reports.Markdown(d); !strings.Contains(md, "POST /acs/systems/get: without acs_system_id: expected: status 400 Bad Request; got: status 200 OK") {
		t.Errorf("report.md:\n%s", md)
	}
}
