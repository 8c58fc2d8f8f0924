package suites

import (
	"math"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/spec"
	"github.com/seamconform/seamconform/suites/api"
	"github.com/seamconform/seamconform/suites/framework"
	"github.com/seamconform/seamconform/suites/parallel"
)

// roundTripsPerOperationRequirement is about how many requests in sequence
// the specs of one operation-suite requirement make (a few cases, each
// creating, acting and checking), against about one for each spec of the
// API-wide family: it weighs the two when a run's processes are split.
const roundTripsPerOperationRequirement = 12

// SplitFor divides processes between the operation suites and shards of the
// API-wide family, whose specs are independent, in proportion to the round
// trips each part of what labelFilter selects is likely to take. Process 1
// always takes the operation suites' specs (with a shard as well when that
// leaves it the least loaded), so the estimate moves load, never specs.
func SplitFor(c *spec.Contract, processes int, labelFilter string) parallel.Split {
	var familyIDs []string
	family, other := 0, 0
	listed := c.List()
	labelsOf := map[string][]string{}
	for _, l := range listed {
		labelsOf[l.String()] = framework.OperationLabels(l)
	}
	for _, r := range framework.Requirements() {
		if r.Family == api.Family {
			familyIDs = append(familyIDs, r.ID)
			for _, l := range listed {
				if framework.Keeps(labelFilter, r, labelsOf[l.String()]...) {
					family++
				}
			}
			continue
		}
		var extra []string
		for _, op := range r.Operations {
			extra = append(extra, labelsOf[op]...)
		}
		if framework.Keeps(labelFilter, r, extra...) {
			other++
		}
	}
	if family == 0 || processes < 2 {
		return parallel.Split{}
	}
	onlyFamily := "(" + strings.Join(familyIDs, " || ") + ")"
	split := parallel.Split{
		Shared:      1,
		SharedShard: other == 0,
		ShardFilter: onlyFamily,
		Sharded: func(sr types.SpecReport) bool {
			return slices.ContainsFunc(sr.Labels(), func(l string) bool { return slices.Contains(familyIDs, l) })
		},
	}
	if labelFilter != "" {
		split.ShardFilter = "(" + labelFilter + ") && " + onlyFamily
	}
	if other > 0 {
		ops, api, n := float64(other*roundTripsPerOperationRequirement), float64(family), float64(processes)
		split.Shared = max(1, int(math.Round(n*ops/(ops+api))))
		// Alone on the operation suites, process 1 also takes a shard when
		// it would otherwise finish well before the shard processes.
		split.SharedShard = split.Shared == 1 && ops+api/n < max(ops, api/(n-1))
	}
	return split
}
