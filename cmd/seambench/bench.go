package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seamconform/seamconform/spec"
)

// prismVersion is pinned so that figures compare like with like.
const prismVersion = "5.16.0"

type benchConfig struct {
	duration, warmup time.Duration
	clients          []int
	skipPrism        bool
	out              string // where the built binaries and logs go
}

func bench(args []string) int {
	var cfg benchConfig
	fs := flag.NewFlagSet("seambench", flag.ContinueOnError)
	fs.DurationVar(&cfg.duration, "duration", 3*time.Second, "measured time of each load run against Prism")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured warm-up before each load run, and of serve and the ceiling before their slices")
	fs.BoolVar(&cfg.skipPrism, "skip-prism", false, "do not install and measure Stoplight Prism")
	if fs.Parse(args) != nil {
		return 2
	}
	cfg.clients = []int{16, 64}
	dir, err := os.MkdirTemp("", "seambench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "seambench:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	cfg.out = dir
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "seambench:", err)
		return 1
	}
	return 0
}

func run(cfg benchConfig) error {
	step("building seamconform and seambench")
	for _, pkg := range []string{"seamconform", "seambench"} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(cfg.out, pkg), "./cmd/"+pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/%s: %v\n%s", pkg, err, out)
		}
	}
	doc := filepath.Join(cfg.out, "contract.json")
	if err := os.WriteFile(doc, spec.EmbeddedDocument(), 0o600); err != nil {
		return err
	}

	t := &table{}
	t.row("machine", fmt.Sprintf("%d cores (GOMAXPROCS %d), %s/%s, %s", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version()), "")

	if err := suiteRows(cfg, t); err != nil {
		return err
	}
	if err := loadRows(cfg, doc, t); err != nil {
		return err
	}
	t.print(os.Stdout)
	return nil
}

// --- the suite's wall time -------------------------------------------------

var ranSpecs = regexp.MustCompile(`Ran (\d+) of \d+ Specs`)

func suiteRows(cfg benchConfig, t *table) error {
	seam := filepath.Join(cfg.out, "seamconform")
	step("the suite on the embedded mocks (7 runs)")
	mocks := medianRun(7, func() *exec.Cmd { return exec.Command(seam, "run", "--no-color") })
	mocks.note += "; target < 2 s"
	t.suite("suite: embedded mocks (median of 7)", mocks)

	serve, env, err := startServe(cfg, "suite")
	if err != nil {
		return err
	}
	defer stop(serve)
	step("the suite against serve")
	cmd := exec.Command(seam, "run", "--no-color")
	cmd.Env = append(os.Environ(), env...)
	t.suite("suite: against serve", timeRun(cmd))

	step("the suite against serve behind a proxy adding 100 ms per answer")
	proxy, proxyURL, err := startPrinting(filepath.Join(cfg.out, "seambench"), "PROXY", "delay-proxy", "-upstream", envValue(env, "SEAM_ENDPOINT"), "-delay", "100ms")
	if err != nil {
		return err
	}
	defer stop(proxy)
	// A distant sandbox: the operation suites and the API-wide family on
	// their own, each with the concurrency a user would give it there.
	for _, part := range []struct{ what, filter, concurrency string }{
		{"user-identity suites: serve + 100 ms per answer, --concurrency 24", "!/^API-/", "24"},
		{"API-wide family: serve + 100 ms per answer, --concurrency 48", "/^API-/", "48"},
	} {
		cmd = exec.Command(seam, "run", "--no-color", "--label-filter", part.filter, "--concurrency", part.concurrency)
		cmd.Env = append(append(os.Environ(), env...), "SEAM_ENDPOINT="+proxyURL)
		t.suite(part.what, timeRun(cmd))
	}
	return nil
}

type suiteResult struct {
	wall  time.Duration
	specs int
	exit  int
	note  string
}

// medianRun runs n commands one after another and returns the run of
// median wall time, with the range in its note: one run on a shared
// machine can be 20% off either way. A run that fails is the result.
func medianRun(n int, command func() *exec.Cmd) suiteResult {
	var runs []suiteResult
	for range n {
		r := timeRun(command())
		if r.exit != 0 {
			return r
		}
		runs = append(runs, r)
	}
	slices.SortFunc(runs, func(a, b suiteResult) int { return cmp.Compare(a.wall, b.wall) })
	median := runs[n/2]
	median.note = fmt.Sprintf("; %d runs, %s to %s", n, ms(runs[0].wall), ms(runs[n-1].wall))
	return median
}

