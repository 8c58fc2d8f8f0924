package reference

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/seamconform/seamconform/spec"
)

const maxBody = 1 << 20

var errBodyTooLarge = errors.New("the request body is larger than 1 MiB")

// readBody returns the request body, read at most once.
func (x *exchange) readBody() ([]byte, error) {
	if !x.bodyRead && x.r.Body != nil {
		x.body, x.bodyErr = io.ReadAll(io.LimitReader(x.r.Body, maxBody+1))
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
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		if x.fault("malformed-json-500") {
			return nil, internalError()
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
	if !spec.UUIDPattern.MatchString(id) && !x.fault("uuid-not-validated") {
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
	s := x.s
	s.mu.Lock()
	defer s.mu.Unlock()
	ui, found := s.identities[id]
	if found && ui.WorkspaceID != workspaceID && !x.fault("cross-workspace-delete") {
		found = false // another workspace's identities are invisible
	}
	if !found {
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
		for otherID, other := range s.identities {
			if other.WorkspaceID == ui.WorkspaceID {
				delete(s.identities, otherID)
			}
		}
	default:
		delete(s.identities, id)
	}
	return nil
}

func identityNotFound() *apiError {
	return notFound("user_identity_not_found", "no such user identity in the workspace")
}

func (x *exchange) createIdentity() (func(string), *apiError) {
	in, fail := x.object("")
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
		s := x.s
		s.mu.Lock()
		if f.Key != nil && s.find(workspaceID, func(ui *identity) bool { return ui.UserIdentityKey != nil && *ui.UserIdentityKey == *f.Key }) != nil {
			s.mu.Unlock()
			x.fail(&apiError{
				status:  http.StatusBadRequest,
				kind:    "user_identity_key_already_exists",
				message: "a user identity with this user_identity_key already exists in the workspace",
			})
			return
		}
		created := s.addIdentity(workspaceID, f)
		s.mu.Unlock()
		x.succeed(map[string]any{"user_identity": created})
	}, nil
}

func validEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s
}

// find returns the first identity of the workspace that matches; the caller
// holds mu.
func (s *Server) find(workspaceID string, match func(*identity) bool) *identity {
	for _, ui := range s.identities {
		if ui.WorkspaceID == workspaceID && match(ui) {
			return ui
		}
	}
	return nil
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
	var match func(*identity) bool
	switch {
	case hasID:
		if id, fail = x.checkID(identityIDField, id); fail != nil {
			return nil, fail
		}
		match = func(ui *identity) bool { return ui.UserIdentityID == id }
	case hasKey:
		match = func(ui *identity) bool { return ui.UserIdentityKey != nil && *ui.UserIdentityKey == key }
	default:
		return nil, invalidField(identityIDField, "Required")
	}

	return func(workspaceID string) {
		s := x.s
		s.mu.Lock()
		found := s.find(workspaceID, match)
		s.mu.Unlock()
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
