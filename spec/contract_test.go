package spec_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/spec"
)

func TestEmbeddedLoads(t *testing.T) {
	c, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if !c.Documents(spec.DeleteIdentity, 200) || c.Documents(spec.DeleteIdentity, 404) {
		t.Fatalf("documented statuses wrong")
	}
	t.Log(c.Source())
}

func TestCheckRequest(t *testing.T) {
	c, _ := spec.Embedded()
	req, _ := http.NewRequest("POST", "http://x/user_identities/delete", nil)
	req.Header.Set("Authorization", "Bearer seam_abc")
	req.Header.Set("Content-Type", "application/json")
	vs := c.CheckRequest(spec.DeleteIdentity, req, []byte(`{"user_identity_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}`))
	if len(vs) != 0 {
		t.Fatal(vs)
	}
	vs = c.CheckRequest(spec.DeleteIdentity, req, []byte(`{"user_identity_id":"7ad2566e6fd8466db8e4c10a14a74fd3"}`))
	t.Log(vs, spec.Rules(vs))
	req.Header.Del("Authorization")
	vs = c.CheckRequest(spec.DeleteIdentity, req, []byte(`{}`))
	t.Log(vs, spec.Rules(vs))
	q, _ := http.NewRequest("DELETE", "http://x/user_identities/delete?user_identity_id=abc&_strict=true", nil)
	q.Header.Set("Authorization", "Bearer seam_atxx")
	vs = c.CheckRequest(spec.DeleteIdentityByQuery, q, nil)
	t.Log(vs, spec.Rules(vs))
	err := c.CheckResponse(spec.DeleteIdentity, req, nil, 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"ok":"yes"}`))
	t.Log(err)
	err = c.CheckResponse(spec.DeleteIdentity, req, nil, 404, http.Header{"Content-Type": {"application/json"}}, []byte(`{"ok":"yes"}`))
	t.Log(err)
	err = c.CheckResponse(spec.DeleteIdentity, req, nil, 200, http.Header{"Content-Type": {"text/plain"}}, []byte(`{"ok":true}`))
	t.Log(err)
	_ = strings.ToLower
}
