package framework

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
)

// Ledger records what this run created: the identities it holds, and the
// keys of creates whose outcome it never learned (a timeout, an interrupted
// spec). Clean-up deletes exactly these; the suite never deletes anything it
// did not create.
type Ledger struct {
	mu      sync.Mutex
	ids     map[string]bool
	pending map[string]bool // user_identity_key of creates with no clear answer
	effects []Effect        // what creates it had to refuse named
	n       atomic.Int64
}

func newLedger() *Ledger {
	return &Ledger{ids: map[string]bool{}, pending: map[string]bool{}}
}

// Owns reports whether the run created id and has not removed it yet.
func (l *Ledger) Owns(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ids[id]
}

// IDs lists the identities the run still holds, sorted.
func (l *Ledger) IDs() []string { return l.sorted(l.ids) }

// PendingKeys lists the keys of creates whose outcome is unknown, sorted.
func (l *Ledger) PendingKeys() []string { return l.sorted(l.pending) }

func (l *Ledger) sorted(set map[string]bool) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Sorted(maps.Keys(set))
}

// created records that the create keyed key made id, in one step, so a
// sweep sees one or the other.
func (l *Ledger) created(key, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids[id] = true
	delete(l.pending, key)
}

// snapshot returns both sets at one instant.
func (l *Ledger) snapshot() (ids, pending []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id := range l.ids {
		ids = append(ids, id)
	}
	for key := range l.pending {
		pending = append(pending, key)
	}
	return ids, pending
}

func (l *Ledger) mark(set map[string]bool, key string, on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if on {
		set[key] = true
	} else {
		delete(set, key)
	}
}

// AnyCredential is the credential set-up calls use: the first scheme the
// run has, so a run with one credential can still create what it deletes.
func (e *Env) AnyCredential() Credential {
	schemes := e.AvailableSchemes()
	if len(schemes) == 0 {
		Skip("no credential was given, so nothing can be created to delete")
	}
	return e.As(schemes[0])
}

// CreateIdentity creates a user identity for the current spec, keyed with
// the run ID, and schedules its removal when the spec ends, pass or fail.
// When no identity comes of it, the spec could not be checked: that is an
// error of the run, not a failure of the spec's requirement.
func (e *Env) CreateIdentity() string {
	GinkgoHelper()
	// Whatever can stop the spec without sending (no credential, an
	// interrupt, a stopped run, an operation given up) comes before the key
	// is pending.
	cred := e.AnyCredential()
	e.stopIfInterrupted()
	e.abortIfStopped()
	if n := e.givenUp(spec.CreateIdentity, false); n > 0 {
		CouldNotCheck(fmt.Sprintf("set-up failed: %s gave no answer to %d requests in a row (or only 429 Too Many Requests, however long the suite waited), so the suite stopped sending it", spec.CreateIdentity, n))
	}
	e.skipUndefined(spec.CreateIdentity) // before the key is marked pending: one never sent would cost the sweep a lookup
	key := fmt.Sprintf("%s%d", KeyPrefix(e.RunID), e.ledger.n.Add(1))
	e.ledger.mark(e.ledger.pending, key, true)
	create := Call(spec.CreateIdentity).As(cred).JSON(map[string]any{
		"user_identity_key": key,
		"full_name":         "seamconform " + e.RunID,
	})
	create.throttleChecked = true
	x := e.Send(create)
	id, _ := x.Field("user_identity.user_identity_id")
	idString, _ := id.(string)
	if createdNothing(x) { // a 429 too: the sweep need not look for its key
		e.ledger.mark(e.ledger.pending, key, false)
	}
	skipIfThrottled(x)
	// An ID that is not a UUID is not recorded: it could not be deleted by,
	// and LEFT BEHIND would print whatever the server put there. Nor is an
	// identity with another key: it is not the one this run asked for, and
	// the run deletes only what it created. The key stays pending, so the
	// sweep looks for it.
	if x.Err != nil || x.Status != http.StatusOK || !spec.IsUUID(idString) {
		CouldNotCheck(e.Redact(fmt.Sprintf("set-up failed: POST /user_identities/create %s.\n%s", answerFailure(x), x.Evidence())))
	}
	if got, _ := x.Field("user_identity.user_identity_key"); got != key {
		CouldNotCheck(e.Redact(fmt.Sprintf("set-up failed: POST /user_identities/create answered an identity with user_identity_key %v, not the %s it was sent, so the suite does not take it as its own.\n%s", got, key, x.Evidence())))
	}
	e.ledger.created(key, idString)
	DeferCleanup(e.Remove, idString)
	return idString
}

