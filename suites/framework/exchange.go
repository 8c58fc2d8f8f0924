package framework

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/spec"
)

// MaxResponseBody bounds what the suite reads of one answer, so a hostile
// endpoint cannot exhaust memory; the rest is discarded and noted.
const MaxResponseBody = 1 << 20

// Request describes one call the suite makes. Build it with Call and the
// methods below, then Send it.
type Request struct {
	op          spec.Operation
	credential  Credential
	body        []byte
	contentType string
	query       url.Values
	header      http.Header
	breaks      []spec.Rule
	// checked holds the rules of the contract the request, as it stands,
	// breaks, once Breaks asked before it was sent: Send does not ask again.
	checked *verdict
	// throttleChecked: the caller ends the spec on a 429 itself, after
	// what it must do with any answer (a create forgets its key).
	throttleChecked bool
	// refusable: the implementation must refuse it, though it conforms
	// (a credential of the right shape that no server knows).
	refusable bool
}

type verdict struct {
	env   *Env
	rules []spec.Rule
}

// Call starts a request to op: no body, no credential, meant to conform.
func Call(op spec.Operation) *Request {
	return &Request{op: op, query: url.Values{}, header: http.Header{}}
}

// As presents a credential.
func (r *Request) As(c Credential) *Request { r.credential, r.checked = c, nil; return r }

// JSON sets the body to v encoded as JSON.
func (r *Request) JSON(v any) *Request {
	b, err := json.Marshal(v)
	if err != nil {
		RedactedFail(fmt.Sprintf("suite error: cannot encode request body: %v", err))
	}
	return r.Body(b, "application/json")
}

// Body sets a raw body and its Content-Type ("" sends none).
func (r *Request) Body(b []byte, contentType string) *Request {
	r.body, r.contentType, r.checked = b, contentType, nil
	return r
}

// Query adds a query parameter.
func (r *Request) Query(key, value string) *Request {
	r.query.Add(key, value)
	r.checked = nil
	return r
}

// Header sets a header.
func (r *Request) Header(key, value string) *Request {
	r.header.Set(key, value)
	r.checked = nil
	return r
}

// Breaking declares the contract rules this request is meant to break. Send
// fails the spec as a suite error unless the request breaks exactly these,
// so a negative spec proves what it claims and nothing else.
func (r *Request) Breaking(rules ...spec.Rule) *Request {
	r.breaks = append(r.breaks, rules...)
	return r
}

// MustBeRefused declares that the implementation must refuse this request
// although it conforms to the contract (an unknown credential): accepted,
// what it made is listed as left behind.
func (r *Request) MustBeRefused() *Request {
	r.refusable = true
	return r
}

// Exchange is one request the suite sent and what came back.
type Exchange struct {
	Operation   spec.Operation
	Request     *http.Request
	RequestBody []byte
	// Err is set when no answer came (refused, timed out, garbled).
	Err error
	// NotSent is set when the request never left: the connection itself
	// failed, so the server cannot have acted on it.
	NotSent   bool
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
	// Contract is nil when the answer conforms to the contract for its
	// status; an *spec.UndocumentedStatusError for an undocumented status.
	Contract error
	Elapsed  time.Duration

	env *Env
}

// Send sends r in the current environment; see Env.Send.
func Send(r *Request) *Exchange {
	MarkHelperOnce(&sendHelper)
	return Current().Send(r)
}

// SendAll sends requests at once in the current environment; see
// Env.SendAll.
func SendAll(rs ...*Request) []*Exchange {
	MarkHelperOnce(&sendAllHelper)
	return Current().SendAll(rs...)
}

// Send sends r in this environment as part of a spec: the request is
// checked against the contract first (a mismatch with what r declares fails
// the spec as a suite error), the exchange is attached to the spec's report,
// and an endpoint that has stopped answering ends the run.
//
// A request that gets no answer is followed by a liveness probe (a request
// the endpoint answers when it is up). When the probe is answered, the
// endpoint is up but did not answer this input, and the case fails on its
// own ("no answer within the request timeout"); when the probe is not
// answered either, the case is a run error and the run ends before the next
// request.
func (e *Env) Send(r *Request) *Exchange {
	MarkHelperOnce(&envSendHelper)
	return e.SendAll(r)[0]
}

