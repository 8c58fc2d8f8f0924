package spec

import (
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Route returns the operation of the contract that req is for. When there is
// none, allowed lists the methods the request's path accepts: empty when
// the contract does not know the path at all.
func (c *Contract) Route(req *http.Request) (op Operation, allowed []string, ok bool) {
	// Seam's paths have no templates, so an exact match is the route.
	item := c.pathItem(req.URL.Path)
	if item == nil {
		return Operation{}, nil, false
	}
	if item.GetOperation(req.Method) != nil { // Operations builds a map: not on every request
		return Operation{Method: req.Method, Path: req.URL.Path}, nil, true
	}
	for method := range item.Operations() {
		allowed = append(allowed, method)
	}
	slices.Sort(allowed)
	return Operation{}, allowed, false
}

// ObjectQuery reports whether op's query parameter name is an object,
// whose properties Seam's SDKs send as name.property=value.
func (c *Contract) ObjectQuery(op Operation, name string) bool {
	check := c.requestCheck(op)
	return check != nil && check.queryKinds[name] == "object"
}

// HasPath reports whether the document defines path, for any method.
func (c *Contract) HasPath(path string) bool { return c.pathItem(path) != nil }

// InputNames returns the query parameters op declares and the top-level
// properties of its JSON request body, in any of its oneOf, anyOf or allOf
// branches, worked out once (callers must not modify them).
func (c *Contract) InputNames(op Operation) (query, body []string) {
	if check := c.requestCheck(op); check != nil {
		return check.queryNames, check.bodyNames
	}
	return nil, nil
}

func queryNames(o *openapi3.Operation) []string {
	var names []string
	for _, p := range o.Parameters {
		if p.Value != nil && strings.EqualFold(p.Value.In, "query") {
			names = append(names, p.Value.Name)
		}
	}
	return names
}

func bodyNames(o *openapi3.Operation) []string {
	if o.RequestBody == nil || o.RequestBody.Value == nil {
		return nil
	}
	media := o.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil
	}
	var names []string
	var walk func(s *openapi3.SchemaRef)
	walk = func(s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil {
			return
		}
		for name := range s.Value.Properties {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		for _, branches := range []openapi3.SchemaRefs{s.Value.OneOf, s.Value.AnyOf, s.Value.AllOf} {
			for _, b := range branches {
				walk(b)
			}
		}
	}
	walk(media.Schema)
	slices.Sort(names)
	return names
}
