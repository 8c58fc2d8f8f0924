package reference

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/seamconform/seamconform/spec"
)

// generic answers an operation without behaviour of its own, from the
// contract alone: the input is checked, and a valid request gets the
// operation's deterministic example answer.
func (x *exchange) generic() (func(string), *apiError) {
	if _, fail := x.checkInput(); fail != nil {
		return nil, fail
	}
	return func(string) { x.succeedExample() }, nil
}

// checkInput validates the request's input against the operation and
// returns its JSON body (nil for an operation without one). The UUID inputs
// are read by the reference's own code first, so that their errors name the
// field the way Seam does and faults can switch the checks off; the
// contract's schemas then check everything else.
func (x *exchange) checkInput() (map[string]any, *apiError) {
	var body map[string]any
	raw := []byte("{}")
	if x.op.Body {
		got, err := x.readBody()
		if err != nil {
			return nil, invalidBody(err.Error(), "")
		}
		if len(got) > 0 {
			var fail *apiError
			if body, fail = x.object(""); fail != nil {
				return nil, fail
			}
			raw = got
		} else {
			body = map[string]any{}
		}
	} else {
		raw = nil
	}
	query := x.query()
	lax := x.fault("api-missing-uuid-accepted") || x.fault("api-malformed-uuid-accepted")
	for _, in := range x.op.UUIDs {
		var values []any
		switch in.In {
		case spec.InBody:
			v, ok := body[in.Name]
			if !ok || v == nil {
				break
			}
			if list, isList := v.([]any); isList && in.Array {
				values = list
			} else {
				values = []any{v}
			}
		case spec.InQuery:
			for _, v := range query[in.Name] {
				values = append(values, v)
			}
			if in.Array && len(values) == 1 && values[0] == "" {
				continue // an empty list, as Seam's SDKs send it ("device_ids="): given, with no ID to check
			}
			if len(values) > 1 && !in.Array {
				return nil, invalidField(in.Name, "Expected string, received array")
			}
		}
		if len(values) == 0 {
			if in.Required && !x.fault("api-missing-uuid-accepted") {
				return nil, invalidField(in.Name, "Required")
			}
			continue
		}
		for _, v := range values {
			id, isString := v.(string)
			if !isString {
				return nil, invalidField(in.Name, "Expected string, received "+jsonKind(v))
			}
			if _, fail := x.checkID(in.Name, id); fail != nil && !x.fault("api-malformed-uuid-accepted") {
				return nil, fail
			}
		}
	}
	if lax {
		return body, nil
	}
	if x.op.Body && spec.HeaderValue(x.r.Header, "Content-Type") == "" {
		x.r.Header.Set("Content-Type", "application/json") // Seam reads a body without one as JSON
	}
	var problems []spec.Violation
	for _, v := range x.s.contract.CheckRequest(x.op.Operation, x.r, raw) {
		if v.Rule != spec.RuleCredentials {
			problems = append(problems, v)
		}
	}
	if len(problems) > 0 {
		return nil, invalidInput(problems)
	}
	return body, nil
}

// invalidInput is the 400 for what the contract's schemas reject, each
// offending field named in validation_errors.
func invalidInput(problems []spec.Violation) *apiError {
	e := &apiError{status: http.StatusBadRequest, kind: "invalid_input", validation: map[string]any{"_errors": []string{}}}
	for _, p := range problems {
		field, problem := violationField(p.Err)
		if e.message == "" {
			e.message = problem
			if field != "" {
				e.message = field + ": " + problem
			}
		}
		if field == "" {
			e.validation["_errors"] = append(e.validation["_errors"].([]string), problem)
			continue
		}
		entry, _ := e.validation[field].(map[string]any)
		if entry == nil {
			entry = map[string]any{"_errors": []string{}}
			e.validation[field] = entry
		}
		entry["_errors"] = append(entry["_errors"].([]string), problem)
	}
	return e
}

// violationField names the top-level input a validation error is about,
// and says what is wrong in a line.
func violationField(err error) (field, problem string) {
	problem = err.Error()
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		if re.Parameter != nil {
			field = re.Parameter.Name
		}
		problem = re.Reason
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		if inner := spec.PropertyError(se); len(se.JSONPointer()) == 0 && inner != nil {
			se = inner // the malformed value under a oneOf, which says only that nothing matched
		}
		if ptr := se.JSONPointer(); len(ptr) > 0 && field == "" {
			field = ptr[0]
		}
		problem = se.Reason
	}
	if problem == "" {
		problem = "Invalid input"
	}
	return field, problem
}

// successFaults change 200 answers; with none on, the cached bytes go out.
var successFaults = []string{"ok-false", "ok-string", "success-204", "success-text-plain", "api-answer-incomplete"}

// succeedExample writes the operation's example answer: built once per
// operation, "ok": true as Seam answers.
func (x *exchange) succeedExample() {
	op := x.op.Operation
	if !slices.ContainsFunc(successFaults, x.fault) {
		if cached, ok := x.s.answers.Load(op); ok {
			x.write(http.StatusOK, "application/json", cached.([]byte))
			return
		}
	}
	payload := map[string]any{}
	if m, ok := x.s.contract.Example(op, http.StatusOK).(map[string]any); ok {
		for k, v := range m { // shallow: the example is shared
			payload[k] = v
		}
	}
	if x.fault("api-answer-incomplete") {
		for _, k := range sortedKeys(payload) {
			if k != "ok" {
				delete(payload, k)
				break
			}
		}
	}
	if slices.ContainsFunc(successFaults, x.fault) {
		x.succeed(payload)
		return
	}
	payload["ok"] = true
	body, err := json.Marshal(payload)
	if err != nil {
		x.fail(internalError())
		return
	}
	x.s.answers.Store(op, body)
	x.write(http.StatusOK, "application/json", body)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
