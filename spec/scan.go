package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"unicode/utf8"
)

// members calls f with the key and the raw value of each member of the
// JSON object in data, in order, without decoding or validating the
// values: it only finds where each ends. It is for the embedded document,
// which CI validates (TestEmbeddedIsValidOpenAPI): encoding/json checks the
// whole of what it is given before decoding any of it, and a run needs
// only the parts it reads. Text that is not an object is an error.
func members(data []byte, f func(key, value []byte)) error {
	i := space(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errNotObject
	}
	i = space(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for i < len(data) {
		end, err := skipString(data, i)
		if err != nil {
			return err
		}
		key := data[i+1 : end-1] // not copied: a caller that keeps it makes a string of it
		if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) {
			var unescaped string
			if err := json.Unmarshal(data[i:end], &unescaped); err != nil { // escapes: as encoding/json reads them
				return err
			}
			key = []byte(unescaped)
		}
		i = space(data, end)
		if i >= len(data) || data[i] != ':' {
			return errNotObject
		}
		start := space(data, i+1)
		end, err = skipValue(data, start)
		if err != nil {
			return err
		}
		f(key, data[start:end])
		i = space(data, end)
		if i >= len(data) {
			break
		}
		switch data[i] {
		case '}':
			return nil
		case ',':
			i = space(data, i+1)
		default:
			return errNotObject
		}
	}
	return errNotObject
}

var errNotObject = errors.New("not a JSON object")

func space(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the end of the string that starts at data[i].
func skipString(data []byte, i int) (int, error) {
	if i >= len(data) || data[i] != '"' {
		return 0, errNotObject
	}
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errNotObject
}

// skipValue returns the end of the value that starts at data[i].
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errNotObject
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				end, err := skipString(data, i)
				if err != nil {
					return 0, err
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, errNotObject
	}
	start := i
	for i < len(data) && data[i] != ',' && data[i] != '}' && data[i] != ']' && data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r' {
		i++
	}
	if i == start {
		return 0, errNotObject
	}
	return i, nil
}

// UndeclaredNames returns the names of the members of the JSON object in
// data that declared does not list, sorted, each once; none when data is
// not one valid JSON object. It does not decode the values, as
// encoding/json would, and checks that data is valid JSON only when it
// names something undeclared: most bodies name nothing else.
func UndeclaredNames(data []byte, declared []string) []string {
	var names []string
	if members(data, func(name, _ []byte) {
		for _, d := range declared {
			if d == string(name) {
				return
			}
		}
		names = append(names, string(name))
	}) != nil || len(names) == 0 || !json.Valid(data) {
		return nil
	}
	slices.Sort(names)
	return slices.Compact(names)
}
