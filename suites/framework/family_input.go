package framework

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
)

// InputRequirements binds the checks of missing, unusable and malformed
// input to a suite's requirements. A zero requirement leaves its check out;
// the Body* checks apply to body forms, the Query* ones to query forms.
type InputRequirements struct {
	BodyMissing   Requirement // no body: 400
	BodyAbsent    Requirement // a JSON object without the ID: 400
	BodyNull      Requirement // the ID null: 400
	BodyEmpty     Requirement // the ID "": 400
	BodyMalformed Requirement // a body that is not valid JSON: 400
	BodyNotObject Requirement // a JSON body that is not an object: 400
	QueryMissing  Requirement // no ID query parameter: 400
	QueryEmpty    Requirement // an empty ID query parameter: 400
	BodyBadUUID   Requirement // the ID in the body not a well-formed UUID: 400
	QueryBadUUID  Requirement // the ID query parameter not a well-formed UUID: 400
}

func expect400(x *Exchange) { GinkgoHelper(); gomega.Expect(x).To(HaveStatus(http.StatusBadRequest)) }

// InputFamily registers the input checks of r for the operation d.
func InputFamily(d Descriptor, r InputRequirements) bool {
	GinkgoHelper()
	return Describe("Missing, unusable or malformed input is rejected", func() {
		for _, fm := range d.Forms {
			if fm.Body {
				d.bodyInputSpecs(fm, r)
			} else {
				d.queryInputSpecs(fm, r)
			}
		}
		d.badUUIDSpecs(r)
	})
}

// raw sends body as fm's body with a valid credential; body may use %s for a
// fresh unknown UUID and %k for the run's absent key.
func raw(fm Form, body, contentType string) *Exchange {
	GinkgoHelper()
	body = strings.ReplaceAll(body, "%k", Current().AbsentKey())
	if strings.Contains(body, "%s") {
		body = fmt.Sprintf(body, UnknownID())
	}
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	return Send(Call(fm.Op).Body(b, contentType).As(Current().AnyCredential()).Breaking(fm.Rule()))
}

func (d Descriptor) bodyInputSpecs(fm Form, r InputRequirements) {
	send := func(body string) { expect400(raw(fm, body, "application/json")) }
	label := Label(formLabels(fm)...)
	table(r.BodyMissing, func(contentType string) {
		expect400(raw(fm, "", contentType))
	},
		Entry("no body, Content-Type application/json", label, "application/json"),
		Entry("no body, no Content-Type", label, ""),
	)

	table(r.BodyAbsent, send,
		Entry("empty object", label, `{}`),
		Entry("only another property", label, `{"user_identity_key":"%k"}`),
		Entry("the id under another name", label, `{"id":"%s"}`),
		Entry("the name in another case", label, `{"`+upperWords(d.ID)+`":"%s"}`),
	)

	table(r.BodyNull, send, Entry("null", label, `{"`+d.ID+`":null}`))

	table(r.BodyEmpty, send, Entry("empty string", label, `{"`+d.ID+`":""}`))

	table(r.BodyMalformed, func(body, contentType string) {
		expect400(raw(fm, body, contentType))
	},
		Entry("truncated", label, `{"`+d.ID+`":"%s"`, "application/json"),
		Entry("trailing garbage", label, `{"`+d.ID+`":"%s"}}`, "application/json"),
		Entry("single quotes", label, `{'`+d.ID+`':'%s'}`, "application/json"),
		Entry("trailing comma", label, `{"`+d.ID+`":"%s",}`, "application/json"),
		Entry("form-encoded body labelled JSON", label, d.ID+`=%s`, "application/json"),
	)

	table(r.BodyNotObject, send,
		Entry("array holding the object", label, `[{"`+d.ID+`":"%s"}]`),
		Entry("bare UUID string", label, `"%s"`),
		Entry("number", label, `42`),
		Entry("null", label, `null`),
		Entry("true", label, `true`),
	)
}

// upperWords writes each word of a snake_case name with a capital:
// User_Identity_Id.
func upperWords(name string) string {
	words := strings.Split(name, "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, "_")
}

// camel writes a snake_case name in camel case: userIdentityId.
func camel(name string) string {
	s := upperWords(name)
	return strings.ToLower(s[:1]) + strings.ReplaceAll(s[1:], "_", "")
}

func (d Descriptor) queryInputSpecs(fm Form, r InputRequirements) {
	label := Label(formLabels(fm)...)
	table(r.QueryMissing, func(query map[string]string) {
		req := Call(fm.Op).As(Current().AnyCredential()).Breaking(fm.Rule())
		for k, v := range query {
			req.Query(k, strings.ReplaceAll(v, "%s", UnknownID()))
		}
		expect400(Send(req))
	},
		Entry("no query", label, map[string]string{}),
		Entry("only _strict=true", label, map[string]string{"_strict": "true"}),
		Entry("the id under a camel-case name", label, map[string]string{camel(d.ID): "%s"}),
	)

	table(r.QueryEmpty, func() {
		expect400(Send(d.Naming(fm, "").As(Current().AnyCredential()).Breaking(fm.Rule())))
	}, Entry(d.ID+"=", label))
}

func (d Descriptor) badUUIDSpecs(r InputRequirements) {
	corpus := slices.SortedFunc(slices.Values(fixtures.BadUUIDs()), func(a, b fixtures.BadUUID) int { return strings.Compare(a.Name, b.Name) })
	for _, fm := range d.Forms {
		var entries []TableEntry
		for _, bad := range corpus {
			if fm.Body || bad.IsString() {
				entries = append(entries, Entry(bad.Name, Label(formLabels(fm)...), bad))
			}
		}
		req := r.QueryBadUUID
		if fm.Body {
			req = r.BodyBadUUID
		}
		table(req, func(bad fixtures.BadUUID) {
			expect400(Send(d.Naming(fm, bad.For(UnknownID())).As(Current().AnyCredential()).Breaking(fm.Rule())))
		}, entries...)
	}
}
