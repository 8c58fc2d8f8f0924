package api

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	mrand "math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// operation is one operation of the contract as this family sees it.
type operation struct {
	spec.Described
	labelSet []string // f.OperationLabels
}

// listedOperation is an operation named, and labelled, before it is
// described: a run builds only the specs its label filter selects, and only
// their operations are read in full from the contract.
type listedOperation struct {
	spec.Listed
	labels []string
}

func (l listedOperation) describe() operation {
	d, _ := f.TreeContract().Describe(l.Operation)
	return operation{d, l.labels}
}

// listed is the contract's operations with their labels, listed once for
// all the family's tables.
func listed() []listedOperation {
	c := f.TreeContract()
	listing.Lock()
	defer listing.Unlock()
	if listing.contract != c {
		listing.contract, listing.ops = c, nil
		for _, l := range c.List() {
			listing.ops = append(listing.ops, listedOperation{l, f.OperationLabels(l)})
		}
	}
	return listing.ops
}

var listing struct {
	sync.Mutex
	contract *spec.Contract
	ops      []listedOperation
}

// checks are a spec's cases, each a step, a request and what its answer
// must match. The cases of an API-wide spec do not depend on one another:
// run sends them all at once (f.SendAll), so a distant endpoint costs a spec
// one round trip, then checks each answer in order.
type checks []check

type check struct {
	step    string
	request *f.Request
	matcher types.GomegaMatcher
}

func (cs *checks) add(step string, r *f.Request, m types.GomegaMatcher) {
	*cs = append(*cs, check{step, r, m})
}

var runMarked atomic.Bool

func (cs checks) run() {
	f.MarkHelperOnce(&runMarked)
	if len(cs) == 0 {
		return
	}
	rs := make([]*f.Request, len(cs))
	for i, c := range cs {
		rs[i] = c.request
	}
	// Each case is named in its failure, not as a By step: By walks the
	// stack for its line, and the family sends thousands of cases.
	for i, x := range f.SendAll(rs...) {
		Expect(x).To(cs[i].matcher, cs[i].step)
	}
}

// table registers r's spec for each operation keep accepts and the run
// selects (f.Selected), named "<METHOD> <path>" and labelled with the
// operation and its tags.
func table(r f.Requirement, keep func(operation) bool, body func(operation)) bool {
	GinkgoHelper()
	return f.ConformanceCases(r, cases(r, keep), operation.String, operation.labels, body)
}

func cases(r f.Requirement, keep func(operation) bool) []operation {
	var out []operation
	for i, l := range listed() {
		// A shard is whole operations, each read from the contract once.
		if !f.InShard(i) || !f.Selected(r, l.labels...) {
			continue
		}
		if o := l.describe(); keep(o) {
			out = append(out, o)
		}
	}
	return out
}

func (o operation) labels() []string { return o.labelSet }

func (o operation) secured() bool { return len(o.Schemes) > 0 }

func (o operation) hasUUID() bool { return len(o.UUIDs) > 0 }

func (o operation) requiredUUIDs() []spec.Input {
	var out []spec.Input
	for _, in := range o.UUIDs {
		if in.Required {
			out = append(out, in)
		}
	}
	return out
}

// inputs is a request's body and query before it is built.
type inputs struct {
	body  map[string]any // nil: no body
	query url.Values
}

// minimal returns the fewest inputs the contract accepts, with fresh
// random UUIDs that name nothing.
func (o operation) minimal() inputs {
	body, query := f.TreeContract().MinimalRequest(o.Operation)
	if query == nil {
		query = url.Values{}
	}
	return inputs{body: body, query: query}
}

// set gives a UUID input a value: a list of it for a list input.
func (in inputs) set(input spec.Input, value any) inputs {
	if input.In == spec.InBody {
		if in.body == nil {
			in.body = map[string]any{}
		}
		if input.Array {
			value = []any{value}
		}
		in.body[input.Name] = value
		return in
	}
	s, _ := value.(string)
	in.query.Set(input.Name, s)
	return in
}

// without drops an input.
func (in inputs) without(input spec.Input) inputs {
	delete(in.body, input.Name)
	in.query.Del(input.Name)
	return in
}

func (o operation) call(in inputs) *f.Request {
	r := f.Call(o.Operation)
	if in.body != nil {
		r.JSON(in.body)
	}
	for k, vs := range in.query {
		for _, v := range vs {
			r.Query(k, v)
		}
	}
	return r
}

// rule is the contract rule a bad value of input breaks.
func rule(input spec.Input) spec.Rule {
	if input.In == spec.InBody {
		return spec.RuleBody
	}
	return spec.RuleQuery
}

// corpus is the fixtures' malformed UUIDs, read once.
var corpus = sync.OnceValue(fixtures.BadUUIDs)

// badSample is how many malformed values each UUID input gets.
const badSample = 2

// malformed returns the malformed values an input of o is sent: badSample
// values of the fixtures' corpus, picked by a generator seeded with the
// operationId and the input's name, so a run is repeatable and the corpus
// is spread over the operations. Query inputs draw from the string values.
func (o operation) malformed(input spec.Input) []fixtures.BadUUID {
	var pool []fixtures.BadUUID
	for _, b := range corpus() {
		if input.In == spec.InBody || b.IsString() && b.Value != "" {
			pool = append(pool, b)
		}
	}
	h := fnv.New64a()
	h.Write([]byte(o.ID + " " + o.String() + " " + input.Name))
	rng := mrand.New(mrand.NewPCG(h.Sum64(), 0))
	perm := rng.Perm(len(pool))
	out := make([]fixtures.BadUUID, 0, badSample)
	for _, i := range perm[:min(badSample, len(perm))] {
		out = append(out, pool[i])
	}
	return out
}

