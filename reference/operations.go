package reference

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/seamconform/seamconform/spec"
)

const maxBody = 1 << 20

var errBodyTooLarge = errors.New("the request body is larger than 1 MiB")

// readBody returns the request body, read at most once.
func (x *exchange) readBody() ([]byte, error) {
	if !x.bodyRead && x.r.Body != nil {
		x.body, x.bodyErr = spec.ReadBody(x.r, maxBody)
		if x.bodyErr == nil && len(x.body) > maxBody {
			x.bodyErr = errBodyTooLarge
		}
	}
	x.bodyRead = true
	return x.body, x.bodyErr
}

// object decodes the body as a JSON object. required names the field that a
// body-level error reports as missing, if any.
func (x *exchange) object(required string) (map[string]any, *apiError) {
	body, err := x.readBody()
	if err != nil {
		return nil, invalidBody(err.Error(), required)
	}
	if len(body) == 0 {
		if x.fault("missing-body-500") {
			return nil, internalError()
		}
		return nil, invalidBody("Expected object, received nothing: the request body is empty", required)
	}
	v, err := spec.DecodeBody(x.r, body) // the checker's decoding, in serve
	if err != nil {
		if x.fault("malformed-json-500") {
			return nil, internalError()
		}
		// Valid JSON, so say what is wrong with it, and where.
		var outOfRange *spec.NumberRangeError
		if errors.As(err, &outOfRange) && len(outOfRange.Path) > 0 {
			e := invalidField(outOfRange.Path[0], "the number is out of range")
			e.message = outOfRange.Error()
			return nil, e
		}
		if outOfRange != nil {
			return nil, invalidBody(outOfRange.Error(), required)
		}
		return nil, invalidBody("the request body is not valid JSON", required)
	}
	if x.fault("non-object-body-unwrapped") {
		if array, ok := v.([]any); ok && len(array) > 0 {
			v = array[0]
		}
		if id, ok := v.(string); ok {
			v = map[string]any{required: id}
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalidBody("Expected object, received "+jsonKind(v), required)
	}
	return obj, nil
}

// query returns the query parameters. Malformed pairs are dropped, as most
// servers do: a parameter the operation needs then reads as missing.
func (x *exchange) query() url.Values {
	if x.r.URL.RawQuery == "" { // most requests: no map to make
		return nil
	}
	values, _ := url.ParseQuery(x.r.URL.RawQuery)
	return values
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

// stringField returns in[name] if it is a string; ok is false if it is
// absent or null.
func stringField(in map[string]any, name string) (value string, ok bool, fail *apiError) {
	switch v := in[name].(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	default:
		return "", false, invalidField(name, "Expected string, received "+jsonKind(v))
	}
}

var hyphenless = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)

// checkID validates a UUID and returns it in the stored (lower-case) form:
// a UUID names the same identity in either case.
func (x *exchange) checkID(field, id string) (string, *apiError) {
	if x.fault("uuid-whitespace-trimmed") {
		id = strings.TrimSpace(id)
	}
	if x.fault("hyphenless-uuid-accepted") && hyphenless.MatchString(id) {
		id = id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
	}
	if !spec.IsUUID(id) && !x.fault("uuid-not-validated") {
		return "", invalidField(field, "Invalid uuid")
	}
	return strings.ToLower(id), nil
}

const identityIDField = "user_identity_id"

// deleteTarget returns the ID a delete request names, from the JSON body of
// the POST form or the query of the DELETE form.
func (x *exchange) deleteTarget() (string, *apiError) {
	if x.r.Method == http.MethodDelete {
		return x.queryTarget()
	}
	in, fail := x.object(identityIDField)
	if fail != nil {
		return "", fail
	}
	raw, present := in[identityIDField]
	id, isString := raw.(string)
	switch {
	case !present:
		if x.fault("missing-id-404") {
			return "", nil
		}
		return "", invalidField(identityIDField, "Required")
	case raw == nil && x.fault("null-id-500"):
		return "", internalError()
	case raw != nil && !isString && x.fault("wrong-type-500"):
		trace := fmt.Sprintf("panic: interface conversion: interface {} is %T, not string\n\n%s", raw, goTrace)
		return "", &apiError{status: http.StatusInternalServerError, plainText: trace}
	case id == "" && isString && x.fault("empty-id-404"):
		return "", nil
	case !isString:
		return "", invalidField(identityIDField, "Expected string, received "+jsonKind(raw))
	}
	return x.checkID(identityIDField, id)
}

func (x *exchange) queryTarget() (string, *apiError) {
	query := x.query()
	if x.fault("sdk-query-extras-rejected") {
		for name := range query {
			if name != identityIDField {
				problem := fmt.Sprintf("Unrecognized key(s) in object: '%s'", name)
				return "", &apiError{
					status:     http.StatusBadRequest,
					kind:       "invalid_input",
					message:    problem,
					validation: map[string]any{"_errors": []string{problem}},
				}
			}
		}
	}
	values := query[identityIDField]
	if query.Get(identityIDField) == "" && x.fault("query-param-missing-404") {
		return "", nil
	}
	switch len(values) {
	case 0:
		return "", invalidField(identityIDField, "Required")
	case 1:
		return x.checkID(identityIDField, values[0])
	}
	return "", invalidField(identityIDField, "Expected string, received array")
}

func (x *exchange) deleteIdentity() (func(string), *apiError) {
	id, fail := x.deleteTarget()
	if fail != nil {
		return nil, fail
	}
	return func(workspaceID string) {
		if fail := x.remove(workspaceID, id); fail != nil {
			x.fail(fail)
			return
		}
		x.succeed(map[string]any{})
	}, nil
}

func (x *exchange) remove(workspaceID, id string) *apiError {
	st := x.s.identities
	ui := st.get(workspaceID, id, x.fault("cross-workspace-delete"))
	if ui == nil {
		switch {
		case x.fault("missing-identity-200"):
			return nil
		case x.fault("not-found-400"):
			return invalidField(identityIDField, "user identity not found")
		}
		return identityNotFound()
	}
	switch {
	case x.fault("not-deleted"):
	case x.fault("deletes-whole-workspace"):
		st.removeWorkspace(ui.WorkspaceID)
	case !st.removeID(id):
		return identityNotFound() // a concurrent delete won
	}
	return nil
}

func identityNotFound() *apiError {
	return notFound("user_identity_not_found", "no such user identity in the workspace")
}

func (x *exchange) createIdentity() (func(string), *apiError) {
	in, fail := x.checkInput()
	if fail != nil {
		return nil, fail
	}
	var f identityFields
	for _, field := range []struct {
		name string
		dst  **string
	}{
		{"user_identity_key", &f.Key},
		{"email_address", &f.Email},
		{"phone_number", &f.Phone},
		{"full_name", &f.FullName},
	} {
		v, ok, fail := stringField(in, field.name)
		if fail != nil {
			return nil, fail
		}
		if ok {
			*field.dst = &v
		}
	}
	const tooShort = "String must contain at least 1 character(s)"
	switch {
	case f.Key != nil && *f.Key == "":
		return nil, invalidField("user_identity_key", tooShort)
	case f.FullName != nil && *f.FullName == "":
		return nil, invalidField("full_name", tooShort)
	case f.Email != nil && !validEmail(*f.Email):
		return nil, invalidField("email_address", "Invalid email")
	}

	return func(workspaceID string) {
		created := x.s.newIdentity(workspaceID, f)
		if fail := x.s.identities.add(created); fail != nil {
			x.fail(fail)
			return
		}
		x.succeed(map[string]any{"user_identity": created})
	}, nil
}

func validEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s
}

