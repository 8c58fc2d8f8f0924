package reference

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/spec"
)

// FuzzHandler sends the reference any body, headers and query string on
// its routes (and on any path). Whatever comes, it never panics, never
// answers 5xx, answers a documented status when it succeeds, and every
// answer is one JSON value: Seam's error envelope for an error.
func FuzzHandler(f *testing.F) {
	const id = "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"
	seeds := []struct {
		method, path, query, body, contentType string
		auth                                   uint8 // 0 none, 1 the API key, 2 the PAT with workspace, 3 raw
		raw                                    string
	}{
		{"POST", "/user_identities/delete", "", `{"user_identity_id":"` + id + `"}`, "application/json", 1, ""},
		{"DELETE", "/user_identities/delete", "user_identity_id=" + id, "", "", 1, ""},
		{"POST", "/user_identities/create", "", `{"user_identity_key":"k","full_name":"n"}`, "application/json", 2, ""},
		{"POST", "/user_identities/get", "", `{"user_identity_key":"k"}`, "application/json", 1, ""},
		{"POST", "/workspaces/get", "", `{}`, "application/json", 2, ""},
		{"POST", "/user_identities/delete", "", `{"user_identity_id":[[[]]]}`, "application/json", 1, ""},
		{"POST", "/user_identities/delete", "", `{"user_identity_id":1e999}`, "application/json; charset=utf-8", 1, ""},
		{"POST", "/user_identities/delete", "", `{"user_identity_id":"` + id + `"}<html>`, "application/json", 1, ""},
		{"POST", "/user_identities/delete", "", "\xff\xfe\x00", "text/plain", 3, "Bearer eyJhbGciOiJub25lIn0.e30."},
		{"GET", "/user_identities/delete", "user_identity_id=" + id + "&user_identity_id=x", "", "", 3, "bearer  seam_\x00"},
		{"POST", "/nowhere%0A", "a=%zz", "{", "application/json", 0, ""},
		{"PATCH", "/workspaces/get", ";;&&==", "null", "application/json", 3, "Basic Og=="},
		{"POST", "/user_identities/delete", "", `{"user_identity_id":"` + id + `"}`, "application/json", 3, "Bearer eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjFlOTk5fQ.x"}, // exp 1e999
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, []byte(s.body), s.contentType, s.auth, s.raw)
	}
	server, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	contract, err := spec.Embedded()
	if err != nil {
		f.Fatal(err)
	}
	seed := server.Seed()
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte, contentType string, auth uint8, raw string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req := &http.Request{
			Method:     method,
			URL:        &url.URL{Path: path, RawQuery: query},
			Proto:      "HTTP/1.1",
			ProtoMajor: 1, ProtoMinor: 1,
			Header:        http.Header{},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
			Host:          "reference.invalid",
			RemoteAddr:    "192.0.2.1:1",
			RequestURI:    path,
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		switch auth % 4 {
		case 1:
			req.Header.Set("Authorization", "Bearer "+seed.APIKey)
		case 2:
			req.Header.Set("Authorization", "Bearer "+seed.PersonalAccessToken)
			req.Header.Set(spec.WorkspaceHeader, seed.WorkspaceID)
		case 3:
			req.Header["Authorization"] = []string{raw}
		}
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, req)

		status, answer := rec.Code, rec.Body.Bytes()
		if status >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, status, answer)
		}
		if !json.Valid(answer) {
			t.Fatalf("%s %s: %d with a body that is not one JSON value: %q", method, path, status, answer)
		}
		var envelope struct {
			OK    *bool `json:"ok"`
			Error *struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(answer, &envelope)
		switch {
		case status >= 200 && status < 300:
			op := spec.Operation{Method: method, Path: path}
			if !contract.Documents(op, status) {
				t.Fatalf("%s %s: success %d the contract does not document", method, path, status)
			}
		case status >= 400:
			if envelope.OK == nil || *envelope.OK || envelope.Error == nil || envelope.Error.Type == "" || envelope.Error.Message == "" {
				t.Fatalf("%s %s: %d without Seam's error envelope: %s", method, path, status, answer)
			}
		default:
			t.Fatalf("%s %s: status %d is neither success nor an error", method, path, status)
		}
	})
}
