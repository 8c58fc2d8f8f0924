package main

import (
	"strings"
	"testing"
)

func TestRunOperationFlag(t *testing.T) {
	t.Run("a pattern that names nothing is a usage error", func(t *testing.T) {
		r := seamconform(t, nil, "run", "--operation", "/no/such/*")
		if r.code != 2 || !strings.Contains(r.stderr, "names no operation") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Fatalf("exit %d, stderr %q; want exit 2 and one line naming the problem", r.code, r.stderr)
		}
	})
	t.Run("it narrows the label filter to the operation", func(t *testing.T) {
		r := seamconform(t, nil, "run", "--no-color", "-v", "--operation", "userIdentitiesDeleteDelete", "--label-filter", "auth")
		if r.code != 0 {
			t.Fatalf("exit %d:\n%s", r.code, tail(r.stdout, 20))
		}
		if !strings.Contains(r.stdout, "op:userIdentitiesDeleteDelete") || strings.Contains(r.stdout, "[It] post:") {
			t.Fatalf("the run is not limited to the DELETE form's auth specs:\n%s", tail(r.stdout, 40))
		}
	})
}