func (x *exchange) getIdentity() (func(string), *apiError) {
	in := map[string]any{}
	if x.r.Method == http.MethodGet {
		for name, values := range x.query() {
			in[name] = values[0]
		}
	} else {
		var fail *apiError
		if in, fail = x.object(identityIDField); fail != nil {
			return nil, fail
		}
	}
	id, hasID, fail := stringField(in, identityIDField)
	if fail != nil {
		return nil, fail
	}
	key, hasKey, fail := stringField(in, "user_identity_key")
	if fail != nil {
		return nil, fail
	}
	var find func(workspaceID string) *identity
	switch {
	case hasID:
		if id, fail = x.checkID(identityIDField, id); fail != nil {
			return nil, fail
		}
		find = func(workspaceID string) *identity {
			return x.s.identities.get(workspaceID, id, x.fault("cross-workspace-get"))
		}
	case hasKey && x.fault("get-by-key-unsupported"):
		return nil, invalidField(identityIDField, "Required")
	case hasKey:
		find = func(workspaceID string) *identity { return x.s.identities.getByKey(workspaceID, key) }
	default:
		return nil, invalidField(identityIDField, "Required")
	}

	return func(workspaceID string) {
		found := find(workspaceID)
		if all := x.s.identities.list(workspaceID); x.fault("get-returns-latest") && len(all) > 0 {
			found = all[len(all)-1]
		}
		if found == nil && x.fault("get-unknown-200") && hasID {
			x.succeed(map[string]any{"user_identity": map[string]any{identityIDField: id}})
			return
		}
		if found == nil {
			x.fail(identityNotFound())
			return
		}
		x.succeed(map[string]any{"user_identity": found})
	}, nil
}

