package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites"
	"github.com/seamconform/seamconform/suites/framework"
	"github.com/seamconform/seamconform/suites/parallel"
)

type runFlags struct {
	endpoint, specFile              string
	apiKey, pat, console, workspace string
	faults                          repeated
	timeout                         time.Duration
	allowNonSandbox                 bool
	concurrency                     int

	labelFilter, junit, jsonReport string
	focus, skip                    repeated
	verbose, failFast, noColor     bool
	seed                           int64
}

func runCommand(args []string, stdout, stderr io.Writer) (int, error) {
	var rf runFlags
	fs := newFlagSet("run", stderr)
	fs.StringVar(&rf.endpoint, "endpoint", "", "base `URL` of the implementation to check (default $SEAM_ENDPOINT; neither: the embedded mocks)")
	fs.StringVar(&rf.apiKey, "api-key", "", "API key (default $SEAM_API_KEY)")
	fs.StringVar(&rf.pat, "personal-access-token", "", "personal access token (default $SEAM_PERSONAL_ACCESS_TOKEN)")
	fs.StringVar(&rf.console, "console-session-token", "", "console session token (default $SEAM_CONSOLE_SESSION_TOKEN)")
	fs.StringVar(&rf.workspace, "workspace-id", "", "workspace the credentials act on (default $SEAM_WORKSPACE_ID)")
	fs.StringVar(&rf.specFile, "spec", "", "load the contract from this published OpenAPI `FILE` instead of the embedded one")
	fs.Var(&rf.faults, "fault", "switch on a named fault in the mock reference (repeatable; see seamconform serve --list-faults)")
	fs.DurationVar(&rf.timeout, "request-timeout", suites.DefaultRequestTimeout, "time limit of each request")
	fs.BoolVar(&rf.allowNonSandbox, "allow-non-sandbox", false, "run destructive specs even when the workspace is not a sandbox")
	fs.IntVar(&rf.concurrency, "concurrency", parallel.DefaultConcurrency, "at most `N` specs (and so requests) at once against a live endpoint, each in a worker process; 1 runs them one by one")
	fs.StringVar(&rf.labelFilter, "label-filter", "", "run only specs matching this Ginkgo label `expression` (IDs, MUST, SHOULD, areas, post, delete, schemes)")
	fs.Var(&rf.focus, "focus", "run only specs whose text matches this `regexp` (repeatable)")
	fs.Var(&rf.skip, "skip", "skip specs whose text matches this `regexp` (repeatable)")
	fs.StringVar(&rf.junit, "junit-report", "", "write a JUnit XML report to `FILE`")
	fs.StringVar(&rf.jsonReport, "json-report", "", "write Ginkgo's JSON report to `FILE`")
	fs.BoolVar(&rf.verbose, "v", false, "verbose: print every spec and its evidence")
	fs.BoolVar(&rf.failFast, "fail-fast", false, "stop at the first failed spec")
	fs.BoolVar(&rf.noColor, "no-color", false, "no ANSI colours")
	fs.Int64Var(&rf.seed, "seed", 0, "Ginkgo's randomization seed (default: time)")
	ginkgoArgs, ownArgs := splitGinkgoArgs(args)
	if err := parse(fs, ownArgs); err != nil {
		return 2, err
	}
	suiteConfig, reporterConfig, err := ginkgoConfig(rf, ginkgoArgs)
	if err != nil {
		return 2, err
	}
	if rf.timeout <= 0 {
		return 2, usagef("--request-timeout must be positive, got %s", rf.timeout)
	}
	if rf.concurrency < 1 || rf.concurrency > parallel.MaxConcurrency {
		return 2, usagef("--concurrency must be between 1 and %d, got %d", parallel.MaxConcurrency, rf.concurrency)
	}
	worker, isWorker, err := parallel.WorkerFromEnv()
	if err != nil {
		return 2, usagef("%s", err)
	}

	contract, err := loadContract(rf.specFile)
	if err != nil {
		return 2, err
	}

	var env *framework.Env
	if endpoint := envOr(rf.endpoint, "SEAM_ENDPOINT"); endpoint != "" {
		if len(rf.faults) > 0 {
			return 2, usagef("--fault switches on faults in the embedded mocks; a live endpoint has its own (use seamconform serve --fault)")
		}
		env, err = suites.LiveEnv(contract, endpoint, liveSeed(rf), rf.timeout)
		if err != nil {
			return 2, usagef("%s", err)
		}
	} else {
		env, _, err = suites.MockEnv(contract, rf.faults)
		if err != nil {
			return 2, usagef("%s", err)
		}
	}
	defer env.Target.Close()
	// From here on the run knows its secrets: nothing it prints may hold one.
	stdout, stderr = env.Writer(stdout), env.Writer(stderr)
	if isWorker {
		return runWorker(worker, env, suiteConfig, reporterConfig)
	}

	notes, err := suites.Preflight(env, rf.allowNonSandbox)
	if err != nil {
		return 2, usagef("%s", err)
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "seamconform: %s\n", n)
	}
	fmt.Fprintf(stdout, "Target: %s (contract: %s)\n", targetName(env), contract.Source())

	result, err := runSpecs(env, rf, suiteConfig, reporterConfig, stdout, stderr)
	if err != nil {
		return 1, err
	}
	summary := reports.Summarize(result.report)
	summary.WriteText(stdout)
	uncovered := env.Uncovered()
	for _, scheme := range framework.Schemes {
		if why, ok := uncovered[scheme]; ok {
			fmt.Fprintf(stdout, "  NOT COVERED: scheme %s (%s)\n", scheme, why)
		}
	}
	if n := result.throttled; n > 0 {
		fmt.Fprintf(stdout, "  THROTTLED: %d answers were 429 Too Many Requests; the suite waited as they said and sent the requests again\n", n)
	}
	if left := result.leftBehind; len(left) > 0 {
		fmt.Fprintf(stdout, "  LEFT BEHIND: %d identities this run created could not be removed: %s\n", len(left), strings.Join(left, ", "))
	}
	if !summary.Conformant() {
		return 1, nil
	}
	return 0, nil
}

