package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// decodeEmbedded builds the kin-openapi model of the embedded document
// without kin-openapi's loader, which decodes through YAML and needs most of
// a second for this document. It reads the prepared document with
// encoding/json and converts the parts Seam's document uses, every $ref
// pointing at the one shared component (as the loader resolves it).
// TestFastLoadMatchesLoader proves the model equals the loader's; an
// unexpected keyword is an error, never silently dropped, so a newer
// document that uses more of OpenAPI fails `make spec`'s test rather than
// validating less.
func decodeEmbedded(data []byte) (*openapi3.T, error) {
	v, err := DecodeJSON(data)
	if err != nil {
		return nil, err
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return nil, errNotObject
	}
	d := &decoder{schemas: openapi3.Schemas{}}
	doc := d.document(raw)
	if d.err != nil {
		return nil, d.err
	}
	return doc, nil
}

type decoder struct {
	schemas openapi3.Schemas // the components, allocated before any $ref to them
	// components, when set, holds the components not yet decoded: each is
	// decoded at its first $ref (lazyPaths).
	components *lazyComponents
	err        error
	path       []string
}

// lazyComponents are the document's schemas as JSON values, decoded into
// their allocated place at the first $ref to them.
type lazyComponents struct {
	raw     map[string]any
	decoded map[string]bool
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: %s", strings.Join(d.path, "/"), fmt.Sprintf(format, args...))
	}
}

func (d *decoder) at(key string) func() {
	d.path = append(d.path, key)
	return func() { d.path = d.path[:len(d.path)-1] }
}

