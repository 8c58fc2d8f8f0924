package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/spec"
)

// A run with one injected fault writes a bundle whose verdict is NOT
// CONFORMANT, naming the failed requirement with a curl command that
// reproduces it; report check accepts it and rejects it once a file is
// removed or a result edited; no credential is in any file.
func TestBundleOfAFailingRun(t *testing.T) {
	_, env := served(t, reference.Options{Faults: []string{"not-deleted"}}, nil)
	dir := filepath.Join(t.TempDir(), "bundle")
	stepSummary := filepath.Join(t.TempDir(), "step-summary.md")
	withSummary := maps.Clone(env)
	withSummary["GITHUB_STEP_SUMMARY"] = stepSummary
	r := seamconform(t, withSummary, "run", "--report-dir", dir)
	expect(t, r, 1, "Verdict: NOT CONFORMANT", "Report bundle: "+dir)

	d := readDocument(t, dir)
	failed := failedIDs(d)
	if d.Verdict != reports.NotConformant || !slices.Contains(failed, "UIDEL-EFFECT-02") {
		t.Fatalf("report.json: verdict %s, failed %v", d.Verdict, failed)
	}
	// One document has one hash: the published one the embedded contract
	// was prepared from, as its source line names it and --spec would.
	if embedded, _ := spec.Embedded(); d.Contract.SHA256 != embedded.Hash() || !strings.HasSuffix(d.Contract.Source, "sha256:"+d.Contract.SHA256) {
		t.Errorf("report.json: contract %+v, want the published document's sha256 %s", d.Contract, embedded.Hash())
	}
	if d.Tool.Version == "" || d.Target != env["SEAM_ENDPOINT"] || d.Seed == 0 || d.Start == "" || d.End == "" || len(d.Schemes.Configured) != len(spec.Schemes()) {
		t.Errorf("report.json lacks what the run was: %+v %+v %q %d %q %q %v", d.Tool, d.Contract, d.Target, d.Seed, d.Start, d.End, d.Schemes)
	}

	// The curl command of a failed case repeats the request and gets the
	// same wrong answer.
	curl := ""
	for _, req := range d.Requirements {
		for _, c := range req.Cases {
			if req.ID == "UIDEL-EFFECT-02" && c.Outcome == reports.Failed {
				curl = c.Curl()
			}
		}
	}
	md := readFile(t, dir, reports.MarkdownFile)
	// UIDEL-EFFECT-02 fails on its second delete: the create and the first
	// delete before it are shown too, each with its curl, to reproduce it.
	if !regexp.MustCompile("exchange 1 of \\d+:\n  sent:     POST \\S+/user_identities/create\n(?s:.*)reproduce: curl").MatchString(md) {
		t.Errorf("report.md does not show a failed case's earlier exchanges")
	}
	if n := strings.Count(md, d.Contract.SHA256); n != 1 {
		t.Errorf("report.md gives the contract's sha256 %d times", n)
	}
	for _, want := range []string{"# seamconform: NOT CONFORMANT", "UIDEL-EFFECT-02", "```sh\n" + curl + "\n```", "sent:", "received:"} {
		if curl == "" || !strings.Contains(md, want) {
			t.Fatalf("report.md lacks %q", want)
		}
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Log("curl is not installed: the reproduction is not run")
	} else {
		cmd := exec.Command("bash", "-c", curl)
		cmd.Env = os.Environ()
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "HTTP/1.1 200") {
			t.Fatalf("the reproduction %s: %v\n%s", curl, err, out)
		}
	}

	summary := readFile(t, "", stepSummary)
	if !strings.Contains(summary, "# seamconform: NOT CONFORMANT") || !strings.Contains(summary, "UIDEL-EFFECT-02") {
		t.Errorf("$GITHUB_STEP_SUMMARY:\n%s", summary)
	}
	checkJUnit(t, dir, d)
	verdict, details := readHTML(t, filepath.Join(dir, reports.HTMLFile))
	if verdict != "Verdict: NOT CONFORMANT" || !slices.Equal(details, failed) {
		t.Errorf("report.html: verdict %q, failed requirements %v; want %v", verdict, details, failed)
	}
	inBrowser(t, filepath.Join(dir, reports.HTMLFile), append([]string{"Verdict: NOT CONFORMANT"}, failed...))
	noSecretInFiles(t, env, dir, stepSummary)
	if log := readFile(t, dir, reports.LogFile); !strings.Contains(log, "Verdict: NOT CONFORMANT") || strings.Contains(log, "\x1b[") {
		t.Errorf("run.log is not the console output without colour codes")
	}

	r = seamconform(t, nil, "report", "check", dir)
	expect(t, r, 0, "is valid: verdict NOT CONFORMANT", "FAILED UIDEL-EFFECT-02")
	rejectsTampering(t, dir)
}

