package framework

import (
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

// sendingHelper stands for SendAll: a helper whose caller's line is where
// its requests were sent.
func sendingHelper() (kept, ginkgo types.CodeLocation) {
	types.MarkAsHelper()
	return sentFrom(), types.NewCodeLocation(0)
}

// sentFrom names the line Ginkgo names, the first time from the stack and
// then from what it kept, and keeps one answer per place.
func TestSentFromIsWhereGinkgoSays(t *testing.T) {
	var lines []int
	for range 3 {
		kept, ginkgo := sendingHelper()
		if kept != ginkgo {
			t.Fatalf("sentFrom says %s, Ginkgo %s", kept, ginkgo)
		}
		other, ginkgoOther := sendingHelper()
		if other != ginkgoOther || other == kept {
			t.Fatalf("from another line sentFrom says %s, Ginkgo %s", other, ginkgoOther)
		}
		lines = append(lines, kept.LineNumber, other.LineNumber)
	}
	if lines[0] != lines[2] || lines[1] != lines[3] {
		t.Errorf("the same places gave lines %v", lines)
	}
	sentFromMu.RLock()
	defer sentFromMu.RUnlock()
	if len(sentFromPlaces) == 0 {
		t.Error("no place was kept")
	}
}
