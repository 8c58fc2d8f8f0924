package framework

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"

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
	n       atomic.Int64
}

func newLedger() *Ledger { return &Ledger{ids: map[string]bool{}, pending: map[string]bool{}} }

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
func (e *Env) CreateIdentity() string {
	GinkgoHelper()
	// Whatever can stop the spec without sending (no credential, an
	// unreachable endpoint) comes before the key is pending.
	cred := e.AnyCredential()
	e.abortIfUnreachable()
	key := fmt.Sprintf("seamconform-%s-%d", e.RunID, e.ledger.n.Add(1))
	e.ledger.mark(e.ledger.pending, key, true)
	x := e.Send(Call(spec.CreateIdentity).As(cred).JSON(map[string]any{
		"user_identity_key": key,
		"full_name":         "seamconform " + e.RunID,
	}))
	id, _ := x.Field("user_identity.user_identity_id")
	idString, _ := id.(string)
	if x.NotSent || x.Err == nil && x.Status >= 400 && x.Status < 500 {
		e.ledger.mark(e.ledger.pending, key, false) // never sent, or refused: nothing was created
	}
	if x.Err != nil || x.Status != http.StatusOK || idString == "" {
		Fail(e.Redact(fmt.Sprintf("set-up failed: POST /user_identities/create did not create an identity, so this requirement could not be checked.\n%s", x.Evidence())))
	}
	e.ledger.created(key, idString)
	DeferCleanup(e.Remove, idString)
	return idString
}

// IdentityExists asks POST /user_identities/get whether id is still there:
// 200 means yes, 404 no; any other answer fails the spec as unknowable.
func (e *Env) IdentityExists(id string) bool {
	GinkgoHelper()
	x := e.Send(Call(spec.GetIdentity).As(e.AnyCredential()).JSON(map[string]any{"user_identity_id": id}))
	if x.Err != nil || (x.Status != http.StatusOK && x.Status != http.StatusNotFound) {
		Fail(e.Redact(fmt.Sprintf("could not tell whether identity %s exists: POST /user_identities/get answered neither 200 nor 404.\n%s", id, x.Evidence())))
	}
	return x.Status == http.StatusOK
}

// find looks an identity up by id or by key outside any spec; found is the
// id when it exists, sure says whether the answer was clear (200 or 404).
func (e *Env) find(by, value string) (found string, sure bool) {
	schemes := e.AvailableSchemes()
	if len(schemes) == 0 {
		return "", false
	}
	x := e.Do(Call(spec.GetIdentity).As(e.As(schemes[0])).JSON(map[string]any{by: value}))
	id, _ := x.Field("user_identity.user_identity_id")
	s, _ := id.(string)
	switch {
	case x.Err == nil && x.Status == http.StatusOK && s != "":
		return s, true
	case x.Err == nil && x.Status == http.StatusNotFound:
		return "", true
	}
	return "", false
}

// Remove deletes an identity the run created if it is still there, and
// forgets it once it is gone. Anything the ledger does not hold is left
// alone. It never fails a spec: what it cannot remove stays in the ledger and
// the run reports it.
func (e *Env) Remove(id string) {
	if !e.ledger.Owns(id) {
		return
	}
	if e.removeFound(e.find("user_identity_id", id)) {
		e.ledger.mark(e.ledger.ids, id, false)
	}
}

// removeFound deletes found (if any) and reports whether it is now gone. It
// tries the POST form, then the DELETE form: an implementation may serve
// only one of them.
func (e *Env) removeFound(found string, sure bool) bool {
	if !sure {
		return false
	}
	cred := e.As(e.AvailableSchemes()[0])
	for _, r := range []*Request{
		Call(spec.DeleteIdentity).JSON(map[string]any{"user_identity_id": found}),
		Call(spec.DeleteIdentityByQuery).Query("user_identity_id", found),
	} {
		if found == "" {
			return true
		}
		e.Do(r.As(cred))
		if found, sure = e.find("user_identity_id", found); !sure {
			return false
		}
	}
	return found == ""
}

// Sweep is the run's last clean-up, after every spec: it waits for requests
// still in flight (an interrupted spec's), removes every identity the
// ledger still holds, and finds by key the ones whose create never answered.
func (e *Env) Sweep() {
	// A spec abandoned by an interrupt may still be running: from here on it
	// cannot send anything, so once in-flight requests are done the ledger
	// is final.
	e.Interrupt()
	e.waitInflight(e.Target.Client().Timeout + time.Second)
	ids, pending := e.ledger.snapshot()
	for _, id := range ids {
		e.Remove(id)
	}
	for _, key := range pending {
		if e.removeFound(e.find("user_identity_key", key)) {
			e.ledger.mark(e.ledger.pending, key, false)
		}
	}
}

func (e *Env) waitInflight(limit time.Duration) {
	done := make(chan struct{})
	go func() { e.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
	}
}