// getWorkspace takes no input: a body, if any, is ignored.
func (x *exchange) getWorkspace() (func(string), *apiError) {
	return func(workspaceID string) {
		x.succeed(map[string]any{"workspace": x.s.workspaces[workspaceID]})
	}, nil
}

// listIdentities answers the workspace's identities, oldest first, filtered
// by user_identity_ids and search, limit to a page (default 500);
// page_cursor is the opaque position of the next page.
func (x *exchange) listIdentities() (func(string), *apiError) {
	in, fail := x.checkInput()
	if fail != nil {
		return nil, fail
	}
	if x.r.Method == http.MethodGet {
		in = map[string]any{}
		for name, values := range x.query() {
			if name == "user_identity_ids" {
				in[name] = toAny(values)
			} else {
				in[name] = values[0]
			}
		}
	}
	limit := 500
	switch v := in["limit"].(type) {
	case float64:
		limit = int(v)
	case string:
		if n, err := strconv.Atoi(v); err == nil {
			limit = n
		}
	}
	offset := 0
	if cursor, _ := in["page_cursor"].(string); cursor != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(cursor, "offset:"))
		if err != nil || n < 0 || !strings.HasPrefix(cursor, "offset:") {
			return nil, invalidField("page_cursor", "Invalid page cursor")
		}
		offset = n
	}
	var wanted map[string]bool
	if ids, ok := in["user_identity_ids"].([]any); ok {
		wanted = map[string]bool{}
		for _, id := range ids {
			if s, ok := id.(string); ok {
				wanted[strings.ToLower(s)] = true
			}
		}
	}
	search, _ := in["search"].(string)
	return func(workspaceID string) {
		matched := []*identity{} // the contract's list is not nullable
		for _, ui := range x.s.identities.list(workspaceID) {
			if (wanted == nil || wanted[ui.UserIdentityID]) && matches(ui, search) {
				matched = append(matched, ui)
			}
		}
		page := matched[min(offset, len(matched)):]
		pagination := map[string]any{"has_next_page": false, "next_page_cursor": nil, "next_page_url": nil}
		if len(page) > limit {
			page = page[:limit]
			next := "offset:" + strconv.Itoa(offset+limit)
			pagination = map[string]any{"has_next_page": true, "next_page_cursor": next, "next_page_url": nil}
		}
		x.succeed(map[string]any{"user_identities": page, "pagination": pagination})
	}, nil
}

func toAny(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// matches is the search filter: a case-insensitive substring of a name,
// e-mail address, phone number or key.
func matches(ui *identity, search string) bool {
	if search == "" {
		return true
	}
	search = strings.ToLower(search)
	for _, field := range []*string{&ui.DisplayName, ui.FullName, ui.EmailAddress, ui.PhoneNumber, ui.UserIdentityKey} {
		if field != nil && strings.Contains(strings.ToLower(*field), search) {
			return true
		}
	}
	return false
}

// updateIdentity changes the given fields of an identity of the workspace;
// null clears a field.
func (x *exchange) updateIdentity() (func(string), *apiError) {
	in, fail := x.checkInput()
	if fail != nil {
		return nil, fail
	}
	id := strings.ToLower(in[identityIDField].(string)) // checkInput: a present, valid UUID
	return func(workspaceID string) {
		old := x.s.identities.get(workspaceID, id, false)
		if old == nil {
			x.fail(identityNotFound())
			return
		}
		changed := *old
		for name, dst := range map[string]**string{
			"user_identity_key": &changed.UserIdentityKey,
			"email_address":     &changed.EmailAddress,
			"phone_number":      &changed.PhoneNumber,
			"full_name":         &changed.FullName,
		} {
			v, present := in[name]
			if !present {
				continue
			}
			if s, ok := v.(string); ok {
				*dst = &s
			} else {
				*dst = nil
			}
		}
		changed.DisplayName = displayName(identityFields{Key: changed.UserIdentityKey, Email: changed.EmailAddress, FullName: changed.FullName})
		if fail := x.s.identities.replace(&changed); fail != nil {
			x.fail(fail)
			return
		}
		x.succeed(map[string]any{})
	}, nil
}
