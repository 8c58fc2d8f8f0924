package main

import (
	"fmt"
	"io"
	"os"

	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/framework"
)

const reportUsage = `usage: seamconform report check DIR

Verifies a certification bundle written by "seamconform run --report-dir DIR":
every file present with the SHA-256 its manifest (SHA256SUMS) gives,
junit.xml, report.md and report.html what report.json renders to, run.log
with its verdict, every requirement of this version's catalogue present and
no unknown ID, and a verdict that follows from the results. A CONFORMANT
bundle certifies only when every spec was selected and every MUST
requirement was checked and passed, against the contract this release
embeds, on an implementation rather than the embedded mocks; one from a
partial run (--operation, a filter, a credential not given) must say so in
its headline, and the check lists what it left out.

Exit codes: 0 the bundle is valid (whatever its verdict), 1 it is not (the
reasons are printed), 2 bad usage.
`

// reportCommand runs "report check DIR".
func reportCommand(args []string, stdout io.Writer) (int, error) {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(stdout, reportUsage)
		return 0, nil
	}
	if len(args) == 0 || args[0] != "check" {
		return reports.ExitUsage, usagef("want: report check DIR")
	}
	if len(args) == 2 && (args[1] == "-h" || args[1] == "--help" || args[1] == "-help") {
		fmt.Fprint(stdout, reportUsage)
		return 0, nil
	}
	if len(args) != 2 {
		return reports.ExitUsage, usagef("want: report check DIR (one directory)")
	}
	dir := args[1]
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return reports.ExitUsage, usagef("%q is not a directory", dir) // quoted: "" or a name with spaces shows
	}
	embedded, err := spec.Embedded()
	if err != nil {
		return 1, fmt.Errorf("the embedded contract: %w", err)
	}
	d, problems := reports.Check(dir, toolVersion())
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "bundle %s is NOT VALID:\n", dir)
		for _, p := range problems {
			fmt.Fprintf(stdout, "  - %s\n", p)
		}
		return 1, nil
	}
	fmt.Fprintf(stdout, "bundle %s is valid: verdict %s\n", dir, d.Headline)
	fmt.Fprintf(stdout, "  seamconform %s, contract sha256 %s, target %s, %s to %s\n", d.Tool.Version, d.Contract.SHA256, d.Target, d.Start, d.End)
	failed, errored := d.Failures()
	for _, r := range failed {
		fmt.Fprintf(stdout, "  FAILED %s [%s] %s\n", r.ID, r.Level, r.Statement)
	}
	for _, r := range errored {
		fmt.Fprintf(stdout, "  ERROR  %s [%s] could not be checked\n", r.ID, r.Level)
	}
	for _, why := range d.NotCertifying(embedded.Hash()) {
		fmt.Fprintf(stdout, "  not a certification: %s\n", why)
	}
	if d.Partial() {
		for _, r := range d.Requirements {
			if r.Level != framework.MUST {
				continue
			}
			switch unchecked := r.NotCheckedCases(); {
			case r.Outcome == reports.NotChecked:
				fmt.Fprintf(stdout, "  NOT CHECKED %s [%s] %s\n", r.ID, r.Level, r.Statement)
			case unchecked > 0:
				fmt.Fprintf(stdout, "  IN PART     %s [%s] %d of %d cases not checked\n", r.ID, r.Level, unchecked, len(r.Cases))
			}
		}
	}
	return 0, nil
}