func timeRun(cmd *exec.Cmd) suiteResult {
	start := time.Now()
	out, err := cmd.CombinedOutput()
	r := suiteResult{wall: time.Since(start)}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.exit = exit.ExitCode()
	} else if err != nil {
		r.exit = -1
	}
	if m := ranSpecs.FindSubmatch(out); m != nil {
		r.specs, _ = strconv.Atoi(string(m[1]))
	}
	return r
}

// firstSpec times seamconform run on the mocks from exec to the first
// spec's mark in its output, the median of 5.
func firstSpec(seam string) (time.Duration, error) {
	var times []time.Duration
	for range 5 {
		cmd := exec.Command(seam, "run", "--no-color")
		out, err := cmd.StdoutPipe()
		if err != nil {
			return 0, err
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		// Ginkgo prints a mark per spec on the line after "Will run …".
		r := bufio.NewReader(out)
		var first time.Duration
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				break
			}
			if strings.HasPrefix(line, "Will run") {
				if _, err := r.ReadByte(); err == nil {
					first = time.Since(start)
				}
				break
			}
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if first == 0 {
			return 0, errors.New("seamconform run printed no spec")
		}
		times = append(times, first)
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

// --- serve, Prism and the ceiling under load ------------------------------

const unknownIdentity = "0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d"

func loadRows(cfg benchConfig, doc string, t *table) error {
	step("start-up of serve (5 starts)")
	var starts []time.Duration
	for range 5 {
		serve, _, err := startServe(cfg, "startup")
		if err != nil {
			return err
		}
		starts = append(starts, serve.startup)
		stop(serve)
	}
	slices.Sort(starts)
	serveStartup := starts[len(starts)/2]
	t.row("start-up: serve (median of 5, exec to first answer)", ms(serveStartup), "")

	step("start-up of run (5 starts)")
	first, err := firstSpec(filepath.Join(cfg.out, "seamconform"))
	if err != nil {
		return err
	}
	t.row("start-up: run on the mocks (median of 5, exec to the first spec's result)", ms(first), "whole document loaded, the tree of 5,733 specs built and ordered")

	// Prism runs only for its own loads, so that its process is not beside
	// serve and the ceiling while they are compared: the two tables with it
	// idle there read the ratio 2–4 points lower than the two without.
	prismReady := !cfg.skipPrism
	if cfg.skipPrism {
		t.row("Stoplight Prism", "skipped (--skip-prism)", "")
	} else if proc, _, err := startPrism(cfg, doc); err != nil {
		t.row("Stoplight Prism "+prismVersion, "not measured: "+firstLine(err.Error()), "")
		prismReady = false
	} else {
		t.row("start-up: Prism "+prismVersion+" (exec to first answer)", ms(proc.startup), "")
		stop(proc)
	}

	ops := []struct{ name, path, body string }{
		{"POST /user_identities/delete", "/user_identities/delete", `{"user_identity_id":"` + unknownIdentity + `"}`},
		{"POST /devices/list", "/devices/list", `{}`},
	}
	for _, op := range ops {
		for _, clients := range cfg.clients {
			specFor := func(tg target) loadSpec {
				want := http.StatusOK
				if op.path == "/user_identities/delete" {
					want = tg.deleteStatus
				}
				return loadSpec{
					Method: http.MethodPost, URL: tg.base + op.path, Body: []byte(op.body), Want: want,
					Header: http.Header{"Authorization": {"Bearer " + tg.apiKey}, "Content-Type": {"application/json"}},
				}
			}
			step(fmt.Sprintf("%s, %d clients: serve and the ceiling, %d rounds of %d pairs of %s slices", op.name, clients, rounds, pairsPerRound, slice))
			var serveRuns, ceilingRuns []loadResult
			var ratios, roundMeans []float64
			var serveCPU, ceilingCPU cpuUse
			apiKey := ""
			for range rounds {
				serve, ceiling, done, err := startServeAndCeiling(cfg)
				if err != nil {
					return err
				}
				apiKey = serve.apiKey
				a, b := newLoader(specFor(serve), clients), newLoader(specFor(ceiling), clients)
				a.run(cfg.warmup)
				b.run(cfg.warmup)
				serveStart, serveKnown := cpuTime(serve.pid)
				ceilingStart, ceilingKnown := cpuTime(ceiling.pid)
				c := compare(a, b, pairsPerRound, slice)
				serveCPU.add(serve.pid, serveStart, serveKnown, c.a.Requests)
				ceilingCPU.add(ceiling.pid, ceilingStart, ceilingKnown, c.b.Requests)
				a.close()
				b.close()
				done()
				serveRuns, ceilingRuns = append(serveRuns, c.a), append(ceilingRuns, c.b)
				ratios = append(ratios, c.ratios...)
				if len(c.ratios) > 0 {
					roundMeans = append(roundMeans, geometricMean(c.ratios))
				}
			}
			serveAll, ceilingAll := pooled(serveRuns), pooled(ceilingRuns)
			t.load(fmt.Sprintf("%s, %d clients: serve", op.name, clients), serveAll)
			t.load(fmt.Sprintf("%s, %d clients: ceiling (no validation)", op.name, clients), ceilingAll)
			if mean, low, high := meanOfRounds(roundMeans); !math.IsNaN(mean) {
				slices.Sort(ratios)
				t.row(fmt.Sprintf("%s, %d clients: serve / ceiling throughput", op.name, clients),
					fmt.Sprintf("%.1f%% (95%% interval %.1f–%.1f%%)", 100*mean, 100*low, 100*high),
					fmt.Sprintf("target ≥ 90%%; %d rounds, each with a fresh serve and ceiling measured in %d pairs of %s slices, back to back, the first alternating; round means %s; single pairs %.0f%% to %.0f%%",
						len(roundMeans), pairsPerRound, slice, percents(roundMeans), 100*ratios[0], 100*ratios[len(ratios)-1]))
			}
			if s, c := serveCPU.perAnswer(), ceilingCPU.perAnswer(); s > 0 && c > 0 {
				t.row(fmt.Sprintf("%s, %d clients: CPU per answer, serve / ceiling", op.name, clients),
					fmt.Sprintf("%s / %s (%.2f×)", micros(s), micros(c), float64(s)/float64(c)),
					"each server process's user and system CPU over its slices, per answer; serve's own cost, which its throughput understates: the load generator shares the machine and does the same work for both")
			}
			if prismReady { // far slower: once
				name := "Prism " + prismVersion
				step(fmt.Sprintf("%s, %d clients, %s", op.name, clients, name))
				proc, base, err := startPrism(cfg, doc)
				if err != nil {
					return err
				}
				// Prism checks that a credential is there, not which.
				p := runLoad(specFor(target{base: base, deleteStatus: http.StatusOK, apiKey: apiKey}), clients, cfg.warmup, cfg.duration)
				stop(proc)
				t.load(fmt.Sprintf("%s, %d clients: %s", op.name, clients, name), p)
				if p.PerSecond() > 0 && serveAll.P99 > 0 {
					t.row(fmt.Sprintf("%s, %d clients: serve / Prism throughput", op.name, clients), fmt.Sprintf("%.1f×", serveAll.PerSecond()/p.PerSecond()), "target ≥ 15×")
					t.row(fmt.Sprintf("%s, %d clients: serve p99 / Prism p99", op.name, clients), fmt.Sprintf("%.2f", float64(serveAll.P99)/float64(p.P99)), "target ≤ 0.10")
				}
			}
		}
	}
	return nil
}

// startServeAndCeiling starts a fresh serve and a fresh ceiling, and
// returns the function that stops both. Each round of a comparison has its
// own: two processes of the same build have differed by a few points for
// as long as they ran (where they landed in memory, which core their
// threads took), which pairs within one process cannot show.
func startServeAndCeiling(cfg benchConfig) (serve, ceiling target, done func(), err error) {
	serveProc, env, err := startServe(cfg, "load")
	if err != nil {
		return target{}, target{}, nil, err
	}
	ceilingProc, ceilingURL, err := startPrinting(filepath.Join(cfg.out, "seambench"), "CEILING", "ceiling")
	if err != nil {
		stop(serveProc)
		return target{}, target{}, nil, err
	}
	serve = target{base: envValue(env, "SEAM_ENDPOINT"), deleteStatus: http.StatusNotFound, apiKey: envValue(env, "SEAM_API_KEY"), pid: serveProc.cmd.Process.Pid}
	ceiling = target{base: ceilingURL, deleteStatus: http.StatusOK, pid: ceilingProc.cmd.Process.Pid}
	return serve, ceiling, func() { stop(serveProc); stop(ceilingProc) }, nil
}

func percents(rs []float64) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%.0f%%", 100*r))
	}
	return strings.Join(parts, ", ")
}

