package reference_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/seamconform/seamconform/reference"
)

func benchServer(b *testing.B) (*reference.Server, string) {
	b.Helper()
	srv, err := reference.New(reference.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return srv, "Bearer " + srv.Seed().APIKey
}

func benchCall(srv *reference.Server, auth, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// BenchmarkDelete creates an identity and deletes it, both through
// ServeHTTP, per iteration.
func BenchmarkDelete(b *testing.B) {
	srv, auth := benchServer(b)
	b.ReportAllocs()
	for b.Loop() {
		rec := benchCall(srv, auth, "/user_identities/create", `{"full_name":"bench"}`)
		if rec.Code != http.StatusOK {
			b.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		var created struct {
			UserIdentity struct {
				ID string `json:"user_identity_id"`
			} `json:"user_identity"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.UserIdentity.ID == "" {
			b.Fatalf("create answered %s", rec.Body)
		}
		rec = benchCall(srv, auth, "/user_identities/delete", `{"user_identity_id":"`+created.UserIdentity.ID+`"}`)
		if rec.Code != http.StatusOK {
			b.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	if ids := srv.IdentityIDs(); len(ids) != 0 {
		b.Fatalf("%d identities left after create+delete", len(ids))
	}
}

// BenchmarkRejectBadUUID sends a delete whose user_identity_id is not a UUID.
func BenchmarkRejectBadUUID(b *testing.B) {
	srv, auth := benchServer(b)
	const body = `{"user_identity_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fdg"}`
	b.ReportAllocs()
	for b.Loop() {
		if rec := benchCall(srv, auth, "/user_identities/delete", body); rec.Code != http.StatusBadRequest {
			b.Fatalf("bad UUID: %d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkGenericOperation answers an operation without hand-written
// behaviour: authentication, input validation against the contract and the
// cached example answer.
func BenchmarkGenericOperation(b *testing.B) {
	srv, auth := benchServer(b)
	const body = `{"device_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}`
	b.ReportAllocs()
	for b.Loop() {
		if rec := benchCall(srv, auth, "/locks/get", body); rec.Code != http.StatusOK {
			b.Fatalf("/locks/get: %d %s", rec.Code, rec.Body)
		}
	}
}
