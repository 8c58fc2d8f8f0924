package spec

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// A fastSchema says what kin-openapi's validation says of a decoded JSON
// value, accepted or refused, quickly, and never why: a refusal that must
// be explained goes to kin-openapi, whose errors are the evidence.
// kin-openapi's interpreter cost more than the reference's handler, and
// most values are accepted. A schema using a keyword this does not model is
// not compiled, and its values all go to kin-openapi.
//
// It follows kin-openapi's visitJSON step for step, for the keywords it
// models: null and nullable, oneOf or anyOf (with its discriminator) and
// allOf, enum, then the checks of the value's type. As kin-openapi does
// when it checks a request, it writes each missing property's default into
// the value before checking it (a required property with a default may be
// left out), on a copy inside a union's branch. Differential tests and
// FuzzFastBody hold the two to the same verdict, both ways.
type fastSchema struct {
	bad bool // uses a keyword not modelled

	types    uint8 // permitted, a bit per typeBits entry; all when the schema has no type
	nullable bool
	empty    bool // kin-openapi's IsEmpty: anything but null
	enum     []any

	// strings
	minLength int64
	maxLength *int64
	pattern   *openapi3.Schema // kin-openapi's own matcher, compiled once by it
	uuid      bool
	format    openapi3.StringFormatValidator

	// numbers
	numberFormat openapi3.NumberFormatValidator
	min, max     *float64
	exclusiveMin *float64 // the bound a value must exceed
	exclusiveMax *float64

	// arrays
	minItems int64
	maxItems *int64
	items    *fastSchema

	// objects
	properties   map[string]*fastSchema
	defaults     []fastDefault
	required     []string
	noAdditional bool
	additional   *fastSchema

	union         []fastBranch // oneOf's or anyOf's branches
	anyOf         bool         // the first branch that accepts is taken
	discriminated bool
	discriminator string
	mapping       map[string]string // value → the $ref kin-openapi selects
	allOf         []*fastSchema

	injects bool // it or a schema under it writes a default into the value
	// done: every schema it reaches is compiled, none bad, injects worked out
	done bool
}

type fastDefault struct {
	name  string
	value any
}

type fastBranch struct {
	ref    string
	schema *fastSchema
}

// unmodelled reports whether s uses a keyword fastSchema does not model.
// (TestUnmodelledNamesEveryOtherKeyword holds it to kin-openapi's own list
// of a schema's keywords, for every schema of the contract.)
func unmodelled(s *openapi3.Schema) bool {
	return s.Always != nil || len(s.AnyOf) > 0 && len(s.OneOf) > 0 || s.Not != nil || s.UniqueItems || s.ReadOnly || s.WriteOnly ||
		s.MultipleOf != nil || s.MinProps != 0 || s.MaxProps != nil || s.Const != nil ||
		len(s.PrefixItems) > 0 || s.Contains != nil || s.MinContains != nil || s.MaxContains != nil ||
		len(s.PatternProperties) > 0 || len(s.DependentSchemas) > 0 || s.PropertyNames != nil ||
		s.UnevaluatedItems != (openapi3.BoolSchema{}) || s.UnevaluatedProperties != (openapi3.BoolSchema{}) ||
		s.If != nil || s.Then != nil || s.Else != nil || len(s.DependentRequired) > 0 || len(s.Defs) > 0 ||
		s.SchemaDialect != "" || s.SchemaID != "" || s.Anchor != "" || s.DynamicRef != "" || s.DynamicAnchor != "" ||
		s.ContentMediaType != "" || s.ContentEncoding != "" || s.ContentSchema != nil
}

// fastCompiler compiles each schema once; schemas are shared between
// operations.
type fastCompiler struct {
	formats  map[string]openapi3.StringFormatValidator // besides kin-openapi's
	mu       sync.Mutex
	compiled map[*openapi3.Schema]*fastSchema
}

