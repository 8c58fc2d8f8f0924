package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites"
	"github.com/seamconform/seamconform/suites/framework"
	"github.com/seamconform/seamconform/suites/parallel"
	"github.com/seamconform/seamconform/suites/target"
)

type runFlags struct {
	endpoint, specFile           string
	given                        map[string]*string // seed variable -> its flag's value (framework.SeedFlags)
	faults, operations           repeated
	timeout, runTimeout, cleanup time.Duration
	allowNonSandbox, allowEmpty  bool
	concurrency                  int

	labelFilter, junit, jsonReport string
	reportDir                      string
	focus, skip                    repeated
	verbose, failFast, noColor     bool
	seed                           int64
}

const runUsage = `usage: seamconform run [flags] [--ginkgo.NAME=VALUE ...]

Runs the conformance suite against the embedded mocks, or against --endpoint
(or $SEAM_ENDPOINT), and prints a verdict.

Exit codes:
  0  CONFORMANT: every MUST requirement that ran passed
  1  NOT CONFORMANT: a MUST requirement failed
  2  bad usage, a report that could not be written, or a refusal before
     anything ran (a workspace not known to be a sandbox, a credential
     refused at the preflight)
  3  INCOMPLETE: no MUST failed, but something could not be checked (the
     endpoint stopped answering, a set-up step failed, the run was
     interrupted or reached --run-timeout)
  4  NOTHING CHECKED: a dry run, or no spec selected (0 with --allow-empty)

Any Ginkgo flag passes through as --ginkgo.NAME=VALUE (for example
--ginkgo.dry-run, --ginkgo.randomize-all); the common ones have the short
forms below.

Flags:
`