// SendAll is Send for requests that do not depend on one another: each is
// checked against the contract, then all are sent at once, and their
// exchanges are attached to the report in the order given. A distant
// endpoint then costs a spec one round trip rather than one per request.
func (e *Env) SendAll(rs ...*Request) []*Exchange {
	MarkHelperOnce(&envSendAllHelper)
	e.stopIfInterrupted()
	e.abortIfStopped()
	reqs := make([]*http.Request, len(rs))
	for i, r := range rs {
		if n := e.givenUp(r.op, false); n > 0 {
			CouldNotCheck(fmt.Sprintf("not sent: %s gave no answer to %d requests in a row (or only 429 Too Many Requests, however long the suite waited), so the suite stopped sending it", r.op, n))
		}
		e.redactor.Add(r.credential.Authorization)
		req, err := e.build(r)
		if err != nil {
			RedactedFail(fmt.Sprintf("suite error: cannot build request: %v", err))
		}
		e.selfCheck(r, req)
		reqs[i] = req
	}
	// The check above may pass just before an interrupt; this one is
	// atomic with it, so the sweep waits for every spec request it lets go.
	if !e.begin(true) {
		runtime.Goexit()
	}
	defer e.end()
	xs := make([]*Exchange, len(rs))
	// In-process mocks answer on this goroutine's CPU: more goroutines
	// would only grow more stacks for the same work.
	if len(rs) == 1 || e.Target.Mock() {
		for i := range rs {
			xs[i] = e.exchange(rs[i], reqs[i])
		}
	} else {
		var wg sync.WaitGroup
		for i := range rs {
			wg.Go(func() { xs[i] = e.exchange(rs[i], reqs[i]) })
		}
		wg.Wait()
	}
	var unanswered error
	at, visibility := sentFrom(), evidenceVisibility()
	for i, x := range xs {
		attach(x, at, visibility)
		e.noteEffect(rs[i], x)
		if x.Err != nil && unanswered == nil {
			unanswered = x.Err
		}
	}
	// After the evidence and what it made are recorded: a request sent
	// before an interrupt was sent, whatever the spec does next.
	e.stopIfInterrupted()
	for _, x := range xs {
		if x.Truncated {
			// Judged by its first MiB, a valid answer would fail as
			// JSON cut short: it is not judged at all.
			CouldNotCheck(fmt.Sprintf("%s answered more than the %d bytes the suite reads of an answer", x.Operation, MaxResponseBody))
		}
	}
	for i, x := range xs {
		if !rs[i].throttleChecked {
			skipIfThrottled(x)
		}
	}
	if unanswered != nil && !e.alive() {
		msg := fmt.Sprintf("the endpoint stopped answering (%v; a liveness probe, POST /workspaces/get, got no answer either)", unanswered)
		e.Stop(msg)
		AddReportEntry(RunErrorEntry, e.Redact(msg), ReportEntryVisibilityNever)
	}
	return xs
}

// sentFrom is where the spec called SendAll (its caller's caller): the
// first frame that is not a helper, as types.NewCodeLocation finds it. Its
// search walks the whole stack, forty frames of Ginkgo and the suite, then
// names frames one by one; a spec sends from the same few places thousands
// of times, so the answer is kept by the first frames of the stack,
// whenever it lies within them.
func sentFrom() types.CodeLocation {
	var key [8]uintptr
	n := runtime.Callers(3, key[:]) // past Callers, sentFrom and SendAll
	sentFromMu.RLock()
	at, known := sentFromPlaces[key]
	sentFromMu.RUnlock()
	if known {
		return at
	}
	at = types.NewCodeLocation(1)
	frames := runtime.CallersFrames(key[:n])
	for more := n > 0; more; {
		var frame runtime.Frame
		frame, more = frames.Next()
		if frame.File == at.FileName && frame.Line == at.LineNumber {
			sentFromMu.Lock()
			sentFromPlaces[key] = at
			sentFromMu.Unlock()
			break
		}
	}
	return at
}

