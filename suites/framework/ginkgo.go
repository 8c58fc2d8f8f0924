package framework

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
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
	for _, e := range entries {
		args = append(args, e)
	}
	return DescribeTable(r.text(), args...)
}
