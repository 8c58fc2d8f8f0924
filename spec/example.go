package spec

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

type exampleKey struct {
	op     Operation
	status int
}

// Example returns a body for op's answer with status that its schema
// accepts, or nil when the document describes no JSON body for it. It is
// deterministic (computed once per contract and shared: callers must not
// modify it): document examples where present and valid, else required
// properties only, one item per list, the first oneOf or anyOf branch
// that validates, enum's first value; UUIDs derived from the property name.
func (c *Contract) Example(op Operation, status int) any {
	key := exampleKey{op, status}
	if v, ok := c.examples.Load(key); ok {
		return v
	}
	o := c.operation(op)
	if o == nil {
		return nil
	}
	r := o.Responses.Status(status)
	if r == nil || r.Value == nil {
		return nil
	}
	media := r.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return nil
	}
	v, _ := c.examples.LoadOrStore(key, (&generator{}).value(media.Schema.Value, "", 0))
	return v
}

// generator builds values that a schema accepts. minimal: requests (fresh
// random UUIDs); otherwise answers (deterministic UUIDs).
type generator struct {
	minimal bool
	uuids   map[string]bool // with minimal: the random UUIDs it generated
}

// maxDepth bounds recursive schemas; below it, lists are empty and nullable
// values null.
const maxDepth = 12

var schemaOptions = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("uuid", uuidFormat),
	openapi3.DisableReadOnlyValidation(), openapi3.DisableWriteOnlyValidation(),
	openapi3.DisableSchemaErrorDetails(), // as in validationOptions
}

func valid(s *openapi3.Schema, v any) bool { return s.VisitJSON(v, schemaOptions...) == nil }

// requestSchemaOptions are schemaOptions with the formats a request is
// held to (inputFormats).
var requestSchemaOptions = withFormats(schemaOptions, inputFormats)

// PropertyError finds, in a request's schema error, under a oneOf or anyOf
// no branch of which matched, the first error about a property the body
// has (a malformed value, not a missing one): "user_identity_id: string
// doesn't match the format", where the oneOf says only that nothing matched.
func PropertyError(err error) *openapi3.SchemaError {
	switch e := err.(type) {
	case nil:
		return nil
	case *openapi3.SchemaError:
		if len(e.JSONPointer()) > 0 && e.SchemaField != "required" {
			return e
		}
		for _, branch := range BranchErrors(e) {
			if found := PropertyError(branch); found != nil {
				return found
			}
		}
		return PropertyError(e.Origin)
	case openapi3.MultiError:
		for _, branch := range e {
			if found := PropertyError(branch); found != nil {
				return found
			}
		}
		return nil
	}
	return PropertyError(errors.Unwrap(err))
}