// refuses reports whether the contract refuses o's minimal request with
// input set to value: a UUID input that only a oneOf branch other than the
// minimal request's declares may hold anything.
func (o operation) refuses(input spec.Input, value any) bool {
	_, refused := o.refusing(input, value)
	return refused
}

// refusing is refuses with the request it asked about, credentials
// presented: sent as it is, the contract is not asked again.
func (o operation) refusing(input spec.Input, value any) (*f.Request, bool) {
	r := o.call(o.minimal().set(input, value)).As(o.valid())
	return r, slices.Contains(f.Current().Breaks(r), rule(input))
}

// findBadInput returns the first UUID input whose malformed value the
// contract refuses. It is the contract's answer, asked by several specs of
// each operation, so it is worked out once.
func (o operation) findBadInput() (spec.Input, bool) {
	key := badInputKey{f.Current().Contract, o.Operation}
	if found, ok := badInputs.Load(key); ok {
		return found.(badInput).input, found.(badInput).ok
	}
	var found badInput
	for _, input := range o.UUIDs {
		if o.refuses(input, "not-a-uuid") {
			found = badInput{input, true}
			break
		}
	}
	badInputs.Store(key, found)
	return found.input, found.ok
}

var badInputs sync.Map // badInputKey -> badInput

type badInputKey struct {
	contract  *spec.Contract
	operation spec.Operation
}

type badInput struct {
	input spec.Input
	ok    bool
}

// badInput is findBadInput; the case does not apply when there is none.
func (o operation) badInput() spec.Input {
	input, ok := o.findBadInput()
	if !ok {
		f.NotApplicable("the contract refuses none of this operation's UUID inputs when malformed")
	}
	return input
}

// reads reports whether o only reads: Seam names its reads /get and /list,
// and a wrongly accepted credential can do nothing with one.
func (o operation) reads() bool {
	return strings.HasSuffix(o.Path, "/get") || strings.HasSuffix(o.Path, "/list")
}

// harmlessRequest is the input that makes a request carrying a valid
// credential harmless: required UUIDs that name nothing (minimal already has
// them), else a malformed UUID input, else, for a read or on the embedded
// mocks (whose data is the run's own), the minimal request; ok is false for
// an operation with none of these.
func (o operation) harmlessRequest() (in inputs, breaks []spec.Rule, ok bool) {
	in = o.minimal()
	if len(o.requiredUUIDs()) > 0 {
		return in, nil, true
	}
	if input, found := o.findBadInput(); found {
		return in.set(input, "not-a-uuid"), []spec.Rule{rule(input)}, true
	}
	return in, nil, o.reads() || f.Current().Target.Mock()
}

// harmless is harmlessRequest; without one the case is not checked (not
// "not applicable": the requirement applies, the suite cannot check it
// safely).
func (o operation) harmless() (in inputs, breaks []spec.Rule) {
	in, breaks, ok := o.harmlessRequest()
	if !ok {
		Skip("no harmless request: the contract refuses none of this operation's UUID inputs when malformed, and a wrongly accepted credential could act")
	}
	return in, breaks
}

// valid returns a valid credential of a scheme o accepts, skipping the spec
// when the run has none; Anonymous for an operation without security.
func (o operation) valid() f.Credential {
	if !o.secured() {
		return f.Anonymous
	}
	return f.Current().AnyOf(o.Schemes)
}

// unknownToken is a credential of scheme's shape that no server knows.
func unknownToken(s spec.Scheme) fixtures.Secret {
	for {
		var t fixtures.Secret
		if s.JWT {
			t = randomJWT()
		} else {
			t = fixtures.RandomToken(s.Prefix)
		}
		if s.Shaped(t.Value) {
			return t
		}
	}
}

// randomJWT is a well-formed HS256 JWT signed with a random key.
func randomJWT() fixtures.Secret {
	seg := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	var sig [32]byte
	_, _ = rand.Read(sig[:])
	var n [8]byte
	_, _ = rand.Read(n[:])
	claims := `{"sub":"` + fixtures.NewUUID() + `","n":` + strconv.FormatUint(binary.BigEndian.Uint64(n[:])>>12, 10) + `}`
	return fixtures.Public(seg([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + seg([]byte(claims)) + "." + seg(sig[:]))
}

// presented builds the credential a request shows for scheme: the token
// where the scheme carries it, with its companion header when it has one.
func presented(s spec.Scheme, token fixtures.Secret, withCompanion bool) f.Credential {
	c := f.Credential{Scheme: s.Name, Authorization: f.Bearer(token)}
	if !s.Bearer() {
		c.Authorization, c.Header = token, s.Header
	}
	if withCompanion && s.Companion != "" {
		c.Workspace = workspaceOrUnknown()
	}
	return c
}

// workspaceOrUnknown is the run's workspace, or a random one when it has
// none: with an unknown token, the answer must be 401 either way.
func workspaceOrUnknown() string {
	if w := f.Current().Seed.WorkspaceID; w != "" {
		return w
	}
	return f.UnknownID()
}

// acceptsToken reports whether o accepts the token that variable env
// holds: a kind of credential is its token, as two schemes can take the same
// one (pat_with_workspace and pat_without_workspace).
func (o operation) acceptsToken(env string) bool {
	return slices.ContainsFunc(o.Schemes, func(name string) bool {
		s, _ := spec.SchemeNamed(name)
		return s.Env == env
	})
}

func schemesOf(o operation) []spec.Scheme {
	var out []spec.Scheme
	for _, name := range o.Schemes {
		if s, ok := spec.SchemeNamed(name); ok {
			out = append(out, s)
		}
	}
	return out
}