func runCommand(args []string, stdout, stderr io.Writer) (int, error) {
	var rf runFlags
	fs := newFlagSet("run", stderr)
	fs.Usage = func() {
		fmt.Fprint(stdout, runUsage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
	}
	fs.StringVar(&rf.endpoint, "endpoint", "", "base `URL` of the implementation to check (default $SEAM_ENDPOINT; neither: the embedded mocks)")
	rf.given = map[string]*string{}
	for _, f := range framework.SeedFlags() {
		rf.given[f.Variable] = fs.String(f.Name, "", fmt.Sprintf("%s (default $%s)", f.Usage, f.Variable))
	}
	fs.StringVar(&rf.specFile, "spec", "", "load the contract from this published OpenAPI `FILE` instead of the embedded one")
	fs.Var(&rf.faults, "fault", "switch on a named fault in the mock reference (repeatable; see seamconform serve --list-faults)")
	fs.DurationVar(&rf.timeout, "request-timeout", suites.DefaultRequestTimeout, "time limit of each request")
	fs.DurationVar(&rf.runTimeout, "run-timeout", suites.DefaultRunTimeout, "time limit of the specs; the run then ends INCOMPLETE")
	fs.DurationVar(&rf.cleanup, "cleanup-timeout", suites.DefaultCleanupTimeout, "time limit of the final clean-up")
	fs.BoolVar(&rf.allowNonSandbox, "allow-non-sandbox", false, "run destructive specs even when the workspace is not a sandbox")
	fs.IntVar(&rf.concurrency, "concurrency", 0, fmt.Sprintf("at most `N` specs (and so requests) at once against a live endpoint, each in a worker process; 1 runs them one by one (default: 1 when the endpoint answers within %v, else %d)", parallel.NearEndpoint, parallel.DefaultConcurrency))
	fs.BoolVar(&rf.allowEmpty, "allow-empty", false, "exit 0 when nothing was checked (a dry run, an empty selection)")
	fs.Var(&rf.operations, "operation", "check only this operation: an operationId or a path `glob` such as /devices/* (repeatable)")
	fs.StringVar(&rf.labelFilter, "label-filter", "", "run only specs matching this Ginkgo label `expression` (IDs, MUST, SHOULD, areas, post, delete, schemes)")
	fs.Var(&rf.focus, "focus", "run only specs whose text matches this `regexp` (repeatable)")
	fs.Var(&rf.skip, "skip", "skip specs whose text matches this `regexp` (repeatable)")
	fs.StringVar(&rf.reportDir, "report-dir", "", "write the certification bundle into `DIR`: junit.xml, report.json, report.md, report.html, run.log and SHA256SUMS")
	fs.StringVar(&rf.junit, "junit-report", "", "write a JUnit XML report to `FILE`, one test suite per requirement (as junit.xml of --report-dir)")
	fs.StringVar(&rf.jsonReport, "json-report", "", "write Ginkgo's JSON report to `FILE`")
	fs.BoolVar(&rf.verbose, "v", false, "verbose: print every spec and its evidence")
	fs.BoolVar(&rf.failFast, "fail-fast", false, "stop at the first failed spec")
	fs.BoolVar(&rf.noColor, "no-color", false, "no ANSI colours (also: $NO_COLOR, or output that is not a terminal)")
	fs.Int64Var(&rf.seed, "seed", 0, "Ginkgo's randomization seed (default: time)")
	ginkgoArgs, ownArgs := splitGinkgoArgs(args)
	if err := parse(fs, ownArgs); err != nil {
		return reports.ExitUsage, err
	}
	suiteConfig, reporterConfig, err := ginkgoConfig(rf, ginkgoArgs)
	if err != nil {
		return reports.ExitUsage, err
	}
	if v, set := os.LookupEnv("SEAM_ENDPOINT"); set && strings.TrimSpace(v) == "" && rf.endpoint == "" {
		// As with an empty --endpoint: a CI secret that is not set.
		return reports.ExitUsage, usagef("SEAM_ENDPOINT is set but empty: set it to the base URL of the implementation to check, or unset it to check the embedded mocks")
	}
	for name, d := range map[string]time.Duration{"--request-timeout": rf.timeout, "--run-timeout": rf.runTimeout, "--cleanup-timeout": rf.cleanup} {
		if d <= 0 {
			return reports.ExitUsage, usagef("%s must be positive, got %s", name, d)
		}
	}
	reporterConfig.NoColor = reporterConfig.NoColor || os.Getenv("NO_COLOR") != "" || !isTerminal(stdout)
	// seamconform writes the reports itself, so that one it cannot write
	// is an error (Ginkgo only prints a line and goes on).
	outputs := reportFiles{junit: reporterConfig.JUnitReport, json: reporterConfig.JSONReport}
	reporterConfig.JUnitReport, reporterConfig.JSONReport = "", ""
	// Ginkgo's own limit only backs up --run-timeout, which ends the run
	// more gently (before the next request).
	suiteConfig.Timeout = rf.runTimeout + rf.cleanup + 3*rf.timeout + time.Minute
	if rf.concurrency < 0 || rf.concurrency > parallel.MaxConcurrency || explicit(fs, "concurrency") && rf.concurrency == 0 {
		return reports.ExitUsage, usagef("--concurrency must be between 1 and %d, got %d", parallel.MaxConcurrency, rf.concurrency)
	}
	// Ginkgo holds a failed spec's process for --ginkgo.sleep-on-failure,
	// which only one process can do: it refuses it in every worker.
	if suiteConfig.SleepOnFailure > 0 && rf.concurrency > 1 {
		return reports.ExitUsage, usagef("--ginkgo.sleep-on-failure holds a run's one process on a failure: it wants --concurrency 1")
	}
	worker, isWorker, err := parallel.WorkerFromEnv()
	if err != nil {
		return reports.ExitUsage, usagef("%s", err)
	}
	// Only the parent writes reports; workers, started with the same flags,
	// must not touch them.
	if !isWorker {
		defer paceGC()()
	}

	contract, err := loadContract(rf.specFile)
	if err != nil {
		return reports.ExitUsage, err
	}
	selected := selection(rf.operations, suiteConfig)
	if suiteConfig.LabelFilter, err = suites.OperationFilter(contract, rf.operations, suiteConfig.LabelFilter); err != nil {
		return reports.ExitUsage, usagef("%s", err)
	}

	var env *framework.Env
	if endpoint := envOr(rf.endpoint, "SEAM_ENDPOINT"); endpoint != "" {
		if len(rf.faults) > 0 {
			return reports.ExitUsage, usagef("--fault switches on faults in the embedded mocks; a live endpoint has its own (use seamconform serve --fault)")
		}
		seed := liveSeed(rf)
		if err := checkCredentials(seed, rf); err != nil {
			return reports.ExitUsage, err
		}
		env, err = suites.LiveEnv(contract, endpoint, seed, rf.timeout)
		if err != nil {
			return reports.ExitUsage, usagef("%s", err)
		}
	} else {
		if err := credentialsWithoutEndpoint(rf, stderr); err != nil {
			return reports.ExitUsage, err
		}
		env, _, err = suites.MockEnv(contract, rf.faults)
		if err != nil {
			return reports.ExitUsage, usagef("%s", err)
		}
	}
	defer env.Target.Close()
	// From here on the run knows its secrets: nothing it prints may hold one.
	stdout, stderr = env.Writer(stdout), env.Writer(stderr)
	env.SetRunDeadline(time.Now().Add(rf.runTimeout), "--run-timeout "+rf.runTimeout.String())
	if isWorker {
		return runWorker(worker, env, suiteConfig, reporterConfig, rf)
	}

	// Signals are handled from here on: before any spec, an interrupt
	// ends the run at once, as nothing was created yet.
	out := newConsole(stdout)
	var stops interrupts
	stopSignals := handleSignals(env, out, &stops)
	defer stopSignals()

	// The outputs are made, to be sure they can be written, after every
	// other usage error and before any request: a path that will not do
	// sends no credential. What a refusal at the preflight or an interrupt
	// ends before the specs must not leave behind, empty, is removed.
	undo, err := outputs.make(rf.reportDir)
	if err != nil {
		return reports.ExitUsage, err
	}
	stops.undoing(undo)
	var notes []string
	if !suiteConfig.DryRun { // which sends nothing, the preflight's credential included
		notes, err = suites.Preflight(env, rf.allowNonSandbox)
	}
	if err != nil {
		undo()
		return reports.ExitUsage, usagef("%s", err)
	}
	if env.Stopped() {
		rf.concurrency = 1 // it ends at its first request, which workers would not know
	}
	if !env.Target.Mock() {
		if exposure := target.Exposure(envOr(rf.endpoint, "SEAM_ENDPOINT")); exposure != "" {
			notes = append(notes, "note: "+exposure)
		}
	}
	for _, n := range notes {
		out.alsoLog(stderr, fmt.Sprintf("seamconform: %s\n", n))
	}
	fmt.Fprint(out, reports.LogHeader(toolVersion(), targetName(env, rf.faults), contract.Source()))
	if rf.concurrency == 0 && !env.Target.Mock() && !suiteConfig.DryRun && suiteConfig.SleepOnFailure == 0 {
		roundTrip, answered := env.RoundTrip()
		rf.concurrency = parallel.Auto(roundTrip)
		probe := fmt.Sprintf("the endpoint answered in %s", roundTrip.Round(100*time.Microsecond))
		if !answered {
			probe = "the endpoint did not answer the probe"
		}
		fmt.Fprintf(out, "Concurrency: %d (%s; --concurrency N sets it)\n", rf.concurrency, probe)
	}

	mayRemain := env.LeftBehind
	if rf.concurrency > 1 && !env.Target.Mock() && !suiteConfig.DryRun {
		mayRemain = func() []string {
			return []string{"identities the workers created may remain: their user_identity_key starts " + framework.KeyPrefix(env.RunID)}
		}
	}
	stops.specsStart(mayRemain)
	start := time.Now()
	result, err := runSpecs(env, rf, suiteConfig, reporterConfig, out, stderr, stops.undoing)
	if err != nil {
		return reports.ExitIncomplete, err
	}
	report := env.RedactReport(result.report) // what Ginkgo added on its own, a panic's value say

	summary := reports.Summarize(report)
	summary.Selection = env.Redact(selected) // a pattern may hold anything, a credential or a newline
	summary.WriteText(out)
	uncovered := env.Uncovered()
	for _, scheme := range spec.Schemes() {
		if why, ok := uncovered[scheme.Name]; ok {
			fmt.Fprintf(out, "  NOT COVERED: scheme %s (%s)\n", scheme.Name, why)
		}
	}
	if n := result.throttled; n > 0 {
		fmt.Fprintf(out, "  THROTTLED: %d answers were 429 Too Many Requests; the suite waited as they said (at most 10 s each) and sent the requests again\n", n)
	}
	for _, line := range result.leftBehind {
		fmt.Fprintf(out, "  LEFT BEHIND: %s\n", line)
	}
	end := time.Now()
	// The document holds every exchange's evidence: worked out only for the
	// outputs that show it.
	doc := sync.OnceValue(func() reports.Document {
		return reports.NewDocument(report, reports.Meta{
			ToolVersion: toolVersion(), ContractSource: contract.Source(), ContractSHA256: contract.Hash(),
			Target: env.Redact(targetName(env, rf.faults)), Seed: suiteConfig.RandomSeed, Start: start, End: end,
			SchemesConfigured: env.AvailableSchemes(), SchemesNotConfigured: env.Uncovered(),
			LeftBehind: result.leftBehind, Throttled: result.throttled, Selection: summary.Selection,
		})
	})
	if err := outputs.write(report, doc); err != nil {
		return reports.ExitUsage, err
	}
	if rf.reportDir != "" {
		if err := reports.WriteBundle(rf.reportDir, doc(), []byte(env.Redact(string(out.Log())))); err != nil {
			return reports.ExitUsage, usagef("cannot write the report bundle: %s", err)
		}
		fmt.Fprintf(stdout, "Report bundle: %s (check it with: seamconform report check %s)\n", rf.reportDir, rf.reportDir)
	}
	if path := os.Getenv("GITHUB_STEP_SUMMARY"); path != "" {
		if err := appendFile(path, env.Redact(reports.StepSummary(doc()))); err != nil {
			fmt.Fprintf(stderr, "seamconform: cannot append to $GITHUB_STEP_SUMMARY: %s\n", err)
		}
	}
	if summary.Verdict() == reports.NothingChecked && rf.allowEmpty {
		return 0, nil
	}
	return summary.ExitCode(), nil
}

// selection is the flags that narrowed the specs, quoted as typed (the
// run shows a credential in one by its variable); "" when none did. A filter that happens to keep every spec counts
// too: the specs a selection leaves out are mostly never built, so the
// results cannot tell what was left out.
func selection(operations []string, sc types.SuiteConfig) string {
	var flags []string
	add := func(name string, values ...string) {
		for _, v := range values {
			if v != "" {
				flags = append(flags, name+" '"+oneLine.Replace(strings.ReplaceAll(v, "'", `'\''`))+"'")
			}
		}
	}
	add("--operation", operations...)
	add("--label-filter", sc.LabelFilter) // or --ginkgo.label-filter, and so on
	add("--focus", sc.FocusStrings...)
	add("--skip", sc.SkipStrings...)
	add("--ginkgo.focus-file", sc.FocusFiles...)
	add("--ginkgo.skip-file", sc.SkipFiles...)
	return strings.Join(flags, " ")
}

// oneLine keeps a pattern on the headline's one line.
var oneLine = strings.NewReplacer("\n", `\n`, "\r", `\r`)

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text + "\n")
	return errors.Join(err, f.Close())
}

