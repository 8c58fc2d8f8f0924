package seamtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seamconform/seamconform/reference/seamtest"
)

// fakeT records what Start does to a test, to observe a failure without
// failing this test.
type fakeT struct {
	errors   []string
	cleanups []func()
	// cleaning is set while the cleanups run; helperAtCleanup records that
	// one marked itself a helper, so its failure points at the test.
	cleaning, helperAtCleanup bool
}

func (f *fakeT) Helper()           { f.helperAtCleanup = f.helperAtCleanup || f.cleaning }
func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Fatalf(format string, args ...any) { f.Errorf(format, args...); panic("Fatalf") }

func (f *fakeT) finish() {
	f.cleaning = true
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func deleteIdentity(t *testing.T, s *seamtest.Server, body string) int {
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/user_identities/delete", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.Seed.APIKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestAClientThatSendsABadRequestFailsItsTest(t *testing.T) {
	ft := &fakeT{}
	s := seamtest.Start(ft)
	if code := deleteIdentity(t, s, `{"id":"`+s.Seed.ForeignIdentityID+`"}`); code != 400 {
		t.Errorf("status %d, want 400", code)
	}
	ft.finish()
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "[body] user_identity_id") || strings.Contains(ft.errors[0], s.Seed.APIKey) {
		t.Fatalf("errors %q, want one naming user_identity_id without the key", ft.errors)
	}
	if !ft.helperAtCleanup {
		t.Error("the cleanup's failure points into seamtest, not at the test's call of Start")
	}
}

func TestAClientThatSendsGoodRequestsPasses(t *testing.T) {
	ft := &fakeT{}
	s := seamtest.Start(ft)
	if code := deleteIdentity(t, s, `{"user_identity_id":"`+s.Seed.ForeignIdentityID+`"}`); code != 404 {
		t.Errorf("status %d, want 404 (another workspace's identity)", code)
	}
	ft.finish()
	if len(ft.errors) != 0 {
		t.Fatalf("errors %q, want none", ft.errors)
	}
	if _, err := http.Get(s.URL); err == nil {
		t.Error("the server still answers after cleanup")
	}
}

func TestForgetClearsDeliberateViolations(t *testing.T) {
	ft := &fakeT{}
	s := seamtest.Start(ft)
	deleteIdentity(t, s, `{}`)
	if len(s.Violations()) != 1 {
		t.Fatalf("violations %v, want 1", s.Violations())
	}
	s.Forget()
	ft.finish()
	if len(ft.errors) != 0 {
		t.Fatalf("errors %q, want none after Forget", ft.errors)
	}
}

// A client's tests may run against serve or seamtest alike: the control
// API's reset starts seamtest's state afresh too, with the same
// credentials, and what the client sent before it still fails the test.
func TestTheControlAPIsResetKeepsTheViolationsAndResetsTheState(t *testing.T) {
	ft := &fakeT{}
	s := seamtest.Start(ft)
	if code := deleteIdentity(t, s, `{"user_identity_id":"accidental"}`); code != 400 {
		t.Fatalf("status %d, want 400", code)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/user_identities/create", strings.NewReader(`{"full_name":"Ada"}`))
	req.Header.Set("Authorization", "Bearer "+s.Seed.APIKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		UserIdentity struct {
			ID string `json:"user_identity_id"`
		} `json:"user_identity"`
	}
	_ = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if res, err = http.Post(s.URL+"/_seamconform/reset", "", nil); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// The same key works (404, not 401), and the identity is gone.
	if code := deleteIdentity(t, s, `{"user_identity_id":"`+created.UserIdentity.ID+`"}`); created.UserIdentity.ID == "" || code != 404 {
		t.Errorf("an identity created before the reset (%q): status %d, want 404", created.UserIdentity.ID, code)
	}
	ft.finish()
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "user_identity_id") {
		t.Fatalf("errors %q, want the violation sent before the reset", ft.errors)
	}
}

// A client call left running past its test (a body that never ends) is
// cut off and named, not waited for until the test binary times out.
func TestARequestStillInFlightAtCleanupIsCutOffAndNamed(t *testing.T) {
	ft := &fakeT{}
	s := seamtest.Start(ft)
	body, writer := io.Pipe()
	defer writer.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/user_identities/delete", body)
	req.Header.Set("Authorization", "Bearer "+s.Seed.APIKey)
	req.Header.Set("Content-Type", "application/json")
	go func() {
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	_, _ = writer.Write([]byte(`{"user_identity_id":`))
	time.Sleep(500 * time.Millisecond) // the handler is reading the rest
	done := make(chan struct{})
	go func() { ft.finish(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the cleanup waited for a request that never ends")
	}
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "still in flight") {
		t.Errorf("errors %q, want the request in flight named", ft.errors)
	}
}

// Forget clears what Violations shows, whether or not the control API
// reset the server in between.
func TestForgetAfterAControlAPIReset(t *testing.T) {
	ft := &fakeT{}
	s := seamtest.Start(ft)
	deleteIdentity(t, s, `{"user_identity_id":"on purpose"}`)
	res, err := http.Post(s.URL+"/_seamconform/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if len(s.Violations()) != 1 {
		t.Fatalf("violations before Forget: %+v", s.Violations())
	}
	s.Forget()
	ft.finish()
	if len(s.Violations()) != 0 || len(ft.errors) != 0 {
		t.Errorf("after Forget: violations %+v, errors %q; want none", s.Violations(), ft.errors)
	}
}
