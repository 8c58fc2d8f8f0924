package main

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reference/sdkfaults"
	"github.com/seamconform/seamconform/reference/violations"
	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/target"
)

// ciFlags are serve's flags for an SDK's CI: a fixed seed, the violation
// reports and exit code, the validation proxy and the SDK faults.
type ciFlags struct {
	seed            *string
	reportDir       *string
	failOnViolation *bool
	checkResponses  *bool
	upstream        *string
	sdkFaults       repeated
	apiKey, pat     *string
	specFile        *string

	checker *violations.Checker
	seedOf  func() fixtures.Seed
}

func addCIFlags(fs *flag.FlagSet) *ciFlags {
	c := &ciFlags{
		seed:            fs.String("seed", "", "derive IDs and credentials from `N` (an unsigned integer): the same on every start"),
		reportDir:       fs.String("report-dir", "", "at shutdown, write violations.json, violations.md and junit.xml into `DIR`"),
		failOnViolation: fs.Bool("fail-on-violation", false, "at shutdown, print the summary and exit 1 if any exchange broke the contract"),
		checkResponses:  fs.Bool("check-responses", false, "also check the reference's answers against the contract (side response)"),
		apiKey:          fs.String("api-key", "", "the seeded workspace's API key is `VALUE` (seam_...)"),
		pat:             fs.String("personal-access-token", "", "the seeded user's personal access token is `VALUE` (seam_at...)"),
		specFile:        fs.String("spec", "", "check requests against this published OpenAPI `FILE` instead of the embedded contract"),
		upstream:        fs.String("upstream", "", "forward every request to `URL` (a sandbox) instead of the reference, checking requests and answers"),
	}
	var kinds []string
	for _, k := range sdkfaults.Kinds {
		kinds = append(kinds, k.Name+": "+k.Answer)
	}
	fs.Var(&c.sdkFaults, "sdk-fault", "answer as an SDK must survive, `KIND[:ARG][*N][@PATH]` (repeatable), e.g. rate-limit@/devices/list; kinds:\n"+strings.Join(kinds, "\n"))
	return c
}

// handler is the reference (or the upstream) behind the SDK faults and the
// contract checker.
func (c *ciFlags) handler(opts reference.Options, log io.Writer) (http.Handler, error) {
	var faults []sdkfaults.Fault
	for _, s := range c.sdkFaults {
		f, err := sdkfaults.Parse(s)
		if err != nil {
			return nil, usagef("--sdk-fault: %s", err)
		}
		faults = append(faults, f)
	}
	if *c.upstream != "" {
		return c.proxy(faults, opts, log)
	}
	// Every start has a seed (random unless --seed), so a reset through the
	// control API starts the state afresh with the same credentials.
	seed, err := c.seedValue()
	if err != nil {
		return nil, err
	}
	contract, err := c.contract(faults)
	if err != nil {
		return nil, err
	}
	// The reference answers the operations the checker holds requests to.
	opts.Seed, opts.APIKey, opts.PersonalAccessToken, opts.Contract = &seed, *c.apiKey, *c.pat, contract
	first, err := reference.New(opts)
	if err != nil {
		return nil, usagef("%s", err)
	}
	var current atomic.Pointer[reference.Server]
	current.Store(first)
	c.seedOf = func() fixtures.Seed { return current.Load().Seed() }
	ref := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { current.Load().ServeHTTP(w, r) })
	c.checker = violations.New(contract, sdkfaults.Wrap(ref, faults), violations.Options{
		// With faults on, the reference is wrong on purpose: its answers stand.
		AnswerAsSeam:   len(opts.Faults) == 0,
		CheckResponses: *c.checkResponses,
		Secrets:        first.Seed().Secrets(),
		Log:            log,
		OnReset: func() {
			fresh, _ := reference.New(opts) // cannot fail: the same options worked above
			current.Store(fresh)
		},
	})
	return c.checker, nil
}

// contract loads the contract requests are checked against, and refuses
// an SDK fault whose @PATH matches none of its paths: it would never fire,
// and a test relying on it would pass for the wrong reason.
func (c *ciFlags) contract(faults []sdkfaults.Fault) (*spec.Contract, error) {
	contract, err := loadContract(*c.specFile)
	if err != nil {
		return nil, err
	}
	listed := contract.List()
	for _, f := range faults {
		if f.Path != "" && !slices.ContainsFunc(listed, func(l spec.Listed) bool { matched, _ := path.Match(f.Path, l.Path); return matched }) {
			return nil, usagef("--sdk-fault %s: @%s matches no path of the contract", f.Kind, f.Path)
		}
	}
	return contract, nil
}