// serve and the ceiling are compared in this many rounds of this many
// pairs of slices of this length: about a minute per operation and load.
const (
	rounds        = 6
	pairsPerRound = 10
	slice         = 500 * time.Millisecond
)

type target struct {
	base string
	// deleteStatus is what a correct target answers to deleting an unknown
	// identity: serve looks it up (404), the others do not keep state.
	deleteStatus int
	apiKey       string // serve's; the others take any
	pid          int
}

// cpuUse sums a target's CPU and answers over the rounds in which its CPU
// could be read.
type cpuUse struct {
	cpu     time.Duration
	answers int
}

func (u *cpuUse) add(pid int, start time.Duration, known bool, answers int) {
	if end, ok := cpuTime(pid); known && ok {
		u.cpu += end - start
		u.answers += answers
	}
}

func (u cpuUse) perAnswer() time.Duration {
	if u.answers == 0 {
		return 0
	}
	return u.cpu / time.Duration(u.answers)
}

// --- processes -------------------------------------------------------------

type proc struct {
	cmd     *exec.Cmd
	startup time.Duration
}

func stop(p *proc) {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// startServe starts `seamconform serve` on a free port and returns its SEAM_*
// lines once it answers.
func startServe(cfg benchConfig, name string) (*proc, []string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, nil, err
	}
	envFile := filepath.Join(cfg.out, name+".env")
	_ = os.Remove(envFile)
	cmd := exec.Command(filepath.Join(cfg.out, "seamconform"), "serve", "--addr", addr, "--env-file", envFile)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard // nobody reads the request log here
	p, err := startAndWait(cmd, "http://"+addr)
	if err != nil {
		return nil, nil, err
	}
	data, err := os.ReadFile(envFile)
	if err != nil {
		stop(p)
		return nil, nil, err
	}
	return p, strings.Fields(string(data)), nil
}