// credentialsWithoutEndpoint refuses credential flags without an endpoint
// and warns about credential variables that will not be used: the mocks
// have their own, and a user who set SEAM_API_KEY expected a live run.
func credentialsWithoutEndpoint(rf runFlags, stderr io.Writer) error {
	var ignored []string
	for _, f := range framework.SeedFlags() {
		if *rf.given[f.Variable] != "" {
			return usagef("--%s needs an endpoint to send it to: give --endpoint URL (or set SEAM_ENDPOINT); without one the suite checks the embedded mocks", f.Name)
		}
		if os.Getenv(f.Variable) != "" {
			ignored = append(ignored, f.Variable)
		}
	}
	if len(ignored) > 0 {
		fmt.Fprintf(stderr, "seamconform: warning: %s set but no endpoint (--endpoint or SEAM_ENDPOINT): checking the embedded mocks, and %s not used\n",
			strings.Join(ignored, ", "), map[bool]string{true: "it is", false: "they are"}[len(ignored) == 1])
	}
	return nil
}

// interrupts is what an interrupt must know of the run so far: whether its
// specs have started (before, nothing was created and the run ends at
// once), what a run stopped at once undoes (an empty report folder, the
// workers' folder) and what may remain on the target.
type interrupts struct {
	mu   sync.Mutex
	undo []func()
	// mayRemain is set when the specs start: nil, nothing was created.
	mayRemain func() []string
}

