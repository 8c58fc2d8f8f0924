package framework

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/seamconform/seamconform/spec"
)

// noteEffect records what a request the implementation had to refuse may
// have made: a create answered 2xx to a request that breaks the contract
// (no credential, an unknown one) and named what it made. The run did not
// mean to create it and cannot prove it is its own, so it is listed as left
// behind, never deleted. Other operations are sent only requests that name
// nothing (the API-wide family's harmless requests): wrongly accepted, they
// act on nothing.
func (e *Env) noteEffect(r *Request, x *Exchange) {
	if len(r.breaks) == 0 || x.Status < 200 || x.Status > 299 || !strings.HasSuffix(r.op.Path, "create") {
		return
	}
	if named := namedIDs(x.Body, string(x.RequestBody)+" "+x.Request.URL.RawQuery); len(named) > 0 {
		e.ledger.effect(r.op.String(), r.breaks, named)
	}
}

// effect is what one operation's wrongly accepted requests named.
type effect struct {
	rules map[spec.Rule]bool
	named map[string]bool
}

func (l *Ledger) effect(op string, rules []spec.Rule, named []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ef := l.effects[op]
	if ef == nil {
		ef = &effect{map[spec.Rule]bool{}, map[string]bool{}}
		l.effects[op] = ef
	}
	for _, r := range rules {
		ef.rules[r] = true
	}
	for _, n := range named {
		ef.named[n] = true
	}
}

// Effects says, a line per operation, what requests the implementation
// had to refuse may have made.
func (l *Ledger) Effects() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, op := range slices.Sorted(maps.Keys(l.effects)) {
		ef := l.effects[op]
		var rules []string
		for _, r := range slices.Sorted(maps.Keys(ef.rules)) {
			rules = append(rules, string(r))
		}
		out = append(out, fmt.Sprintf("%s answered 2xx to requests it must refuse (their %s broke the contract) and named what it made, which may remain: %s",
			op, strings.Join(rules, " and "), strings.Join(slices.Sorted(maps.Keys(ef.named)), ", ")))
	}
	return out
}

// namedIDs finds what a Seam answer names as made: each top-level object
// member NAME holding a string NAME_id ({"user_identity": {"user_identity_id":
// …}}) that the request did not name. An action attempt is left out: it
// records an action, not what was made.
func namedIDs(body []byte, request string) []string {
	var answer map[string]json.RawMessage
	if json.Unmarshal(body, &answer) != nil {
		return nil
	}
	var named []string
	for _, name := range slices.Sorted(maps.Keys(answer)) {
		var member map[string]any
		if json.Unmarshal(answer[name], &member) != nil {
			continue
		}
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
