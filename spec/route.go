package spec

import (
	"net/http"
	"slices"
	"strings"
)

// Route returns the operation of the contract that req is for. When there is
// none, allowed lists the methods the request's path accepts: empty when
// the contract does not know the path at all.
func (c *Contract) Route(req *http.Request) (op Operation, allowed []string, ok bool) {
	// Seam's paths have no templates, so an exact match is the route.
	item := c.doc.Paths.Value(req.URL.Path)
	if item == nil {
		return Operation{}, nil, false
	}
	for method := range item.Operations() {
		if method == req.Method {
			return Operation{Method: method, Path: req.URL.Path}, nil, true
		}
		allowed = append(allowed, method)
	}
	slices.Sort(allowed)
	return Operation{}, allowed, false
}

// QueryNames returns the query parameters op declares.
func (c *Contract) QueryNames(op Operation) []string {
	o := c.operation(op)
	if o == nil {
		return nil
	}
	var names []string
	for _, p := range o.Parameters {
		if p.Value != nil && strings.EqualFold(p.Value.In, "query") {
			names = append(names, p.Value.Name)
		}
	}
	return names
}