func (i *interrupts) undoing(f func()) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.undo = append(i.undo, f)
}

func (i *interrupts) specsStart(mayRemain func() []string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.mayRemain = mayRemain
}

// stopAtOnce undoes what it must and ends the program with a verdict line,
// which CI logs are searched for. The caller holds i.mu, which it never
// gives back: the specs cannot start meanwhile.
func (i *interrupts) stopAtOnce(out io.Writer, why string) {
	fmt.Fprintf(out, "\nVerdict: %s (%s)\n", reports.Incomplete, why)
	if i.mayRemain != nil {
		for _, line := range i.mayRemain() {
			fmt.Fprintf(out, "  LEFT BEHIND: %s\n", line)
		}
	}
	for _, f := range i.undo {
		f()
	}
	os.Exit(reports.ExitIncomplete)
}

// handleSignals makes the first Ctrl-C (or SIGTERM) end the run: at once
// before its specs start, and gently once they have, letting the running
// spec finish its request and the clean-up run; a second one stops the run
// at once, naming what may remain on the target. The returned function
// stops the handling.
func handleSignals(env *framework.Env, out *console, stops *interrupts) (stop func()) {
	stopMuting := out.muteOnSignals()
	stopHandling := onSignals(func() {
		out.mute()
		stops.mu.Lock()
		if stops.mayRemain == nil {
			fmt.Fprintln(out, "\nseamconform: interrupted before any spec ran; nothing was created")
			stops.stopAtOnce(out, "interrupted before any spec ran")
		}
		stops.mu.Unlock()
		fmt.Fprintln(out, "\nseamconform: interrupted: ending the run and cleaning up (interrupt again to stop at once)")
		env.Interrupt()
	}, func() {
		fmt.Fprintln(out, "\nseamconform: stopped at once; the clean-up did not finish")
		stops.mu.Lock()
		stops.stopAtOnce(out, "stopped at once by a second interrupt")
	})
	return func() { stopHandling(); stopMuting() }
}

