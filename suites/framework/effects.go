package framework

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/seamconform/seamconform/spec"
)

// noteEffect records what a request the implementation had to refuse may
// have made: a create answered 2xx to a request without a credential, or
// with one it must refuse, and named what it made. The run did not mean to
// create it and cannot prove it is its own, so it is listed as left
// behind, never deleted. Other operations are sent only requests that name
// nothing (the API-wide family's harmless requests): wrongly accepted, they
// act on nothing.
func (e *Env) noteEffect(r *Request, x *Exchange) {
	if !r.refusable && len(r.breaks) == 0 || x.Status < 200 || x.Status > 299 || !strings.HasSuffix(r.op.Path, "create") {
		return
	}
	named := namedIDs(x.Body, string(x.RequestBody)+" "+x.Request.URL.RawQuery)
	if len(named) == 0 {
		return
	}
	why := "a credential no server knows"
	if len(r.breaks) > 0 {
		var rules []string
		for _, rule := range r.breaks {
			rules = append(rules, string(rule))
		}
		why = "its " + strings.Join(slices.Compact(slices.Sorted(slices.Values(rules))), " and ") + " broke the contract"
	}
	e.ledger.effect(Effect{Operation: r.op.String(), Reasons: []string{why}, Named: named})
}

// Effect is what wrongly accepted creates of one operation named, and why
// each had to be refused.
type Effect struct {
	Operation string   `json:"operation"`
	Reasons   []string `json:"reasons"`
	Named     []string `json:"named"`
}

func (l *Ledger) effect(ef Effect) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.effects = append(l.effects, ef)
}

// Effects lists what the run's wrongly accepted creates named, as they
// came.
func (l *Ledger) Effects() []Effect {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.effects)
}

// describeEffects puts effects in words, a line per operation, whichever
// process recorded them.
func describeEffects(effects []Effect) []string {
	reasons, named := map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, ef := range effects {
		if reasons[ef.Operation] == nil {
			reasons[ef.Operation], named[ef.Operation] = map[string]bool{}, map[string]bool{}
		}
		for _, r := range ef.Reasons {
			reasons[ef.Operation][r] = true
		}
		for _, n := range ef.Named {
			named[ef.Operation][n] = true
		}
	}
	var out []string
	for _, op := range slices.Sorted(maps.Keys(named)) {
		out = append(out, fmt.Sprintf("%s answered 2xx to requests it must refuse (%s) and named what it made, which may remain: %s",
			op, strings.Join(slices.Sorted(maps.Keys(reasons[op])), "; "), strings.Join(slices.Sorted(maps.Keys(named[op])), ", ")))
	}
	return out
}

// namedIDs finds what a Seam answer names as made: each top-level object
// member NAME holding a string NAME_id ({"user_identity": {"user_identity_id":
// …}}) that the request did not name. An action attempt is left out: it
// records an action, not what was made.
func namedIDs(body []byte, request string) []string {
	answer, _ := spec.DecodeJSON(body)
	members, _ := answer.(map[string]any)
	var named []string
	for _, name := range slices.Sorted(maps.Keys(members)) {
		member, _ := members[name].(map[string]any)
		if id, ok := member[name+"_id"].(string); ok && id != "" && name != "action_attempt" && !strings.Contains(request, id) {
			named = append(named, name+"_id "+clipped(id))
		}
	}
	return named
}

// clipped keeps an ID the server chose to a sane length in a report.
func clipped(id string) string {
	if len(id) > 80 {
		return strings.ToValidUTF8(id[:80], "") + "…"
	}
	return id
}
