package spec

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// decodeSeeds are texts where a JSON decoder goes wrong: every kind of
// value, escapes, UTF-8 valid and not, numbers at the edges of the grammar
// and of float64, repeated names, and text after the value.
var decodeSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `"x"`, ` {"a" : [ 1 , 2 ] } `,
	`{"a":[1,{"b":"}"}],"c":"\"","d":{"e":null},"f":[[],{}]}`,
	`{"é\u00e9":1,"\ud83d\ude00":2,"\ud800":3,"tab\there":"\/\b\f\n\r\t"}`, "{\"\xff\":\"\xfe\"}", "\"\x01\"", `"\x"`, `"\u12"`,
	`{"a":1,"a":2,"b":3}`, `1e5`, `-0.5`, `1E+2`, `1e-2`, `1.`, `.5`, `01`, `-`, `1e`, `1e+`, `+1`, `1e400`, `-1e400`, `4.9e-324`, `1e-400`,
	`123456789012345678901234567890`, `{"a":1}x`, `{"a":tru}`, `{"a":nul}`, `[1,]`, `{"a":1,}`, `{,}`, `[,1]`, `{"a"}`, `{"a":}`, `{1:2}`,
	`"`, `"abc`, `[`, `{`, `{"a":1`, `[1 2]`, `{"a":1 "b":2}`, ``, ` `, "\ufeff{}", `nulll`, `truefalse`, `[true,false,null]`,
}

// sameAsEncodingJSON fails t unless DecodeJSON decodes doc as
// json.Unmarshal does: the same value, or an error from both.
func sameAsEncodingJSON(t *testing.T, doc string) {
	t.Helper()
	var want any
	wantErr := json.Unmarshal([]byte(doc), &want)
	got, err := DecodeJSON([]byte(doc))
	if (err != nil) != (wantErr != nil) || err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%.80q: DecodeJSON gives %#v, %v; encoding/json %#v, %v", doc, got, err, want, wantErr)
	}
}

func TestDecodeJSONDecodesAsEncodingJSONDoes(t *testing.T) {
	for _, doc := range decodeSeeds {
		sameAsEncodingJSON(t, doc)
	}
	// Nesting at encoding/json's limit and past it (too long to fuzz).
	for _, depth := range []int{maxJSONDepth, maxJSONDepth + 1} {
		sameAsEncodingJSON(t, strings.Repeat("[", depth)+strings.Repeat("]", depth))
		sameAsEncodingJSON(t, strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth))
	}
}

// Every body and answer the differential tests build, and the document's
// own JSON, decode the same way too.
func TestDecodeJSONDecodesTheContractAsEncodingJSONDoes(t *testing.T) {
	sameAsEncodingJSON(t, string(EmbeddedDocument()))
}

// A number too large for a float64 is said of where it is, in valid JSON
// only: of a text that is not JSON, that is what is wrong.
func TestANumberOutOfRangeSaysWhere(t *testing.T) {
	for doc, want := range map[string]string{
		`1e400`:                  "the number is out of range",
		`{"a":[0,{"b":-1e400}]}`: "a.1.b: the number is out of range",
		`{"a":1e400,}`:           errSyntax.Error(),
		`[1e400`:                 errSyntax.Error(),
	} {
		if _, err := DecodeJSON([]byte(doc)); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s)
	}
	f.Fuzz(sameAsEncodingJSON)
}

