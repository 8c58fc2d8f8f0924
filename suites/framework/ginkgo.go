package framework

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// The wrappers below are the only way specs are registered (as Kubernetes'
// framework.ConformanceIt): each spec is named after its requirement and
// labelled with its ID, level and area, so a spec cannot be written without a
// requirement and --label-filter selects by any of them.
//
// They and the families are helpers, so a spec is placed where a suite
// binds it, and specs are declared in the order Ginkgo runs them: by place,
// then by name. Ginkgo sorts a run's specs before it runs them, allocating
// at each comparison; declared in its order, the sort's 5,737 specs take
// 5,748 comparisons instead of 30,000. Entries made at one place (in a
// loop) are therefore made in their names' order (see formsByName).

func (r Requirement) text() string {
	return fmt.Sprintf("%s [%s] %s", r.ID, r.Level, r.Statement)
}

func (r Requirement) labels() Labels {
	return Label(r.ID, string(r.Level), r.Area, "conformance")
}

// Conformance registers one spec that proves r.
func Conformance(r Requirement, args ...any) bool {
	GinkgoHelper()
	wrapped := make([]any, 0, len(args)+1)
	for _, arg := range args {
		wrapped = append(wrapped, interruptible(arg))
	}
	return It(r.text(), append(wrapped, r.labels())...)
}

// Every spec body takes a SpecContext, which it need not use: Ginkgo then
// waits for an interrupted spec to end (it does at its next request, see
// Env.Interrupt) before it runs the clean-up. A body without one is left
// running: it could create an identity after the clean-up had run, and
// leave it behind, or fail the run with Ginkgo's DeferCleanup error.

// interruptible returns body, a spec's or a table's, taking a SpecContext
// first; anything else as it is.
func interruptible(body any) any {
	if plain, ok := body.(func()); ok {
		return func(SpecContext) { plain() } // the usual spec body: no reflection per call
	}
	f := reflect.ValueOf(body)
	t := f.Type()
	if t.Kind() != reflect.Func || t.NumIn() > 0 && (t.In(0) == reflect.TypeFor[SpecContext]() || t.In(0) == reflect.TypeFor[context.Context]()) {
		return body // already interruptible, or one Ginkgo reports it cannot call
	}
	in := []reflect.Type{reflect.TypeFor[SpecContext]()}
	for i := range t.NumIn() {
		in = append(in, t.In(i))
	}
	call := f.Call
	if t.IsVariadic() {
		call = f.CallSlice
	}
	return reflect.MakeFunc(reflect.FuncOf(in, nil, t.IsVariadic()), func(args []reflect.Value) []reflect.Value {
		return call(args[1:])
	}).Interface()
}

// ConformanceTable registers one spec per entry, each a case of r. body
// receives the entry's parameters, as in DescribeTable.
func ConformanceTable(r Requirement, body any, entries ...TableEntry) bool {
	GinkgoHelper()
	args := []any{interruptible(body), r.labels()}
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
//
// Its cases are independent: each may run in any process, alone. A process
// running a shard of them (SetShard) builds only the cases its generator
// gives it (InShard), and runs them before the rest of its tree.
//
// Its container is placed where the caller's caller declares it (both are
// helpers), and its cases are declared by name, the order Ginkgo runs them
// in. A report also points at the table, not at this file.
func ConformanceCases[T any](r Requirement, cases []T, name func(T) string, labels func(T) []string, body func(T)) bool {
	GinkgoHelper()
	cases = slices.SortedStableFunc(slices.Values(cases), func(a, b T) int { return strings.Compare(name(a), name(b)) })
	args := []any{r.labels()}
	if sharding() {
		args = append(args, SpecPriority(shardFirst))
	}
	return Describe(r.text(), append(args, func() {
		for _, c := range cases {
			It(name(c), Label(labels(c)...), func(SpecContext) { growStack(); body(c) })
		}
	})...)
}

// shardFirst is the priority of a shard's specs: above every other (effect
// specs have 1), so that a shard process runs its shard first and can stop
// where it ends.
const shardFirst = 1 << 20

// shard is this process's part of the independent specs.
var shard atomic.Pointer[part]

type part struct {
	process int
	shares  []int

	mu      sync.Mutex
	owners  []int // owners[i]: the process the i-th operation goes to
	current []int // the round robin's state after dealing owners
}

func init() { shard.Store(&part{}) }

// SetShard makes this process, process (from 1), build only its part of
// the independent specs, as shares weigh every process's part; nil shares
// build them all.
func SetShard(process int, shares []int) {
	shard.Store(&part{process: process, shares: shares, current: make([]int, len(shares))})
}

// sharding reports whether this process builds only a part.
func sharding() bool { return shard.Load().shares != nil }

// InShard reports whether the i-th operation of the contract's listing is
// in this process's part: a part is whole operations, so that a process
// reads only its own from the contract. Operations are dealt out by a
// smooth weighted round robin, the same in every process, so each part is
// spread over the whole listing in proportion to its share.
func InShard(i int) bool {
	p := shard.Load()
	return p.shares == nil || p.owner(i) == p.process
}

// owner deals operations up to the i-th, each once, and returns who has it.
func (p *part) owner(i int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	total := 0
	for _, w := range p.shares {
		total += w
	}
	for len(p.owners) <= i {
		best := -1
		for k, w := range p.shares {
			p.current[k] += w
			if w > 0 && (best < 0 || p.current[k] > p.current[best]) {
				best = k
			}
		}
		if best >= 0 {
			p.current[best] -= total
		}
		p.owners = append(p.owners, best+1) // 0: nobody, when no process has a share
	}
	return p.owners[i]
}

// Selected reports whether the run's label filter keeps a spec of r that
// carries extra labels. A generator of one spec per operation builds only
// the specs it keeps: Ginkgo would otherwise build, sort and skip each of
// the 5,737 in every run, most of a filtered run's time. It is exact while
// the containers around r's table have no labels of their own (the
// API-wide family's have none); a spec it keeps is still filtered by Ginkgo.
func Selected(r Requirement, extra ...string) bool {
	suite, _ := GinkgoConfiguration()
	return Keeps(suite.LabelFilter, r, extra...)
}

// Keeps reports whether labelFilter keeps a spec of r that carries extra
// labels; a filter that does not parse keeps everything (Ginkgo reports it).
func Keeps(labelFilter string, r Requirement, extra ...string) bool {
	if labelFilter == "" {
		return true
	}
	keep, err := parsedFilter(labelFilter)
	return err != nil || keep(append(r.labels(), extra...))
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

// growStack grows the calling goroutine's stack in one step, past what a
// case needs. Ginkgo runs every spec on a new goroutine, which starts with a
// small stack; a case's exchange (client, gock, the reference, validation)
// is deep, and the stack doubled two or three times on the way, each time
// copying every frame. Grown at the case's first line, there is nearly
// nothing to copy (CockroachDB's growstack does the same for its
// goroutines). Only the frame's size matters: its bytes are never written,
// as clearing 16 KiB per case cost a third of the saving.
//
//go:noinline
func growStack() {
	if neverTrue.Load() {
		var pad [16 << 10]byte
		keep(pad[:])
	}
}

// neverTrue is never set; the compiler cannot know it.
var neverTrue atomic.Bool

// keep stops the compiler from dropping growStack's frame.
//
//go:noinline
func keep(b []byte) { kept = b[len(b)-1] }

var kept byte
