package userdelete

import (
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/seamconform/seamconform/fixtures"
	"github.com/seamconform/seamconform/spec"
	f "github.com/seamconform/seamconform/suites/framework"
)

// rawPost sends body as the POST form's body with a valid credential; body
// may use %s for a fresh unknown UUID.
func rawPost(body, contentType string) *f.Exchange {
	GinkgoHelper()
	if strings.Contains(body, "%s") {
		body = fmt.Sprintf(body, unknownID())
	}
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	return f.Send(f.Call(spec.DeleteIdentity).Body(b, contentType).As(env().AnyCredential()).Breaking(spec.RuleBody))
}

func expect400(x *f.Exchange) { GinkgoHelper(); Expect(x).To(f.HaveStatus(http.StatusBadRequest)) }

var _ = Describe("Missing or unusable input is rejected", Label("post"), func() {
	f.ConformanceTable(inputNoBody, func(contentType string) {
		expect400(rawPost("", contentType))
	},
		Entry("no body, Content-Type application/json", "application/json"),
		Entry("no body, no Content-Type", ""),
	)

	f.ConformanceTable(inputAbsent, func(body string) {
		expect400(rawPost(body, "application/json"))
	},
		Entry("empty object", `{}`),
		Entry("only another property", `{"user_identity_key":"seamconform"}`),
		Entry("the id under another name", `{"id":"%s"}`),
		Entry("the name in another case", `{"User_Identity_Id":"%s"}`),
	)

	f.ConformanceTable(inputNull, func(body string) {
		expect400(rawPost(body, "application/json"))
	}, Entry("null", `{"user_identity_id":null}`))

	f.ConformanceTable(inputEmpty, func(body string) {
		expect400(rawPost(body, "application/json"))
	}, Entry("empty string", `{"user_identity_id":""}`))

	f.ConformanceTable(inputMalformed, func(body, contentType string) {
		expect400(rawPost(body, contentType))
	},
		Entry("truncated", `{"user_identity_id":"%s"`, "application/json"),
		Entry("trailing garbage", `{"user_identity_id":"%s"}}`, "application/json"),
		Entry("single quotes", `{'user_identity_id':'%s'}`, "application/json"),
		Entry("trailing comma", `{"user_identity_id":"%s",}`, "application/json"),
		Entry("form-encoded body labelled JSON", `user_identity_id=%s`, "application/json"),
	)

	f.ConformanceTable(inputNotObject, func(body string) {
		expect400(rawPost(body, "application/json"))
	},
		Entry("array holding the object", `[{"user_identity_id":"%s"}]`),
		Entry("bare UUID string", `"%s"`),
		Entry("number", `42`),
		Entry("null", `null`),
		Entry("true", `true`),
	)
})

var _ = Describe("The DELETE form needs its query parameter", Label("delete"), func() {
	f.ConformanceTable(inputNoParam, func(query map[string]string) {
		r := f.Call(spec.DeleteIdentityByQuery).As(env().AnyCredential()).Breaking(spec.RuleQuery)
		for k, v := range query {
			r.Query(k, strings.ReplaceAll(v, "%s", unknownID()))
		}
		expect400(f.Send(r))
	},
		Entry("no query", map[string]string{}),
		Entry("only _strict=true", map[string]string{"_strict": "true"}),
		Entry("the id under a camel-case name", map[string]string{"userIdentityId": "%s"}),
	)

	f.ConformanceTable(inputEmptyParm, func() {
		expect400(f.Send(delete_.naming("").As(env().AnyCredential()).Breaking(spec.RuleQuery)))
	}, Entry("user_identity_id="))
})

var _ = Describe("Malformed UUIDs are rejected", func() {
	var postCases, queryCases []TableEntry
	for _, bad := range fixtures.BadUUIDs() {
		postCases = append(postCases, Entry(bad.Name, Label("post"), bad))
		if bad.IsString() {
			queryCases = append(queryCases, Entry(bad.Name, Label("delete"), bad))
		}
	}

	f.ConformanceTable(uuidBody, func(bad fixtures.BadUUID) {
		r := f.Call(spec.DeleteIdentity).JSON(map[string]any{"user_identity_id": bad.For(unknownID())})
		expect400(f.Send(r.As(env().AnyCredential()).Breaking(spec.RuleBody)))
	}, postCases...)

	f.ConformanceTable(uuidQuery, func(bad fixtures.BadUUID) {
		r := delete_.naming(bad.For(unknownID()).(string))
		expect400(f.Send(r.As(env().AnyCredential()).Breaking(spec.RuleQuery)))
	}, queryCases...)
})
