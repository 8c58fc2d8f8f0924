package target_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seamconform/seamconform/suites/target"
)

// The mock's gock registry is process-wide: these tests never run in
// parallel, and each closes its mock before returning.

func TestMockAnswersThroughTheHandler(t *testing.T) {
	type seen struct {
		method, uri, host, remote, body, auth string
	}
	got := make(chan seen, 1)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.RequestURI, r.Host, r.RemoteAddr, string(b), r.Header.Get("Authorization")}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("seam-request-id", "req-1")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	tg := target.NewMock(handler, time.Second)
	defer tg.Close()

	if tg.Endpoint() != target.MockEndpoint || !tg.Mock() {
		t.Fatalf("Endpoint() = %q, Mock() = %v", tg.Endpoint(), tg.Mock())
	}
	req, err := http.NewRequest(http.MethodPost, tg.Endpoint()+"/user_identities/delete?x=1", strings.NewReader(`{"user_identity_id":"abc"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer seam_test")
	res, err := tg.Client().Do(req)
	if err != nil {
		t.Fatalf("mock request failed: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated || string(body) != `{"ok":true}` ||
		res.Header.Get("Content-Type") != "application/json" || res.Header.Get("seam-request-id") != "req-1" {
		t.Fatalf("answer: %d %v %s", res.StatusCode, res.Header, body)
	}
	if res.Request == nil || res.Request.URL.String() != req.URL.String() {
		t.Errorf("answer's Request = %v, want the client's request", res.Request)
	}
	select {
	case s := <-got:
		want := seen{"POST", "/user_identities/delete?x=1", "mock.seamconform.invalid", "192.0.2.1:41000", `{"user_identity_id":"abc"}`, "Bearer seam_test"}
		if s != want {
			t.Errorf("handler saw %+v, want %+v", s, want)
		}
	default:
		t.Fatal("the handler was not called")
	}

	// A bodyless DELETE reaches the handler too.
	req, _ = http.NewRequest(http.MethodDelete, tg.Endpoint()+"/user_identities/delete?user_identity_id=x", nil)
	res, err = tg.Client().Do(req)
	if err != nil {
		t.Fatalf("DELETE: %v", err)
	}
	res.Body.Close()
	if s := <-got; s.method != http.MethodDelete || s.body != "" || s.uri != "/user_identities/delete?user_identity_id=x" {
		t.Errorf("handler saw %+v", s)
	}
}

func TestMockNeverUsesTheNetwork(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	var handled atomic.Int32
	tg := target.NewMock(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handled.Add(1) }), time.Second)

	for _, u := range []string{srv.URL + "/user_identities/delete", "https://example.com/", "http://mock.seamconform.invalid/"} {
		res, err := tg.Client().Post(u, "application/json", strings.NewReader("{}"))
		if err == nil {
			res.Body.Close()
			t.Errorf("request to %s was answered %d; a mock must answer only %s", u, res.StatusCode, target.MockEndpoint)
		}
	}
	if hits.Load() != 0 || handled.Load() != 0 {
		t.Errorf("requests elsewhere reached a server (%d) or the handler (%d)", hits.Load(), handled.Load())
	}

	// Once closed, nothing is intercepted and nothing escapes either.
	tg.Close()
	res, err := tg.Client().Get(target.MockEndpoint + "/user_identities/delete")
	if err == nil {
		res.Body.Close()
		t.Fatal("a closed mock answered")
	}
	if !errors.Is(err, target.ErrEscaped) {
		t.Errorf("closed mock: error %v, want ErrEscaped", err)
	}
	if handled.Load() != 0 {
		t.Error("a closed mock called its handler")
	}
}

func TestMockTimeout(t *testing.T) {
	release := make(chan struct{})
	tg := target.NewMock(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), 100*time.Millisecond)
	defer tg.Close()
	defer close(release)
	start := time.Now()
	res, err := tg.Client().Get(target.MockEndpoint + "/x")
	if err == nil {
		res.Body.Close()
		t.Fatal("a hanging handler answered")
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("request took %s despite a 100ms timeout", elapsed)
	}
}

func TestNewHTTPRejectsBadEndpoints(t *testing.T) {
	for _, endpoint := range []string{
		"ftp://example.com",
		"file:///etc/passwd",
		"http://",
		"https:///path",
		"https://example.com/?x=1",
		"http://user:secret@example.com", // would be printed with every exchange
		"https://user@example.com/prefix/",
		"http://example.com?", // regression: an empty query made every path a query string
		"http://example.com/?",
		"https://example.com/#frag",
		"/user_identities",
		"example.com",
		"localhost:8080",
		"",
		"http://exa mple.com",
	} {
		if tg, err := target.NewHTTP(endpoint, time.Second); err == nil {
			t.Errorf("NewHTTP(%q) accepted, endpoint %q", endpoint, tg.Endpoint())
		}
	}
	for _, timeout := range []time.Duration{0, -time.Second} {
		if _, err := target.NewHTTP("https://example.com", timeout); err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Errorf("timeout %s: err = %v", timeout, err)
		}
	}
}

// Regression: NewHTTP cloned http.DefaultTransport, which gock replaces
// while a mock target is open, and panicked.
func TestNewHTTPWhileAMockIsOpen(t *testing.T) {
	m := target.NewMock(http.NotFoundHandler(), time.Second)
	defer m.Close()
	if _, err := target.NewHTTP("http://127.0.0.1:1", time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestNewHTTPAccepts(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080",
		"http://127.0.0.1:8080/":          "http://127.0.0.1:8080",
		"https://connect.getseam.com/":    "https://connect.getseam.com",
		"https://example.com/api/v1//":    "https://example.com/api/v1",
		"https://example.com/api/v1":      "https://example.com/api/v1",
		"HTTPS://Example.com:443/prefix/": "https://Example.com:443/prefix",
		"http://[::1]:9000/seam/":         "http://[::1]:9000/seam",
	} {
		tg, err := target.NewHTTP(in, time.Second)
		if err != nil {
			t.Errorf("NewHTTP(%q): %v", in, err)
			continue
		}
		if tg.Endpoint() != want || tg.Mock() {
			t.Errorf("NewHTTP(%q): Endpoint() = %q, Mock() = %v; want %q", in, tg.Endpoint(), tg.Mock(), want)
		}
		if tg.Client().Timeout != time.Second {
			t.Errorf("NewHTTP(%q): client timeout %s", in, tg.Client().Timeout)
		}
		tg.Close()
	}
}

func TestNewHTTPReachesTheEndpoint(t *testing.T) {
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.Path)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	tg, err := target.NewHTTP(srv.URL+"/prefix/", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	res, err := tg.Client().Post(tg.Endpoint()+"/user_identities/delete", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted || path.Load() != "/prefix/user_identities/delete" {
		t.Fatalf("status %d, server saw path %v", res.StatusCode, path.Load())
	}
}

func TestClientsDoNotFollowRedirects(t *testing.T) {
	var followed atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Add(1)
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})

	srv := httptest.NewServer(handler)
	defer srv.Close()
	remote, err := target.NewHTTP(srv.URL, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	res, err := remote.Client().Post(remote.Endpoint()+"/user_identities/delete", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/elsewhere" {
		t.Errorf("remote: got %d Location %q, want the 302 itself", res.StatusCode, res.Header.Get("Location"))
	}

	mock := target.NewMock(handler, time.Second)
	defer mock.Close()
	res, err = mock.Client().Post(mock.Endpoint()+"/user_identities/delete", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Errorf("mock: got %d, want the 302 itself", res.StatusCode)
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("a redirect was followed %d times", n)
	}
}

func TestNewHTTPTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release) // runs before srv.Close, which waits for the handler

	tg, err := target.NewHTTP(srv.URL, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	start := time.Now()
	res, err := tg.Client().Post(tg.Endpoint()+"/user_identities/delete", "application/json", strings.NewReader("{}"))
	elapsed := time.Since(start)
	if err == nil {
		res.Body.Close()
		t.Fatal("a server that never answers answered")
	}
	if elapsed > 2*time.Second {
		t.Fatalf("request failed after %s, want within about 100ms", elapsed)
	}
	var timeout interface{ Timeout() bool }
	if !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Errorf("error %v is not a timeout", err)
	}
}

// A run says when its credentials cross the network unencrypted: plain
// http to another host. (The proxy case is checked end to end by
// TestRunSaysItsCredentialsGoThroughAProxy: Go reads the proxy variables
// once per process.)
func TestExposureOfPlainHTTPToAnotherHost(t *testing.T) {
	for _, v := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		if os.Getenv(v) != "" {
			t.Skipf("%s is set: the answers would be the proxy's", v)
		}
	}
	for endpoint, want := range map[string]string{
		"http://192.0.2.1:8080":   "plain http on another host",
		"https://192.0.2.1":       "",
		"http://127.0.0.1:8080":   "",
		"http://localhost:4010":   "",
		"http://[::1]:4010/seam/": "",
	} {
		if got := target.Exposure(endpoint); !strings.Contains(got, want) || want == "" && got != "" {
			t.Errorf("Exposure(%s) = %q, want %q", endpoint, got, want)
		}
	}
}