func targetName(env *framework.Env) string {
	if env.Target.Mock() {
		return "embedded mocks (the reference implementation, in-process through gock)"
	}
	return env.Target.Endpoint()
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

func liveSeed(rf runFlags) fixtures.Seed {
	return fixtures.Seed{
		WorkspaceID:                envOr(rf.workspace, "SEAM_WORKSPACE_ID"),
		APIKey:                     envOr(rf.apiKey, "SEAM_API_KEY"),
		PersonalAccessToken:        envOr(rf.pat, "SEAM_PERSONAL_ACCESS_TOKEN"),
		ConsoleSessionToken:        envOr(rf.console, "SEAM_CONSOLE_SESSION_TOKEN"),
		ExpiredConsoleSessionToken: os.Getenv("SEAM_EXPIRED_CONSOLE_SESSION_TOKEN"),
		ClientSessionToken:         os.Getenv("SEAM_CLIENT_SESSION_TOKEN"),
		PublishableKey:             os.Getenv("SEAM_PUBLISHABLE_KEY"),
		ForeignWorkspaceID:         os.Getenv("SEAMCONFORM_FOREIGN_WORKSPACE_ID"),
		ForeignIdentityID:          os.Getenv("SEAMCONFORM_FOREIGN_IDENTITY_ID"),
	}
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
	for _, re := range append(append([]string{}, rf.focus...), rf.skip...) {
		if _, err := regexp.Compile(re); err != nil {
			return sc, rc, usagef("--focus/--skip %q: %s", re, err)
		}
	}
	sc.FocusStrings = append(sc.FocusStrings, rf.focus...)
	sc.SkipStrings = append(sc.SkipStrings, rf.skip...)
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
	return sc, rc, nil
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// firstLine keeps an error to one plain line, as Ginkgo's are coloured and
// span several.
func firstLine(s string) string {
	line, _, _ := strings.Cut(ansi.ReplaceAllString(s, ""), "\n")
	return strings.TrimSpace(line)
}