func TestBundleOfACleanRun(t *testing.T) {
	_, env := served(t, reference.Options{}, nil)
	dir := filepath.Join(t.TempDir(), "bundle")
	r := seamconform(t, env, "run", wholeRun, "--report-dir", dir)
	expect(t, r, 0, "Verdict: CONFORMANT\n")
	if d := readDocument(t, dir); d.Verdict != reports.Conformant || len(failedIDs(d)) != 0 {
		t.Fatalf("report.json: %s", d.Verdict)
	}
	if verdict, _ := readHTML(t, filepath.Join(dir, reports.HTMLFile)); verdict != "Verdict: CONFORMANT" {
		t.Fatalf("report.html: %q", verdict)
	}
	noSecretInFiles(t, env, dir)
	r = seamconform(t, nil, "report", "check", dir)
	expect(t, r, 0, "is valid: verdict CONFORMANT")

	if strings.Contains(r.stdout, "not a certification") {
		t.Errorf("a whole run's bundle is called no certification:\n%s", r.stdout)
	}

	// A partial run's bundle is valid, as written, but no certification:
	// the check says which MUST requirements went unchecked.
	partial := filepath.Join(t.TempDir(), "partial")
	expect(t, seamconform(t, nil, "run", "--label-filter", "success", "--report-dir", partial), 0, "Verdict: CONFORMANT (partial")
	r = seamconform(t, nil, "report", "check", partial)
	expect(t, r, 0, "is valid: verdict CONFORMANT (partial", "not a certification", "NOT CHECKED UIDEL-AUTH-01 [MUST]",
		"not a certification: the run checked seamconform's own embedded mocks")
	// Every heading a CI system or a reader sees first says partial too.
	for file, want := range map[string]string{
		reports.JUnitFile:    `<testsuites name="seamconform ` + toolVersion() + `: CONFORMANT (partial: `,
		reports.MarkdownFile: "# seamconform: CONFORMANT (partial: ",
		reports.HTMLFile:     "<title>seamconform: CONFORMANT (partial: ",
	} {
		if !strings.Contains(readFile(t, partial, file), want) {
			t.Errorf("%s lacks %q", file, want)
		}
	}
	if !strings.Contains(readFile(t, partial, reports.HTMLFile), `class="verdict partial"`) {
		t.Errorf("report.html shows a partial run's verdict in a conformant run's colour")
	}
}

