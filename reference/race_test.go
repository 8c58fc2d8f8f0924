package reference_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Concurrent creates, lists, updates, deletes and generic answers on one
// server (run with -race): the store's indexes and the answer cache stay
// consistent.
func TestConcurrentRequests(t *testing.T) {
	h := newHarness(t)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				call := func(path, body string) *httptest.ResponseRecorder {
					req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+h.seed.APIKey)
					rec := httptest.NewRecorder()
					h.srv.ServeHTTP(rec, req)
					return rec
				}
				rec := call("/user_identities/create", fmt.Sprintf(`{"user_identity_key":"k-%d-%d"}`, w, i))
				if rec.Code != 200 {
					t.Errorf("create: %d %s", rec.Code, rec.Body)
					return
				}
				id := strings.Split(strings.Split(rec.Body.String(), `"user_identity_id":"`)[1], `"`)[0]
				call("/user_identities/list", `{}`)
				call("/user_identities/update", `{"user_identity_id":"`+id+`","full_name":"x"}`)
				call("/devices/list", `{}`)
				if rec := call("/user_identities/delete", `{"user_identity_id":"`+id+`"}`); rec.Code != 200 {
					t.Errorf("delete: %d %s", rec.Code, rec.Body)
				}
			}
		}()
	}
	wg.Wait()
	if ids := h.srv.IdentityIDs(); len(ids) != 0 {
		t.Errorf("%d identities left", len(ids))
	}
}
