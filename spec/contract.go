// Package spec is the contract: the embedded part of Seam's published OpenAPI
// document that the suites use, its loading, and the validation of requests
// and responses against it.
package spec

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

//go:embed seam-connect.json
var embedded []byte

// Operation names one method on one path of the contract.
type Operation struct {
	Method string
	Path   string
}

func (o Operation) String() string { return o.Method + " " + o.Path }

// The operations the suites call.
var (
	DeleteIdentity        = Operation{http.MethodPost, "/user_identities/delete"}
	DeleteIdentityByQuery = Operation{http.MethodDelete, "/user_identities/delete"}
	CreateIdentity        = Operation{http.MethodPost, "/user_identities/create"}
	GetIdentity           = Operation{http.MethodPost, "/user_identities/get"}
	GetWorkspace          = Operation{http.MethodPost, "/workspaces/get"}
)

// Operations lists every operation a loaded contract must define.
var Operations = []Operation{DeleteIdentity, DeleteIdentityByQuery, CreateIdentity, GetIdentity, GetWorkspace}

// UUIDPattern is the canonical textual form of a UUID (RFC 9562 section 4):
// 8-4-4-4-12 hex digits, either case. Version and variant bits are not
// checked: Seam's IDs are v4, but the contract only says `format: uuid`, and
// a conformance verdict must not depend on a stricter reading than the
// contract's.
var UUIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Contract is a loaded, validated OpenAPI document holding every operation in
// Operations.
type Contract struct {
	doc     *openapi3.T
	source  string
	options openapi3filter.Options
}

var loadEmbedded = sync.OnceValues(func() (*Contract, error) {
	c, err := load(embedded, "embedded")
	if err != nil {
		return nil, err
	}
	c.source = fmt.Sprintf("embedded %s %s, %v", c.doc.Info.Title, c.doc.Info.Version, c.doc.Info.Extensions["x-seamconform-extracted-from"])
	return c, nil
})

// Embedded returns the contract compiled into the binary.
func Embedded() (*Contract, error) { return loadEmbedded() }

// EmbeddedDocument returns the embedded document's bytes.
func EmbeddedDocument() []byte { return bytes.Clone(embedded) }

// LoadFile loads a contract from a file holding either Seam's whole published
// document (the operations are extracted from it) or an extract of it.
func LoadFile(path string) (*Contract, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	extract, err := Extract(data)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", path, err)
	}
	return load(extract, path)
}

func load(data []byte, source string) (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", source, err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("spec %s is not a valid OpenAPI document: %w", source, err)
	}
	c := &Contract{doc: doc, source: source, options: validationOptions()}
	for _, op := range Operations {
		if c.operation(op) == nil {
			return nil, fmt.Errorf("spec %s does not define %s", source, op)
		}
	}
	return c, nil
}

// Source says where the contract was loaded from.
func (c *Contract) Source() string { return c.source }

// Documents reports whether the contract describes an answer with this status
// for op.
func (c *Contract) Documents(op Operation, status int) bool {
	o := c.operation(op)
	return o != nil && o.Responses.Status(status) != nil
}

func (c *Contract) operation(op Operation) *openapi3.Operation {
	item := c.doc.Paths.Find(op.Path)
	if item == nil {
		return nil
	}
	return item.GetOperation(op.Method)
}
