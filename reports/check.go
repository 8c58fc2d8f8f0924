package reports

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/seamconform/seamconform/suites/framework"
)

// Check verifies a certification bundle as a reviewer would: every file
// present and listed in the manifest with its SHA-256, nothing else in the
// directory, junit.xml and report.json telling the same story, every
// requirement of this version's catalogue present with its level and
// statement and no unknown ID, and a verdict that follows from the results
// (for CONFORMANT: every MUST requirement passed). It returns the bundle's
// document and what is wrong with it; none means the bundle is valid.
func Check(dir, toolVersion string) (Document, []string) {
	var d Document
	problems := checkManifest(dir)
	raw, err := readBundleFile(dir, JSONFile)
	if err != nil {
		return d, append(problems, fmt.Sprintf("%s: %v", JSONFile, err))
	}
	if err := decodeReport(raw, &d); err != nil {
		return d, append(problems, fmt.Sprintf("%s is not a report: %v", JSONFile, err))
	}
	if d.Tool.Version != toolVersion {
		problems = append(problems, fmt.Sprintf("the bundle was written by seamconform %s and this is %s: check it with the version that wrote it, whose catalogue it claims", d.Tool.Version, toolVersion))
	}
	problems = append(problems, checkCatalogue(d)...)
	problems = append(problems, checkVerdict(d)...)
	return d, append(problems, checkShown(dir, d)...)
}

// decodeReport reads report.json, refusing what another JSON reader could
// read otherwise than this one: a key given twice (some keep the first
// value, encoding/json the last), a field report.json does not have, and
// one spelt in another case ("Verdict"), which encoding/json takes for
// the field and others do not.
func decodeReport(raw []byte, d *Document) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more follows the report")
	}
	// Decode has checked the types: the walk can follow them.
	return exactKeys(json.NewDecoder(bytes.NewReader(raw)), reflect.TypeOf(d).Elem())
}

// exactKeys reads the next value of dec, of type t, refusing an object
// that gives a key twice or, read into a struct, a key that is not exactly
// one of its fields' names.
func exactKeys(dec *json.Decoder, t reflect.Type) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok {
	case json.Delim('['):
		for dec.More() {
			if err := exactKeys(dec, t.Elem()); err != nil {
				return err
			}
		}
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key := tok.(string)
			if seen[key] {
				return fmt.Errorf("the key %q is given twice in one object", key)
			}
			seen[key] = true
			var elem reflect.Type
			if t.Kind() == reflect.Struct {
				f, ok := fieldNamed(t, key)
				if !ok {
					return fmt.Errorf("unknown field %q", key)
				}
				elem = f.Type
			} else {
				elem = t.Elem() // a map's values
			}
			if err := exactKeys(dec, elem); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	_, err = dec.Token() // the closing ] or }
	return err
}

// fieldNamed finds the field of struct type t that JSON names key exactly.
func fieldNamed(t reflect.Type, key string) (reflect.StructField, bool) {
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); cmp.Or(name, f.Name) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// checkShown holds what people and CI systems read to report.json:
// junit.xml, report.md and report.html must be what it renders to, byte for
// byte, and run.log must print its verdict. A manifest only proves the
// files are the ones it lists, and whoever edits a file can list it anew.
func checkShown(dir string, d Document) []string {
	var problems []string
	junit, err := JUnit(d)
	if err != nil {
		return []string{fmt.Sprintf("%s cannot be rendered: %v", JSONFile, err)}
	}
	for name, want := range map[string]string{JUnitFile: string(junit), MarkdownFile: Markdown(d), HTMLFile: HTML(d)} {
		if got, err := readBundleFile(dir, name); err == nil && string(got) != want {
			problems = append(problems, fmt.Sprintf("%s does not show what %s holds: it was edited after the run", name, JSONFile))
		}
	}
	if log, err := readBundleFile(dir, LogFile); err == nil {
		if !bytes.Contains(log, []byte("\nVerdict: "+d.Headline+"\n")) {
			problems = append(problems, fmt.Sprintf("%s does not print the verdict %s holds, %q", LogFile, JSONFile, d.Headline))
		}
		// The log of another run with the same verdict (on the mocks, say)
		// must not pass for this one's.
		if !bytes.Contains(log, []byte(LogHeader(d.Tool.Version, d.Target, d.Contract.Source))) {
			problems = append(problems, fmt.Sprintf("%s is not the log of the run %s describes: it does not name its version, target and contract", LogFile, JSONFile))
		}
	}
	return problems
}

// maxBundleFile bounds a bundle file: a whole-API run's report.json with
// every exchange is tens of MB.
const maxBundleFile = 1 << 30

// readBundleFile reads one file of a bundle, which must be a regular file
// of a sane size: a pipe would hang the check, and a link to /dev/zero fill
// its memory (a link to a file elsewhere is not the bundle's either).
func readBundleFile(dir, name string) ([]byte, error) {
	path := filepath.Join(dir, name)
	info, err := os.Lstat(path)
	switch {
	case err != nil:
		return nil, err
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file (a link, a pipe or a device)", name)
	case info.Size() > maxBundleFile:
		return nil, fmt.Errorf("%s is larger than %d MiB", name, maxBundleFile>>20)
	}
	return os.ReadFile(path)
}