func (d *decoder) known(m map[string]any, keys ...string) {
	for k := range m {
		if !slices.Contains(keys, k) {
			d.fail("keyword %q is not modelled by the fast loader", k)
		}
	}
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func str(v any) string         { s, _ := v.(string); return s }

func strs(v any) []string {
	var out []string
	for _, s := range asList(v) {
		out = append(out, str(s))
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

func (d *decoder) document(raw map[string]any) *openapi3.T {
	d.known(raw, "openapi", "info", "servers", "tags", "paths", "components")
	doc := &openapi3.T{OpenAPI: str(raw["openapi"]), Paths: openapi3.NewPaths()}
	info := obj(raw["info"])
	doc.Info = &openapi3.Info{Title: str(info["title"]), Version: str(info["version"]), Extensions: map[string]any{}}
	for k, v := range info {
		if strings.HasPrefix(k, "x-") {
			doc.Info.Extensions[k] = v
		}
	}
	for _, s := range asList(raw["servers"]) {
		doc.Servers = append(doc.Servers, &openapi3.Server{URL: str(obj(s)["url"])})
	}
	for _, t := range asList(raw["tags"]) {
		doc.Tags = append(doc.Tags, &openapi3.Tag{Name: str(obj(t)["name"])})
	}

	components := obj(raw["components"])
	d.known(components, "schemas", "securitySchemes")
	rawSchemas := obj(components["schemas"])
	for name := range rawSchemas {
		d.schemas[name] = &openapi3.SchemaRef{Value: &openapi3.Schema{}}
	}
	if d.components != nil {
		d.components.raw, d.components.decoded = rawSchemas, map[string]bool{}
	} else {
		for name := range rawSchemas {
			d.component(name, rawSchemas)
		}
	}
	doc.Components = &openapi3.Components{Schemas: d.schemas, SecuritySchemes: openapi3.SecuritySchemes{}}
	for name, s := range obj(components["securitySchemes"]) {
		m := obj(s)
		d.known(m, "type", "scheme", "bearerFormat", "in", "name")
		doc.Components.SecuritySchemes[name] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{
			Type: str(m["type"]), Scheme: str(m["scheme"]), BearerFormat: str(m["bearerFormat"]), In: str(m["in"]), Name: str(m["name"]),
		}}
	}

	for path, item := range obj(raw["paths"]) {
		doc.Paths.Set(path, d.pathItem(path, obj(item)))
	}
	return doc
}

// need decodes a component schema at its first use, when the components
// are decoded lazily.
func (d *decoder) need(name string) {
	if d.components != nil && !d.components.decoded[name] {
		d.components.decoded[name] = true // before decoding it: a schema may refer to itself
		d.component(name, d.components.raw)
	}
}

// component decodes a component schema into the place allocated for it.
func (d *decoder) component(name string, raw map[string]any) {
	defer d.at("components/schemas/" + name)()
	v := raw[name]
	if text, ok := v.(json.RawMessage); ok { // decodeLazily's: JSON until needed
		var err error
		if v, err = DecodeJSON(text); err != nil {
			d.fail("%v", err)
		}
	}
	*d.schemas[name].Value = *d.schema(obj(v)).Value
}

func (d *decoder) pathItem(path string, item map[string]any) *openapi3.PathItem {
	defer d.at(path)()
	pi := &openapi3.PathItem{}
	for method, o := range item {
		op := d.operation(obj(o))
		switch method {
		case "get":
			pi.Get = op
		case "post":
			pi.Post = op
		case "put":
			pi.Put = op
		case "patch":
			pi.Patch = op
		case "delete":
			pi.Delete = op
		default:
			d.fail("path item keyword %q", method)
		}
	}
	return pi
}

// decodeLazily is decodeEmbedded leaving the paths to be decoded one by one
// when first asked for (lazyPaths). The embedded document is known to
// decode (TestFastLoadMatchesLoader decodes every path of it); a published
// document given with --spec is decoded whole, so that its errors show at
// once.
func decodeLazily(data []byte) (*openapi3.T, *lazyPaths, error) {
	// The document is only scanned for where each part ends (members):
	// what is decoded here is the small top and the components but their
	// schemas; each path and schema is decoded when first asked for.
	raw := map[string]any{"openapi": nil, "info": nil, "servers": nil, "tags": nil, "components": nil}
	paths := map[string]json.RawMessage{}
	var err error
	if scanned := members(data, func(k, value []byte) {
		key := string(k)
		switch _, top := raw[key]; {
		case err != nil:
		case key == "paths":
			err = members(value, func(path, item []byte) { paths[string(path)] = item })
		case key == "components":
			raw[key], err = lazyComponentsOf(value)
		case top:
			raw[key], err = DecodeJSON(value)
		}
	}); scanned != nil || err != nil {
		return nil, nil, errors.Join(scanned, err)
	}
	lazy := &lazyPaths{raw: paths}
	d := &decoder{schemas: openapi3.Schemas{}, components: &lazyComponents{}}
	doc := d.document(raw)
	if d.err != nil {
		return nil, nil, d.err
	}
	lazy.schemas, lazy.components = d.schemas, d.components
	return doc, lazy, nil
}

// lazyComponentsOf decodes the components but their schemas, which stay
// JSON until one is needed (decoder.component): a process that checks a few
// operations needs a few of the hundreds.
func lazyComponentsOf(text []byte) (map[string]any, error) {
	components := map[string]any{}
	var err error
	scanned := members(text, func(key, value []byte) {
		if err != nil {
			return
		}
		if string(key) != "schemas" {
			components[string(key)], err = DecodeJSON(value)
			return
		}
		schemas := map[string]any{}
		err = members(value, func(name, schema []byte) { schemas[string(name)] = json.RawMessage(schema) })
		components["schemas"] = schemas
	})
	return components, errors.Join(scanned, err)
}

// lazyPaths are the paths of a document, each decoded the first time it is
// asked for, with the components it refers to. Safe for concurrent use: one
// path is decoded at a time, and a path item is published (items) only
// once every schema it reaches is decoded, so readers never see one being
// written.
type lazyPaths struct {
	raw        map[string]json.RawMessage
	schemas    openapi3.Schemas // the components, allocated
	mu         sync.Mutex       // held while a path and its components are decoded
	components *lazyComponents
	items      sync.Map // path -> *openapi3.PathItem
}

// rawOf returns a path's JSON; false for a contract that is not lazy.
func (l *lazyPaths) rawOf(path string) (json.RawMessage, bool) {
	if l == nil {
		return nil, false
	}
	raw, ok := l.raw[path]
	return raw, ok
}

func (l *lazyPaths) item(path string) *openapi3.PathItem {
	if v, ok := l.items.Load(path); ok {
		return v.(*openapi3.PathItem)
	}
	raw, ok := l.raw[path]
	if !ok {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if v, ok := l.items.Load(path); ok {
		return v.(*openapi3.PathItem)
	}
	d := &decoder{schemas: l.schemas, components: l.components}
	v, err := DecodeJSON(raw)
	if err != nil {
		d.fail("%v", err)
	}
	item := d.pathItem(path, obj(v))
	if d.err != nil {
		panic("embedded spec: " + d.err.Error()) // a build-time asset: TestFastLoadMatchesLoader decodes every path
	}
	l.items.Store(path, item)
	return item
}

func (d *decoder) operation(m map[string]any) *openapi3.Operation {
	d.known(m, "operationId", "summary", "tags", "parameters", "requestBody", "responses", "security", "deprecated")
	op := &openapi3.Operation{OperationID: str(m["operationId"]), Summary: str(m["summary"]), Tags: strs(m["tags"])}
	op.Deprecated, _ = m["deprecated"].(bool)
	for _, p := range asList(m["parameters"]) {
		pm := obj(p)
		d.known(pm, "in", "name", "required", "schema")
		param := &openapi3.Parameter{In: str(pm["in"]), Name: str(pm["name"]), Schema: d.schema(obj(pm["schema"]))}
		param.Required, _ = pm["required"].(bool)
		op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: param})
	}
	if rb := obj(m["requestBody"]); rb != nil {
		d.known(rb, "content", "required")
		body := &openapi3.RequestBody{Content: d.content(obj(rb["content"]))}
		body.Required, _ = rb["required"].(bool)
		op.RequestBody = &openapi3.RequestBodyRef{Value: body}
	}
	op.Responses = openapi3.NewResponses()
	for code, r := range obj(m["responses"]) {
		rm := obj(r)
		d.known(rm, "description", "content")
		desc := str(rm["description"])
		resp := &openapi3.Response{Description: &desc}
		if c := obj(rm["content"]); c != nil {
			resp.Content = d.content(c)
		}
		op.Responses.Set(code, &openapi3.ResponseRef{Value: resp})
	}
	if sec, ok := m["security"].([]any); ok {
		reqs := openapi3.SecurityRequirements{}
		for _, r := range sec {
			req := openapi3.SecurityRequirement{}
			for name, scopes := range obj(r) {
				req[name] = append([]string{}, strs(scopes)...)
			}
			reqs = append(reqs, req)
		}
		op.Security = &reqs
	}
	return op
}

func (d *decoder) content(m map[string]any) openapi3.Content {
	out := openapi3.Content{}
	for mime, media := range m {
		mm := obj(media)
		d.known(mm, "schema")
		out[mime] = &openapi3.MediaType{Schema: d.schema(obj(mm["schema"]))}
	}
	return out
}

var schemaKeywords = []string{"$ref", "type", "format", "properties", "required", "items", "additionalProperties",
	"enum", "nullable", "oneOf", "allOf", "anyOf", "discriminator", "default", "example", "deprecated",
	"minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "title", "description"}

func (d *decoder) schema(m map[string]any) *openapi3.SchemaRef {
	if m == nil {
		return nil
	}
	d.known(m, schemaKeywords...)
	if ref := str(m["$ref"]); ref != "" {
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		target := d.schemas[name]
		if !ok || target == nil {
			d.fail("unresolvable $ref %q", ref)
			return &openapi3.SchemaRef{Ref: ref, Value: &openapi3.Schema{}}
		}
		d.need(name)
		return &openapi3.SchemaRef{Ref: ref, Value: target.Value}
	}
	s := &openapi3.Schema{
		Format:      str(m["format"]),
		Required:    strs(m["required"]),
		Pattern:     str(m["pattern"]),
		Title:       str(m["title"]),
		Description: str(m["description"]),
		Default:     m["default"],
		Example:     m["example"],
		Enum:        asList(m["enum"]),
	}
	if t, ok := m["type"].(string); ok {
		s.Type = &openapi3.Types{t}
	}
	s.Nullable, _ = m["nullable"].(bool)
	s.Deprecated, _ = m["deprecated"].(bool)
	if props := obj(m["properties"]); props != nil {
		s.Properties = openapi3.Schemas{}
		for name, p := range props {
			s.Properties[name] = d.schema(obj(p))
		}
	}
	s.Items = d.schema(obj(m["items"]))
	switch ap := m["additionalProperties"].(type) {
	case bool:
		s.AdditionalProperties.Has = &ap
	case map[string]any:
		s.AdditionalProperties.Schema = d.schema(ap)
	}
	for key, dst := range map[string]*openapi3.SchemaRefs{"oneOf": &s.OneOf, "allOf": &s.AllOf, "anyOf": &s.AnyOf} {
		for _, b := range asList(m[key]) {
			*dst = append(*dst, d.schema(obj(b)))
		}
	}
	unionAsAnyOf(s)
	if disc := obj(m["discriminator"]); disc != nil {
		d.known(disc, "propertyName")
		s.Discriminator = &openapi3.Discriminator{PropertyName: str(disc["propertyName"])}
	}
	s.MinLength = uintOf(m["minLength"])
	s.MinItems = uintOf(m["minItems"])
	if v, ok := m["maxLength"].(float64); ok {
		n := uint64(v)
		s.MaxLength = &n
	}
	if v, ok := m["maxItems"].(float64); ok {
		n := uint64(v)
		s.MaxItems = &n
	}
	if v, ok := m["minimum"].(float64); ok {
		s.Min = &v
	}
	if v, ok := m["maximum"].(float64); ok {
		s.Max = &v
	}
	if v, ok := m["exclusiveMinimum"].(bool); ok {
		s.ExclusiveMin.Bool = &v
	}
	if v, ok := m["exclusiveMaximum"].(bool); ok {
		s.ExclusiveMax.Bool = &v
	}
	return &openapi3.SchemaRef{Value: s}
}

func uintOf(v any) uint64 {
	f, _ := v.(float64)
	return uint64(f)
}
