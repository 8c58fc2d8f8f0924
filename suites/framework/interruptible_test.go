package framework

import (
	"context"
	"reflect"
	"testing"

	. "github.com/onsi/ginkgo/v2"
)

// A table's body must reach Ginkgo taking a SpecContext first, so that an
// interrupted spec is waited for, and must still get the entry's
// parameters, variadic ones included.
func TestInterruptibleTakesASpecContextAndPassesTheParameters(t *testing.T) {
	var got []any
	body := interruptible(func(n int, s string, rest ...string) { got = []any{n, s, rest} })
	typ := reflect.TypeOf(body)
	if typ.NumIn() != 4 || typ.In(0) != reflect.TypeFor[SpecContext]() || !typ.IsVariadic() {
		t.Fatalf("wrapped body has type %s, want func(SpecContext, int, string, ...string)", typ)
	}
	body.(func(SpecContext, int, string, ...string))(nil, 7, "a", "b", "c")
	if want := []any{7, "a", []string{"b", "c"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("the body got %v, want %v", got, want)
	}

	called := false
	plain, ok := interruptible(func() { called = true }).(func(SpecContext))
	if !ok {
		t.Fatal("a spec's body func() was not made to take a SpecContext")
	}
	if plain(nil); !called {
		t.Fatal("the wrapped spec body did not call the body")
	}
	if labels := Label("x"); !reflect.DeepEqual(interruptible(labels), labels) {
		t.Error("a decorator was changed")
	}

	for _, already := range []any{func(SpecContext, int) {}, func(context.Context, int) {}} {
		if reflect.ValueOf(interruptible(already)).Pointer() != reflect.ValueOf(already).Pointer() {
			t.Errorf("a body taking a context (%T) was wrapped again", already)
		}
	}
}