// checkManifest compares the files with the manifest.
func checkManifest(dir string) []string {
	raw, err := readBundleFile(dir, ManifestFile)
	if err != nil {
		return []string{fmt.Sprintf("no manifest: %v (the bundle was not written whole)", err)}
	}
	var problems []string
	listed := map[string]string{}
	scanner := bufio.NewScanner(bytes.NewReader(raw))
	for scanner.Scan() {
		sum, name, ok := strings.Cut(scanner.Text(), "  ")
		if !ok || len(sum) != 64 {
			problems = append(problems, fmt.Sprintf("%s: malformed line %q", ManifestFile, scanner.Text()))
			continue
		}
		listed[name] = sum
	}
	for _, name := range BundleFiles {
		if _, ok := listed[name]; !ok {
			problems = append(problems, fmt.Sprintf("%s is not in the manifest", name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(listed)) {
		if !slices.Contains(BundleFiles, name) {
			problems = append(problems, fmt.Sprintf("the manifest lists %s, which is not part of a bundle", name))
			continue
		}
		content, err := readBundleFile(dir, name)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s is missing: %v", name, err))
			continue
		}
		if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != listed[name] {
			problems = append(problems, fmt.Sprintf("%s does not match its SHA-256 in the manifest: it was changed after the run", name))
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		// A bundle file missing from the manifest is reported above.
		if _, ok := listed[e.Name()]; !ok && e.Name() != ManifestFile && !slices.Contains(BundleFiles, e.Name()) {
			problems = append(problems, fmt.Sprintf("%s is not in the manifest", e.Name()))
		}
	}
	return problems
}

// checkCatalogue compares the report's requirements with the catalogue.
func checkCatalogue(d Document) []string {
	var problems []string
	reported := map[string]RequirementReport{}
	for _, r := range d.Requirements {
		if _, dup := reported[r.ID]; dup {
			problems = append(problems, fmt.Sprintf("%s is reported twice", r.ID))
		}
		reported[r.ID] = r
		req, ok := framework.Lookup(r.ID)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("unknown requirement ID %s", r.ID))
		case req.Level != r.Level || req.Statement != r.Statement:
			problems = append(problems, fmt.Sprintf("%s is reported as %s %q; the catalogue says %s %q", r.ID, r.Level, r.Statement, req.Level, req.Statement))
		}
	}
	for _, req := range framework.Requirements() {
		if _, ok := reported[req.ID]; !ok {
			problems = append(problems, fmt.Sprintf("%s [%s] of the catalogue is missing from the report", req.ID, req.Level))
		}
	}
	return problems
}

// checkVerdict recomputes the verdict from the results.
func checkVerdict(d Document) []string {
	var problems []string
	var failedMust, errors []string
	checked, notCheckedMust, inPartMust := 0, 0, 0
	counts := map[framework.Level]map[Outcome]int{framework.MUST: {}, framework.SHOULD: {}}
	for _, r := range d.Requirements {
		if counts[r.Level] != nil {
			counts[r.Level][r.Outcome]++
		}
		for _, c := range r.Cases {
			if c.Outcome != NotChecked {
				checked++
			}
		}
		switch {
		case r.Outcome == Failed && r.Level == framework.MUST:
			failedMust = append(failedMust, r.ID)
		case r.Outcome == Errored:
			errors = append(errors, r.ID)
		case r.Outcome == NotChecked && r.Level == framework.MUST:
			notCheckedMust++
		case r.Level == framework.MUST && r.NotCheckedCases() > 0:
			inPartMust++
		}
		if want := outcomeOf(r.Cases); len(r.Cases) > 0 && want != r.Outcome {
			problems = append(problems, fmt.Sprintf("%s is reported %s but its cases say %s", r.ID, r.Outcome, want))
		}
	}
	want := Conformant
	switch {
	case len(failedMust) > 0:
		want = NotConformant
	case len(errors) > 0 || len(d.RunErrors) > 0:
		want = Incomplete
	case checked == 0:
		want = NothingChecked
	}
	if d.Verdict != want {
		problems = append(problems, fmt.Sprintf("the verdict is %s, but the results make it %s", d.Verdict, want))
	}
	if d.ExitCode != want.ExitCode() {
		problems = append(problems, fmt.Sprintf("the exit code is %d, but the results make the verdict %s, exit %d", d.ExitCode, want, want.ExitCode()))
	}
	// The headline is what the reports show after "Verdict:". A CONFORMANT
	// run that left MUST requirements unchecked is a valid bundle but no
	// certification, and its headline must say so. It follows the verdict
	// the results make, not the one written: an edited verdict is one
	// problem, not two that contradict each other.
	heads := []string{headline(want, notCheckedMust, inPartMust, d.Selection, false)}
	if want == NothingChecked {
		heads = append(heads, headline(NothingChecked, 0, 0, "", true))
	}
	if !slices.Contains(heads, d.Headline) {
		problems = append(problems, fmt.Sprintf("the headline says %q, but the results make it %q", d.Headline, heads[0]))
	}
	for level, byOutcome := range counts {
		for _, o := range []Outcome{Passed, Failed, Errored, NotChecked} {
			if d.Counts[level][o] != byOutcome[o] {
				problems = append(problems, fmt.Sprintf("the counts say %d %s requirements %s, the requirements %d", d.Counts[level][o], level, o, byOutcome[o]))
			}
		}
	}
	return problems
}

// outcomeOf is a requirement's outcome from its cases, as Summarize
// decides it.
func outcomeOf(cases []CaseReport) Outcome {
	has := map[Outcome]bool{}
	for _, c := range cases {
		has[c.Outcome] = true
	}
	switch {
	case has[Failed]:
		return Failed
	case has[Errored]:
		return Errored
	case has[Passed]:
		return Passed
	}
	return NotChecked
}

// LogHeader is what a run prints before its specs: the version, the target
// and the contract, which run.log must show as report.json has them.
func LogHeader(version, target, contract string) string {
	return fmt.Sprintf("seamconform %s\nTarget: %s (contract: %s)\n", version, target, contract)
}
