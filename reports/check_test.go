package reports_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/suites/framework"
)

// passingDocument is the document of a run in which every requirement's
// one case passed.
func passingDocument() reports.Document {
	var specs types.SpecReports
	for _, r := range framework.Requirements() {
		specs = append(specs, specOf(r, "post: a case", types.SpecStatePassed, ""))
	}
	return reports.NewDocument(types.Report{SpecReports: specs}, reports.Meta{ToolVersion: "v-test", Start: time.Now(), End: time.Now()})
}

func writeBundle(t *testing.T, d reports.Document) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	log := reports.LogHeader(d.Tool.Version, d.Target, d.Contract.Source) + "Ran 69 specs\n\nVerdict: " + d.Headline + "\n"
	if err := reports.WriteBundle(dir, d, []byte(log)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func problemsOf(t *testing.T, dir string) string {
	t.Helper()
	_, problems := reports.Check(dir, "v-test")
	return strings.Join(problems, "\n")
}

func TestCheckAcceptsAWholeBundle(t *testing.T) {
	d := passingDocument()
	if d.Verdict != reports.Conformant {
		t.Fatalf("verdict %s", d.Verdict)
	}
	dir := writeBundle(t, d)
	if p := problemsOf(t, dir); p != "" {
		t.Fatalf("a whole bundle has problems:\n%s", p)
	}
	if _, problems := reports.Check(dir, "v-other"); len(problems) != 1 || !strings.Contains(problems[0], "written by seamconform v-test and this is v-other") {
		t.Fatalf("another version's check: %q", problems)
	}
}

// Bundles that are whole (their manifest matches) but say what the
// catalogue, or their other file, does not.
func TestCheckRejectsInconsistentBundles(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(d *reports.Document)
		want   string
	}{
		"unknown ID": {func(d *reports.Document) {
			d.Requirements = append(d.Requirements, reports.RequirementReport{ID: "UIDEL-MADEUP-99", Level: framework.MUST, Statement: "It MUST exist.", Outcome: reports.Passed})
			d.Counts[framework.MUST][reports.Passed]++
		}, "unknown requirement ID UIDEL-MADEUP-99"},
		"requirement missing": {func(d *reports.Document) {
			d.Counts[d.Requirements[0].Level][reports.Passed]--
			d.Requirements = d.Requirements[1:]
		}, "of the catalogue is missing from the report"},
		"statement changed": {func(d *reports.Document) { d.Requirements[0].Statement = "Anything MUST go." }, "the catalogue says"},
		"verdict not earned": {func(d *reports.Document) {
			d.Requirements[0].Cases[0].Outcome = reports.NotChecked
			d.Requirements[0].Outcome = reports.NotChecked
			d.Counts[d.Requirements[0].Level][reports.Passed]--
			d.Counts[d.Requirements[0].Level][reports.NotChecked]++
		}, `the headline says "CONFORMANT", but the results make it "CONFORMANT (partial: 1 MUST requirements not checked)"`},
		"headline against verdict": {func(d *reports.Document) {
			d.Requirements[0].Cases[0].Outcome = reports.Failed
			d.Requirements[0].Outcome = reports.Failed
			d.Counts[d.Requirements[0].Level][reports.Passed]--
			d.Counts[d.Requirements[0].Level][reports.Failed]++
			d.Verdict = reports.NotConformant // the verdict is true, the headline the reports show is not
		}, `the headline says "CONFORMANT", but the results make it "NOT CONFORMANT"`},
		"outcome against cases": {func(d *reports.Document) { d.Requirements[0].Cases[0].Outcome = reports.Failed }, "is reported passed but its cases say failed"},
		"counts":                {func(d *reports.Document) { d.Counts[framework.MUST][reports.Failed] = 3 }, "the counts say 3 MUST requirements failed"},
	} {
		d := passingDocument()
		if d.Requirements[0].Level != framework.MUST {
			t.Fatalf("the first requirement %s is not a MUST", d.Requirements[0].ID)
		}
		tc.change(&d)
		if p := problemsOf(t, writeBundle(t, d)); !strings.Contains(p, tc.want) {
			t.Errorf("%s: problems %q, want %q", name, p, tc.want)
		}
	}
}

