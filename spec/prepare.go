package spec

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// SourceHashKey is the info extension where Prepare records the sha256 of
// the published document it was made from, so that reports name Seam's
// document and not the stripped copy.
const SourceHashKey = "x-seamconform-source-sha256"

// Prepare turns Seam's published document into the embedded contract
// (spec/seam-connect.openapi.json.gz): every path and component kept, but
// the prose and vendor extensions removed (descriptions of schemas,
// parameters and operations; responses keep theirs, OpenAPI requires them),
// compact JSON, gzip. The
// prose is about half the document and nothing checks it; without it the
// binary is smaller and the contract loads faster. The output is
// deterministic, so `make spec` gives an empty diff until Seam publishes a
// change.
func Prepare(published []byte) ([]byte, error) {
	compact, err := strip(published)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	zw.Write(compact)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// strip is Prepare without the compression.
func strip(published []byte) ([]byte, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(published))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a JSON OpenAPI document: %w", err)
	}
	if _, ok := doc["paths"].(map[string]any); !ok {
		return nil, fmt.Errorf("document has no paths")
	}
	stripProse(doc, false)
	info, _ := doc["info"].(map[string]any)
	if info == nil {
		info = map[string]any{}
		doc["info"] = info
	}
	info[SourceHashKey] = sha256Hex(published)
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return compact.Bytes(), nil
}

// stripProse deletes string-valued "description" keys below node, except
// those of response objects (the children of a "responses" map), and the
// vendor extensions (x-fern-*, x-route-path, ...: SDK generator hints).
func stripProse(node any, isResponse bool) {
	switch n := node.(type) {
	case map[string]any:
		if _, prose := n["description"].(string); prose && !isResponse {
			delete(n, "description")
		}
		for k, v := range n {
			if strings.HasPrefix(k, "x-") {
				delete(n, k)
				continue
			}
			if k == "responses" {
				if codes, ok := v.(map[string]any); ok {
					for _, r := range codes {
						stripProse(r, true)
					}
					continue
				}
			}
			stripProse(v, false)
		}
	case []any:
		for _, v := range n {
			stripProse(v, false)
		}
	}
}

func gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
