package spec_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/seamconform/seamconform/spec"
)

const published = "../../shared/spec/seam-connect.openapi.json"

// The embedded contract must be exactly what `make spec` extracts from the
// published document beside the repository.
func TestEmbeddedIsExtractOfPublished(t *testing.T) {
	doc, err := os.ReadFile(published)
	if os.IsNotExist(err) {
		t.Skipf("%s is not beside this clone", published)
	}
	if err != nil {
		t.Fatal(err)
	}
	extract, err := spec.Extract(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(extract, spec.EmbeddedDocument()) {
		t.Fatal("spec/seam-connect.json differs from the extract of the published document: run `make spec`")
	}
	if _, err := spec.LoadFile(published); err != nil {
		t.Fatalf("--spec with the published document: %v", err)
	}
}

func TestExtractKeepsOnlyWhatIsReferenced(t *testing.T) {
	var doc struct {
		Paths      map[string]any            `json:"paths"`
		Components map[string]map[string]any `json:"components"`
	}
	if err := json.Unmarshal(spec.EmbeddedDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths) != len(spec.Paths) {
		t.Errorf("paths: got %d, want %d", len(doc.Paths), len(spec.Paths))
	}
	for _, name := range []string{"user_identity", "workspace"} {
		if doc.Components["schemas"][name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}
	if n := len(doc.Components["schemas"]); n != 2 {
		t.Errorf("schemas: got %d, want only the 2 referenced", n)
	}
	for _, s := range []string{"api_key", "pat_with_workspace", "console_session_with_workspace"} {
		if doc.Components["securitySchemes"][s] == nil {
			t.Errorf("security scheme %s missing", s)
		}
	}
}

func TestExtractRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"not JSON":     `openapi: 3.0.0`,
		"no paths":     `{"openapi":"3.0.0"}`,
		"missing path": `{"openapi":"3.0.0","paths":{}}`,
		"dangling ref": `{"openapi":"3.0.0","paths":{"/user_identities/delete":{"$ref":"#/components/schemas/nope"},"/user_identities/create":{},"/user_identities/get":{},"/workspaces/get":{}}}`,
	} {
		if _, err := spec.Extract([]byte(doc)); err == nil {
			t.Errorf("%s: extracted without error", name)
		}
	}
}

func TestLoadFileRejectsDocumentWithoutTheOperations(t *testing.T) {
	path := t.TempDir() + "/spec.json"
	doc := `{"openapi":"3.0.0","info":{"title":"x","version":"1"},"paths":{"/user_identities/delete":{},"/user_identities/create":{},"/user_identities/get":{},"/workspaces/get":{}}}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := spec.LoadFile(path); err == nil {
		t.Fatal("loaded a document that does not define the operations")
	}
}