// answerFailure says why an answer was not the one the suite needed, in
// words a user can act on: no answer, the status with Seam's error type and
// message (a workspace at its limit, say), or, for a create's 200, no UUID
// user_identity_id.
func answerFailure(x *Exchange) string {
	if x.Err != nil {
		return fmt.Sprintf("got no answer (%v)", x.Err)
	}
	if x.Status == http.StatusOK {
		return "did not create an identity with a UUID user_identity_id"
	}
	said := fmt.Sprintf("answered %d", x.Status)
	if kind, _ := x.Field("error.type"); kind != nil {
		said += fmt.Sprintf(" %v", kind)
		if message, _ := x.Field("error.message"); message != nil {
			said += fmt.Sprintf(" (%v)", message)
		}
	}
	return said
}

// createdNothing reports whether a create's answer shows the server made
// nothing: the request never left, or it was redirected (never followed),
// refused (4xx) or not implemented (501). Any other answer, or none, may
// have created something.
func createdNothing(x *Exchange) bool {
	if x.Err != nil {
		return x.NotSent
	}
	return x.Status >= 300 && x.Status < 500 || x.Status == http.StatusNotImplemented
}

// ForeignIdentity is SEAMCONFORM_FOREIGN_IDENTITY_ID, for a case that
// must be refused it. Such a case passes on any 404, so it is not checked
// once the identity is known to be gone: deleted by an earlier case of this
// run, or not found with SEAMCONFORM_FOREIGN_API_KEY when that is given.
func (e *Env) ForeignIdentity() string {
	GinkgoHelper()
	id := e.Need(e.Seed.ForeignIdentityID, "an identity in a workspace the credentials cannot access (SEAMCONFORM_FOREIGN_IDENTITY_ID)")
	if why := e.foreignGone.Load(); why != nil {
		CouldNotCheck(*why)
	}
	if e.Seed.ForeignAPIKey == "" {
		return id
	}
	x := e.Send(Call(spec.GetIdentity).As(Credential{Authorization: Bearer(fixtures.EnvSecret("SEAMCONFORM_FOREIGN_API_KEY", e.Seed.ForeignAPIKey))}).JSON(map[string]any{"user_identity_id": id}))
	if x.Status != http.StatusOK {
		why := fmt.Sprintf("SEAMCONFORM_FOREIGN_IDENTITY_ID is not known to exist, so a refusal would prove nothing: POST /user_identities/get with SEAMCONFORM_FOREIGN_API_KEY %s", answerFailure(x))
		if x.Status == http.StatusNotFound {
			e.foreignGone.CompareAndSwap(nil, &why)
		}
		CouldNotCheck(e.Redact(fmt.Sprintf("%s\n%s", why, x.Evidence())))
	}
	return id
}

// ForeignAnswer notes the answer to a request that must not act on the
// foreign identity: one that succeeded may have deleted it.
func (e *Env) ForeignAnswer(x *Exchange) {
	if x.Err == nil && x.Status >= 200 && x.Status < 300 {
		why := fmt.Sprintf("SEAMCONFORM_FOREIGN_IDENTITY_ID may be gone: %s %s answered %d to a request that named it, earlier in this run", x.Operation.Method, x.Operation.Path, x.Status)
		e.foreignGone.CompareAndSwap(nil, &why)
	}
}

