package framework

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/seamconform/seamconform/spec"
)

// TreeContract is the contract the spec tree is built from: the run's when
// an environment is in use (so --spec decides which operations there are),
// otherwise the embedded one (listing the catalogue).
func TreeContract() *spec.Contract {
	if e := current.Load(); e != nil {
		return e.Contract
	}
	c, err := spec.Embedded()
	if err != nil {
		panic(fmt.Sprintf("embedded spec: %v", err)) // a build-time asset; spec's tests keep it loadable
	}
	return c
}

// OperationLabels are the labels that select an operation's specs: its
// operationId ("op:devicesListPost") and each of its tags ("tag:devices";
// Ginkgo labels cannot hold "/").
func OperationLabels(d spec.Listed) []string {
	out := []string{OperationLabel(d)}
	for _, t := range d.Tags {
		out = append(out, "tag:"+strings.ReplaceAll(strings.Trim(t, "/"), "/", "."))
	}
	return out
}

// OperationLabel is "op:" and the operationId, or the method and path when
// the document gives none.
func OperationLabel(d spec.Listed) string {
	if d.ID != "" {
		return "op:" + d.ID
	}
	return "op:" + strings.ToLower(d.Method) + strings.NewReplacer("/", ".", "(", "", ")", "").Replace(d.Path)
}

// formLabels are the labels of a hand-written suite's form: its name and
// its operation's labels.
func formLabels(fm Form) []string {
	out := []string{fm.Name}
	if d, ok := TreeContract().Describe(fm.Op); ok {
		out = append(out, OperationLabels(d.Listed)...)
	}
	return out
}

// SelectOperations returns the operations of c that patterns name: an
// operationId, or a path glob ("/devices/*"; * matches any text, "/"
// included, so "/acs/*" is every operation under /acs) optionally preceded
// by a method ("POST /devices/*"). A pattern that names nothing is
// an error, so a typo does not silently run no spec.
func SelectOperations(c *spec.Contract, patterns []string) ([]spec.Listed, error) {
	var out []spec.Listed
	for _, p := range patterns {
		method, glob, hasMethod := strings.Cut(strings.TrimSpace(p), " ")
		if !hasMethod {
			method, glob = "", method
		}
		re := globPattern(glob)
		matched := false
		for _, d := range c.List() {
			if d.ID == p || re.MatchString(d.Path) && (method == "" || strings.EqualFold(method, d.Method)) {
				matched = true
				out = append(out, d)
			}
		}
		if !matched {
			return nil, fmt.Errorf("--operation %q names no operation of the contract (give an operationId or a path glob such as /devices/*)", p)
		}
	}
	return out, nil
}

// OperationFilter is the Ginkgo label filter that selects the specs of ops.
func OperationFilter(ops []spec.Listed) string {
	seen := map[string]bool{}
	var terms []string
	for _, d := range ops {
		if l := OperationLabel(d); !seen[l] {
			seen[l] = true
			terms = append(terms, l)
		}
	}
	return "(" + strings.Join(terms, " || ") + ")"
}

func globPattern(glob string) *regexp.Regexp {
	quoted := regexp.QuoteMeta(glob)
	quoted = strings.NewReplacer(`\*`, `.*`, `\?`, `.`).Replace(quoted)
	return regexp.MustCompile("^" + quoted + "$")
}

// Breaks returns the contract rules r breaks, without sending it: a family
// generated from the document asks before it claims that a value is bad.
func (e *Env) Breaks(r *Request) []spec.Rule {
	req, err := e.build(r)
	if err != nil {
		return nil
	}
	return e.check(r, req)
}

// check returns the rules of the contract r, built as req, breaks: asked
// once for a request that is checked before it is sent and again when it
// is.
func (e *Env) check(r *Request, req *http.Request) []spec.Rule {
	if r.checked != nil && r.checked.env == e {
		return r.checked.rules
	}
	rules := e.Contract.BrokenRules(r.op, req, r.body)
	r.checked = &verdict{e, rules}
	return rules
}
