package framework

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"

	"github.com/seamconform/seamconform/spec"
)

// Ledger records the identities this run created and has not yet seen
// removed. Clean-up deletes exactly these: the suite never deletes what it
// did not create.
type Ledger struct {
	mu  sync.Mutex
	ids map[string]bool
	n   atomic.Int64
}

func newLedger() *Ledger { return &Ledger{ids: map[string]bool{}} }

// Owns reports whether the run created id and has not removed it yet.
func (l *Ledger) Owns(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ids[id]
}

// IDs lists what the run still owns, sorted.
func (l *Ledger) IDs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.ids))
	for id := range l.ids {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func (l *Ledger) add(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids[id] = true
}

func (l *Ledger) remove(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.ids, id)
}

// AnyCredential is the credential set-up calls use: the first scheme the run
// has, so a run with one credential can still create what it deletes.
func (e *Env) AnyCredential() Credential {
	schemes := e.AvailableSchemes()
	if len(schemes) == 0 {
		Skip("no credential was given, so nothing can be created to delete")
	}
	return e.As(schemes[0])
}

// CreateIdentity creates a user identity for the current spec, tagged with
// the run ID, and schedules its removal when the spec ends, pass or fail.
func (e *Env) CreateIdentity() string {
	GinkgoHelper()
	key := fmt.Sprintf("seamconform-%s-%d", e.RunID, e.ledger.n.Add(1))
	x := e.Send(Call(spec.CreateIdentity).As(e.AnyCredential()).JSON(map[string]any{
		"user_identity_key": key,
		"full_name":         "seamconform " + e.RunID,
	}))
	id, _ := x.Field("user_identity.user_identity_id")
	idString, ok := id.(string)
	if x.Err != nil || x.Status != http.StatusOK || !ok || idString == "" {
		Fail(e.Redact(fmt.Sprintf("set-up failed: POST /user_identities/create did not create an identity, so this requirement could not be checked.\n%s", x.Evidence())))
	}
	e.ledger.add(idString)
	DeferCleanup(e.Remove, idString)
	return idString
}

// IdentityExists asks POST /user_identities/get whether id is still there:
// 200 means yes, 404 no; any other answer fails the spec as unknowable.
func (e *Env) IdentityExists(id string) bool {
	GinkgoHelper()
	exists, x := e.lookup(id)
	if x.Err != nil || (x.Status != http.StatusOK && x.Status != http.StatusNotFound) {
		Fail(e.Redact(fmt.Sprintf("could not tell whether identity %s exists: POST /user_identities/get answered neither 200 nor 404.\n%s", id, x.Evidence())))
	}
	return exists
}

func (e *Env) lookup(id string) (bool, *Exchange) {
	x := e.Send(Call(spec.GetIdentity).As(e.AnyCredential()).JSON(map[string]any{"user_identity_id": id}))
	return x.Err == nil && x.Status == http.StatusOK, x
}

// Remove deletes an identity the run created if it is still there, and
// forgets it once it is gone. Anything the ledger does not hold is left
// alone. It never fails a spec: what it cannot remove stays in the ledger
// and the run reports it.
func (e *Env) Remove(id string) {
	if !e.ledger.Owns(id) {
		return
	}
	if exists, x := e.lookup(id); exists {
		e.Send(Call(spec.DeleteIdentity).As(e.AnyCredential()).JSON(map[string]any{"user_identity_id": id}))
	} else if x.Err != nil || x.Status != http.StatusNotFound {
		return
	}
	if exists, x := e.lookup(id); !exists && x.Err == nil && x.Status == http.StatusNotFound {
		e.ledger.remove(id)
	}
}
