package parallel

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/seamconform/seamconform/suites/framework"
)

// WorkerEnv is the environment variable that makes a seamconform process a
// worker of a parent run; its value is the Worker, as JSON.
const WorkerEnv = "SEAMCONFORM_WORKER"

// Worker is what a parent tells each worker process.
type Worker struct {
	Process, Total int
	Host           string
	// Seed is the parent's, so that every worker orders the specs alike.
	Seed int64
	// RunID tags what this worker creates; the parent derives it from its
	// own, so it can name what a worker that died may have left.
	RunID string
	// WorkspaceID and PublishableKey are what the parent's preflight
	// learned; workers do not repeat it.
	WorkspaceID, PublishableKey string
	// ResultFile is where the worker writes its Result for the parent.
	ResultFile string
	// Shares weighs every process's part of the independent specs (Split);
	// nil: every process builds them all.
	Shares []int
	// LabelFilter, when set, is the one this worker runs with: a shard
	// process's keeps only its shard.
	LabelFilter string
}

// Result is what a worker tells its parent when it ends: what it could not
// clean up, and how many of its answers were throttled.
type Result struct {
	LeftBehind []string
	// Effects are what creates the implementation had to refuse named.
	Effects   []framework.Effect
	Throttled int64
}

// WorkerFromEnv returns the Worker this process was started as, if any.
func WorkerFromEnv() (Worker, bool, error) {
	raw, ok := os.LookupEnv(WorkerEnv)
	if !ok {
		return Worker{}, false, nil
	}
	var w Worker
	if err := json.Unmarshal([]byte(raw), &w); err != nil || w.Process < 1 || w.Process > w.Total || w.Host == "" {
		return Worker{}, true, fmt.Errorf("%s is not a valid worker description", WorkerEnv)
	}
	return w, true, nil
}

// Configure turns the command's Ginkgo configuration into this worker's:
// its place among the processes, the parent's seed, output straight through
// (the parent prints the specs), and no report files (the parent writes
// them from every worker's specs).
func (w Worker) Configure(sc *types.SuiteConfig, rc *types.ReporterConfig) {
	sc.ParallelProcess, sc.ParallelTotal, sc.ParallelHost = w.Process, w.Total, w.Host
	sc.RandomSeed = w.Seed
	if w.LabelFilter != "" {
		sc.LabelFilter = w.LabelFilter
	}
	sc.OutputInterceptorMode = "none"
	rc.JSONReport, rc.JUnitReport, rc.TeamcityReport, rc.GoJSONReport = "", "", "", ""
	// Ginkgo's client speaks net/rpc unless told otherwise.
	os.Setenv("GINKGO_PARALLEL_PROTOCOL", "HTTP")
}

// WriteResult leaves r for the parent.
func (w Worker) WriteResult(r Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return os.WriteFile(w.ResultFile, b, 0o600)
}
