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
// always takes the operation suites' specs (alone on them, with the part of
// the family that evens out the loads), so the estimate moves load, never
// specs.
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
		Shares:      make([]int, processes),
		ShardFilter: onlyFamily,
		Sharded: func(sr types.SpecReport) bool {
			return slices.ContainsFunc(sr.Labels(), func(l string) bool { return slices.Contains(familyIDs, l) })
		},
	}
	if labelFilter != "" {
		split.ShardFilter = "(" + labelFilter + ") && " + onlyFamily
	}
	ops, api, n := float64(other*roundTripsPerOperationRequirement), float64(family), float64(processes)
	split.Shared = max(1, int(math.Round(n*ops/(ops+api))))
	if split.Shared >= processes {
		return parallel.Split{}
	}
	for i := split.Shared; i < processes; i++ {
		split.Shares[i] = shareUnit
	}
	if split.Shared == 1 {
		// Process 1 takes as much of the family as evens out the loads:
		// x + ops = y, x + (n-1)y = api, in units of a shard process's y.
		x, y := (api-(n-1)*ops)/n, (api+ops)/n
		split.Shares[0] = max(0, int(math.Round(shareUnit*x/y)))
	}
	return split
}

// shareUnit is a shard process's share: process 1's is in proportion.
const shareUnit = 1000