// IdentityExists asks POST /user_identities/get whether id is still there:
// 200 means yes, 404 no; with any other answer the spec could not be
// checked.
func (e *Env) IdentityExists(id string) bool {
	GinkgoHelper()
	x := e.Send(Call(spec.GetIdentity).As(e.AnyCredential()).JSON(map[string]any{"user_identity_id": id}))
	if x.Err != nil || (x.Status != http.StatusOK && x.Status != http.StatusNotFound) {
		CouldNotCheck(e.Redact(fmt.Sprintf("could not tell whether identity %s exists: POST /user_identities/get answered neither 200 nor 404.\n%s", id, x.Evidence())))
	}
	return x.Status == http.StatusOK
}

// find looks an identity up by id or by key outside any spec; found is the
// id when it exists, sure says whether the answer was clear (200 or 404).
// An answer naming another identity than the one asked for is not clear:
// the run must not take, and delete, what it did not create.
func (e *Env) find(by, value string) (found string, sure bool) {
	schemes := e.AvailableSchemes()
	if len(schemes) == 0 {
		return "", false
	}
	x := e.cleanupDo(Call(spec.GetIdentity).As(e.As(schemes[0])).JSON(map[string]any{by: value}))
	id, _ := x.Field("user_identity.user_identity_id")
	s, _ := id.(string)
	named, _ := x.Field("user_identity." + by)
	switch {
	case x.Err == nil && x.Status == http.StatusOK && spec.IsUUID(s) && named == value:
		// Only a UUID: the run would delete, and print as left behind,
		// whatever the endpoint names.
		return s, true
	case x.Err == nil && x.Status == http.StatusNotFound:
		return "", true
	}
	return "", false
}

// Remove deletes an identity the run created and forgets it once it is
// gone. Anything the ledger does not hold is left alone. It never fails a
// spec: what it cannot remove stays in the ledger and the run reports it.
// Once the run has stopped (the endpoint stopped answering) it leaves
// everything to the final sweep.
func (e *Env) Remove(id string) {
	if !e.ledger.Owns(id) || e.stopped.Load() != nil {
		return
	}
	if e.deleteByID(id) {
		e.ledger.mark(e.ledger.ids, id, false)
	}
}

// deleteByID deletes id without first asking whether it exists (a lookup
// that hangs must not keep an identity alive), then checks it is gone. It
// tries the POST form, then the DELETE form: an implementation may serve
// only one of them. When the lookup gives no clear answer, the delete's
// own answer decides: 2xx (deleted) or 404 (not there) is taken as gone.
func (e *Env) deleteByID(id string) bool {
	schemes := e.AvailableSchemes()
	if len(schemes) == 0 {
		return false
	}
	cred := e.As(schemes[0])
	for _, r := range []*Request{
		Call(spec.DeleteIdentity).JSON(map[string]any{"user_identity_id": id}),
		Call(spec.DeleteIdentityByQuery).Query("user_identity_id", id),
	} {
		x := e.cleanupDo(r.As(cred))
		if e.stopped.Load() != nil {
			return false
		}
		found, sure := e.find("user_identity_id", id)
		if sure && found == "" || !sure && x.Err == nil && (x.Status >= 200 && x.Status < 300 || x.Status == http.StatusNotFound) {
			return true
		}
	}
	return false
}

// cleanupDo sends a clean-up request unless clean-up must stop (its budget
// spent, the endpoint gone, the operation given up). A request that gets no
// answer is followed by a liveness probe; when that goes unanswered too,
// clean-up stops.
func (e *Env) cleanupDo(r *Request) *Exchange {
	e.mu.Lock()
	over := !e.cleanupDeadline.IsZero() && time.Now().After(e.cleanupDeadline)
	e.mu.Unlock()
	switch {
	case over:
		e.Stop("the clean-up reached its time limit")
	case e.givenUp(r.op, true) > 0:
		return &Exchange{Operation: r.op, Err: fmt.Errorf("not sent: %s was given up", r.op), NotSent: true, env: e}
	}
	if why := e.stopped.Load(); why != nil {
		return &Exchange{Operation: r.op, Err: fmt.Errorf("not sent: %s", *why), NotSent: true, env: e}
	}
	x := e.Do(r)
	if x.Err != nil && !e.alive() {
		e.Stop(e.Redact(fmt.Sprintf("the endpoint stopped answering during clean-up (%v)", x.Err)))
	}
	return x
}

