// Package spec is the contract: Seam's whole published OpenAPI document,
// embedded, its operation model (operations, accepted schemes, UUID inputs,
// minimal requests, example answers) and the validation of requests and
// responses against it.
package spec

import (
	_ "embed"
	"fmt"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// embedded is Seam's published document as Prepare leaves it; `make spec`
// refreshes it.
//
//go:embed seam-connect.openapi.json.gz
var embedded []byte

// Operation names one method on one path of the contract.
type Operation struct {
	Method string
	Path   string
}

func (o Operation) String() string { return o.Method + " " + o.Path }

// Operations the hand-written suites and the reference's stateful behaviour
// name often. The contract does not depend on them: every operation of the
// document is in Contract.Operations.
var (
	DeleteIdentity        = Operation{http.MethodPost, "/user_identities/delete"}
	DeleteIdentityByQuery = Operation{http.MethodDelete, "/user_identities/delete"}
	CreateIdentity        = Operation{http.MethodPost, "/user_identities/create"}
	GetIdentity           = Operation{http.MethodPost, "/user_identities/get"}
	ListIdentities        = Operation{http.MethodPost, "/user_identities/list"}
	UpdateIdentity        = Operation{http.MethodPost, "/user_identities/update"}
	GetWorkspace          = Operation{http.MethodPost, "/workspaces/get"}
)

// UUIDPattern is the canonical textual form of a UUID (RFC 9562 section 4):
// 8-4-4-4-12 hex digits, either case. Version and variant bits are not
// checked: Seam's IDs are v4, but the contract only says `format: uuid`, and
// a conformance verdict must not depend on a stricter reading than the
// contract's.
var UUIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s matches UUIDPattern, without a regular
// expression: it runs for every UUID of every request and answer checked.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Contract is a loaded OpenAPI document. It is safe for concurrent use.
type Contract struct {
	doc     *openapi3.T
	source  string
	hash    string
	options openapi3filter.Options // for answers
	// inputOptions are options with the input formats: for requests.
	inputOptions openapi3filter.Options

	// lazy holds the embedded document's paths until each is first asked
	// for: a run that checks a few operations (a worker of a distant run,
	// serve's first answer) does not decode all 522.
	lazy *lazyPaths

	model     sync.Once
	ops       []Described
	listing   sync.Once
	listed    []Listed
	described sync.Map     // Operation -> *Described
	checks    sync.Map     // Operation -> *requestCheck
	fast      fastCompiler // for answers
	fastInput fastCompiler // for requests, with the input formats
	minimals  sync.Map     // Operation -> *minimal
	examples  sync.Map     // exampleKey -> any
}

var loadEmbedded = sync.OnceValues(decodeEmbeddedContract)

// decodeEmbeddedContract loads the embedded document; its paths are decoded
// when first asked for.
func decodeEmbeddedContract() (*Contract, error) {
	data, err := gunzip(embedded)
	if err != nil {
		return nil, fmt.Errorf("embedded spec: %w", err)
	}
	// Not validated here: TestEmbeddedIsValidOpenAPI validates it in CI.
	doc, lazy, err := decodeLazily(data)
	if err != nil {
		return nil, fmt.Errorf("embedded spec: %w", err)
	}
	c := newContract(doc, "embedded")
	c.lazy = lazy
	c.hash, _ = c.doc.Info.Extensions[SourceHashKey].(string)
	c.source = fmt.Sprintf("embedded %s %s, sha256:%s", c.doc.Info.Title, c.doc.Info.Version, c.hash)
	return c, nil
}

// Embedded returns the contract compiled into the binary, loaded once.
func Embedded() (*Contract, error) { return loadEmbedded() }

// EmbeddedDocument returns the embedded document (Prepare's output,
// decompressed).
func EmbeddedDocument() []byte {
	data, err := gunzip(embedded)
	if err != nil {
		panic("embedded spec is not gzip: " + err.Error())
	}
	return data
}

// LoadFile loads and validates a contract from an OpenAPI document, such
// as Seam's published one. Every operation it describes is kept.
func LoadFile(path string) (*Contract, error) {
	// A regular file of a sane size: /dev/zero or a pipe would never end.
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("reading spec: %s is not a regular file", path)
	} else if err == nil && info.Size() > maxSpecFile {
		return nil, fmt.Errorf("reading spec: %s is larger than %d MiB; Seam's document is about 4", path, maxSpecFile>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	// Stripped as `make spec` strips the embedded one, a published document
	// takes the fast decoder; one using more of OpenAPI, kin-openapi's loader.
	var c *Contract
	if stripped, err := strip(data); err == nil {
		if doc, err := decodeEmbedded(stripped); err == nil {
			c = newContract(doc, path)
		}
	}
	if c == nil {
		if c, err = load(data, path); err != nil {
			return nil, err
		}
	}
	if err := c.doc.Validate(openapi3.NewLoader().Context); err != nil {
		return nil, fmt.Errorf("spec %s is not a valid OpenAPI document: %w", path, err)
	}
	if len(c.Operations()) == 0 {
		return nil, fmt.Errorf("spec %s describes no operation", path)
	}
	c.hash = sha256Hex(data)
	return c, nil
}

// maxSpecFile bounds a --spec document.
const maxSpecFile = 256 << 20

func load(data []byte, source string) (*Contract, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", source, err)
	}
	if doc.Paths == nil {
		return nil, fmt.Errorf("spec %s has no paths", source)
	}
	unionsAsAnyOf(doc)
	return newContract(doc, source), nil
}

// unionAsAnyOf makes s's oneOf an anyOf. Seam's document is generated from
// zod, whose unions take the first branch that parses, and its oneOf
// branches overlap: a date-time string is also a string, and an object
// branch that requires nothing takes any object. Seam answers such
// requests, and its SDKs send them; checked as oneOf (exactly one branch),
// they would be violations. A schema with both keeps them as they are.
func unionAsAnyOf(s *openapi3.Schema) {
	if len(s.OneOf) > 0 && len(s.AnyOf) == 0 {
		s.AnyOf, s.OneOf = s.OneOf, nil
	}
}

// unionsAsAnyOf applies unionAsAnyOf to every schema of doc, once, as it
// is loaded (the fast decoder does so to each schema it decodes).
func unionsAsAnyOf(doc *openapi3.T) {
	walk := schemaWalk(unionAsAnyOf)
	if doc.Components != nil {
		for _, s := range doc.Components.Schemas {
			walk(s)
		}
	}
	parameters := func(ps openapi3.Parameters) {
		for _, p := range ps {
			if p.Value != nil {
				walk(p.Value.Schema)
				for _, m := range p.Value.Content {
					walk(m.Schema)
				}
			}
		}
	}
	for _, item := range doc.Paths.Map() {
		parameters(item.Parameters)
		for _, o := range item.Operations() {
			parameters(o.Parameters)
			if o.RequestBody != nil && o.RequestBody.Value != nil {
				for _, m := range o.RequestBody.Value.Content {
					walk(m.Schema)
				}
			}
			for _, r := range o.Responses.Map() {
				if r.Value == nil {
					continue
				}
				for _, m := range r.Value.Content {
					walk(m.Schema)
				}
				for _, h := range r.Value.Headers {
					if h.Value != nil {
						walk(h.Value.Schema)
					}
				}
			}
		}
	}
}

// schemaWalk returns a function that calls visit once for each schema it
// reaches from the schemas it is given, across calls: through the
// combinators, properties, items, not and additionalProperties.
func schemaWalk(visit func(*openapi3.Schema)) (walk func(*openapi3.SchemaRef)) {
	seen := map[*openapi3.Schema]bool{}
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		visit(s)
		for _, branches := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
			for _, b := range branches {
				walk(b)
			}
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.Not)
		walk(s.AdditionalProperties.Schema)
	}
	return walk
}

