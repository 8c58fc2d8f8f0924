package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadBody reads req's body to its end or to limit+1 bytes, whichever
// comes first (a caller tells a body over the limit by its length), into
// one allocation of the length the request declares, when it declares one.
// serve reads every body twice (the checker, then the reference), and
// io.ReadAll starts each at 512 zeroed bytes.
func ReadBody(req *http.Request, limit int64) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	if b, ok := req.Body.(*bufferedBody); ok && (b.whole || b.err != nil || int64(len(b.data)) > limit) {
		// A body that broke off (its client gone) breaks off again: its
		// net/http body would now say io.EOF, as if it had ended.
		return b.data[:min(int64(len(b.data)), limit+1)], b.err
	}
	size := int64(512)
	if req.ContentLength >= 0 && req.ContentLength <= limit {
		// Room to read the end without growing, but only what a body
		// usually is up front: a client that declares a MiB and sends
		// nothing must not hold a MiB of serve's memory per connection.
		size = min(req.ContentLength+1, 64<<10)
	}
	b := make([]byte, 0, size)
	body := io.LimitedReader{R: req.Body, N: limit + 1}
	for {
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow, as io.ReadAll does
		}
	}
}

// HeaderValue is h.Get(name) for a name already in canonical form, which
// it does not canonicalize again: serve's handlers read a dozen headers
// per request, and Get checked every byte of each name every time.
func HeaderValue(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// BufferBody reads req's body as ReadBody does and leaves in its place one
// that replays it, then the rest of a body over the limit. ReadBody of the
// replayed body returns the same bytes without reading or copying them:
// serve reads a body once for its time limits, its checker and its
// reference together.
func BufferBody(req *http.Request, limit int64) ([]byte, error) {
	data, err := ReadBody(req, limit)
	if _, done := req.Body.(*bufferedBody); done || req.Body == nil {
		return data, err
	}
	b := &bufferedBody{data: data, whole: err == nil && int64(len(data)) <= limit, err: err, rest: req.Body}
	b.Reset(data)
	if b.whole {
		// Closed at its end, net/http neither drains it after the handler
		// nor counts it as closed early.
		_ = req.Body.Close()
	}
	req.Body = b
	return data, err
}

type bufferedBody struct {
	bytes.Reader
	data  []byte
	whole bool  // data is all of the body: rest has nothing more to read
	err   error // why reading the body broke off, if it did
	rest  io.ReadCloser
	// acceptedBy is the last operation's check that accepted data.
	acceptedBy *requestCheck
	// decoded is data decoded by a check that left it as it was, for the
	// next DecodeBody to take.
	decoded any
}

func (b *bufferedBody) Read(p []byte) (int, error) {
	if b.Len() > 0 || b.whole {
		return b.Reader.Read(p)
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.rest.Read(p)
}

func (b *bufferedBody) Close() error { return b.rest.Close() }

// DecodeBody is DecodeJSON of req's body, read as body: serve's checker
// has just decoded it to check it, and unless the check wrote defaults
// into what it decoded, its reference takes that instead of decoding the
// same bytes again. Each decoding is taken once: the value is the taker's.
func DecodeBody(req *http.Request, body []byte) (any, error) {
	if b, ok := req.Body.(*bufferedBody); ok && b.decoded != nil && sameBytes(b.data, body) {
		v := b.decoded
		b.decoded = nil
		return v, nil
	}
	return DecodeJSON(body)
}

// DecodeJSON decodes data as json.Unmarshal does into an `any`: the same
// value for valid JSON (maps, slices, strings, float64, bool, nil), an
// error for anything else. encoding/json goes over data twice, to check it
// and then to decode it, a byte at a time through its scanner's function
// values; serve decodes every request body twice (to check it, and in the
// reference) and loading the contract decodes every schema it reads.
// FuzzDecodeJSON holds it to encoding/json.
func DecodeJSON(data []byte) (any, error) {
	d := jsonDecoder{data: data}
	v, err := d.value(0)
	if _, outOfRange := err.(*NumberRangeError); outOfRange && !json.Valid(data) {
		return nil, errSyntax // what is wrong first: a number is not
	}
	if err != nil {
		return nil, err
	}
	if space(data, d.i) != len(data) {
		return nil, errSyntax
	}
	return v, nil
}

// DecodeStrictJSON is DecodeJSON for JSON that must read the same to
// every reader: it refuses what RFC 8259 leaves to the reader, a name given
// twice in one object (some keep the first value, encoding/json and
// JavaScript the last), and text that is not UTF-8 (which encoding/json
// reads with U+FFFD in its place).
func DecodeStrictJSON(data []byte) (any, error) {
	if !utf8.Valid(data) {
		return nil, errNotUTF8
	}
	d := jsonDecoder{data: data, strict: true}
	v, err := d.value(0)
	if err == nil && space(data, d.i) != len(data) {
		err = errSyntax
	}
	return v, err
}

// DuplicateKeyError is a name given twice in one object, at Path.
type DuplicateKeyError struct{ Path []string }

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("the key %q is given twice in one object (at %s): JSON readers differ on which value counts", e.Path[len(e.Path)-1], strings.Join(e.Path, "."))
}

// NumberRangeError is a number of valid JSON too large for a float64 (it
// reads as Infinity), at Path: the names and indices down to it.
type NumberRangeError struct{ Path []string }

func (e *NumberRangeError) Error() string {
	if len(e.Path) == 0 {
		return "the number is out of range"
	}
	return strings.Join(e.Path, ".") + ": the number is out of range"
}

// at returns err with step put before its path, if it has one.
func at(err error, step string) error {
	switch e := err.(type) {
	case *NumberRangeError:
		e.Path = slices.Insert(e.Path, 0, step)
	case *DuplicateKeyError:
		e.Path = slices.Insert(e.Path, 0, step)
	}
	return err
}

var (
	errNotUTF8 = errors.New("the body is not valid UTF-8, as JSON must be")
	errSyntax  = errors.New("invalid JSON")
	errDepth   = errors.New("JSON nested too deep")
)

// maxJSONDepth is encoding/json's limit on nested objects and arrays.
const maxJSONDepth = 10000

type jsonDecoder struct {
	data   []byte
	i      int  // the next byte to read
	strict bool // a name given twice in one object is an error
}

func (d *jsonDecoder) value(depth int) (any, error) {
	d.i = space(d.data, d.i)
	if d.i >= len(d.data) {
		return nil, errSyntax
	}
	switch d.data[d.i] {
	case '{':
		return d.object(depth + 1)
	case '[':
		return d.array(depth + 1)
	case '"':
		return d.text()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	}
	return d.number()
}

func (d *jsonDecoder) object(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, errDepth
	}
	m := map[string]any{}
	if d.empty('}') {
		return m, nil
	}
	for {
		d.i = space(d.data, d.i)
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return nil, errSyntax
		}
		key, err := d.text()
		if err != nil {
			return nil, err
		}
		if d.i = space(d.data, d.i); d.i >= len(d.data) || d.data[d.i] != ':' {
			return nil, errSyntax
		}
		d.i++
		v, err := d.value(depth)
		if err != nil {
			return nil, at(err, key)
		}
		if _, repeated := m[key]; repeated && d.strict {
			return nil, &DuplicateKeyError{Path: []string{key}}
		}
		m[key] = v // a repeated name: the last one counts, as in encoding/json
		switch done, err := d.next('}'); {
		case err != nil:
			return nil, err
		case done:
			return m, nil
		}
	}
}

