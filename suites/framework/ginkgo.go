package framework

import (
	"fmt"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// The wrappers below are the only way specs are registered (as Kubernetes'
// framework.ConformanceIt): each spec is named after its requirement and
// labelled with its ID, level and area, so a spec cannot be written without a
// requirement and --label-filter selects by any of them.

func (r Requirement) text() string {
	return fmt.Sprintf("%s [%s] %s", r.ID, r.Level, r.Statement)
}

func (r Requirement) labels() Labels {
	return Label(r.ID, string(r.Level), r.Area, "conformance")
}

// Conformance registers one spec that proves r.
func Conformance(r Requirement, args ...any) bool {
	return It(r.text(), append(args, r.labels())...)
}

// ConformanceTable registers one spec per entry, each a case of r. body
// receives the entry's parameters, as in DescribeTable.
func ConformanceTable(r Requirement, body any, entries ...TableEntry) bool {
	args := []any{body, r.labels()}
	if r.Area == "effect" {
		// Effect specs create identities and send several requests in
		// order, the longest of a run: started first, a concurrent run
		// does not end waiting on one of them.
		args = append(args, SpecPriority(1))
	}
	for _, e := range entries {
		args = append(args, e)
	}
	return DescribeTable(r.text(), args...)
}

// ConformanceCases registers one spec per case of r, named by name and
// labelled by labels: ConformanceTable for cases of one Go type, with the
// same tree and reports, but no reflection over each entry when it is built
// and run, which matters for thousands of cases (the API-wide family's).
func ConformanceCases[T any](r Requirement, cases []T, name func(T) string, labels func(T) []string, body func(T)) bool {
	return Describe(r.text(), r.labels(), func() {
		for _, c := range cases {
			It(name(c), Label(labels(c)...), func() { body(c) })
		}
	})
}

// Selected reports whether the run's label filter keeps a spec of r that
// carries extra labels. A generator of one spec per operation builds only
// the specs it keeps: Ginkgo would otherwise build, sort and skip each of
// the 5,737 in every run, most of a filtered run's time. It is exact while
// the containers around r's table have no labels of their own (the
// API-wide family's have none); a spec it keeps is still filtered by Ginkgo.
func Selected(r Requirement, extra ...string) bool {
	suite, _ := GinkgoConfiguration()
	if suite.LabelFilter == "" {
		return true
	}
	keep, err := parsedFilter(suite.LabelFilter)
	return err != nil || keep(append(r.labels(), extra...)) // Ginkgo reports a bad filter itself
}

// parsedFilter parses a label filter once per run, not once per spec.
func parsedFilter(filter string) (types.LabelFilter, error) {
	filters.Lock()
	defer filters.Unlock()
	if filters.text != filter || filters.keep == nil && filters.err == nil {
		filters.text = filter
		filters.keep, filters.err = types.ParseLabelFilter(filter)
	}
	return filters.keep, filters.err
}

var filters struct {
	sync.Mutex
	text string
	keep types.LabelFilter
	err  error
}