// BranchErrors returns why each branch of the anyOf that se, an error of
// a request, is about refused its value, where kin-openapi says only that
// none matched (the document's oneOf are checked as anyOf: unionAsAnyOf).
func BranchErrors(se *openapi3.SchemaError) []error {
	if se.SchemaField != "anyOf" || se.Schema == nil {
		return nil
	}
	var errs []error
	for _, b := range se.Schema.AnyOf {
		if b.Value == nil {
			continue
		}
		if err := b.Value.VisitJSON(se.Value, append(slices.Clip(requestSchemaOptions), openapi3.MultiErrors())...); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (g *generator) value(s *openapi3.Schema, name string, depth int) any {
	if s == nil {
		return nil
	}
	if s.Example != nil && valid(s, s.Example) {
		return s.Example
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		branches := append(slices.Clone(s.OneOf), s.AnyOf...)
		var first any
		for i, b := range branches {
			v := g.value(merged(s, b.Value), name, depth+1)
			if i == 0 {
				first = v
			}
			if valid(s, v) {
				return v
			}
		}
		return first
	}
	if len(s.AllOf) > 0 {
		out := map[string]any{}
		if base, ok := g.object(s, depth).(map[string]any); ok {
			maps.Copy(out, base)
		}
		for _, part := range s.AllOf {
			if m, ok := g.value(part.Value, name, depth+1).(map[string]any); ok {
				maps.Copy(out, m)
			}
		}
		return out
	}
	if depth > maxDepth && s.Nullable {
		return nil
	}
	switch {
	case s.Type.Is("object") || (s.Type == nil && len(s.Properties) > 0):
		return g.object(s, depth)
	case s.Type.Is("array"):
		// A required list gets an item even in a minimal request: some
		// operations need one (a required query list cannot be empty).
		n := int(s.MinItems)
		if n == 0 && depth <= maxDepth {
			n = 1
		}
		items := make([]any, 0, n)
		for range n {
			var item *openapi3.Schema
			if s.Items != nil {
				item = s.Items.Value
			}
			items = append(items, g.value(item, name, depth+1))
		}
		return items
	case s.Type.Is("string"):
		return g.str(s, name)
	case s.Type.Is("integer"), s.Type.Is("number"):
		return number(s)
	case s.Type.Is("boolean"):
		return false
	}
	if s.Nullable {
		return nil
	}
	return map[string]any{}
}

// merged folds a oneOf branch into its parent's own keywords (properties
// or required listed beside the oneOf).
func merged(parent, branch *openapi3.Schema) *openapi3.Schema {
	if branch == nil || (len(parent.Properties) == 0 && len(parent.Required) == 0) {
		return branch
	}
	m := *branch
	m.Properties = maps.Clone(branch.Properties)
	if m.Properties == nil {
		m.Properties = openapi3.Schemas{}
	}
	for k, v := range parent.Properties {
		if _, ok := m.Properties[k]; !ok {
			m.Properties[k] = v
		}
	}
	m.Required = append(slices.Clone(branch.Required), parent.Required...)
	if m.Type == nil {
		m.Type = &openapi3.Types{"object"}
	}
	return &m
}

func (g *generator) object(s *openapi3.Schema, depth int) any {
	out := map[string]any{}
	for _, name := range s.Required {
		p := s.Properties[name]
		if p == nil || p.Value == nil {
			out[name] = "x"
			continue
		}
		out[name] = g.value(p.Value, name, depth+1)
	}
	return out
}

// samples satisfy the patterns Seam's document uses; a pattern not here
// falls back to the generic value, and the test of every example shows it.
var samples = map[string]string{
	`^[a-zA-Z_]\w*$`:                        "example_key",
	`^\d+$`:                                 "1",
	`^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$`:  "12:00:00",
	`^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$`: "12:00:00",
}

func (g *generator) str(s *openapi3.Schema, name string) string {
	var v string
	switch s.Format {
	case "uuid":
		if g.minimal {
			u := randomUUID()
			g.uuids[u] = true
			return u
		}
		return nameUUID(name)
	case "date-time":
		v = "2025-01-01T00:00:00.000Z"
	case "date":
		v = "2025-01-01"
	case "email":
		v = "jane@example.com"
	case "uri", "url":
		v = "https://example.com/"
	default:
		// An identifier that is not a UUID (connector_id, climate_preset_key)
		// is sent with valid credentials too: like a UUID, it must name nothing.
		if g.minimal && s.Pattern == "" && (strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_key")) {
			v = randomUUID()
			if s.MinLength <= uint64(len(v)) && (s.MaxLength == nil || *s.MaxLength >= uint64(len(v))) {
				g.uuids[v] = true // fresh in every copy; one cut or lengthened below stays as made
			}
			break
		}
		v = "example"
		if s.Pattern != "" {
			if sample, ok := samples[s.Pattern]; ok {
				v = sample
			} else if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(v) {
				v = "1"
			}
		}
	}
	for uint64(len(v)) < s.MinLength {
		v += v[len(v)-1:] // repeating the last character keeps the patterns above
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	return v
}

func number(s *openapi3.Schema) any {
	v := 1.0
	if s.Min != nil {
		v = *s.Min
		if s.ExclusiveMin.IsTrue() {
			v++
		}
	}
	if s.ExclusiveMin.Value != nil && v <= *s.ExclusiveMin.Value {
		v = *s.ExclusiveMin.Value + 1
	}
	if s.Max != nil && v > *s.Max {
		v = *s.Max
	}
	if s.Type.Is("integer") {
		return float64(int64(v))
	}
	return v
}

// nameUUID derives a version-4-shaped UUID from a name, so answers are
// deterministic yet different fields get different IDs.
func nameUUID(name string) string {
	sum := sha256.Sum256([]byte("seamconform:" + name))
	return UUIDFrom([16]byte(sum[:16]))
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return UUIDFrom(b)
}

// UUIDFrom makes 16 random bytes a version 4 UUID in lower case, without fmt:
// every request and answer of a run needs one.
func UUIDFrom(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

func jsonText(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