var (
	sentFromMu     sync.RWMutex
	sentFromPlaces = map[[8]uintptr]types.CodeLocation{}
)

// The per-exchange helpers, marked once each (see MarkHelperOnce).
var sendHelper, sendAllHelper, envSendHelper, envSendAllHelper, selfCheckHelper atomic.Bool

// MarkHelperOnce does what GinkgoHelper does for the function that calls
// it, but only the first time, which marked records: GinkgoHelper looks up
// its caller on every call, and helpers such as these run for every
// exchange or spec. Ginkgo keeps a helper by name for good.
func MarkHelperOnce(marked *atomic.Bool) {
	if !marked.Load() {
		types.MarkAsHelper(1)
		marked.Store(true)
	}
}

// attach adds x's evidence to the report, at the spec's line. It is not a
// helper, so Ginkgo's own search for the entry's location stops here:
// walking past the helpers to the spec, symbol by symbol, cost more per
// exchange than the rest of a mock exchange's bookkeeping.
func attach(x *Exchange, at types.CodeLocation, visibility ReportEntryVisibility) {
	AddReportEntry(ExchangeEntry, x.lazyEvidence(), visibility, at)
}

// ExchangeEntry names the report entry that holds an exchange's Evidence
// (a *LazyEvidence in this process's report, the Evidence in JSON).
const ExchangeEntry = "exchange"

// RunErrorEntry names the report entry that marks a spec's failure as an
// error of the run (the endpoint stopped answering, a set-up step failed)
// rather than a failure of its requirement.
const RunErrorEntry = "run-error"

// CouldNotCheck ends the current spec as an error of the run: what it was
// to check could not be checked (a set-up step failed, an operation it
// needs gave no answer). Such a spec is neither passed nor failed.
func CouldNotCheck(why string) {
	GinkgoHelper()
	AddReportEntry(RunErrorEntry, Current().Redact(why), ReportEntryVisibilityNever)
	RedactedFail("could not be checked: " + why)
}

// evidenceVisibility shows every exchange in verbose runs; otherwise only
// reports keep them, as a failure message already shows the one that failed.
func evidenceVisibility() ReportEntryVisibility {
	if _, reporter := GinkgoConfiguration(); reporter.Verbosity().GTE(types.VerbosityLevelVerbose) {
		return ReportEntryVisibilityAlways
	}
	return ReportEntryVisibilityNever
}

// stopIfInterrupted ends the calling spec's goroutine once the run is
// interrupted. Ginkgo abandons an interrupted spec's goroutine and moves on
// to clean-up; without this it would go on sending requests and calling
// Ginkgo from outside any node. What it created is found by its key in the
// final sweep.
func (e *Env) stopIfInterrupted() {
	if e.closed.Load() {
		runtime.Goexit()
	}
}

// Interrupt stops specs from sending anything more; clean-up still can.
func (e *Env) Interrupt() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed.Store(true)
}

// begin counts a request in flight until end; a spec's is refused once the
// run is interrupted.
func (e *Env) begin(fromSpec bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if fromSpec && e.closed.Load() {
		return false
	}
	if e.inflight == 0 {
		e.idle = make(chan struct{})
	}
	e.inflight++
	return true
}

func (e *Env) end() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inflight--; e.inflight == 0 {
		close(e.idle)
	}
}

// Interrupted reports whether Interrupt was called.
func (e *Env) Interrupted() bool { return e.closed.Load() }

// SetRunDeadline bounds the specs' part of the run: once the deadline has
// passed, the next request ends the run as incomplete. limit is how the
// user set it, for the message.
func (e *Env) SetRunDeadline(deadline time.Time, limit string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.deadline, e.limit = deadline, limit
}

// Stop records why the run must end; the next request ends it (the
// preflight's way to keep every spec from sending).
func (e *Env) Stop(why string) { e.stopped.CompareAndSwap(nil, &why) }

// Stopped reports whether the run is to end at its next request.
func (e *Env) Stopped() bool { return e.stopped.Load() != nil }