// A run narrowed by --operation, a label filter, --focus or --skip (or
// their --ginkgo.* spellings) is partial, however well it went: its bundle
// records the selection, and the check calls it no certification. A
// failure it found still makes it NOT CONFORMANT.
func TestBundleOfASelectedRun(t *testing.T) {
	_, env := served(t, reference.Options{}, nil)
	dir := filepath.Join(t.TempDir(), "bundle")
	const selection = "--operation '/user_identities/*'"
	expect(t, seamconform(t, env, "run", "--operation", "/user_identities/*", "--report-dir", dir), 0,
		"Verdict: CONFORMANT (partial: selected with "+selection+")\n", "MUST   58 passed, 0 failed, 0 error, 0 not checked")
	if !strings.Contains(readFile(t, dir, reports.JSONFile), `"selection": "`+selection+`"`) {
		t.Errorf("report.json does not record the selection")
	}
	expect(t, seamconform(t, nil, "report", "check", dir), 0, "is valid: verdict CONFORMANT (partial: selected with "+selection+")",
		"not a certification: the run checked only the specs selected with "+selection)

	for _, c := range []struct{ args, selection string }{
		{"--ginkgo.label-filter=UIDEL-AUTH-01 --ginkgo.focus=post", "--label-filter 'UIDEL-AUTH-01' --focus 'post'"},
		{"--label-filter=UIDEL-AUTH-01 --skip=delete --ginkgo.skip=nothing", "--label-filter 'UIDEL-AUTH-01' --skip 'nothing' --skip 'delete'"},
		{"--focus=UIDEL-AUTH-01 --label-filter= --ginkgo.focus-file=. --ginkgo.skip-file=nosuchfile", "--focus 'UIDEL-AUTH-01' --ginkgo.focus-file '.' --ginkgo.skip-file 'nosuchfile'"},
	} {
		r := seamconform(t, nil, append([]string{"run", "--no-color"}, strings.Fields(c.args)...)...)
		expect(t, r, 0, "Verdict: CONFORMANT (partial: ", ", selected with "+c.selection+")\n")
	}
	r := seamconform(t, nil, "run", "--no-color", "--fault", "not-deleted", "--operation", "/user_identities/delete", "--label-filter", "effect")
	expect(t, r, 1, "Verdict: NOT CONFORMANT\n")

	// A pattern is the user's text: a credential in it is redacted, a
	// newline escaped, in the bundle as on the console.
	secretDir := filepath.Join(t.TempDir(), "bundle")
	r = seamconform(t, env, "run", "--no-color", "--label-filter", "UIDEL-AUTH-01", "--skip", env["SEAM_API_KEY"]+"\nVerdict: CONFORMANT", "--report-dir", secretDir)
	expect(t, r, 0, `--skip '$SEAM_API_KEY\nVerdict: CONFORMANT')`)
	for _, file := range []string{reports.JSONFile, reports.JUnitFile, reports.MarkdownFile, reports.HTMLFile} {
		if text := readFile(t, secretDir, file); strings.Contains(text, env["SEAM_API_KEY"]) || strings.Contains(text, "\nVerdict: CONFORMANT") {
			t.Errorf("%s shows the --skip pattern as given", file)
		}
	}
}

// A run against a vendor's edit of the contract (--spec) proves
// conformance to that edit: report check says its bundle is no
// certification, however whole the run.
func TestBundleAgainstAnotherContract(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(spec.EmbeddedDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	// Every requirement can be checked on these operations alone.
	paths := doc["paths"].(map[string]any)
	for path := range paths {
		if !strings.HasPrefix(path, "/user_identities/") && path != "/workspaces/get" {
			delete(paths, path)
		}
	}
	data, _ := json.Marshal(doc)
	subset := filepath.Join(t.TempDir(), "subset.json")
	if err := os.WriteFile(subset, data, 0o600); err != nil {
		t.Fatal(err)
	}
	embedded, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	_, env := served(t, reference.Options{}, nil)
	dir := filepath.Join(t.TempDir(), "bundle")
	expect(t, seamconform(t, env, "run", wholeRun, "--spec", subset, "--report-dir", dir), 0, "Verdict: CONFORMANT\n")
	want := fmt.Sprintf("not a certification: the contract is not the embedded one (sha256 %x; this release embeds %s)", sha256.Sum256(data), embedded.Hash())
	expect(t, seamconform(t, nil, "report", "check", dir), 0, "is valid: verdict CONFORMANT\n", want)
}

// A mock run with a fault on that breaks only a SHOULD is CONFORMANT: its
// bundle names the fault, and the check calls it no certification.
func TestBundleOfAMockRunNamesItsFaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bundle")
	expect(t, seamconform(t, nil, "run", "--fault", "missing-workspace-400", "--report-dir", dir), 0, "Verdict: CONFORMANT")
	if d := readDocument(t, dir); !strings.Contains(d.Target, "with the faults missing-workspace-400 on") {
		t.Errorf("report.json: target %q", d.Target)
	}
	if junit := readFile(t, dir, reports.JUnitFile); !strings.Contains(junit, `message="[SHOULD] `) || strings.Contains(junit, `message="[MUST] `) {
		t.Errorf("junit.xml does not give the level of its only failures, SHOULD ones")
	}
	expect(t, seamconform(t, nil, "report", "check", dir), 0, "is valid", "faults missing-workspace-400 on",
		"not a certification: the run checked seamconform's own embedded mocks")
}

