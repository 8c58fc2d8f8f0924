package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/suites/framework"
)

// The files of a certification bundle (seamconform run --report-dir). The
// manifest lists every other file with its SHA-256 and is written last, so
// a bundle whose manifest is there was written whole.
const (
	JUnitFile    = "junit.xml"
	JSONFile     = "report.json"
	MarkdownFile = "report.md"
	HTMLFile     = "report.html"
	LogFile      = "run.log"
	ManifestFile = "SHA256SUMS"
)

// BundleFiles are the files a bundle holds besides its manifest.
var BundleFiles = []string{JUnitFile, JSONFile, MarkdownFile, HTMLFile, LogFile}

// Meta is what a report says about the run besides its results.
type Meta struct {
	ToolVersion    string
	ContractSource string
	ContractSHA256 string
	// Target is the endpoint (redacted) or the embedded mocks.
	Target string
	Seed   int64
	Start  time.Time
	End    time.Time
	// SchemesConfigured are the auth schemes the run had credentials for;
	// SchemesNotConfigured says why each other one was not covered.
	SchemesConfigured    []string
	SchemesNotConfigured map[string]string
	LeftBehind           []string
	Throttled            int64
	// Selection is Summary.Selection.
	Selection string
}

// Document is report.json: the run, its verdict, and every requirement with
// its cases and their exchanges.
type Document struct {
	Tool     Tool     `json:"tool"`
	Contract Contract `json:"contract"`
	Target   string   `json:"target"`
	// Selection is the flags that narrowed the run, "" for every spec
	// (and in bundles made before it was recorded).
	Selection string  `json:"selection"`
	Seed      int64   `json:"seed"`
	Start     string  `json:"start"`
	End       string  `json:"end"`
	Schemes   Schemes `json:"schemes"`
	Verdict   Verdict `json:"verdict"`
	Headline  string  `json:"headline"`
	ExitCode  int     `json:"exit_code"`
	// Counts are requirements by level and outcome.
	Counts       map[framework.Level]map[Outcome]int `json:"counts"`
	Requirements []RequirementReport                 `json:"requirements"`
	RunErrors    []string                            `json:"run_errors"`
	Undocumented map[string]int                      `json:"undocumented_statuses"`
	LeftBehind   []string                            `json:"left_behind"`
	Throttled    int64                               `json:"throttled_answers"`
}

type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type Contract struct {
	Source string `json:"source"`
	SHA256 string `json:"sha256"`
}

type Schemes struct {
	Configured    []string          `json:"configured"`
	NotConfigured map[string]string `json:"not_configured"`
}

// RequirementReport is one requirement's result with its cases.
type RequirementReport struct {
	ID        string          `json:"id"`
	Level     framework.Level `json:"level"`
	Area      string          `json:"area"`
	Statement string          `json:"statement"`
	Outcome   Outcome         `json:"outcome"`
	// Reason says why a requirement is an error or not checked.
	Reason string       `json:"reason,omitempty"`
	Cases  []CaseReport `json:"cases"`
}

// CaseReport is one spec of a requirement.
type CaseReport struct {
	Name    string  `json:"name"`
	Outcome Outcome `json:"outcome"`
	// Message is the one-line gist of a failure, error or skip; Detail the
	// whole failure message.
	Message   string               `json:"message,omitempty"`
	Detail    string               `json:"detail,omitempty"`
	Exchanges []framework.Evidence `json:"exchanges"`
	// Seconds is how long the case ran; nil in bundles made before it was
	// recorded, whose junit.xml has no time to render again.
	Seconds *float64 `json:"seconds,omitempty"`
}

// NewDocument builds report.json's content from Ginkgo's report.
func NewDocument(report types.Report, meta Meta) Document {
	s := Summarize(report)
	s.Selection = meta.Selection
	d := Document{
		Tool:         Tool{"seamconform", meta.ToolVersion},
		Contract:     Contract{meta.ContractSource, meta.ContractSHA256},
		Target:       meta.Target,
		Selection:    meta.Selection,
		Seed:         meta.Seed,
		Start:        meta.Start.UTC().Format(time.RFC3339),
		End:          meta.End.UTC().Format(time.RFC3339),
		Schemes:      Schemes{orEmpty(meta.SchemesConfigured), meta.SchemesNotConfigured},
		Verdict:      s.Verdict(),
		Headline:     s.Headline(),
		ExitCode:     s.ExitCode(),
		Counts:       map[framework.Level]map[Outcome]int{},
		RunErrors:    orEmpty(s.RunErrors),
		Undocumented: s.Undocumented,
		LeftBehind:   orEmpty(meta.LeftBehind),
		Throttled:    meta.Throttled,
	}
	if d.Schemes.NotConfigured == nil {
		d.Schemes.NotConfigured = map[string]string{}
	}
	cases := map[string][]CaseReport{}
	for _, sr := range report.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		req, ok := framework.RequirementOf(sr.Labels())
		if !ok {
			continue
		}
		outcome, why := Classify(sr)
		if outcome == notApplicable {
			continue
		}
		if s.DryRun {
			outcome, why = NotChecked, "dry run: nothing was sent"
		}
		seconds := math.Round(sr.RunTime.Seconds()*1000) / 1000 // as JUnit shows it
		c := CaseReport{Name: caseName(sr, req), Outcome: outcome, Message: why, Exchanges: []framework.Evidence{}, Seconds: &seconds}
		if outcome == Failed || outcome == Errored {
			c.Detail = strings.TrimSpace(sr.Failure.Message)
		}
		for _, entry := range sr.ReportEntries {
			if ev, ok := evidence(entry); ok {
				c.Exchanges = append(c.Exchanges, ev)
			}
		}
		cases[req.ID] = append(cases[req.ID], c)
	}
	for _, level := range []framework.Level{framework.MUST, framework.SHOULD} {
		d.Counts[level] = map[Outcome]int{}
		for _, o := range []Outcome{Passed, Failed, Errored, NotChecked} {
			d.Counts[level][o] = s.count(level, o)
		}
	}
	for _, r := range s.Results {
		rr := RequirementReport{ID: r.ID, Level: r.Level, Area: r.Area, Statement: r.Statement, Outcome: r.Outcome, Cases: orEmpty(cases[r.ID])}
		switch r.Outcome {
		case Errored:
			rr.Reason = r.ErrorCases[0]
		case NotChecked:
			rr.Reason = strings.Join(r.SkipReasons, "; ")
			if s.DryRun {
				rr.Reason = "dry run: nothing was sent"
			} else if rr.Reason == "" {
				rr.Reason = "not selected (--label-filter, --focus, --skip) or not run"
			}
		}
		slices.SortFunc(rr.Cases, func(a, b CaseReport) int { return strings.Compare(a.Name, b.Name) })
		d.Requirements = append(d.Requirements, rr)
	}
	return d
}