// abortIfStopped ends the run before the next request once the endpoint
// has stopped answering or the run's time is up. It runs before sending,
// not after the request that found out, so the spec that made that request
// still ends normally (a create that never left is then known not to have
// created anything).
func (e *Env) abortIfStopped() {
	e.mu.Lock()
	if !e.deadline.IsZero() && time.Now().After(e.deadline) {
		e.Stop(fmt.Sprintf("the run reached its time limit (%s)", e.limit))
	}
	e.mu.Unlock()
	if why := e.stopped.Load(); why != nil {
		AbortSuite(e.Redact(*why + "; the run ends here"))
	}
}

// alive reports whether the endpoint answers a request it answers when it
// is up: POST /workspaces/get, with a credential when the run has one. Any
// HTTP answer counts; only silence means the endpoint is gone.
func (e *Env) alive() bool {
	_, answered := e.RoundTrip()
	return answered
}

// RoundTrip sends the liveness probe and returns how long its answer took,
// and whether one came.
func (e *Env) RoundTrip() (time.Duration, bool) {
	probe := Call(spec.GetWorkspace)
	if schemes := e.AvailableSchemes(); len(schemes) > 0 {
		probe.As(e.As(schemes[0]))
	}
	x := e.Do(probe)
	return x.Elapsed, x.Err == nil
}

// maxTimeoutsPerOperation requests in a row to one operation without an
// answer, or throttled past the suite's retries (while the endpoint answers
// others), make the suite give that operation up: its remaining cases are
// not sent, so an operation that hangs, or a sandbox that throttles it for
// good, costs a few timeouts, not one per case.
const maxTimeoutsPerOperation = 5

// givenUp returns how many requests in a row op left unanswered, or
// unanswered or throttled when not silent, once that has reached
// maxTimeoutsPerOperation, else 0. The clean-up gives up only on silence:
// a throttled delete is worth waiting for, within its time limit.
func (e *Env) givenUp(op spec.Operation, silent bool) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.unserved[op.String()]
	if silent {
		n = e.unanswered[op.String()]
	}
	if n >= maxTimeoutsPerOperation {
		return n
	}
	return 0
}

// tally counts, per operation, the requests in a row without an answer,
// and those in a row without one or with only a 429 the suite's retries
// did not outlast.
func (e *Env) tally(op spec.Operation, answered, throttled bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := op.String()
	if answered {
		delete(e.unanswered, key)
	} else {
		e.unanswered[key]++
	}
	if answered && !throttled {
		delete(e.unserved, key)
	} else {
		e.unserved[key]++
	}
}

// Do sends r outside any spec (the run's preflight), with no self-check
// and no report entry.
func (e *Env) Do(r *Request) *Exchange {
	e.begin(false)
	defer e.end()
	e.redactor.Add(r.credential.Authorization)
	req, err := e.build(r)
	if err != nil {
		return &Exchange{Operation: r.op, Err: err, env: e, Request: &http.Request{Method: r.op.Method, URL: &url.URL{Path: r.op.Path}, Header: http.Header{}}}
	}
	return e.exchange(r, req)
}

func (e *Env) exchange(r *Request, req *http.Request) *Exchange {
	x := &Exchange{Operation: r.op, Request: req, RequestBody: r.body, env: e}
	start := time.Now()
	res, err := e.do(req)
	if err == nil {
		x.Status, x.Header = res.StatusCode, res.Header
		x.Body, err = io.ReadAll(io.LimitReader(res.Body, MaxResponseBody+1))
		if len(x.Body) > MaxResponseBody {
			// White space past the limit (padding) leaves the whole answer
			// in what was read: only more than that is left unjudged.
			past := x.Body[MaxResponseBody:]
			x.Body = x.Body[:MaxResponseBody]
			x.Truncated = !blank(past) || !blankToTheEnd(res.Body)
		}
		res.Body.Close()
	}
	x.Elapsed = time.Since(start)
	// A 429 here is one the suite's retries did not outlast: an operation
	// that gets nothing else is given up as one that does not answer.
	e.tally(r.op, err == nil, err == nil && x.Status == http.StatusTooManyRequests)
	if err != nil {
		x.NotSent = neverSent(err)
		x.Err = describeTransportError(err)
	} else if x.Truncated {
		x.Contract = fmt.Errorf("not judged: the answer is longer than the %d bytes the suite reads", MaxResponseBody)
	} else {
		x.Contract = e.Contract.CheckResponse(r.op, req, r.body, x.Status, x.Header, x.Body)
	}
	return x
}

