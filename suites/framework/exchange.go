package framework

import (
	"bytes"
	"context"
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
}

// Call starts a request to op: no body, no credential, meant to conform.
func Call(op spec.Operation) *Request {
	return &Request{op: op, query: url.Values{}, header: http.Header{}}
}

// As presents a credential.
func (r *Request) As(c Credential) *Request { r.credential = c; return r }

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
	r.body, r.contentType = b, contentType
	return r
}

// Query adds a query parameter.
func (r *Request) Query(key, value string) *Request { r.query.Add(key, value); return r }

// Header sets a header.
func (r *Request) Header(key, value string) *Request { r.header.Set(key, value); return r }

// Breaking declares the contract rules this request is meant to break. Send
// fails the spec as a suite error unless the request breaks exactly these,
// so a negative spec proves what it claims and nothing else.
func (r *Request) Breaking(rules ...spec.Rule) *Request {
	r.breaks = append(r.breaks, rules...)
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
	GinkgoHelper()
	return Current().Send(r)
}

// Send sends r in this environment as part of a spec: the request is
// checked against the contract first (a mismatch with what r declares fails
// the spec as a suite error), the exchange is attached to the spec's report,
// and an endpoint that has stopped answering ends the run.
func (e *Env) Send(r *Request) *Exchange {
	GinkgoHelper()
	e.stopIfInterrupted()
	e.abortIfUnreachable()
	e.redactor.Add(r.credential.Authorization)
	req, err := e.build(r)
	if err != nil {
		RedactedFail(fmt.Sprintf("suite error: cannot build request: %v", err))
	}
	e.selfCheck(r, req)
	x := e.exchange(r, req)
	e.stopIfInterrupted()
	AddReportEntry("exchange", x.Evidence(), evidenceVisibility())
	skipIfThrottled(x)
	if x.Err != nil {
		e.unreachable.Add(1)
		e.lastErr.Store(x.Err.Error())
	} else {
		e.unreachable.Store(0)
	}
	return x
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
func (e *Env) Interrupt() { e.closed.Store(true) }

// abortIfUnreachable ends the run before the next request once
// maxUnanswered requests in a row got no answer. It runs before sending,
// not after the last unanswered request, so the spec that made that
// request still ends normally (a create that never left is then known not
// to have created anything).
func (e *Env) abortIfUnreachable() {
	if n := e.unreachable.Load(); n >= maxUnanswered {
		last, _ := e.lastErr.Load().(string)
		AbortSuite(e.Redact(fmt.Sprintf("the endpoint gave no answer to %d requests in a row (last: %s); the run ends here", n, last)))
	}
}

// maxUnanswered consecutive requests without an answer end the run, so an
// endpoint that is down or hangs costs seconds, not one timeout per spec.
const maxUnanswered = 3

// Do sends r outside any spec (the run's preflight), with no self-check
// and no report entry.
func (e *Env) Do(r *Request) *Exchange {
	e.redactor.Add(r.credential.Authorization)
	req, err := e.build(r)
	if err != nil {
		return &Exchange{Operation: r.op, Err: err, env: e, Request: &http.Request{Method: r.op.Method, URL: &url.URL{Path: r.op.Path}, Header: http.Header{}}}
	}
	return e.exchange(r, req)
}

func (e *Env) exchange(r *Request, req *http.Request) *Exchange {
	e.inflight.Add(1)
	defer e.inflight.Done()
	x := &Exchange{Operation: r.op, Request: req, RequestBody: r.body, env: e}
	start := time.Now()
	res, err := e.do(req)
	if err == nil {
		x.Status, x.Header = res.StatusCode, res.Header
		x.Body, err = io.ReadAll(io.LimitReader(res.Body, MaxResponseBody+1))
		if len(x.Body) > MaxResponseBody {
			x.Body, x.Truncated = x.Body[:MaxResponseBody], true
		}
		res.Body.Close()
	}
	x.Elapsed = time.Since(start)
	if err != nil {
		var op *net.OpError
		x.NotSent = errors.As(err, &op) && op.Op == "dial"
		x.Err = describeTransportError(err)
	} else {
		x.Contract = e.Contract.CheckResponse(r.op, req, r.body, x.Status, x.Header, x.Body)
	}
	return x
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
		req.Header.Set("Authorization", a)
	}
	if w := r.credential.Workspace; w != "" {
		req.Header.Set(spec.WorkspaceHeader, w)
	}
	return req, nil
}

func (e *Env) selfCheck(r *Request, req *http.Request) {
	GinkgoHelper()
	violations := e.Contract.CheckRequest(r.op, req, r.body)
	got := spec.Rules(violations)
	want := slices.Compact(slices.Sorted(slices.Values(r.breaks)))
	if slices.Equal(got, want) {
		return
	}
	var details []string
	for _, v := range violations {
		details = append(details, "  - "+firstLine(v.Error()))
	}
	Fail(e.Redact(fmt.Sprintf("suite error: this request was meant to break %v of the contract but breaks %v; the spec would not test what it claims.\n%s",
		want, got, strings.Join(details, "\n"))))
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