// startPrinting starts a seambench server and reads its NAME=URL line.
func startPrinting(binary, name string, args ...string) (*proc, string, error) {
	cmd := exec.Command(binary, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	value, ok := strings.CutPrefix(strings.TrimSpace(line), name+"=")
	if err != nil || !ok {
		stop(&proc{cmd: cmd})
		return nil, "", fmt.Errorf("%s did not say where it listens (%q, %v)", binary, line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return &proc{cmd: cmd}, value, nil
}

// startPrism installs the pinned Prism into a cache folder (once) and mocks
// the same document serve embeds.
func startPrism(cfg benchConfig, doc string) (*proc, string, error) {
	if _, err := exec.LookPath("npm"); err != nil {
		return nil, "", errors.New("npm not found")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "seamconform", "prism-"+prismVersion)
	bin := filepath.Join(dir, "node_modules", ".bin", "prism")
	if _, err := os.Stat(bin); err != nil {
		step("installing @stoplight/prism-cli@" + prismVersion + " into " + dir)
		install := exec.Command("npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", "@stoplight/prism-cli@"+prismVersion)
		if out, err := install.CombinedOutput(); err != nil {
			return nil, "", fmt.Errorf("npm install: %v: %s", err, firstLine(string(out)))
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	host, port, _ := net.SplitHostPort(addr)
	step("starting Prism on the embedded document")
	cmd := exec.Command(bin, "mock", "-h", host, "-p", port, doc)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	p, err := startAndWait(cmd, "http://"+addr)
	return p, "http://" + addr, err
}

// startAndWait starts cmd and polls base until any HTTP answer comes,
// recording the time from exec to that answer.
func startAndWait(cmd *exec.Cmd, base string) (*proc, error) {
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for ctx.Err() == nil {
		res, err := client.Post(base+"/workspaces/get", "application/json", strings.NewReader("{}"))
		if err == nil {
			res.Body.Close()
			p.startup = time.Since(start)
			return p, nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	stop(p)
	return nil, fmt.Errorf("%s did not answer within 2 minutes", cmd.Path)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func envValue(env []string, name string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

// --- output ----------------------------------------------------------------

type table struct{ rows [][3]string }

func (t *table) row(what, value, note string) { t.rows = append(t.rows, [3]string{what, value, note}) }

func (t *table) suite(what string, r suiteResult) {
	note := fmt.Sprintf("exit %d%s", r.exit, r.note)
	value := ms(r.wall)
	if r.specs > 0 {
		value += fmt.Sprintf(", %d specs, %.0f specs/s", r.specs, float64(r.specs)/r.wall.Seconds())
	}
	t.row(what, value, note)
}

func (t *table) load(what string, r loadResult) {
	note := ""
	if r.Errors > 0 {
		note = fmt.Sprintf("%d unexpected answers, e.g. %s", r.Errors, r.FirstError)
	}
	t.row(what, fmt.Sprintf("%.0f req/s, p50 %s, p99 %s", r.PerSecond(), ms(r.P50), ms(r.P99)), note)
}

func (t *table) print(w io.Writer) {
	fmt.Fprintln(w, "\n| measure | result | note |\n| --- | --- | --- |")
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s | %s | %s |\n", r[0], r[1], r[2])
	}
}

func ms(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func micros(d time.Duration) string {
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}

func step(what string) { fmt.Fprintf(os.Stderr, "seambench: %s\n", what) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