// onSignals calls first on the first SIGINT or SIGTERM and second on every
// later one, until stop is called.
func onSignals(first, second func()) (stop func()) {
	signals, done := make(chan os.Signal, 2), make(chan struct{})
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for n := 1; ; n++ {
			select {
			case <-signals:
			case <-done:
				return
			}
			if n == 1 {
				first()
			} else {
				second()
			}
		}
	}()
	return func() { signal.Stop(signals); close(done) }
}

// reportFiles are the report files asked for with --junit-report and
// --json-report (or Ginkgo's own flags).
type reportFiles struct{ junit, json string }

// make creates the report files and the bundle folder dir (if any), so
// that one that cannot be written fails the run before it starts, not after
// it. undo removes those it created: until the end of the run they are
// empty, and a folder left behind would look like a bundle.
func (r reportFiles) make(dir string) (undo func(), err error) {
	var made []string
	undo = func() {
		for _, path := range slices.Backward(made) {
			_ = os.Remove(path)
		}
	}
	for _, path := range []string{r.junit, r.json} {
		if path == "" {
			continue
		}
		if _, err := os.Stat(path); os.IsNotExist(err) {
			made = append(made, path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			undo()
			return nil, usagef("cannot write the report: %s", err)
		}
		f.Close()
	}
	if dir != "" {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			made = append(made, dir)
		}
		if err := reports.CheckWritable(dir); err != nil {
			undo()
			return nil, usagef("cannot write the report bundle: %s", err)
		}
	}
	return undo, nil
}

