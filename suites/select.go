package suites

import (
	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/framework"
)

// OperationFilter narrows a Ginkgo label filter to the specs of the
// operations that patterns name (operationIds or path globs, see
// framework.SelectOperations). With no pattern it returns labelFilter
// unchanged.
func OperationFilter(c *spec.Contract, patterns []string, labelFilter string) (string, error) {
	if len(patterns) == 0 {
		return labelFilter, nil
	}
	ops, err := framework.SelectOperations(c, patterns)
	if err != nil {
		return "", err
	}
	filter := framework.OperationFilter(ops)
	if labelFilter != "" {
		filter = "(" + labelFilter + ") && " + filter
	}
	return filter, nil
}
