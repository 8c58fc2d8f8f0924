package spec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Paths are the path items the suites use: the operation under test in both
// its forms, and the operations they set up and inspect state with.
var Paths = []string{
	"/user_identities/delete",
	"/user_identities/create",
	"/user_identities/get",
	"/workspaces/get",
}

// Extract returns the part of a published Seam Connect document that the
// suites use: the path items in Paths and every component they reference,
// nothing else. The output is deterministic (sorted keys, two-space indent) so
// that `make spec` produces a reviewable diff when Seam publishes a change.
func Extract(published []byte) ([]byte, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(published))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a JSON OpenAPI document: %w", err)
	}
	paths, _ := doc["paths"].(map[string]any)
	components, _ := doc["components"].(map[string]any)
	if paths == nil {
		return nil, fmt.Errorf("document has no paths")
	}

	keptPaths := map[string]any{}
	for _, p := range Paths {
		item, ok := paths[p]
		if !ok {
			return nil, fmt.Errorf("document has no path %s", p)
		}
		keptPaths[p] = item
	}

	keptComponents := map[string]map[string]any{}
	keep := func(section, name string) error {
		src, _ := components[section].(map[string]any)
		v, ok := src[name]
		if !ok {
			return fmt.Errorf("document references #/components/%s/%s but does not define it", section, name)
		}
		if keptComponents[section] == nil {
			keptComponents[section] = map[string]any{}
		}
		keptComponents[section][name] = v
		return nil
	}
	// Walk the kept tree, following $refs into components until nothing new turns up.
	queue := []any{keptPaths}
	seen := map[string]bool{}
	for len(queue) > 0 {
		node := queue[0]
		queue = queue[1:]
		var refs []string
		var schemes []string
		collectRefs(node, &refs, &schemes)
		for _, ref := range refs {
			section, name, ok := splitComponentRef(ref)
			if !ok {
				return nil, fmt.Errorf("unsupported $ref %q", ref)
			}
			key := section + "/" + name
			if seen[key] {
				continue
			}
			seen[key] = true
			if err := keep(section, name); err != nil {
				return nil, err
			}
			queue = append(queue, keptComponents[section][name])
		}
		for _, name := range schemes {
			if !seen["securitySchemes/"+name] {
				seen["securitySchemes/"+name] = true
				if err := keep("securitySchemes", name); err != nil {
					return nil, err
				}
			}
		}
	}

	sum := sha256.Sum256(published)
	info, _ := doc["info"].(map[string]any)
	if info == nil {
		info = map[string]any{}
	}
	info["x-seamconform-extracted-from"] = "sha256:" + hex.EncodeToString(sum[:])
	out := map[string]any{
		"openapi":    doc["openapi"],
		"info":       info,
		"servers":    doc["servers"],
		"paths":      keptPaths,
		"components": keptComponents,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// collectRefs finds every $ref and every security scheme named by an
// operation's security requirements below node.
func collectRefs(node any, refs, schemes *[]string) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			switch {
			case k == "$ref":
				if s, ok := v.(string); ok {
					*refs = append(*refs, s)
				}
			case k == "security":
				for _, req := range asSlice(v) {
					if m, ok := req.(map[string]any); ok {
						for name := range m {
							*schemes = append(*schemes, name)
						}
					}
				}
			default:
				collectRefs(v, refs, schemes)
			}
		}
	case []any:
		for _, v := range n {
			collectRefs(v, refs, schemes)
		}
	}
	sort.Strings(*refs)
	sort.Strings(*schemes)
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func splitComponentRef(ref string) (section, name string, ok bool) {
	rest, found := strings.CutPrefix(ref, "#/components/")
	if !found {
		return "", "", false
	}
	section, name, ok = strings.Cut(rest, "/")
	return section, name, ok && !strings.Contains(name, "/")
}