// write writes the JUnit report as the bundle's junit.xml (grouped by
// requirement, with the verdict) and the JSON report as Ginkgo's.
func (r reportFiles) write(report types.Report, doc func() reports.Document) error {
	if r.junit != "" {
		junit, err := reports.JUnit(doc())
		if err == nil {
			err = os.WriteFile(r.junit, junit, 0o644)
		}
		if err != nil {
			return usagef("cannot write the JUnit report: %s", err)
		}
	}
	if r.json != "" {
		if err := reporters.GenerateJSONReport(report, r.json); err != nil {
			return usagef("cannot write the JSON report: %s", err)
		}
	}
	return nil
}

// targetName says what the run checked; a bundle carries it, so a run
// against a broken mock on purpose cannot pass for a clean one.
func targetName(env *framework.Env, faults []string) string {
	switch {
	case !env.Target.Mock():
		return env.Target.Endpoint()
	case len(faults) > 0:
		return reports.MockTarget + " (the reference implementation with the faults " + strings.Join(faults, ", ") + " on, in-process through gock)"
	}
	return reports.MockTarget + " (the reference implementation, in-process through gock)"
}

func loadContract(file string) (*spec.Contract, error) {
	if file == "" {
		return spec.Embedded()
	}
	c, err := spec.LoadFile(file)
	if err != nil {
		return nil, usagef("%s", firstLine(err.Error()))
	}
	return c, nil
}

// checkCredentials refuses a credential too short for the redactor, which
// leaves values under fixtures.MinSecret bytes alone (they would garble other text): the
// run would print it. And one with a control byte (a CRLF .env file), which
// no request can carry: every request would fail as if the endpoint did.
func checkCredentials(seed fixtures.Seed, rf runFlags) error {
	// Each is named as it was given: by its flag (--api-key), whose value
	// lookup takes when not empty, or by its variable.
	given := map[string]string{}
	for _, f := range framework.SeedFlags() {
		if *rf.given[f.Variable] != "" {
			given[f.Variable] = "--" + f.Name
		}
	}
	secrets := seed.Secrets()
	for _, variable := range slices.Sorted(maps.Keys(secrets)) {
		value, name := secrets[variable], cmp.Or(given[variable], variable)
		if n := len(value); n > 0 && n < fixtures.MinSecret {
			return usagef("%s is %d bytes long: seamconform keeps credentials of %d bytes or more out of its output, and would print this one", name, n, fixtures.MinSecret)
		}
		if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return usagef("%s holds a control character (a carriage return from a CRLF .env file?): no request can carry it", name)
		}
	}
	return nil
}

func liveSeed(rf runFlags) fixtures.Seed {
	return fixtures.Seed{
		WorkspaceID:                rf.lookup("SEAM_WORKSPACE_ID"),
		APIKey:                     rf.lookup("SEAM_API_KEY"),
		PersonalAccessToken:        rf.lookup("SEAM_PERSONAL_ACCESS_TOKEN"),
		ConsoleSessionToken:        rf.lookup("SEAM_CONSOLE_SESSION_TOKEN"),
		ExpiredConsoleSessionToken: os.Getenv("SEAM_EXPIRED_CONSOLE_SESSION_TOKEN"),
		ClientSessionToken:         rf.lookup("SEAM_CLIENT_SESSION_TOKEN"),
		PublishableKey:             rf.lookup("SEAM_PUBLISHABLE_KEY"),
		ForeignWorkspaceID:         os.Getenv("SEAMCONFORM_FOREIGN_WORKSPACE_ID"),
		ForeignIdentityID:          os.Getenv("SEAMCONFORM_FOREIGN_IDENTITY_ID"),
		ForeignAPIKey:              os.Getenv("SEAMCONFORM_FOREIGN_API_KEY"),
		Tokens:                     fixtures.TokensFromEnv(rf.lookup),
	}
}