func BenchmarkDecodeJSON(b *testing.B) {
	body := []byte(`{"user_identity_id":"0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d","full_name":"Jane Doe","tags":["a","b"],"limit":10,"ok":true}`)
	b.Run("DecodeJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeJSON(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// ReadBody reads what io.ReadAll of a LimitReader read, whatever length
// the request declares (its own, none, or a wrong one), and reads a body of
// the length declared into no more room than it needs.
func TestReadBodyReadsWhatReadAllRead(t *testing.T) {
	const limit = 64
	for _, body := range []string{"", "{}", `{"user_identity_id":"0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d"}`, strings.Repeat("x", limit), strings.Repeat("y", 3*limit)} {
		for _, declared := range []int64{int64(len(body)), -1, 0, 5, limit + 1, 10 * limit} {
			req, _ := http.NewRequest(http.MethodPost, "http://example.invalid/", strings.NewReader(body))
			req.ContentLength = declared
			got, err := ReadBody(req, limit)
			want, _ := io.ReadAll(io.LimitReader(strings.NewReader(body), limit+1))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%d bytes declared as %d: read %q, %v; want %q", len(body), declared, got, err, want)
			}
		}
	}
	body := `{"user_identity_id":"0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d"}`
	req, _ := http.NewRequest(http.MethodPost, "http://example.invalid/", strings.NewReader(body))
	if got, _ := ReadBody(req, limit); cap(got) != len(body)+1 {
		t.Errorf("a body of %d bytes, as declared, read into %d bytes", len(body), cap(got))
	}
	if got, err := ReadBody(&http.Request{}, limit); got != nil || err != nil {
		t.Errorf("no body: %q, %v", got, err)
	}
}

// A buffered body reads as the body did: ReadBody gives the same bytes,
// the same slice, however often it is asked and whatever limit (up to the
// buffer's); Read replays the body, then the rest of one over the limit.
func TestBufferBodyReplaysTheBody(t *testing.T) {
	const limit = 8
	for _, body := range []string{"", "{}", "12345678", strings.Repeat("z", 3*limit)} {
		req, _ := http.NewRequest(http.MethodPost, "http://example.invalid/", strings.NewReader(body))
		first, err := BufferBody(req, limit)
		want, _ := io.ReadAll(io.LimitReader(strings.NewReader(body), limit+1))
		if err != nil || !bytes.Equal(first, want) {
			t.Fatalf("%q: buffered %q, %v; want %q", body, first, err, want)
		}
		again, _ := BufferBody(req, limit)
		smaller, _ := ReadBody(req, 2)
		if len(first) > 0 && (&again[0] != &first[0] || &smaller[0] != &first[0]) {
			t.Errorf("%q: read again into new memory", body)
		}
		if wantSmaller := want[:min(len(want), 3)]; !bytes.Equal(smaller, wantSmaller) {
			t.Errorf("%q: ReadBody with limit 2 gave %q, want %q", body, smaller, wantSmaller)
		}
		if replayed, err := io.ReadAll(req.Body); err != nil || string(replayed) != body {
			t.Errorf("%q: read back %q, %v", body, replayed, err)
		}
	}
}

// serve's reference checks again a request its checker checked: the bytes
// of a buffered body that passed pass again without being decoded, and
// only those bytes, with the same Content-Type, for the same operation.
func TestABufferedBodyThatPassedIsNotDecodedAgain(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "https://example.invalid/user_identities/delete", strings.NewReader(`{"user_identity_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}`))
	req.Header.Set("Authorization", "Bearer seam_test_key_123")
	req.Header.Set("Content-Type", "application/json")
	body, _ := BufferBody(req, 1<<20)
	if vs := c.CheckRequest(DeleteIdentity, req, body); len(vs) != 0 {
		t.Fatalf("a conforming request: %v", vs)
	}
	copied := bytes.Clone(body)
	again := testing.AllocsPerRun(50, func() { c.CheckRequest(DeleteIdentity, req, body) })
	anew := testing.AllocsPerRun(50, func() { c.CheckRequest(DeleteIdentity, req, copied) })
	if again >= anew {
		t.Errorf("checking the body that passed allocated %.0f times, the same bytes elsewhere %.0f: it was decoded again", again, anew)
	}
	for name, check := range map[string]func() []Violation{
		"other bytes": func() []Violation {
			return c.CheckRequest(DeleteIdentity, req, []byte(`{"user_identity_id":"7ad2566e"}`))
		},
		"another operation": func() []Violation {
			return c.CheckRequest(Operation{Method: http.MethodPost, Path: "/devices/delete"}, req, body)
		},
		"another Content-Type": func() []Violation {
			req.Header.Set("Content-Type", "text/plain")
			defer req.Header.Set("Content-Type", "application/json")
			return c.CheckRequest(DeleteIdentity, req, body)
		},
	} {
		if vs := check(); len(vs) == 0 {
			t.Errorf("%s: no violation", name)
		}
	}
}

