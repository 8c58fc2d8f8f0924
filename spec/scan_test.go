package spec

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// members finds the same members as encoding/json, byte for byte.
func TestMembersAgreesWithEncodingJSON(t *testing.T) {
	for _, doc := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a" : -1.5e3 , "b":true,"c":null}`,
		`{"s":"a \"quoted\" } ] { [ string\\","t":"\u00e9"}`,
		`{"o":{"x":[1,{"y":"}"}],"z":{}},"l":[[],[{}],"]"]}`,
		"{\n\t\"k\\\"ey\": \"v\"\r\n}",
		`{"dup":1,"dup":2}`,
	} {
		var want map[string]json.RawMessage
		if err := json.Unmarshal([]byte(doc), &want); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		got := map[string]json.RawMessage{}
		if err := members([]byte(doc), func(k, v []byte) { got[string(k)] = v }); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if !reflect.DeepEqual(normal(got), normal(want)) {
			t.Errorf("%s:\n got  %s\n want %s", doc, normal(got), normal(want))
		}
	}
	for _, bad := range []string{``, `[]`, `"s"`, `{"a"}`, `{"a":}`, `{"a":1`, `{"a":"1}`, `{"a":[1}`, `{"a":1 "b":2}`} {
		if err := members([]byte(bad), func(_, _ []byte) {}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func normal(m map[string]json.RawMessage) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(bytes.TrimSpace(v))
	}
	return out
}

// The embedded document scanned gives what encoding/json gives: the same
// raw paths, the same top, and the same operationIds and tags.
func TestScannedDocumentMatchesEncodingJSON(t *testing.T) {
	data, err := gunzip(embedded)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	var paths map[string]json.RawMessage
	if err := json.Unmarshal(top["paths"], &paths); err != nil {
		t.Fatal(err)
	}
	_, lazy, err := decodeLazily(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normal(lazy.raw), normal(paths)) {
		t.Fatalf("scanned %d paths, encoding/json %d, or their bytes differ", len(lazy.raw), len(paths))
	}
	c := &Contract{lazy: lazy}
	listed := 0
	for path, raw := range paths {
		var byKey map[string]listedMethod
		_ = json.Unmarshal(raw, &byKey)
		got := c.listedMethods(path)
		for key, want := range byKey {
			if m := strings.ToUpper(key); slices.Contains(methodOrder, m) {
				if !reflect.DeepEqual(got[m], want) {
					t.Errorf("%s %s: scanned %+v, encoding/json %+v", m, path, got[m], want)
				}
				listed++
			}
		}
	}
	if listed < 500 {
		t.Fatalf("compared %d operations", listed)
	}
}

// FuzzMembers: on any valid JSON object, members finds what encoding/json
// finds; on any text, UndeclaredNames names what encoding/json decodes
// and a list does not declare, and nothing of what it refuses.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,{"b":"}"}],"c":"\"","d":{"e":null}}`, `{"x":1e5,"y":-0.5}`, `{"é\u00e9":1,"\ud83d\ude00":2}`, "{\"\xff\":1}",
		`{"a":1,"a":2,"b":3}`, `[1]`, `"x"`, `{"a":1}x`, `{"a":tru}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var want map[string]json.RawMessage
		decoded := json.Unmarshal([]byte(doc), &want) == nil
		all := slices.Sorted(maps.Keys(want))
		if names := UndeclaredNames([]byte(doc), nil); !slices.Equal(names, all) {
			t.Fatalf("%q: UndeclaredNames says %q; encoding/json decodes %v, %v", doc, names, want, decoded)
		}
		if len(all) > 0 { // declaring the first name leaves the others
			if names := UndeclaredNames([]byte(doc), all[:1]); !slices.Equal(names, all[1:]) {
				t.Fatalf("%q: with %q declared, UndeclaredNames says %q", doc, all[0], names)
			}
		}
		if !json.Valid([]byte(doc)) || !decoded {
			return
		}
		got := map[string]json.RawMessage{}
		if err := members([]byte(doc), func(k, v []byte) { got[string(k)] = v }); err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if !reflect.DeepEqual(normal(got), normal(want)) {
			t.Fatalf("%q:\n got  %s\n want %s", doc, normal(got), normal(want))
		}
	})
}