// proxy forwards to the upstream. Requests pass unchanged (credentials
// included, never recorded) whatever their violations, so the client sees
// the real answer; answers are checked too.
func (c *ciFlags) proxy(faults []sdkfaults.Fault, opts reference.Options, log io.Writer) (http.Handler, error) {
	upstream, err := url.Parse(*c.upstream)
	if err != nil || (upstream.Scheme != "http" && upstream.Scheme != "https") || upstream.Hostname() == "" {
		return nil, usagef("--upstream wants an http or https URL, such as https://connect.getseam.com")
	}
	if *c.seed != "" || *c.apiKey != "" || *c.pat != "" || len(opts.Faults) > 0 || opts.NonSandbox {
		return nil, usagef("--upstream forwards to a real endpoint with the client's own credentials: --seed, --api-key, --personal-access-token, --fault and --non-sandbox do not apply")
	}
	contract, err := c.contract(faults)
	if err != nil {
		return nil, err
	}
	c.seedOf = func() fixtures.Seed { return fixtures.Seed{} }
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(upstream)
			// Answers are checked as JSON: let the transport ask for and
			// undo any compression.
			r.Out.Header.Del("Accept-Encoding")
		},
		// An upstream that hangs counts as one that did not answer, not as
		// a client that gave up: within serve's own write timeout.
		Transport: upstreamTransport(),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				// The client gave up (an SDK's timeout test): no answer to
				// write or check, and the request is logged as dropped.
				// Unless serve cut it off (at shutdown, at a time limit):
				// its answer went unchecked.
				why := "the client gave up"
				if cut := cutOff(r); cut != "" {
					c.checker.Unforwarded()
					why = "cut off " + cut
				}
				fmt.Fprintf(log, "%s seamconform serve: %s before %s answered\n", time.Now().UTC().Format(time.RFC3339), why, upstream.Host)
				panic(http.ErrAbortHandler)
			}
			c.checker.Unforwarded()
			fmt.Fprintf(log, "%s seamconform serve: upstream %s: %s\n", time.Now().UTC().Format(time.RFC3339), upstream.Host, errorWithoutURL(err))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadGateway)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"type": "upstream_unreachable", "message": "seamconform could not reach the upstream"}, "ok": false})
		},
	}
	c.checker = violations.New(contract, sdkfaults.Wrap(proxy, faults), violations.Options{CheckResponses: true, Log: log})
	// The URL as written may hold a token (user, query): shown without them.
	fmt.Fprintf(log, "seamconform serve: forwarding to %s, checking requests and answers\n", target.RedactURL(*c.upstream))
	return c.checker, nil
}

// upstreamTimeout bounds the wait for an upstream's answer to start, below
// serve's default write timeout (30 s), which would cut the client off first.
const upstreamTimeout = 25 * time.Second

func upstreamTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = upstreamTimeout
	return t
}

// errorWithoutURL drops the request URL from a transport error: its query
// is the client's and could hold anything.
func errorWithoutURL(err error) string {
	if urlErr := new(url.Error); errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return err.Error()
}

func (c *ciFlags) seedValue() (uint64, error) {
	if *c.seed == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		return binary.LittleEndian.Uint64(b[:]), nil
	}
	n, err := strconv.ParseUint(*c.seed, 10, 64)
	if err != nil {
		return 0, usagef("--seed wants an unsigned integer, not %q", *c.seed)
	}
	return n, nil
}

// envLines are the lines serve prints: behind --upstream only the endpoint,
// since the credentials are the caller's own.
func (c *ciFlags) envLines(endpoint string) string {
	if *c.upstream != "" {
		return "SEAM_ENDPOINT=" + endpoint + "\n"
	}
	return envLines(endpoint, c.seedOf())
}

// checkReportDir fails at start, not at shutdown after a whole CI job,
// when the reports could not be written.
func (c *ciFlags) checkReportDir() error {
	if *c.reportDir == "" {
		return nil
	}
	if err := reports.WritableDir(*c.reportDir); err != nil {
		return usagef("cannot write --report-dir: %s", err)
	}
	return nil
}

// finish writes the reports and decides the exit code, which the reports
// record too (a CI step that did not start serve cannot read it).
func (c *ciFlags) finish(stderr io.Writer) error {
	report := c.checker.SessionReport() // every test's, resets between them or not
	requests := 0
	for _, call := range report.Calls {
		requests += call.Requests
	}
	var failure error
	switch {
	case *c.failOnViolation && report.Count() > 0:
		failure = fmt.Errorf("%d contract violation(s) (--fail-on-violation)", report.Count())
	case report.Unforwarded > 0:
		// Whatever the flags: a session whose answers went unchecked has
		// not shown what it was run to show.
		failure = errors.New(violations.UnforwardedFailure(report.Unforwarded, requests))
	case *c.failOnViolation && requests == 0:
		// The client never reached serve (its endpoint not set, say):
		// nothing was checked, which is not a pass.
		failure = fmt.Errorf("no request reached serve, so nothing was checked (--fail-on-violation): is the client's endpoint set to serve's SEAM_ENDPOINT?")
	}
	passed := failure == nil
	report.Passed = &passed
	if failure != nil {
		report.Failure = failure.Error()
	}
	fmt.Fprintf(stderr, "seamconform serve: %d contract violation(s) in %d request(s)\n", report.Count(), requests)
	if *c.reportDir != "" {
		if err := report.WriteFiles(*c.reportDir); err != nil {
			return fmt.Errorf("writing the reports: %w", err)
		}
	}
	if *c.failOnViolation && report.Count() > 0 {
		fmt.Fprint(stderr, report.Summary())
	}
	return failure
}