// The reference takes the checker's decoding of a body, once, unless the
// check wrote the schema's defaults into it: what it takes is the body as
// sent, and a second taker decodes afresh.
func TestDecodeBodyTakesTheCheckersDecodingOnce(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	send := func(op Operation, body string) (*http.Request, []byte) {
		req, _ := http.NewRequest(op.Method, "https://example.invalid"+op.Path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer seam_test_key_123")
		req.Header.Set("Content-Type", "application/json")
		data, _ := BufferBody(req, 1<<20)
		c.CheckRequest(op, req, data)
		return req, data
	}
	req, body := send(DeleteIdentity, `{"user_identity_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}`)
	first, _ := DecodeBody(req, body)
	firstMap := first.(map[string]any)
	firstMap["user_identity_id"] = "changed by its taker"
	second, _ := DecodeBody(req, body)
	if second.(map[string]any)["user_identity_id"] != "7ad2566e-6fd8-466d-b8e4-c10a14a74fd3" {
		t.Errorf("the second taker got %v: the first one's value, not the body", second)
	}
	if taken := testing.AllocsPerRun(1, func() {
		req, body := send(DeleteIdentity, `{"user_identity_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}`)
		_, _ = DecodeBody(req, body)
	}); taken >= testing.AllocsPerRun(1, func() {
		_, body := send(DeleteIdentity, `{"user_identity_id":"7ad2566e-6fd8-466d-b8e4-c10a14a74fd3"}`)
		_, _ = DecodeJSON(body)
	}) {
		t.Error("DecodeBody decoded the body again")
	}

	// An operation whose body schema has defaults: the check writes them
	// into its decoding, which is not the body as sent.
	for _, d := range c.Operations() {
		op := d.Operation
		check := c.requestCheck(op)
		if check == nil || check.body == nil || !check.body.injects {
			continue
		}
		req, body := send(op, `{}`)
		got, _ := DecodeBody(req, body)
		if m, ok := got.(map[string]any); !ok || len(m) != 0 {
			t.Errorf("%s: DecodeBody of {} gave %v", op, got)
		}
		return
	}
	t.Fatal("no operation's body schema has defaults: the last case checks nothing")
}

// HeaderValue reads what Header.Get reads, for a canonical name.
func TestHeaderValueIsGet(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Add("Seam-Workspace", "a")
	h.Add("Seam-Workspace", "b")
	h["Authorization"] = []string{}
	h["lower-case"] = []string{"set without canonical form"}
	for _, name := range []string{"Content-Type", "Seam-Workspace", "Authorization", "Lower-Case", "Missing"} {
		if got, want := HeaderValue(h, name), h.Get(name); got != want {
			t.Errorf("%s: %q, Get says %q", name, got, want)
		}
	}
}

// A client's declared Content-Length is not what serve holds for it up
// front: a MiB declared and two bytes sent hold kilobytes, not a MiB.
func TestReadBodyDoesNotTakeTheDeclaredLengthOnTrust(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "http://x/", strings.NewReader("{}"))
	req.ContentLength = 1 << 20
	data, err := ReadBody(req, 1<<20)
	if err != nil || string(data) != "{}" || cap(data) > 64<<10 {
		t.Errorf("ReadBody: %q, %v, capacity %d; want {} in at most 64 KiB", data, err, cap(data))
	}
}

// A body that broke off breaks off again when read from the buffer: the
// checker after serve's guard must not take its half for the whole.
func TestABufferedBodyThatBrokeOffSaysSoAgain(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "http://x/", io.MultiReader(strings.NewReader(`{"a":`), iotest.ErrReader(io.ErrUnexpectedEOF)))
	if _, err := BufferBody(req, 1<<20); err == nil {
		t.Fatal("BufferBody: no error for a body that broke off")
	}
	data, err := ReadBody(req, 1<<20)
	if err != io.ErrUnexpectedEOF || string(data) != `{"a":` {
		t.Errorf("ReadBody again: %q, %v; want the half and io.ErrUnexpectedEOF", data, err)
	}
	if rest, err := io.ReadAll(req.Body); err != io.ErrUnexpectedEOF || string(rest) != `{"a":` {
		t.Errorf("reading the body again: %q, %v", rest, err)
	}
}
