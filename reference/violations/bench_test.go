package violations_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/reference"
	"github.com/seamconform/seamconform/reference/violations"
	"github.com/seamconform/seamconform/spec"
)

// BenchmarkCheckedRequest is one conforming request through the checker
// and the reference, against the same request unchecked: what checking
// every request costs serve.
func BenchmarkCheckedRequest(b *testing.B) {
	for _, checked := range []bool{false, true} {
		name := map[bool]string{false: "reference", true: "checked"}[checked]
		b.Run(name, func(b *testing.B) {
			contract, err := spec.Embedded()
			if err != nil {
				b.Fatal(err)
			}
			ref, err := reference.New(reference.Options{})
			if err != nil {
				b.Fatal(err)
			}
			var h http.Handler = ref
			if checked {
				h = violations.New(contract, ref, violations.Options{AnswerAsSeam: true, Secrets: ref.Seed().Secrets()})
			}
			auth := "Bearer " + ref.Seed().APIKey
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/workspaces/get", strings.NewReader(`{}`))
				r.Header.Set("Authorization", auth)
				r.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("workspaces/get: %d %s", w.Code, w.Body)
				}
			}
		})
	}
}
