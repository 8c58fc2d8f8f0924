package reference

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"sync"
)

// identityStore holds the user identities, indexed by ID, by workspace and
// by (workspace, key), so no request scans the whole store. A stored
// identity is never modified (an update stores a changed copy), so a
// pointer read under the lock may be used after it is released.
type identityStore struct {
	mu          sync.RWMutex
	byID        map[string]*identity
	byWorkspace map[string]map[string]*identity // workspace ID → ID → identity
	byKey       map[workspaceKey]*identity
	// limit bounds how many identities a workspace holds (the seeded foreign
	// one is no user's to delete); 0: no bound.
	limit int
	added uint64 // identities ever added: their order of creation
}

type workspaceKey struct{ workspaceID, key string }

func newIdentityStore(limit int) *identityStore {
	return &identityStore{
		byID:        map[string]*identity{},
		byWorkspace: map[string]map[string]*identity{},
		byKey:       map[workspaceKey]*identity{},
		limit:       limit,
	}
}

func keyOf(ui *identity) (workspaceKey, bool) {
	if ui.UserIdentityKey == nil {
		return workspaceKey{}, false
	}
	return workspaceKey{ui.WorkspaceID, *ui.UserIdentityKey}, true
}

// limitReached is the answer when the store is full: a 400 the document
// allows, saying what to do.
func (st *identityStore) limitReached() *apiError {
	return &apiError{
		status:  http.StatusBadRequest,
		kind:    "resource_limit_reached",
		message: "this reference server stores at most " + strconv.Itoa(st.limit) + " user identities in a workspace: delete some, or restart it with a higher --max-identities",
	}
}

func keyExists() *apiError {
	return &apiError{
		status:  http.StatusBadRequest,
		kind:    "user_identity_key_already_exists",
		message: "a user identity with this user_identity_key already exists in the workspace",
	}
}

// add stores ui unless its key is taken in its workspace or the workspace
// is full.
func (st *identityStore) add(ui *identity) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.limit > 0 && len(st.byWorkspace[ui.WorkspaceID]) >= st.limit {
		return st.limitReached()
	}
	if k, ok := keyOf(ui); ok && st.byKey[k] != nil {
		return keyExists()
	}
	st.added++
	ui.order = st.added
	st.put(ui)
	return nil
}

// put indexes ui; the caller holds mu.
func (st *identityStore) put(ui *identity) {
	st.byID[ui.UserIdentityID] = ui
	ws := st.byWorkspace[ui.WorkspaceID]
	if ws == nil {
		ws = map[string]*identity{}
		st.byWorkspace[ui.WorkspaceID] = ws
	}
	ws[ui.UserIdentityID] = ui
	if k, ok := keyOf(ui); ok {
		st.byKey[k] = ui
	}
}

// drop removes ui from every index; the caller holds mu.
func (st *identityStore) drop(ui *identity) {
	delete(st.byID, ui.UserIdentityID)
	if ws := st.byWorkspace[ui.WorkspaceID]; ws != nil {
		delete(ws, ui.UserIdentityID)
		if len(ws) == 0 {
			delete(st.byWorkspace, ui.WorkspaceID)
		}
	}
	if k, ok := keyOf(ui); ok && st.byKey[k] == ui {
		delete(st.byKey, k)
	}
}

// get returns the identity with this ID in the workspace; anyWorkspace
// drops the workspace check (the cross-workspace fault).
func (st *identityStore) get(workspaceID, id string, anyWorkspace bool) *identity {
	st.mu.RLock()
	defer st.mu.RUnlock()
	ui := st.byID[id]
	if ui == nil || (ui.WorkspaceID != workspaceID && !anyWorkspace) {
		return nil
	}
	return ui
}

func (st *identityStore) getByKey(workspaceID, key string) *identity {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.byKey[workspaceKey{workspaceID, key}]
}

// list returns the workspace's identities in the order they were created.
func (st *identityStore) list(workspaceID string) []*identity {
	st.mu.RLock()
	out := make([]*identity, 0, len(st.byWorkspace[workspaceID]))
	for _, ui := range st.byWorkspace[workspaceID] {
		out = append(out, ui)
	}
	st.mu.RUnlock()
	slices.SortFunc(out, func(a, b *identity) int { return cmp.Compare(a.order, b.order) })
	return out
}

// ids returns the IDs of the workspace's identities, sorted.
func (st *identityStore) ids(workspaceID string) []string {
	st.mu.RLock()
	out := make([]string, 0, len(st.byWorkspace[workspaceID]))
	for id := range st.byWorkspace[workspaceID] {
		out = append(out, id)
	}
	st.mu.RUnlock()
	slices.Sort(out)
	return out
}

// replace stores changed in place of the identity with its ID, unless its
// new key is another identity's.
func (st *identityStore) replace(changed *identity) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()
	old := st.byID[changed.UserIdentityID]
	if old == nil {
		return identityNotFound()
	}
	if k, ok := keyOf(changed); ok && st.byKey[k] != nil && st.byKey[k] != old {
		return keyExists()
	}
	st.drop(old)
	st.put(changed)
	return nil
}

// removeID deletes the identity with this ID; false if there was none.
func (st *identityStore) removeID(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	ui := st.byID[id]
	if ui != nil {
		st.drop(ui)
	}
	return ui != nil
}

// removeWorkspace deletes every identity of a workspace.
func (st *identityStore) removeWorkspace(workspaceID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, ui := range st.byWorkspace[workspaceID] {
		st.drop(ui)
	}
}