// compile returns the fastSchema of ref, or nil when any schema it reaches
// uses a keyword not modelled.
func (fc *fastCompiler) compile(ref *openapi3.SchemaRef) *fastSchema {
	if ref == nil || ref.Value == nil {
		return nil
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.compiled == nil {
		fc.compiled = map[*openapi3.Schema]*fastSchema{}
	}
	root := fc.schema(ref.Value, nil)
	reached := map[*fastSchema]bool{}
	if !walkFast(root, reached) {
		return nil
	}
	// A default written anywhere under a oneOf branch must not reach the
	// other branches: mark every schema that may write one.
	for changed := true; changed; {
		changed = false
		for f := range reached {
			if !f.injects && f.childInjects() {
				f.injects, changed = true, true
			}
		}
	}
	for f := range reached {
		f.done = true
	}
	return root
}

// walkFast collects the schemas reachable from f not yet done; false if one
// is bad.
func walkFast(f *fastSchema, reached map[*fastSchema]bool) bool {
	if f == nil || f.done || reached[f] {
		return true
	}
	reached[f] = true
	if f.bad {
		return false
	}
	for _, c := range f.children() {
		if !walkFast(c, reached) {
			return false
		}
	}
	return true
}

func (f *fastSchema) childInjects() bool {
	return len(f.defaults) > 0 || slices.ContainsFunc(f.children(), func(c *fastSchema) bool { return c.injects })
}

// children are the schemas f applies to its value or to values in it.
func (f *fastSchema) children() []*fastSchema {
	var out []*fastSchema
	for _, c := range []*fastSchema{f.items, f.additional} {
		if c != nil {
			out = append(out, c)
		}
	}
	for _, p := range f.properties {
		out = append(out, p)
	}
	for _, b := range f.union {
		out = append(out, b.schema)
	}
	return append(out, f.allOf...)
}

var badFast = &fastSchema{bad: true}

// schema compiles s. sameValue are the schemas being compiled for the value
// s checks (through oneOf and allOf): kin-openapi accepts a schema met again
// there without checking it, which this does not model.
func (fc *fastCompiler) schema(s *openapi3.Schema, sameValue []*openapi3.Schema) *fastSchema {
	for _, seen := range sameValue {
		if seen == s {
			return badFast
		}
	}
	if f, ok := fc.compiled[s]; ok {
		return f
	}
	f := &fastSchema{}
	fc.compiled[s] = f // before its children: a schema may contain itself
	if unmodelled(s) {
		f.bad = true
		return f
	}
	// A schema of a value inside s's starts a chain of its own; oneOf and
	// allOf check the same value as s.
	sub := func(ref *openapi3.SchemaRef, sameValue []*openapi3.Schema) *fastSchema {
		if ref == nil || ref.Value == nil {
			return badFast
		}
		return fc.schema(ref.Value, sameValue)
	}
	sameValue = append(sameValue, s)

	f.types = typeMask(s.Type)
	f.nullable = s.Nullable || s.Type.IncludesNull()
	f.empty = s.IsEmpty()
	f.enum = s.Enum

	f.minLength, f.maxLength = int64(s.MinLength), toInt64(s.MaxLength)
	if s.Pattern != "" {
		f.pattern = &openapi3.Schema{Pattern: s.Pattern}
	}

	if s.Format != "" {
		switch {
		case s.Format == "uuid":
			f.uuid = true // the validator the contract registers: IsUUID
		default:
			f.format = cmp.Or(fc.formats[s.Format], openapi3.SchemaStringFormats[s.Format])
		}
		if f.integerOnly() {
			if _, checked := openapi3.SchemaIntegerFormats[s.Format]; checked {
				f.bad = true
			}
		} else {
			f.numberFormat = openapi3.SchemaNumberFormats[s.Format]
		}
	}
	f.min, f.max = s.Min, s.Max
	f.exclusiveMin = exclusiveBound(s.ExclusiveMin, s.Min)
	f.exclusiveMax = exclusiveBound(s.ExclusiveMax, s.Max)

	f.minItems, f.maxItems = int64(s.MinItems), toInt64(s.MaxItems)
	if s.Items != nil {
		f.items = sub(s.Items, nil)
	}

	if len(s.Properties) > 0 {
		f.properties = map[string]*fastSchema{}
		for name, ref := range s.Properties {
			f.properties[name] = sub(ref, nil)
			if ref != nil && ref.Value != nil && ref.Value.Default != nil {
				f.defaults = append(f.defaults, fastDefault{name, ref.Value.Default})
			}
		}
	}
	f.required = s.Required
	if has := s.AdditionalProperties.Has; has != nil && !*has {
		f.noAdditional = true
	}
	if ref := s.AdditionalProperties.Schema; ref != nil {
		f.additional = sub(ref, nil)
	}

	branches := s.OneOf
	if len(s.AnyOf) > 0 { // unmodelled with a oneOf beside it
		branches, f.anyOf = s.AnyOf, true
	}
	for _, ref := range branches {
		f.union = append(f.union, fastBranch{ref: ref.Ref, schema: sub(ref, sameValue)})
	}
	if d := s.Discriminator; d != nil && len(branches) > 0 {
		f.discriminated, f.discriminator = true, d.PropertyName
		if len(d.Mapping) > 0 {
			f.mapping = map[string]string{}
			for value, target := range d.Mapping {
				ref := target.Ref
				if ref != "" && !strings.Contains(ref, "/") {
					ref = "#/components/schemas/" + ref
				}
				f.mapping[value] = ref
			}
		}
	}
	for _, ref := range s.AllOf {
		f.allOf = append(f.allOf, sub(ref, sameValue))
	}
	return f
}

func toInt64(p *uint64) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

// exclusiveBound is the bound exclusiveMinimum or exclusiveMaximum sets: its
// own value (OpenAPI 3.1), or minimum or maximum when it is true (3.0).
func exclusiveBound(b openapi3.ExclusiveBound, inclusive *float64) *float64 {
	switch {
	case !b.IsSet():
		return nil
	case b.Value != nil:
		return b.Value
	case b.Bool != nil && *b.Bool:
		return inclusive
	}
	return nil
}

var typeBits = []string{openapi3.TypeArray, openapi3.TypeBoolean, openapi3.TypeInteger, openapi3.TypeNumber, openapi3.TypeObject, openapi3.TypeString}

func typeMask(types *openapi3.Types) uint8 {
	var mask uint8
	for i, t := range typeBits {
		if types.Permits(t) {
			mask |= 1 << i
		}
	}
	return mask
}

func (f *fastSchema) permits(t uint8) bool { return f.types&t != 0 }

// integerOnly: integers are permitted, other numbers not.
func (f *fastSchema) integerOnly() bool { return f.permits(typeInteger) && !f.permits(typeNumber) }

// The bits of typeBits' types.
const (
	typeArray uint8 = 1 << iota
	typeBoolean
	typeInteger
	typeNumber
	typeObject
	typeString
)

// accepts reports whether kin-openapi accepts v. With request, it writes
// defaults into v as kin-openapi does when it checks a request.
func (f *fastSchema) accepts(v any, request bool) bool {
	if v == nil && f.nullable {
		return true
	}
	if f.empty {
		return v != nil
	}
	if len(f.union) > 0 && !f.acceptsUnion(v, request) {
		return false
	}
	for _, a := range f.allOf {
		if !a.accepts(v, request) {
			return false
		}
	}
	if v == nil {
		// kin-openapi stops once oneOf or allOf accepted a null.
		return len(f.union) > 0 || len(f.allOf) > 0
	}
	if len(f.enum) > 0 && !inEnum(f.enum, v) {
		return false
	}
	switch v := v.(type) {
	case bool:
		return f.permits(typeBoolean)
	case float64:
		return f.acceptsNumber(v)
	case string:
		return f.acceptsString(v)
	case []any:
		return f.acceptsArray(v, request)
	case map[string]any:
		return f.acceptsObject(v, request)
	}
	return false
}

func (f *fastSchema) acceptsUnion(v any, request bool) bool {
	want := ""
	if object, ok := v.(map[string]any); ok && f.discriminated {
		value, present := object[f.discriminator]
		name, isString := value.(string)
		if !present || !isString {
			return false
		}
		if f.mapping != nil {
			if want, ok = f.mapping[name]; !ok {
				return false
			}
		}
	}
	matched, matches := -1, 0
	for i, b := range f.union {
		if want != "" && b.ref != want {
			continue
		}
		value := v
		if request && b.schema.injects {
			value = deepCopyJSON(v)
		}
		if b.schema.accepts(value, request) {
			matched, matches = i, matches+1
			if f.anyOf {
				break
			}
		}
	}
	if matches != 1 {
		return false
	}
	if b := f.union[matched].schema; request && b.injects {
		b.accepts(v, request) // writes the matched branch's defaults, as kin-openapi does
	}
	return true
}

func (f *fastSchema) acceptsNumber(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	if f.integerOnly() {
		if v != math.Trunc(v) {
			return false
		}
	} else {
		if !f.permits(typeInteger | typeNumber) {
			return false
		}
		if f.numberFormat != nil && f.numberFormat.Validate(v) != nil {
			return false
		}
	}
	if f.exclusiveMin != nil && !(v > *f.exclusiveMin) || f.exclusiveMax != nil && !(v < *f.exclusiveMax) {
		return false
	}
	return (f.min == nil || *f.min <= v) && (f.max == nil || *f.max >= v)
}

func (f *fastSchema) acceptsString(v string) bool {
	if !f.permits(typeString) {
		return false
	}
	if f.minLength != 0 || f.maxLength != nil {
		// kin-openapi means to count UTF-16 units, but ranging over a Go
		// string never yields a surrogate: it counts runes.
		length := int64(utf8.RuneCountInString(v))
		if f.minLength != 0 && length < f.minLength || f.maxLength != nil && length > *f.maxLength {
			return false
		}
	}
	if f.pattern != nil && f.pattern.VisitJSONString(v) != nil {
		return false
	}
	if f.uuid && !IsUUID(v) || f.format != nil && f.format.Validate(v) != nil {
		return false
	}
	return true
}

func (f *fastSchema) acceptsArray(v []any, request bool) bool {
	if !f.permits(typeArray) {
		return false
	}
	n := int64(len(v))
	if f.minItems != 0 && n < f.minItems || f.maxItems != nil && n > *f.maxItems {
		return false
	}
	if f.items != nil {
		for _, item := range v {
			if !f.items.accepts(item, request) {
				return false
			}
		}
	}
	return true
}

func (f *fastSchema) acceptsObject(v map[string]any, request bool) bool {
	if !f.permits(typeObject) {
		return false
	}
	if request {
		for _, d := range f.defaults {
			if v[d.name] == nil {
				v[d.name] = deepCopyJSON(d.value)
			}
		}
	}
	for name, value := range v {
		if p, declared := f.properties[name]; declared {
			if !p.accepts(value, request) {
				return false
			}
			continue
		}
		if f.noAdditional {
			return false
		}
		if f.additional != nil && !f.additional.accepts(value, request) {
			return false
		}
	}
	for _, name := range f.required {
		if _, ok := v[name]; !ok {
			return false
		}
	}
	return true
}

// inEnum compares as kin-openapi does: numbers by value, the rest by kind
// and content.
func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if equalJSON(e, v) {
			return true
		}
	}
	return false
}

func equalJSON(a, b any) bool {
	switch a := a.(type) {
	case string:
		b, ok := b.(string)
		return ok && a == b
	case float64:
		b, ok := b.(float64)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case nil:
		return b == nil
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !equalJSON(av, bv) {
				return false
			}
		}
		return true
	}
	return false // a kind JSON decoding never makes: let kin-openapi judge
}

func deepCopyJSON(v any) any { return copyJSON(v, nil) }

// copyJSON copies a decoded JSON value deeply, each other value replaced by
// what leaf makes of it (kept as it is with a nil leaf).
func copyJSON(v any, leaf func(any) any) any {
	switch v := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, e := range v {
			c[k] = copyJSON(e, leaf)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = copyJSON(e, leaf)
		}
		return c
	}
	if leaf != nil {
		return leaf(v)
	}
	return v
}
