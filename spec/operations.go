package spec

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Location is where a request input travels.
type Location string

const (
	InBody  Location = "body"
	InQuery Location = "query"
	InPath  Location = "path"
)

// Input is one named request input.
type Input struct {
	Name     string
	In       Location
	Required bool
	Array    bool // the input is a list whose items are UUIDs
}

// Listed names an operation as a selection needs it, read without
// decoding the operation.
type Listed struct {
	Operation
	ID   string   // operationId
	Tags []string // the document's tags, such as "/devices"
}

// Described is an operation with what suites and the reference need to know
// about it, read from the document.
type Described struct {
	Listed
	Schemes []string // accepted security schemes, document order; none: no security
	UUIDs   []Input  // inputs with format uuid: top-level body properties and query parameters
	Body    bool     // the operation takes a JSON request body
}

// Accepts reports whether the operation accepts credentials of scheme.
func (d Described) Accepts(scheme string) bool { return slices.Contains(d.Schemes, scheme) }

var methodOrder = []string{http.MethodDelete, http.MethodGet, http.MethodPatch, http.MethodPost, http.MethodPut}

// Operations returns every operation of the document, sorted by path then
// method.
func (c *Contract) Operations() []Described {
	c.model.Do(func() {
		for _, l := range c.List() {
			d, _ := c.Describe(l.Operation)
			c.ops = append(c.ops, d)
		}
	})
	return slices.Clone(c.ops)
}

// List returns every operation of the document with its operationId and
// tags, sorted by path then method: cheaper than Operations, as nothing
// else of an operation is read.
func (c *Contract) List() []Listed {
	c.listing.Do(func() {
		for _, path := range c.paths() {
			methods := c.listedMethods(path)
			for _, method := range methodOrder {
				if m, ok := methods[method]; ok {
					c.listed = append(c.listed, Listed{Operation{method, path}, m.ID, slices.Clone(m.Tags)})
				}
			}
		}
	})
	return slices.Clone(c.listed)
}

// listedMethod is what List reads of an operation.
type listedMethod struct {
	ID   string   `json:"operationId"`
	Tags []string `json:"tags"`
}

// listedMethods reads a path's operations by method ("POST"): from the
// path's JSON while it is not decoded.
func (c *Contract) listedMethods(path string) map[string]listedMethod {
	out := map[string]listedMethod{}
	if raw, lazy := c.lazy.rawOf(path); lazy {
		// Only the operationId and tags of each method are read; the
		// decoder proper reads the rest (TestFastLoadMatchesLoader).
		_ = members(raw, func(key, value []byte) {
			var m listedMethod
			_ = members(value, func(field, v []byte) {
				switch string(field) {
				case "operationId":
					_ = json.Unmarshal(v, &m.ID)
				case "tags":
					_ = json.Unmarshal(v, &m.Tags)
				}
			})
			out[strings.ToUpper(string(key))] = m
		})
		return out
	}
	for method, o := range c.pathItem(path).Operations() {
		out[method] = listedMethod{o.OperationID, o.Tags}
	}
	return out
}

// Describe returns the model of one operation, false when the document
// does not define it. Each is computed once per contract.
func (c *Contract) Describe(op Operation) (Described, bool) {
	d := perOperation(c, &c.described, op, describe)
	if d == nil {
		return Described{}, false
	}
	return *d, true
}

func describe(op Operation, o *openapi3.Operation) *Described {
	d := &Described{Listed: Listed{Operation: op, ID: o.OperationID, Tags: slices.Clone(o.Tags)}}
	if o.Security != nil {
		for _, req := range *o.Security {
			for _, name := range slices.Sorted(maps.Keys(req)) {
				if !slices.Contains(d.Schemes, name) {
					d.Schemes = append(d.Schemes, name)
				}
			}
		}
	}
	for _, p := range o.Parameters {
		if p.Value == nil || p.Value.Schema == nil {
			continue
		}
		if isUUID, array := uuidSchema(p.Value.Schema.Value); isUUID {
			d.UUIDs = append(d.UUIDs, Input{Name: p.Value.Name, In: Location(p.Value.In), Required: p.Value.Required, Array: array})
		}
	}
	if s := bodySchema(o); s != nil {
		d.Body = true
		props, required := topLevel(s)
		for _, name := range slices.Sorted(maps.Keys(props)) {
			if isUUID, array := uuidSchema(props[name]); isUUID {
				d.UUIDs = append(d.UUIDs, Input{Name: name, In: InBody, Required: required[name], Array: array})
			}
		}
	}
	return d
}

