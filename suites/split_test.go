package suites

import (
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/spec"
)

func TestSplitFollowsWhatTheFilterSelects(t *testing.T) {
	c, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	full := SplitFor(c, 32, "")
	if full.Shared < 2 || full.Shared >= 8 || full.Shares[0] != 0 || full.Shares[31] != shareUnit {
		t.Errorf("the whole suite on 32 processes: %+v, want a few shared processes for the operation suites, the rest shards", full)
	}
	// Four processes: the operation suites are about a tenth of the work,
	// so process 1 takes part of the family as well, less than a shard.
	if four := SplitFor(c, 4, ""); four.Shared != 1 || four.Shares[0] <= 0 || four.Shares[0] >= shareUnit || four.Shares[3] != shareUnit {
		t.Errorf("the whole suite on 4 processes: %+v, want process 1 on the operation suites and a smaller part of the family", four)
	}
	family := SplitFor(c, 8, "/^API-/")
	if family.Shared != 1 || family.Shares[0] != shareUnit || family.ShardFilter == "" {
		t.Errorf("the API-wide family alone: %+v, want every process on an equal part, process 1 included", family)
	}
	if s := SplitFor(c, 8, "!/^API-/"); s.Sharded != nil {
		t.Errorf("no API-wide spec selected: %+v, want nothing shared out", s)
	}
	if s := SplitFor(c, 8, "op:userIdentitiesDeletePost && API-AUTH-01"); s.Sharded == nil || s.Shares[0] != shareUnit {
		t.Errorf("one operation's API-wide specs: %+v, want shards", s)
	}
	if s := SplitFor(c, 1, ""); s.Sharded != nil {
		t.Errorf("one process: %+v, want nothing shared out", s)
	}
	api := types.SpecReport{ContainerHierarchyLabels: [][]string{{}, {"API-AUTH-01", "MUST"}}}
	other := types.SpecReport{ContainerHierarchyLabels: [][]string{{"UIDEL-OK-01"}}}
	if !full.Sharded(api) || full.Sharded(other) {
		t.Error("an API-wide spec must be told from an operation suite's")
	}
	for _, tc := range []struct {
		split  string
		labels []string
		keep   bool
	}{
		{full.ShardFilter, []string{"API-AUTH-01", "op:devicesListPost"}, true},
		{full.ShardFilter, []string{"UIDEL-OK-01"}, false},
		{family.ShardFilter, []string{"API-AUTH-01"}, true},
		{SplitFor(c, 8, "op:devicesListPost").ShardFilter, []string{"API-AUTH-01", "op:locksListPost"}, false},
	} {
		keep, err := types.ParseLabelFilter(tc.split)
		if err != nil || keep(tc.labels) != tc.keep {
			t.Errorf("shard filter %q on %v: %v (%v), want %v", tc.split, tc.labels, keep != nil && keep(tc.labels), err, tc.keep)
		}
	}
}
