// Package target is where the specs' requests go: in-process to a handler
// through gock, or over HTTP to an endpoint. Specs see only an endpoint URL
// and an *http.Client, so the same specs run unchanged against both.
package target

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gopkg.in/h2non/gock.v1"
)

// Target is one place specs can send requests to.
type Target interface {
	// Endpoint is the base URL the operations' paths are appended to.
	Endpoint() string
	// Client sends requests to Endpoint. It never follows redirects: a
	// redirect is an answer the suite judges, not one it hides.
	Client() *http.Client
	// Mock reports whether answers come from the in-process reference.
	Mock() bool
	// Close releases the target; the caller must call it when finished.
	Close()
}

// MockEndpoint is the base URL of the mock target. The .invalid top-level
// domain never resolves (RFC 6761), so a request that escaped gock could not
// reach anything either.
const MockEndpoint = "https://mock.seamconform.invalid"

// ErrEscaped is returned for a mock request gock did not intercept.
var ErrEscaped = errors.New("mock target: request was not intercepted by gock (no network is used in mock mode)")

type mock struct{ client *http.Client }

// NewMock answers every request through gock with handler. gock's mock
// registry is process-wide, so a process holds at most one mock target at a
// time: Close before creating another.
func NewMock(handler http.Handler, timeout time.Duration) Target {
	// Every request to the mock host is the handler's: gock's default
	// matchers would compile the mock's empty path as a regular expression
	// and compare headers, query and body for every request.
	matcher := gock.NewEmptyMatcher()
	matcher.Add(gock.MatchScheme)
	matcher.Add(gock.MatchHost)
	gock.New(MockEndpoint).SetMatcher(matcher).Persist().Reply(http.StatusTeapot).Map(func(res *http.Response) *http.Response {
		return serve(handler, res.Request)
	})
	transport := &gock.Transport{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, ErrEscaped })}
	return mock{client: newClient(deadline{transport, timeout}, 0)}
}

// deadline bounds each mock request by timeout through its context, which a
// handler that waits sees end. http.Client's own Timeout would do the same
// with a goroutine and a timer for every request, a tenth of a mock run's CPU,
// to watch a transport that answers before it returns.
type deadline struct {
	next    http.RoundTripper
	timeout time.Duration
}

func (d deadline) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), d.timeout)
	defer cancel()
	res, err := d.next.RoundTrip(req.WithContext(ctx))
	if err == nil && ctx.Err() != nil {
		res.Body.Close()
		return nil, fmt.Errorf("mock target: no answer within %s: %w", d.timeout, ctx.Err())
	}
	return res, err
}

// serve hands a client-side request to a server-side handler, giving the
// handler what net/http's server would.
func serve(handler http.Handler, clientReq *http.Request) *http.Response {
	req := clientReq.Clone(clientReq.Context())
	if req.Body == nil {
		req.Body = http.NoBody
	}
	req.RequestURI = req.URL.RequestURI()
	req.RemoteAddr = "192.0.2.1:41000" // TEST-NET-1: the mock has no peer
	if req.Host == "" {
		req.Host = req.URL.Host
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	res := rec.Result()
	res.Request = clientReq
	return res
}

func (m mock) Endpoint() string     { return MockEndpoint }
func (m mock) Client() *http.Client { return m.client }
func (m mock) Mock() bool           { return true }
func (m mock) Close()               { gock.Off() }

type remote struct {
	endpoint string
	client   *http.Client
}

// NewHTTP targets a live endpoint. The endpoint must be an absolute http or
// https URL; each request is bounded by timeout.
func NewHTTP(endpoint string, timeout time.Duration) (Target, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("endpoint %q is not an absolute http(s) URL without query or fragment", RedactURL(endpoint))
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("endpoint %q has no valid port (1 to 65535)", RedactURL(endpoint))
		}
	}
	if u.User != nil {
		// It would be printed with every exchange; credentials go in SEAM_*.
		return nil, errors.New("endpoint must not carry credentials (user:password@); give them as SEAM_API_KEY and the like")
	}
	if timeout <= 0 {
		return nil, fmt.Errorf("request timeout must be positive, got %s", timeout)
	}
	u.Path = trimSlash(u.Path)
	// Not a clone of http.DefaultTransport: gock replaces that process-wide
	// while a mock target is open.
	transport := &http.Transport{
		Proxy:             http.ProxyFromEnvironment,
		DialContext:       (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2: true,
		// An API-wide spec sends its cases at once (up to one per
		// credential scheme): their connections are kept for the next
		// spec, not closed and opened again (a TLS handshake each).
		MaxIdleConns:           16,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 1 << 20, // a hostile endpoint's headers are bounded like its body
	}
	return remote{endpoint: u.String(), client: newClient(transport, timeout)}, nil
}

// Exposure says how a run's credentials travel to endpoint when not
// encrypted to it alone: through a proxy the environment names (which sees
// them in the clear unless the endpoint is https), or as plain http to a
// host that is not this machine. "" when neither.
func Exposure(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	proxy, _ := http.ProxyFromEnvironment(&http.Request{URL: u})
	switch {
	case proxy != nil && u.Scheme == "http":
		return fmt.Sprintf("requests, credentials included, go in the clear through the proxy %s (HTTP_PROXY)", RedactURL(proxy.String()))
	case proxy != nil:
		return fmt.Sprintf("requests go through the proxy %s (HTTPS_PROXY), encrypted to the endpoint", RedactURL(proxy.String()))
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return "the endpoint is plain http on another host: credentials cross the network unencrypted"
	}
	return ""
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactURL hides what a URL may carry as a credential, parseable or not:
// the user information before "@", every query value and the fragment.
// Short query names stay, so a message can still say what was wrong.
func RedactURL(raw string) string {
	// The last "@" anywhere: a password may hold "?" or "#", and hiding too
	// much of a mistyped URL is better than showing a password.
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		start := strings.Index(raw, "://") + 3
		if start < 3 || start > at {
			start = 0
		}
		raw = raw[:start] + "REDACTED" + raw[at:]
	}
	rest, _, hasFragment := strings.Cut(raw, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery {
		pairs := strings.Split(query, "&")
		for i, p := range pairs {
			if name, _, hasValue := strings.Cut(p, "="); hasValue && len(name) <= 24 {
				pairs[i] = name + "=REDACTED"
			} else if p != "" {
				pairs[i] = "REDACTED"
			}
		}
		rest += "?" + strings.Join(pairs, "&")
	}
	if hasFragment {
		rest += "#REDACTED"
	}
	return rest
}

func trimSlash(p string) string {
	for len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return p
}

func (r remote) Endpoint() string     { return r.endpoint }
func (r remote) Client() *http.Client { return r.client }
func (r remote) Mock() bool           { return false }
func (r remote) Close()               { r.client.CloseIdleConnections() }

func newClient(transport http.RoundTripper, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