// The exit code a CI reads must be the one the results' verdict has: a NOT
// CONFORMANT bundle cannot claim exit 0.
func TestCheckRejectsAnExitCodeTheVerdictDoesNotHave(t *testing.T) {
	d := failingDocument()
	if d.Verdict != reports.NotConformant || d.ExitCode != reports.ExitNotConformant {
		t.Fatalf("verdict %s, exit %d", d.Verdict, d.ExitCode)
	}
	d.ExitCode = reports.ExitConformant
	want := "the exit code is 0, but the results make the verdict NOT CONFORMANT, exit 1"
	if p := problemsOf(t, writeBundle(t, d)); p != want {
		t.Fatalf("problems %q, want %q", p, want)
	}
}

// A verdict edited alone is reported once, against the results: the
// headline the reports show still follows from them.
func TestCheckRejectsAnEditedVerdictOnce(t *testing.T) {
	d := failingDocument()
	d.Verdict = reports.Conformant
	want := "the verdict is CONFORMANT, but the results make it NOT CONFORMANT"
	if p := problemsOf(t, writeBundle(t, d)); p != want {
		t.Fatalf("problems %q, want %q", p, want)
	}
}

// A report.json that another JSON reader could read otherwise is refused:
// one that keeps a key's first value, or asks for "verdict" exactly, would
// see CONFORMANT in each of these, and an invented field is no part of a
// report. Header names an endpoint sent that differ only in case are no
// repeated key: they are two map keys to any reader.
func TestCheckRefusesAReportReadTwoWays(t *testing.T) {
	d := failingDocument()
	d.Requirements[0].Cases[0].Exchanges = []framework.Evidence{{Operation: "POST /x", ResponseHeaders: map[string]string{"x a": "1", "X A": "2"}}}
	if p := problemsOf(t, writeBundle(t, d)); p != "" {
		t.Fatalf("a genuine bundle with odd evidence has problems:\n%s", p)
	}
	const verdict = `"verdict": "NOT CONFORMANT",`
	for name, tc := range map[string]struct{ old, new, want string }{
		"repeated verdict":        {verdict, `"verdict": "CONFORMANT", ` + verdict, `the key "verdict" is given twice`},
		"verdict in another case": {verdict, `"Verdict": "CONFORMANT", ` + verdict, `unknown field "Verdict"`},
		"repeated case outcome":   {`"outcome": "failed",`, `"outcome": "passed", "outcome": "failed",`, `the key "outcome" is given twice`},
		"invented field":          {verdict, `"certification": "CERTIFIED", ` + verdict, `unknown field "certification"`},
		"a second document":       {"\n}\n", "\n}\n{\"verdict\": \"CONFORMANT\"}\n", "more follows the report"},
	} {
		dir := writeBundle(t, failingDocument())
		doc := readBundle(t, dir, reports.JSONFile)
		edited := strings.Replace(doc, tc.old, tc.new, 1)
		if edited == doc {
			t.Fatalf("%s: report.json has no %q", name, tc.old)
		}
		replace(t, dir, reports.JSONFile, []byte(edited))
		if p := problemsOf(t, dir); !strings.Contains(p, "report.json is not a report: ") || !strings.Contains(p, tc.want) {
			t.Errorf("%s: problems %q, want %q", name, p, tc.want)
		}
	}
}

