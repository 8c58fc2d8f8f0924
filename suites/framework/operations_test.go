package framework

import (
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
)

func TestSelectOperations(t *testing.T) {
	c := TreeContract()
	for _, tc := range []struct {
		patterns []string
		want     []string // operations that must be selected
		not      string   // an operation that must not be
	}{
		{[]string{"devicesListPost"}, []string{"POST /devices/list"}, "GET /devices/list"},
		{[]string{"/devices/list"}, []string{"POST /devices/list", "GET /devices/list"}, "POST /devices/get"},
		{[]string{"POST /acs/*"}, []string{"POST /acs/users/list", "POST /acs/systems/get"}, "GET /acs/users/list"},
		{[]string{"/locks/get", "userIdentitiesDeleteDelete"}, []string{"POST /locks/get", "DELETE /user_identities/delete"}, "POST /user_identities/delete"},
	} {
		got, err := SelectOperations(c, tc.patterns)
		if err != nil {
			t.Fatalf("%v: %v", tc.patterns, err)
		}
		names := map[string]bool{}
		for _, d := range got {
			names[d.String()] = true
		}
		for _, w := range tc.want {
			if !names[w] {
				t.Errorf("%v does not select %s", tc.patterns, w)
			}
		}
		if names[tc.not] {
			t.Errorf("%v selects %s", tc.patterns, tc.not)
		}
		filter, err := types.ParseLabelFilter(OperationFilter(got))
		if err != nil {
			t.Fatalf("%v: the filter does not parse: %v", tc.patterns, err)
		}
		for _, d := range got {
			if !filter(OperationLabels(d)) {
				t.Errorf("%v: the filter refuses %s's labels", tc.patterns, d)
			}
		}
		other, _ := c.Describe(opNamed(t, c, tc.not))
		if filter(OperationLabels(other.Listed)) {
			t.Errorf("%v: the filter selects %s", tc.patterns, tc.not)
		}
	}
	if _, err := SelectOperations(c, []string{"/no/such/*"}); err == nil || !strings.Contains(err.Error(), "names no operation") {
		t.Errorf("a pattern naming nothing: err = %v", err)
	}
}

func opNamed(t *testing.T, c *spec.Contract, name string) spec.Operation {
	method, path, _ := strings.Cut(name, " ")
	op := spec.Operation{Method: method, Path: path}
	if _, ok := c.Describe(op); !ok {
		t.Fatalf("the contract has no %s", name)
	}
	return op
}

func TestOperationLabelsAreGinkgoLabels(t *testing.T) {
	for _, d := range TreeContract().List() {
		for _, l := range OperationLabels(d) {
			if _, err := types.ValidateAndCleanupLabel(l, types.CodeLocation{}); err != nil {
				t.Fatalf("%s: label %q: %v", d, l, err)
			}
		}
	}
}

// Breaks remembers its answer for the request it was asked about (Send then
// does not ask the contract again), and forgets it when the request
// changes or another environment asks.
func TestBreaksFollowsTheRequest(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	r := Call(spec.DeleteIdentity).JSON(map[string]any{"user_identity_id": "not-a-uuid"})
	for _, step := range []struct {
		change func()
		want   []spec.Rule
	}{
		{func() {}, []spec.Rule{spec.RuleBody, spec.RuleCredentials}},
		{func() { r.As(e.AnyOf([]string{"api_key"})) }, []spec.Rule{spec.RuleBody}},
		{func() { r.JSON(map[string]any{"user_identity_id": "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}) }, nil},
		{func() { r.Body([]byte(`{`), "application/json") }, []spec.Rule{spec.RuleBody}},
		{func() {
			r.Body([]byte(`{"user_identity_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}`), "application/json")
		}, nil},
		{func() { r.Header("Authorization", "Basic dXNlcjpwdw==").As(Anonymous) }, []spec.Rule{spec.RuleCredentials}},
	} {
		step.change()
		if got := e.Breaks(r); !slices.Equal(got, step.want) {
			t.Fatalf("Breaks = %v, want %v", got, step.want)
		}
		if got := e.Breaks(r); !slices.Equal(got, step.want) {
			t.Fatalf("asked again: Breaks = %v, want %v", got, step.want)
		}
	}
	// An answer another environment worked out is not reused.
	r.checked = &verdict{newTestEnv(t, fixtures.Seed{}), []spec.Rule{spec.RuleQuery}}
	if got := e.Breaks(r); !slices.Equal(got, []spec.Rule{spec.RuleCredentials}) {
		t.Fatalf("another environment's answer was reused: %v", got)
	}
}

// A request that breaks other rules than it declares is a suite error that
// names both and gives the contract's reasons; one that breaks exactly what
// it declares is not.
func TestBreaksOtherwiseExplains(t *testing.T) {
	e := newTestEnv(t, fixtures.Seed{APIKey: testKey})
	r := Call(spec.DeleteIdentity).JSON(map[string]any{"user_identity_id": "not-a-uuid"}).Breaking(spec.RuleBody)
	req, err := e.build(r)
	if err != nil {
		t.Fatal(err)
	}
	why := e.breaksOtherwise(r, req)
	for _, want := range []string{"meant to break [body]", "breaks [body credentials]", "credentials: security requirements failed", `body: request body has an error: doesn't match schema`} {
		if !strings.Contains(why, want) {
			t.Errorf("no %q in:\n%s", want, why)
		}
	}
	r.As(e.AnyOf([]string{"api_key"}))
	if req, _ = e.build(r); e.breaksOtherwise(r, req) != "" {
		t.Errorf("a request breaking exactly what it declares: %s", e.breaksOtherwise(r, req))
	}
}