// bodySchema returns the JSON request body's schema, or nil.
func bodySchema(o *openapi3.Operation) *openapi3.Schema {
	if o.RequestBody == nil || o.RequestBody.Value == nil {
		return nil
	}
	media := o.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil
	}
	if media.Schema.Value == nil {
		return &openapi3.Schema{}
	}
	return media.Schema.Value
}

// topLevel returns the properties a body may have at its top level, and
// which of them every valid body has: a property is required when the
// schema, any allOf part, or every oneOf/anyOf branch requires it.
func topLevel(s *openapi3.Schema) (map[string]*openapi3.Schema, map[string]bool) {
	props := map[string]*openapi3.Schema{}
	required := map[string]bool{}
	for name, p := range s.Properties {
		if p.Value != nil {
			props[name] = p.Value
		}
	}
	for _, name := range s.Required {
		required[name] = true
	}
	for _, part := range s.AllOf {
		if part.Value == nil {
			continue
		}
		pp, pr := topLevel(part.Value)
		for k, v := range pp {
			props[k] = cmpOr(props[k], v)
		}
		for k := range pr {
			required[k] = true
		}
	}
	for _, branches := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf} {
		var every map[string]bool
		for _, b := range branches {
			if b.Value == nil {
				continue
			}
			bp, br := topLevel(b.Value)
			for k, v := range bp {
				props[k] = cmpOr(props[k], v)
			}
			if every == nil {
				every = br
				continue
			}
			for k := range every {
				if !br[k] {
					delete(every, k)
				}
			}
		}
		for k := range every {
			required[k] = true
		}
	}
	return props, required
}

func cmpOr(a, b *openapi3.Schema) *openapi3.Schema {
	if a != nil {
		return a
	}
	return b
}

// uuidSchema reports whether s is a UUID string, or a list of them.
func uuidSchema(s *openapi3.Schema) (isUUID, array bool) {
	if s == nil {
		return false, false
	}
	if s.Format == "uuid" {
		return true, false
	}
	if s.Type.Is("array") && s.Items != nil && s.Items.Value != nil && s.Items.Value.Format == "uuid" {
		return true, true
	}
	return false, false
}

// MinimalRequest returns the fewest inputs that satisfy op's request
// schema: required body properties (for oneOf, the first branch; nested
// objects likewise) and required query parameters. UUIDs are fresh random
// ones, every other value is deterministic. body is nil when op takes no
// body, and empty (not nil) when it takes one with nothing required.
func (c *Contract) MinimalRequest(op Operation) (body map[string]any, query url.Values) {
	t := c.minimalTemplate(op)
	if t == nil {
		return nil, nil
	}
	fresh := map[string]string{}
	if t.body != nil {
		body = t.freshCopy(t.body, fresh).(map[string]any)
	}
	query = url.Values{}
	for name, values := range t.query {
		for _, v := range values {
			query.Add(name, t.freshCopy(v, fresh).(string))
		}
	}
	return body, query
}

// minimal is an operation's minimal request, generated once: each call of
// MinimalRequest copies it with new random UUIDs in place of the ones it
// was generated with, as generating it again (picking oneOf branches by
// validating them) was a twentieth of a mock run.
type minimal struct {
	body  map[string]any
	query url.Values
	uuids map[string]bool // the random UUIDs generated into it
}

func (c *Contract) minimalTemplate(op Operation) *minimal {
	return perOperation(c, &c.minimals, op, newMinimal)
}

func newMinimal(_ Operation, o *openapi3.Operation) *minimal {
	g := &generator{minimal: true, uuids: map[string]bool{}}
	t := &minimal{query: url.Values{}, uuids: g.uuids}
	for _, p := range o.Parameters {
		if p.Value == nil || !p.Value.Required || p.Value.Schema == nil {
			continue
		}
		switch v := g.value(p.Value.Schema.Value, p.Value.Name, 0).(type) {
		case []any:
			for _, item := range v {
				t.query.Add(p.Value.Name, queryText(item))
			}
		default:
			t.query.Set(p.Value.Name, queryText(v))
		}
	}
	if s := bodySchema(o); s != nil {
		t.body, _ = g.value(s, "", 0).(map[string]any)
		if t.body == nil {
			t.body = map[string]any{}
		}
	}
	return t
}

// freshCopy copies v deeply, each of the template's random UUIDs replaced
// by a new one (the same new one wherever it appears).
func (t *minimal) freshCopy(v any, fresh map[string]string) any {
	return copyJSON(v, func(leaf any) any {
		u, isString := leaf.(string)
		if !isString || !t.uuids[u] {
			return leaf
		}
		if _, ok := fresh[u]; !ok {
			fresh[u] = randomUUID()
		}
		return fresh[u]
	})
}

func queryText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	}
	text := strings.TrimSpace(jsonText(v))
	return strings.Trim(text, `"`)
}
