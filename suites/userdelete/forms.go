package userdelete

import (
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// The operation in its two forms: a JSON body (the contract's POST) and a
// query parameter (the DELETE that Seam's JavaScript SDK sends).
var (
	post    = f.Form{Name: "post", Op: spec.DeleteIdentity, Body: true}
	delete_ = f.Form{Name: "delete", Op: spec.DeleteIdentityByQuery}

	deleteIdentity = f.Descriptor{
		Forms:        []f.Form{post, delete_},
		ID:           "user_identity_id",
		Existing:     func() string { return env().CreateIdentity() },
		NotFoundType: "user_identity_not_found",
	}
)

func env() *f.Env { return f.Current() }