func newContract(doc *openapi3.T, source string) *Contract {
	openAPI31 := doc.IsOpenAPI31OrLater()
	return &Contract{doc: doc, source: source, options: validationOptions(openAPI31, nil), inputOptions: validationOptions(openAPI31, inputFormats),
		fastInput: fastCompiler{formats: inputFormats}}
}

// Embedded reports whether c is the embedded contract, not a --spec file.
func (c *Contract) Embedded() bool { return strings.HasPrefix(c.source, "embedded ") }

// Source says where the contract was loaded from.
func (c *Contract) Source() string { return c.source }

// Hash is the sha256 (hex) of the document the contract was loaded from;
// for the embedded contract, of Seam's published document it was prepared
// from, so a run on mocks and a run with --spec name the same document alike.
func (c *Contract) Hash() string { return c.hash }

// Documents reports whether the contract describes an answer with this status
// for op.
func (c *Contract) Documents(op Operation, status int) bool {
	o := c.operation(op)
	return o != nil && o.Responses.Status(status) != nil
}

func (c *Contract) operation(op Operation) *openapi3.Operation {
	item := c.pathItem(op.Path)
	if item == nil {
		return nil
	}
	return item.GetOperation(op.Method)
}

// perOperation returns what build makes of op, made once per contract and
// kept in m; nil when the document does not define op.
func perOperation[T any](c *Contract, m *sync.Map, op Operation, build func(Operation, *openapi3.Operation) *T) *T {
	if got, ok := m.Load(op); ok {
		return got.(*T)
	}
	o := c.operation(op)
	if o == nil {
		return nil
	}
	got, _ := m.LoadOrStore(op, build(op, o))
	return got.(*T)
}

// pathItem returns the document's path item for path, decoding it first
// when the contract is lazy; nil when the document has no such path.
func (c *Contract) pathItem(path string) *openapi3.PathItem {
	if c.lazy != nil {
		return c.lazy.item(path)
	}
	return c.doc.Paths.Value(path)
}

// paths returns the document's paths, sorted.
func (c *Contract) paths() []string {
	if c.lazy != nil {
		return slices.Sorted(maps.Keys(c.lazy.raw))
	}
	return slices.Sorted(slices.Values(c.doc.Paths.Keys()))
}