func TestReportCheckUsage(t *testing.T) {
	for _, args := range [][]string{{"report"}, {"report", "check"}, {"report", "check", "/does/not/exist"}, {"report", "frob", "x"}} {
		r := seamconform(t, nil, args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stderr == "" {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line", args, r.code, r.stderr)
		}
	}
	expect(t, seamconform(t, nil, "report", "check", "--help"), 0, "usage: seamconform report check DIR")
	r := seamconform(t, nil, "run", "--report-dir", "/proc/nope")
	if r.code != 2 || !strings.Contains(r.stderr, "cannot write the report bundle") {
		t.Errorf("unwritable --report-dir: exit %d, stderr %q", r.code, r.stderr)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	r = seamconform(t, nil, "run", "--report-dir", other)
	if r.code != 2 || !strings.Contains(r.stderr, "holds notes.txt, which is not part of a bundle") || strings.Contains(r.stdout, "Verdict") {
		t.Errorf("--report-dir with other files: exit %d, stderr %q", r.code, r.stderr)
	}
}

// rejectsTampering copies the bundle and breaks it in the ways a reviewer
// must notice.
func rejectsTampering(t *testing.T, dir string) {
	t.Helper()
	for name, tamper := range map[string]struct {
		change func(dir string)
		want   string
	}{
		"file removed": {func(dir string) { os.Remove(filepath.Join(dir, reports.MarkdownFile)) }, "report.md is missing"},
		"result edited": {func(dir string) {
			edit(t, dir, reports.JSONFile, `"outcome": "failed"`, `"outcome": "passed"`)
		}, "report.json does not match its SHA-256"},
		"result and manifest edited": {func(dir string) {
			before := readFile(t, dir, reports.JSONFile)
			edit(t, dir, reports.JSONFile, `"verdict": "NOT CONFORMANT"`, `"verdict": "CONFORMANT"`)
			edit(t, dir, reports.ManifestFile, shaOf([]byte(before)), shaOf([]byte(readFile(t, dir, reports.JSONFile))))
		}, "the verdict is CONFORMANT, but the results make it NOT CONFORMANT"},
		"file added": {func(dir string) { os.WriteFile(filepath.Join(dir, "extra.txt"), []byte("x"), 0o644) }, "extra.txt is not in the manifest"},
	} {
		copy := filepath.Join(t.TempDir(), "bundle")
		copyDir(t, dir, copy)
		tamper.change(copy)
		r := seamconform(t, nil, "report", "check", copy)
		if r.code != 1 || !strings.Contains(r.stdout, "NOT VALID") || !strings.Contains(r.stdout, tamper.want) {
			t.Errorf("%s: exit %d\n%s\nwant exit 1 naming %q", name, r.code, r.stdout, tamper.want)
		}
	}
}

func readDocument(t *testing.T, dir string) reports.Document {
	t.Helper()
	var d reports.Document
	if err := json.Unmarshal([]byte(readFile(t, dir, reports.JSONFile)), &d); err != nil {
		t.Fatal(err)
	}
	// Exchanges are JSON objects, not strings inside JSON.
	var raw struct {
		Requirements []struct {
			Cases []struct{ Exchanges []json.RawMessage }
		}
	}
	_ = json.Unmarshal([]byte(readFile(t, dir, reports.JSONFile)), &raw)
	for _, r := range raw.Requirements {
		for _, c := range r.Cases {
			for _, x := range c.Exchanges {
				if !bytes.HasPrefix(x, []byte("{")) {
					t.Fatalf("an exchange is not a JSON object: %.80s", x)
				}
			}
		}
	}
	return d
}

func failedIDs(d reports.Document) []string {
	var out []string
	for _, r := range d.Requirements {
		if r.Outcome == reports.Failed {
			out = append(out, r.ID)
		}
	}
	return out
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func edit(t *testing.T, dir, name, old, new string) {
	t.Helper()
	s := readFile(t, dir, name)
	if !strings.Contains(s, old) {
		t.Fatalf("%s has no %q to edit", name, old)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Replace(s, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// checkJUnit reads junit.xml as a CI viewer would: a suite per
// requirement, each case named shortly with the requirement as class name,
// a one-line failure message with the exchange in the body.
func checkJUnit(t *testing.T, dir string, d reports.Document) {
	t.Helper()
	var junit struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Body    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(readFile(t, dir, reports.JUnitFile)), &junit); err != nil {
		t.Fatal(err)
	}
	if len(junit.Suites) != len(d.Requirements) {
		t.Fatalf("junit.xml has %d suites for %d requirements", len(junit.Suites), len(d.Requirements))
	}
	failures := 0
	for _, s := range junit.Suites {
		for _, c := range s.Cases {
			if c.Classname != s.Name || strings.Contains(c.Name, s.Name) {
				t.Fatalf("case %q of %s: class name %q", c.Name, s.Name, c.Classname)
			}
			if c.Failure != nil {
				failures++
				if strings.Contains(c.Failure.Message, "\n") || !strings.Contains(c.Failure.Body, "curl ") {
					t.Fatalf("failure of %s %q: message %q, body without the exchange:\n%s", s.Name, c.Name, c.Failure.Message, c.Failure.Body)
				}
			}
		}
	}
	if failures == 0 {
		t.Fatal("junit.xml has no failure")
	}
}

// readHTML parses report.html (it is well-formed XML) and returns the
// verdict's text and the IDs of the failed requirements it details.
func readHTML(t *testing.T, path string) (verdict string, failed []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	inVerdict := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("report.html: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			attrs := map[string]string{}
			for _, a := range el.Attr {
				attrs[a.Name.Local] = a.Value
			}
			inVerdict = attrs["id"] == "verdict"
			if el.Name.Local == "details" && strings.Contains(attrs["class"], "requirement failed") {
				failed = append(failed, attrs["data-id"])
			}
		case xml.CharData:
			if inVerdict {
				verdict += string(el)
			}
		case xml.EndElement:
			inVerdict = false
		}
	}
	return strings.TrimSpace(verdict), failed
}

// inBrowser loads the page in headless Chromium, when installed, and
// requires each text in the rendered document.
func inBrowser(t *testing.T, path string, want []string) {
	t.Helper()
	chromium := "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Log("skipping the browser check: /usr/bin/chromium is not installed (apt-get install chromium)")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
		"--dump-dom", "file://"+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, tail(stderr.String(), 10))
	}
	for _, w := range want {
		if !bytes.Contains(dom, []byte(w)) {
			t.Errorf("the page chromium rendered lacks %q", w)
		}
	}
}

// noSecretInFiles fails when any seeded secret appears in any file.
func noSecretInFiles(t *testing.T, env map[string]string, dir string, more ...string) {
	t.Helper()
	files := more
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		files = append(files, filepath.Join(dir, e.Name()))
	}
	if len(files) < len(reports.BundleFiles)+1 {
		t.Fatalf("only %d files to search", len(files))
	}
	for _, f := range files {
		content, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range env {
			if len(v) < 8 || !(strings.Contains(k, "KEY") || strings.Contains(k, "TOKEN")) {
				continue
			}
			secrets := []string{v}
			if i := strings.LastIndex(v, "."); i > 0 && len(v)-i > 10 {
				secrets = append(secrets, v[i+1:]) // a JWT's signature
			}
			for _, s := range secrets {
				if bytes.Contains(content, []byte(s)) {
					t.Errorf("%s contains the value of %s", f, k)
				}
			}
		}
	}
}

func shaOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