// Sweep is the run's last clean-up, after every spec: it waits for requests
// still in flight (an interrupted spec's), removes every identity the
// ledger still holds, and finds by key the ones whose create never
// answered. It stops once budget is spent or the endpoint stops answering;
// the ledger then holds exactly what may remain.
func (e *Env) Sweep(budget time.Duration) {
	// A spec abandoned by an interrupt may still be running: from here on it
	// cannot send anything, so once in-flight requests are done the ledger
	// is final.
	e.Interrupt()
	e.waitInflight(e.Target.Client().Timeout + time.Second)
	e.mu.Lock()
	e.cleanupDeadline = time.Now().Add(budget)
	e.mu.Unlock()
	ids, pending := e.ledger.snapshot()
	if len(ids)+len(pending) == 0 {
		return
	}
	// The run may have stopped because the endpoint went silent; give it
	// one more chance before deciding nothing can be removed.
	if e.stopped.Load() != nil && e.alive() {
		e.stopped.Store(nil)
	}
	for _, id := range ids {
		e.Remove(id)
	}
	for _, key := range pending {
		if e.stopped.Load() != nil {
			return
		}
		found, sure := e.find("user_identity_key", key)
		switch {
		case sure && found == "":
			e.ledger.mark(e.ledger.pending, key, false)
		case sure:
			// Held by id from here on, so what may remain stays exact.
			e.ledger.created(key, found)
			e.Remove(found)
		}
	}
}

// LeftBehind says what may remain on the target after the sweep: the
// identities the run created and could not confirm gone, the keys of
// creates whose outcome it never learned, and what creates it had to
// refuse made. Empty when nothing may remain.
func (e *Env) LeftBehind() []string {
	return e.Remains(e.ledger.IDs(), e.ledger.PendingKeys(), e.ledger.Effects())
}

// Remains is LeftBehind of what this process's ledger, or its workers'
// ledgers together, hold.
func (e *Env) Remains(ids, pendingKeys []string, effects []Effect) []string {
	out := describeLeftBehind(ids, pendingKeys, e.RunID)
	if why := e.stopped.Load(); why != nil && len(out) > 0 {
		out = append(out, "clean-up stopped early: "+*why)
	}
	out = append(out, describeEffects(effects)...) // nothing the clean-up could do
	for i := range out {                           // the IDs are the server's words: they may hold anything
		out[i] = e.Redact(out[i])
	}
	return out
}

// describeLeftBehind puts what may remain in words, a line for the
// identities (by ID) and one for the creates with no clear answer (by key),
// each listing them all: whoever cleans up needs every one, and the key
// prefix of run runID finds them with a list too.
func describeLeftBehind(ids, pendingKeys []string, runID string) []string {
	var out []string
	if len(ids) > 0 {
		out = append(out, fmt.Sprintf("%d identities this run created may remain (clean-up could not confirm them gone; their user_identity_key starts %s): %s", len(ids), KeyPrefix(runID), strings.Join(ids, ", ")))
	}
	if len(pendingKeys) > 0 {
		out = append(out, fmt.Sprintf("%d creates got no clear answer, so identities with these user_identity_key values may exist: %s", len(pendingKeys), strings.Join(pendingKeys, ", ")))
	}
	return out
}

// KeyPrefix begins the user_identity_key of every identity run runID
// creates.
func KeyPrefix(runID string) string { return "seamconform-" + runID + "-" }

// waitInflight waits, at most limit, until no request is in flight.
func (e *Env) waitInflight(limit time.Duration) {
	e.mu.Lock()
	busy, idle := e.inflight > 0, e.idle
	e.mu.Unlock()
	if busy {
		select {
		case <-idle:
		case <-time.After(limit):
		}
	}
}