// lookup returns a seed variable's value: its flag's when given, else the
// environment's.
func (rf runFlags) lookup(variable string) string {
	if v := rf.given[variable]; v != nil {
		return envOr(*v, variable)
	}
	return os.Getenv(variable)
}

// splitGinkgoArgs separates Ginkgo's own flags (--ginkgo.NAME[=VALUE]),
// passed through unchanged, from seamconform's.
func splitGinkgoArgs(args []string) (ginkgoArgs, own []string) {
	for _, a := range args {
		if strings.HasPrefix(strings.TrimLeft(a, "-"), "ginkgo.") {
			ginkgoArgs = append(ginkgoArgs, strings.TrimLeft(a, "-"))
		} else {
			own = append(own, a)
		}
	}
	return ginkgoArgs, own
}

// ginkgoConfig applies --ginkgo.* flags, then seamconform's shorthands, and
// checks what Ginkgo would otherwise reject with a multi-line message.
func ginkgoConfig(rf runFlags, ginkgoArgs []string) (types.SuiteConfig, types.ReporterConfig, error) {
	for _, a := range ginkgoArgs {
		name, value, hasValue := strings.Cut(a, "=")
		if !hasValue {
			value = "true"
		}
		if flag.CommandLine.Lookup(name) == nil {
			return types.SuiteConfig{}, types.ReporterConfig{}, usagef("unknown Ginkgo flag --%s", name)
		}
		if err := flag.CommandLine.Set(name, value); err != nil {
			return types.SuiteConfig{}, types.ReporterConfig{}, usagef("--%s: %s", name, err)
		}
	}
	sc, rc := ginkgo.GinkgoConfiguration()
	if rf.labelFilter != "" {
		if _, err := types.ParseLabelFilter(rf.labelFilter); err != nil {
			return sc, rc, usagef("--label-filter %q: %s", rf.labelFilter, firstLine(err.Error()))
		}
		sc.LabelFilter = rf.labelFilter
	}
	sc.FocusStrings = append(sc.FocusStrings, rf.focus...)
	sc.SkipStrings = append(sc.SkipStrings, rf.skip...)
	// Ginkgo compiles them with MustCompile: a bad one, given as
	// --ginkgo.focus too, would panic.
	for _, re := range append(slices.Clone(sc.FocusStrings), sc.SkipStrings...) {
		if _, err := regexp.Compile(re); err != nil {
			return sc, rc, usagef("--focus/--skip %q: %s", re, err)
		}
	}
	if rf.seed != 0 {
		sc.RandomSeed = rf.seed
	}
	sc.FailFast = sc.FailFast || rf.failFast
	rc.Verbose = rc.Verbose || rf.verbose
	rc.NoColor = rc.NoColor || rf.noColor
	if rf.junit != "" {
		rc.JUnitReport = rf.junit
	}
	if rf.jsonReport != "" {
		rc.JSONReport = rf.jsonReport
	}
	// What Ginkgo itself would refuse (--ginkgo.parallel.process=5, an
	// unknown --ginkgo.output-interceptor-mode) is refused here, in one
	// line, before anything runs: Ginkgo prints a coloured block and exits 1.
	// Its flag set matters only for Go's own -count and -parallel, not ours.
	flags, _ := types.NewAttachedGinkgoFlagSet(flag.NewFlagSet("ginkgo", flag.ContinueOnError), types.GinkgoFlags{}, nil, nil, types.GinkgoFlagSection{})
	if errs := types.VetConfig(flags, sc, rc); len(errs) > 0 {
		return sc, rc, usagef("Ginkgo's configuration: %s", firstLine(errs[0].Error()))
	}
	return sc, rc, nil
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// firstLine keeps an error to one plain line, as Ginkgo's are coloured and
// span several.
func firstLine(s string) string {
	line, _, _ := strings.Cut(ansi.ReplaceAllString(s, ""), "\n")
	return strings.TrimSpace(line)
}
