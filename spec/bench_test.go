package spec_test

import (
	"net/http"
	"testing"

	"github.com/seamconform/seamconform/spec"
)

const benchUUID = "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"

func benchDeleteRequest(b *testing.B) (*spec.Contract, *http.Request, []byte) {
	b.Helper()
	c, err := spec.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, "https://example.invalid/user_identities/delete", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer seam_bench_key_123")
	req.Header.Set("Content-Type", "application/json")
	return c, req, []byte(`{"user_identity_id":"` + benchUUID + `"}`)
}

// BenchmarkCheckRequest checks a conforming POST delete request.
func BenchmarkCheckRequest(b *testing.B) {
	c, req, body := benchDeleteRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if vs := c.CheckRequest(spec.DeleteIdentity, req, body); len(vs) != 0 {
			b.Fatalf("conforming request broke the contract: %v", vs)
		}
	}
}

// BenchmarkCheckResponse checks a conforming 200 answer to a POST delete.
func BenchmarkCheckResponse(b *testing.B) {
	c, req, body := benchDeleteRequest(b)
	header := http.Header{"Content-Type": {"application/json"}}
	answer := []byte(`{"ok":true}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.CheckResponse(spec.DeleteIdentity, req, body, http.StatusOK, header, answer); err != nil {
			b.Fatalf("conforming answer rejected: %v", err)
		}
	}
}

// BenchmarkCheckRequestRefused checks a request whose UUID is malformed:
// the fast path does not accept it, and kin-openapi explains why (the
// negative specs' path).
func BenchmarkCheckRequestRefused(b *testing.B) {
	c, req, _ := benchDeleteRequest(b)
	body := []byte(`{"user_identity_id":"not-a-uuid"}`)
	b.ReportAllocs()
	for b.Loop() {
		if vs := c.CheckRequest(spec.DeleteIdentity, req, body); len(vs) != 1 {
			b.Fatalf("want one violation, got %v", vs)
		}
	}
}