// A run that left a MUST requirement unchecked, and says so, wrote a valid
// bundle: the check takes it, and no headline can hide what it left out.
func TestCheckAcceptsAPartialBundleThatSaysSo(t *testing.T) {
	var specs types.SpecReports
	for i, r := range framework.Requirements() {
		if i > 0 {
			specs = append(specs, specOf(r, "post: a case", types.SpecStatePassed, ""))
		}
	}
	d := reports.NewDocument(types.Report{SpecReports: specs}, reports.Meta{ToolVersion: "v-test", Start: time.Now(), End: time.Now()})
	if d.Verdict != reports.Conformant || !strings.Contains(d.Headline, "partial: 1 MUST") {
		t.Fatalf("verdict %s, headline %q", d.Verdict, d.Headline)
	}
	if p := problemsOf(t, writeBundle(t, d)); p != "" {
		t.Fatalf("an honest partial bundle has problems:\n%s", p)
	}
	d.Headline = string(reports.Conformant)
	if p := problemsOf(t, writeBundle(t, d)); !strings.Contains(p, "the headline says") {
		t.Fatalf("a partial bundle headed CONFORMANT: problems %q", p)
	}

	// The same for a requirement judged on one case with another unchecked.
	specs = specs[:0]
	for i, r := range framework.Requirements() {
		specs = append(specs, specOf(r, "post: a case", types.SpecStatePassed, ""))
		if i == 0 {
			specs = append(specs, specOf(r, "delete: a case", types.SpecStateSkipped, "no personal access token"))
		}
	}
	d = reports.NewDocument(types.Report{SpecReports: specs}, reports.Meta{ToolVersion: "v-test", Start: time.Now(), End: time.Now()})
	if !strings.Contains(d.Headline, "1 MUST requirements checked in part") {
		t.Fatalf("headline %q", d.Headline)
	}
	if p := problemsOf(t, writeBundle(t, d)); p != "" {
		t.Fatalf("an honest bundle checked in part has problems:\n%s", p)
	}
	d.Headline = string(reports.Conformant)
	if p := problemsOf(t, writeBundle(t, d)); !strings.Contains(p, "the headline says") {
		t.Fatalf("a bundle checked in part headed CONFORMANT: problems %q", p)
	}
}

// A bundle records the selection that narrowed its run: the check takes
// it, calls it no certification, and no headline can drop it.
func TestCheckHoldsASelectedBundleToItsSelection(t *testing.T) {
	const selection = "--label-filter '!tag:acs'"
	d := passingDocument()
	d.Selection = selection
	d.Headline = string(reports.Conformant)
	if p := problemsOf(t, writeBundle(t, d)); !strings.Contains(p, `the results make it "CONFORMANT (partial: selected with `+selection+`)"`) {
		t.Fatalf("a selected run headed CONFORMANT: problems %q", p)
	}
	d.Headline = "CONFORMANT (partial: selected with " + selection + ")"
	dir := writeBundle(t, d)
	if p := problemsOf(t, dir); p != "" {
		t.Fatalf("an honest selected bundle has problems:\n%s", p)
	}
	if why := d.NotCertifying(d.Contract.SHA256); len(why) != 1 || !strings.Contains(why[0], "selected with "+selection) {
		t.Errorf("not a certification because %q", why)
	}
	for _, file := range []string{reports.MarkdownFile, reports.HTMLFile, reports.JUnitFile} {
		if !strings.Contains(readBundle(t, dir, file), "!tag:acs") {
			t.Errorf("%s does not show the selection", file)
		}
	}
}

// A bundle written before the selection was recorded has no such field:
// it checks as it did, a certification when whole.
func TestCheckTakesABundleWithoutASelection(t *testing.T) {
	dir := writeBundle(t, passingDocument())
	doc := readBundle(t, dir, reports.JSONFile)
	old := strings.Replace(doc, `"selection": "",`, "", 1)
	if old == doc {
		t.Fatalf("report.json has no empty selection to take out")
	}
	replace(t, dir, reports.JSONFile, []byte(old))
	d, problems := reports.Check(dir, "v-test")
	if why := d.NotCertifying(d.Contract.SHA256); len(problems) > 0 || d.Headline != string(reports.Conformant) || len(why) > 0 {
		t.Fatalf("headline %q, problems %q, not a certification because %q", d.Headline, problems, why)
	}
}

// A bundle of a run against another contract than the one this release
// embeds (a vendor's edit, given with --spec) certifies nothing.
func TestNotCertifyingAgainstAnotherContract(t *testing.T) {
	d := passingDocument()
	d.Contract.SHA256 = "a0d4"
	if why := d.NotCertifying("6d32"); len(why) != 1 || why[0] != "the contract is not the embedded one (sha256 a0d4; this release embeds 6d32)" {
		t.Errorf("against another contract: not a certification because %q", why)
	}
	if why := d.NotCertifying("a0d4"); len(why) != 0 {
		t.Errorf("against the embedded contract: not a certification because %q", why)
	}
}