// caseName is the short name of a spec's case: what the table entry says
// ("post: no credentials"), or "(single case)".
func caseName(sr types.SpecReport, req framework.Requirement) string {
	name := sr.LeafNodeText
	if name == "" || strings.HasPrefix(name, req.ID) {
		return "(single case)"
	}
	return name
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// MockTarget begins the target of a run on the embedded mocks: seamconform
// checking its own reference, which certifies no implementation.
const MockTarget = "embedded mocks"

// Partial reports whether the bundle claims CONFORMANT with MUST
// requirements left unchecked: a valid bundle, but no certification.
func (d Document) Partial() bool {
	return d.Verdict == Conformant && d.Headline != string(Conformant)
}

// NotCertifying says why a valid bundle certifies nothing, a reason a
// line; none when it is a certification, as far as its verdict goes.
// embeddedSHA256 is the hash of the contract the checking tool embeds: a
// run against another (a vendor's edit, given with --spec) proves
// conformance to that one only.
func (d Document) NotCertifying(embeddedSHA256 string) []string {
	var why []string
	if strings.HasPrefix(d.Target, MockTarget) {
		why = append(why, "the run checked seamconform's own embedded mocks, not an implementation")
	}
	if d.Contract.SHA256 != embeddedSHA256 {
		why = append(why, fmt.Sprintf("the contract is not the embedded one (sha256 %s; this release embeds %s)", d.Contract.SHA256, embeddedSHA256))
	}
	if d.Selection != "" {
		why = append(why, "the run checked only the specs selected with "+d.Selection)
	}
	// Partial for more than its selection: MUST requirements went unchecked.
	if d.Partial() && d.Headline != headline(d.Verdict, 0, 0, d.Selection, false) {
		why = append(why, "a CONFORMANT claim needs every MUST requirement checked and passed")
	}
	return why
}

// NotCheckedCases counts r's cases that were not checked: some of a
// requirement judged on the others make it checked in part.
func (r RequirementReport) NotCheckedCases() int {
	n := 0
	for _, c := range r.Cases {
		if c.Outcome == NotChecked {
			n++
		}
	}
	return n
}

// Failures lists the failed requirements, MUST first, then the errors.
func (d Document) Failures() (failed, errored []RequirementReport) {
	for _, level := range []framework.Level{framework.MUST, framework.SHOULD} {
		for _, r := range d.Requirements {
			if r.Level != level {
				continue
			}
			switch r.Outcome {
			case Failed:
				failed = append(failed, r)
			case Errored:
				errored = append(errored, r)
			}
		}
	}
	return failed, errored
}

// WriteBundle writes the certification bundle into dir (created if need
// be): junit.xml, report.json, report.md, report.html, run.log (the
// console output, given without colour codes), and last the manifest of
// their SHA-256 sums.
func WriteBundle(dir string, d Document, runLog []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	jsonBytes, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	junit, err := JUnit(d)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		JUnitFile:    junit,
		JSONFile:     append(jsonBytes, '\n'),
		MarkdownFile: []byte(Markdown(d)),
		HTMLFile:     []byte(HTML(d)),
		LogFile:      runLog,
	}
	var manifest strings.Builder
	for _, name := range BundleFiles {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(files[name])
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), []byte(manifest.String()), 0o644)
}

// CheckWritable fails when dir cannot hold a bundle, before a run rather
// than after it. A directory holding anything but an earlier bundle is
// refused: a bundle is the whole directory, and report check would reject
// the stranger files.
func CheckWritable(dir string) error {
	if err := WritableDir(dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != ManifestFile && !slices.Contains(BundleFiles, e.Name()) {
			return fmt.Errorf("%s holds %s, which is not part of a bundle: give an empty or new directory", dir, e.Name())
		}
	}
	return nil
}

// WritableDir creates dir if need be and proves a file can be written in
// it, so that a run or a server fails at its start, not at its end.
func WritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	probe, err := os.CreateTemp(dir, ".seamconform-probe-*")
	if err != nil {
		return err
	}
	probe.Close()
	return os.Remove(probe.Name())
}
