package sdkfaults_test

import (
	"encoding/json"
	"github.com/seamconform/seamconform/spec"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seamconform/seamconform/reference/sdkfaults"
)

func TestParse(t *testing.T) {
	for _, good := range []string{"rate-limit", "rate-limit:5@/devices/list", "latency:20ms@/locks/*", "server-error*1", "unavailable*2@/devices/list", "reset@/user_identities/delete"} {
		if _, err := sdkfaults.Parse(good); err != nil {
			t.Errorf("Parse(%q): %v", good, err)
		}
	}
	for _, bad := range []string{"", "teapot", "latency:soon", "latency:-1s", "rate-limit:x", "server-error:1", "reset*0", "reset*x", "reset@devices", "reset@/[", "latency:1h"} {
		if _, err := sdkfaults.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a bad fault", bad)
		}
	}
}

func serve(t *testing.T, specs ...string) *httptest.Server {
	t.Helper()
	var faults []sdkfaults.Fault
	for _, s := range specs {
		f, err := sdkfaults.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		faults = append(faults, f)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok":true}`) })
	s := httptest.NewServer(sdkfaults.Wrap(ok, faults))
	t.Cleanup(s.Close)
	return s
}

func post(t *testing.T, url string) (*http.Response, map[string]map[string]any) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res, body
}

func TestErrorAnswersOnTheirOperationOnly(t *testing.T) {
	s := serve(t, "rate-limit:3@/devices/list", "unavailable@/locks/*", "server-error*1@/workspaces/get")
	res, body := post(t, s.URL+"/devices/list")
	// A request ID is a UUID, as Seam's and the reference's are.
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "3" || body["error"]["type"] != "rate_limited" ||
		!spec.IsUUID(res.Header.Get("seam-request-id")) || body["error"]["request_id"] != res.Header.Get("seam-request-id") {
		t.Errorf("rate-limit: %d Retry-After %q %v", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	if res, _ := post(t, s.URL+"/devices/get"); res.StatusCode != 200 {
		t.Errorf("another operation: %d, want 200", res.StatusCode)
	}
	if res, body := post(t, s.URL+"/locks/list"); res.StatusCode != 503 || body["error"]["type"] != "service_unavailable" {
		t.Errorf("unavailable: %d %v", res.StatusCode, body)
	}
	if res, body := post(t, s.URL+"/workspaces/get"); res.StatusCode != 500 || body["error"]["type"] != "internal_server_error" {
		t.Errorf("server-error first time: %d %v", res.StatusCode, body)
	}
	if res, _ := post(t, s.URL+"/workspaces/get"); res.StatusCode != 200 {
		t.Errorf("server-error*1 second time: %d, want 200 (a retry succeeds)", res.StatusCode)
	}
}

func TestLatencyDelaysTheAnswer(t *testing.T) {
	s := serve(t, "latency:150ms@/devices/list")
	start := time.Now()
	if res, _ := post(t, s.URL+"/devices/list"); res.StatusCode != 200 || time.Since(start) < 150*time.Millisecond {
		t.Errorf("latency: %d after %v, want 200 after at least 150ms", res.StatusCode, time.Since(start))
	}
}

func TestResetDropsTheConnection(t *testing.T) {
	s := serve(t, "reset@/devices/list")
	if res, err := http.Post(s.URL+"/devices/list", "application/json", strings.NewReader("{}")); err == nil {
		res.Body.Close()
		t.Fatalf("reset: got an answer %d, want a dropped connection", res.StatusCode)
	}
}