func (d *jsonDecoder) array(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, errDepth
	}
	a := []any{}
	if d.empty(']') {
		return a, nil
	}
	for {
		v, err := d.value(depth)
		if err != nil {
			return nil, at(err, strconv.Itoa(len(a)))
		}
		a = append(a, v)
		switch done, err := d.next(']'); {
		case err != nil:
			return nil, err
		case done:
			return a, nil
		}
	}
}

// empty reads past the byte that opened an object or array and reports
// whether closing follows at once, reading past it too.
func (d *jsonDecoder) empty(closing byte) bool {
	d.i = space(d.data, d.i+1)
	if d.i < len(d.data) && d.data[d.i] == closing {
		d.i++
		return true
	}
	return false
}

// next reads past what follows a member or an element: a comma, or
// closing, which ends the object or array (done).
func (d *jsonDecoder) next(closing byte) (done bool, err error) {
	if d.i = space(d.data, d.i); d.i >= len(d.data) || d.data[d.i] != ',' && d.data[d.i] != closing {
		return false, errSyntax
	}
	d.i++
	return d.data[d.i-1] == closing, nil
}

// text decodes the string that starts at d.data[d.i]. Plain ASCII is
// copied; escapes, control characters and other bytes (whose invalid UTF-8
// encoding/json replaces) are left to encoding/json.
func (d *jsonDecoder) text() (string, error) {
	start := d.i + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.i = i + 1
			return string(d.data[start:i]), nil
		case c == '\\' || c < 0x20 || c >= 0x80:
			end, err := skipString(d.data, d.i)
			if err != nil {
				return "", errSyntax
			}
			var s string
			if err := json.Unmarshal(d.data[d.i:end], &s); err != nil {
				return "", err
			}
			d.i = end
			return s, nil
		}
	}
	return "", errSyntax
}

func (d *jsonDecoder) literal(word string) error {
	if len(d.data)-d.i < len(word) || string(d.data[d.i:d.i+len(word)]) != word {
		return errSyntax
	}
	d.i += len(word)
	return nil
}

// number reads JSON's grammar for a number, then its float64 as
// encoding/json does; a number float64 cannot hold is an error there too,
// the only error ParseFloat has for the grammar's numbers.
func (d *jsonDecoder) number() (any, error) {
	data, i := d.data, d.i
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		i = digits(data, i)
	default:
		return nil, errSyntax
	}
	if i < len(data) && data[i] == '.' {
		if i++; i >= len(data) || !isDigit(data[i]) {
			return nil, errSyntax
		}
		i = digits(data, i)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		if i++; i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return nil, errSyntax
		}
		i = digits(data, i)
	}
	f, err := strconv.ParseFloat(string(data[d.i:i]), 64)
	if err != nil {
		return nil, &NumberRangeError{}
	}
	d.i = i
	return f, nil
}

func digits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