// blank reports whether b is JSON's white space only.
func blank(b []byte) bool {
	return len(bytes.TrimLeft(b, " \t\r\n")) == 0
}

// blankToTheEnd reads r to its end, keeping nothing, and reports whether
// it held JSON's white space only; it stops at the first other byte.
func blankToTheEnd(r io.Reader) bool {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if !blank(buf[:n]) {
			return false
		}
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// neverSent reports whether err came before the request left: the
// connection was not made, or its TLS handshake failed (a certificate not
// trusted, an endpoint that does not speak TLS).
func neverSent(err error) bool {
	var op *net.OpError
	var certificate *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	return errors.As(err, &op) && op.Op == "dial" || errors.As(err, &certificate) || errors.As(err, &record)
}

func (e *Env) build(r *Request) (*http.Request, error) {
	u := e.Target.Endpoint() + r.op.Path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader = http.NoBody
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(context.Background(), r.op.Method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header = r.header.Clone()
	req.Header.Set("User-Agent", "seamconform")
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if a := r.credential.Authorization.Value; a != "" {
		name := "Authorization"
		if r.credential.Header != "" {
			name = r.credential.Header
		}
		req.Header.Set(name, a)
	}
	if w := r.credential.Workspace; w != "" {
		req.Header.Set(spec.WorkspaceHeader, w)
	}
	return req, nil
}

func (e *Env) selfCheck(r *Request, req *http.Request) {
	MarkHelperOnce(&selfCheckHelper)
	e.skipUndefined(r.op)
	if why := e.breaksOtherwise(r, req); why != "" {
		Fail(e.Redact(why))
	}
}

// skipUndefined skips the spec as not applicable when a --spec document
// (a vendor's subset) does not define op. With the embedded contract it is
// the suite's mistake, which the self-check reports.
func (e *Env) skipUndefined(op spec.Operation) {
	if _, defined := e.Contract.Describe(op); !defined && !e.Contract.Embedded() {
		Skip(NotApplicablePrefix + "the contract does not define " + op.String())
	}
}

// breaksOtherwise says how r, built as req, breaks other rules of the
// contract than it declares, with the contract's reasons; "" when it breaks
// exactly those.
func (e *Env) breaksOtherwise(r *Request, req *http.Request) string {
	got := e.check(r, req)
	want := slices.Compact(slices.Sorted(slices.Values(r.breaks)))
	if slices.Equal(got, want) {
		return ""
	}
	var details []string
	for _, v := range e.Contract.CheckRequest(r.op, req, r.body) { // why, now that it matters
		details = append(details, "  - "+firstLine(v.Error()))
	}
	return fmt.Sprintf("suite error: this request was meant to break %v of the contract but breaks %v; the spec would not test what it claims.\n%s",
		want, got, strings.Join(details, "\n"))
}

func describeTransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
		return fmt.Errorf("no answer within the request timeout: %w", err)
	case strings.Contains(err.Error(), "connection refused"):
		return fmt.Errorf("connection refused: %w", err)
	}
	return fmt.Errorf("no usable answer: %w", err)
}

// JSON decodes the answer's body, reporting false when it is not JSON.
func (x *Exchange) JSON() (any, bool) {
	var v any
	if err := json.Unmarshal(x.Body, &v); err != nil {
		return nil, false
	}
	return v, true
}

// Field returns the value at a dotted path ("error.type") in a JSON object
// body.
func (x *Exchange) Field(path string) (any, bool) {
	v, ok := x.JSON()
	if !ok {
		return nil, false
	}
	for _, key := range strings.Split(path, ".") {
		m, isObject := v.(map[string]any)
		if !isObject {
			return nil, false
		}
		if v, ok = m[key]; !ok {
			return nil, false
		}
	}
	return v, true
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
