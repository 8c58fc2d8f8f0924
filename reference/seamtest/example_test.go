package seamtest_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/seamconform/seamconform/reference/seamtest"
)

// printingT stands in for the *testing.T a real test passes to Start: it
// prints what would fail the test.
type printingT struct{ cleanups []func() }

func (p *printingT) Helper()                           {}
func (p *printingT) Cleanup(f func())                  { p.cleanups = append(p.cleanups, f) }
func (p *printingT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (p *printingT) Fatalf(format string, args ...any) { p.Errorf(format, args...) }

// A client that deletes a user identity with a body Seam's SDKs never send
// (text/plain) fails its test at cleanup, with the rule it broke.
func Example() {
	t := &printingT{} // in a Go SDK's test: the *testing.T
	seam := seamtest.Start(t)

	req, _ := http.NewRequest(http.MethodPost, seam.URL+"/user_identities/delete",
		strings.NewReader(`{"user_identity_id":"0b6d2f4e-3c1a-4e8b-9f7d-5a2c1e0d9b8a"}`))
	req.Header.Set("Authorization", "Bearer "+seam.Seed.APIKey)
	req.Header.Set("Content-Type", "text/plain")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println("answered", res.StatusCode)

	for _, cleanup := range t.cleanups { // what the testing package does at the end of the test
		cleanup()
	}
	// Output:
	// answered 400
	// FAIL: seamtest: the client sent 1 request(s) that break Seam's contract:
	//   request POST /user_identities/delete [content-type] the body's Content-Type has unexpected value "text/plain"; the operation takes application/json (answered 400)
	//     sent: POST /user_identities/delete {"user_identity_id":"0b6d2f4e-3c1a-4e8b-9f7d-5a2c1e0d9b8a"}
}