func readBundle(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCheckComparesJUnitWithJSON(t *testing.T) {
	dir := writeBundle(t, passingDocument())
	other := passingDocument()
	other.Requirements[3].Cases[0].Outcome = reports.Failed
	junit, err := reports.JUnit(other)
	if err != nil {
		t.Fatal(err)
	}
	replace(t, dir, reports.JUnitFile, junit)
	want := "junit.xml does not show what report.json holds"
	if p := problemsOf(t, dir); !strings.Contains(p, want) {
		t.Fatalf("problems %q, want %q", p, want)
	}
}

// What a certifier reads (report.md, report.html, run.log) cannot be
// edited apart from report.json, even with the manifest listed anew.
func TestCheckRejectsEditedReadings(t *testing.T) {
	for _, name := range []string{reports.MarkdownFile, reports.HTMLFile, reports.LogFile} {
		dir := writeBundle(t, failingDocument())
		shown, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.ReplaceAll(string(shown), "NOT CONFORMANT", "CONFORMANT")
		if edited == string(shown) {
			t.Fatalf("%s does not show the verdict", name)
		}
		replace(t, dir, name, []byte(edited))
		if p := problemsOf(t, dir); !strings.Contains(p, name+" does not") {
			t.Errorf("%s edited to CONFORMANT: problems %q", name, p)
		}
	}
}

// Another run's log with the same verdict (one on the mocks) is not this
// run's.
func TestCheckRejectsAnotherRunsLog(t *testing.T) {
	d := passingDocument()
	d.Target = "http://127.0.0.1:8080"
	dir := writeBundle(t, d)
	log := reports.LogHeader(d.Tool.Version, "embedded mocks", d.Contract.Source) + "Ran 69 specs\n\nVerdict: " + d.Headline + "\n"
	replace(t, dir, reports.LogFile, []byte(log))
	if p := problemsOf(t, dir); !strings.Contains(p, "run.log is not the log of the run report.json describes") {
		t.Fatalf("problems %q", p)
	}
}

// failingDocument is passingDocument with its first requirement, a MUST,
// failed.
func failingDocument() reports.Document {
	var specs types.SpecReports
	for i, r := range framework.Requirements() {
		state := types.SpecStatePassed
		if i == 0 {
			state = types.SpecStateFailed
		}
		specs = append(specs, specOf(r, "post: a case", state, "expected 401"))
	}
	return reports.NewDocument(types.Report{SpecReports: specs}, reports.Meta{ToolVersion: "v-test", Start: time.Now(), End: time.Now()})
}

// replace swaps a bundle file and its manifest line, as someone covering
// their tracks would.
func replace(t *testing.T, dir, name string, content []byte) {
	t.Helper()
	old, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, reports.ManifestFile))
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	fixed := strings.Replace(string(manifest), sum(old), sum(content), 1)
	if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, reports.ManifestFile), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A bundle file that is a pipe or a link (to /dev/zero, or to a file
// elsewhere) is a problem, found at once: read, a pipe would hang the
// check and /dev/zero fill its memory.
func TestCheckRefusesFilesThatAreNotRegular(t *testing.T) {
	for name, replace := range map[string]func(path string) error{
		"a pipe":              func(path string) error { return syscall.Mkfifo(path, 0o644) },
		"a link to /dev/zero": func(path string) error { return os.Symlink("/dev/zero", path) },
	} {
		dir := writeBundle(t, passingDocument())
		for _, file := range []string{reports.JSONFile, reports.MarkdownFile} {
			path := filepath.Join(dir, file)
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := replace(path); err != nil {
				t.Fatal(err)
			}
		}
		if p := problemsOf(t, dir); !strings.Contains(p, reports.MarkdownFile+" is not a regular file") || !strings.Contains(p, reports.JSONFile+" is not a regular file") {
			t.Errorf("%s: problems %q", name, p)
		}
	}
}
