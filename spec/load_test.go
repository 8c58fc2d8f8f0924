package spec

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// BenchmarkLoadEmbedded is the contract's share of a run's start-up:
// decompressing and loading the whole embedded document, then its operation
// model.
func BenchmarkLoadEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := decodeEmbeddedContract()
		if err != nil || len(c.Operations()) == 0 {
			b.Fatalf("no operations: %v", err)
		}
	}
}

// BenchmarkLoadEmbeddedForOneOperation is a run that checks one operation:
// the document is read, its operations listed, and one decoded.
func BenchmarkLoadEmbeddedForOneOperation(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := decodeEmbeddedContract()
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := c.Describe(DeleteIdentity); !ok || len(c.List()) < 500 {
			b.Fatal("no delete, or too few operations listed")
		}
	}
}

// BenchmarkLoadWithKinOpenAPI is what loading the embedded document would
// cost with kin-openapi's loader (as --spec FILE does).
func BenchmarkLoadWithKinOpenAPI(b *testing.B) {
	data, err := gunzip(embedded)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := load(data, "embedded"); err != nil {
			b.Fatal(err)
		}
	}
}

// The fast decoder must build the same model as kin-openapi's loader:
// both marshalled back to JSON are equal.
func TestFastLoadMatchesLoader(t *testing.T) {
	data, err := gunzip(embedded)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := decodeEmbedded(data)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := load(data, "embedded")
	if err != nil {
		t.Fatal(err)
	}
	// The embedded contract decodes its paths one by one when asked for:
	// all of them decoded so must be the same model too.
	lazyDoc, lazy, err := decodeLazily(data)
	if err != nil {
		t.Fatal(err)
	}
	lazy.decodeAll(lazyDoc)
	a, _ := json.Marshal(fast)
	b, _ := json.Marshal(slow.doc)
	if l, _ := json.Marshal(lazyDoc); !bytes.Equal(l, a) {
		t.Fatalf("decoded path by path, the model differs from the whole document's")
	}
	if !bytes.Equal(a, b) {
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		t.Fatalf("the fast decoder differs from the loader at byte %d:\nfast:   %.300s\nloader: %.300s", i, a[max(0, i-100):], b[max(0, i-100):])
	}
	for name, doc := range map[string]string{
		"unknown schema keyword": `{"openapi":"3.0.0","paths":{"/a":{"post":{"responses":{"200":{"description":"OK","content":{"application/json":{"schema":{"type":"string","not":{}}}}}}}}}}`,
		"dangling ref":           `{"openapi":"3.0.0","paths":{"/a":{"post":{"responses":{"200":{"description":"OK","content":{"application/json":{"schema":{"$ref":"#/components/schemas/x"}}}}}}}}}`,
		"not JSON":               `{`,
		"not an object":          `[]`,
	} {
		if _, err := decodeEmbedded([]byte(doc)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// decodeAll decodes every path and component into doc, for the comparison
// with kin-openapi's loader.
func (l *lazyPaths) decodeAll(doc *openapi3.T) {
	for path := range l.raw {
		doc.Paths.Set(path, l.item(path))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	d := &decoder{schemas: l.schemas, components: l.components}
	for name := range l.components.raw {
		d.need(name)
	}
}
