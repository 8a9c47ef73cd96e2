package claims

import (
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestGetSingleItemFromJSON(t *testing.T) {
	ins := []policy.TransformClaim{in("inputJson", "inputJson")}
	outs := []policy.TransformClaim{in("key", "resultKey"), in("value", "resultValue")}
	j := func(s string) map[string]any { return map[string]any{"inputJson": s} }
	runCases(t, "GetSingleItemFromJson", []ctCase{
		{name: "unit-test example: first member", claims: j(`{"givenName": "Emilty", "lastName": "Smith"}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "givenName", "resultValue": "Emilty"}},
		{name: "number keeps its text", claims: j(`{"price": 1.50}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "price", "resultValue": "1.50"}},
		{name: "boolean", claims: j(`{"active": true}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "active", "resultValue": "true"}},
		{name: "nested value stays JSON", claims: j(`{"a": {"b": [1, 2]}, "c": 1}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "a", "resultValue": `{"b": [1, 2]}`}},
		{name: "null value leaves value unset", claims: j(`{"a": null}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "a", "resultValue": nil}},
		{name: "repeated first member keeps its last value", claims: j(`{"a": 1, "b": 2, "a": 3}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "a", "resultValue": "3"}},
		{name: "invalid UTF-8 key is U+FFFD", claims: j("{\"\xff\": \"v\"}"), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "\ufffd", "resultValue": "v"}},
		{name: "lone high surrogate before another escape", claims: j(`{"\ud800\u0041": "\ud800\u0042"}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "\ufffdA", "resultValue": "\ufffdB"}},
		{name: "key only", claims: j(`{"a": "b"}`), ins: ins, outs: outs[:1], want: map[string]any{"resultKey": "a"}},
		{name: "absent input leaves outputs unset", ins: ins, outs: outs, want: map[string]any{"resultKey": nil, "resultValue": nil}},
		{name: "not JSON", claims: j(`{"a":`), ins: ins, outs: outs, wantErr: ErrNotJSON},
		{name: "array", claims: j(`["a"]`), ins: ins, outs: outs, wantErr: ErrNotJSONObject},
		{name: "empty object", claims: j(`{}`), ins: ins, outs: outs, wantErr: errAny},
		{name: "no outputs", claims: j(`{"a": "b"}`), ins: ins, wantErr: errAny},
		{name: "no inputJson", outs: outs, wantErr: errAny},
	})
}

func TestGetClaimFromJSON(t *testing.T) {
	ins := []policy.TransformClaim{in("inputJson", "customUserData")}
	outs := []policy.TransformClaim{in("extractedClaim", "extracted")}
	extract := func(name string) []policy.InputParameter {
		return []policy.InputParameter{param("claimToExtract", name)}
	}
	doc := map[string]any{"customUserData": `{"emailAddress": "someone@example.com", "displayName": "Someone"}`}
	j := func(s string) map[string]any { return map[string]any{"customUserData": s} }
	runCases(t, "GetClaimFromJson", []ctCase{
		{name: "doc example: emailAddress", claims: doc, ins: ins, params: extract("emailAddress"), outs: outs,
			want: map[string]any{"extracted": "someone@example.com"}},
		{name: "doc example: displayName", claims: doc, ins: ins, params: extract("displayName"), outs: outs,
			want: map[string]any{"extracted": "Someone"}},
		{name: "number keeps its text", claims: j(`{"id": 1.50}`), ins: ins, params: extract("id"), outs: outs,
			want: map[string]any{"extracted": "1.50"}},
		{name: "boolean", claims: j(`{"active": true}`), ins: ins, params: extract("active"), outs: outs,
			want: map[string]any{"extracted": "true"}},
		{name: "object stays JSON", claims: j(`{"a": {"b": 1}}`), ins: ins, params: extract("a"), outs: outs,
			want: map[string]any{"extracted": `{"b": 1}`}},
		{name: "path with dots", claims: j(`{"user": {"emails": ["a@x.com", "b@x.com"]}}`), ins: ins, params: extract("user.emails.1"), outs: outs,
			want: map[string]any{"extracted": "b@x.com"}},
		{name: "path with brackets", claims: j(`{"contacts": [{"name": "Emily"}]}`), ins: ins, params: extract("contacts[0].name"), outs: outs,
			want: map[string]any{"extracted": "Emily"}},
		{name: "member named with a dot wins over the path", claims: j(`{"a.b": "literal", "a": {"b": "path"}}`), ins: ins, params: extract("a.b"), outs: outs,
			want: map[string]any{"extracted": "literal"}},
		{name: "repeated member keeps its last value", claims: j(`{"a": 1, "a": 2}`), ins: ins, params: extract("a"), outs: outs,
			want: map[string]any{"extracted": "2"}},
		{name: "missing element leaves output as it is", claims: map[string]any{"customUserData": `{"a": 1}`, "extracted": "old"}, ins: ins,
			params: extract("b"), outs: outs, want: map[string]any{"extracted": "old"}},
		{name: "null leaves output unset", claims: j(`{"a": null}`), ins: ins, params: extract("a"), outs: outs,
			want: map[string]any{"extracted": nil}},
		{name: "absent input leaves output unset", ins: ins, params: extract("a"), outs: outs, want: map[string]any{"extracted": nil}},
		{name: "not JSON", claims: j(`{"a":`), ins: ins, params: extract("a"), outs: outs, wantErr: ErrNotJSON},
		{name: "array", claims: j(`[1]`), ins: ins, params: extract("0"), outs: outs, wantErr: ErrNotJSONObject},
		{name: "no claimToExtract", claims: doc, ins: ins, outs: outs, wantErr: errAny},
		{name: "no extractedClaim", claims: doc, ins: ins, params: extract("a")[:1], wantErr: errAny},
		{name: "no inputJson", params: extract("a"), outs: outs, wantErr: errAny},
	})
}

func TestGetNumericClaimFromJSON(t *testing.T) {
	ins := []policy.TransformClaim{in("inputJson", "exampleInputClaim")}
	outs := []policy.TransformClaim{in("extractedClaim", "membershipId")}
	extract := []policy.InputParameter{param("claimToExtract", "id")}
	j := func(s string) map[string]any { return map[string]any{"exampleInputClaim": s} }
	runCases(t, "GetNumericClaimFromJson", []ctCase{
		{name: "doc example", claims: j(`{"emailAddress": "someone@example.com", "displayName": "Someone", "id": 6353399}`),
			ins: ins, params: extract, outs: outs, want: map[string]any{"membershipId": "6353399"}},
		{name: "negative", claims: j(`{"id": -42}`), ins: ins, params: extract, outs: outs, want: map[string]any{"membershipId": "-42"}},
		{name: "long range", claims: j(`{"id": 9223372036854775807}`), ins: ins, params: extract, outs: outs,
			want: map[string]any{"membershipId": "9223372036854775807"}},
		{name: "string holding a number", claims: j(`{"id": " 12 "}`), ins: ins, params: extract, outs: outs, want: map[string]any{"membershipId": "12"}},
		{name: "missing element leaves output unset", claims: j(`{"x": 1}`), ins: ins, params: extract, outs: outs, want: map[string]any{"membershipId": nil}},
		{name: "absent input leaves output unset", ins: ins, params: extract, outs: outs, want: map[string]any{"membershipId": nil}},
		{name: "fraction", claims: j(`{"id": 1.5}`), ins: ins, params: extract, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "beyond long", claims: j(`{"id": 9223372036854775808}`), ins: ins, params: extract, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "text", claims: j(`{"id": "abc"}`), ins: ins, params: extract, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "boolean", claims: j(`{"id": true}`), ins: ins, params: extract, outs: outs, wantErr: ErrInvalidClaimValue,
			want: map[string]any{"membershipId": nil}},
		{name: "not JSON", claims: j(`id=1`), ins: ins, params: extract, outs: outs, wantErr: ErrNotJSON},
		{name: "no claimToExtract", claims: j(`{"id": 1}`), ins: ins, outs: outs, wantErr: errAny},
	})
}

func TestGetSingleValueFromJSONArray(t *testing.T) {
	ins := []policy.TransformClaim{in("inputJsonClaim", "userData")}
	outs := []policy.TransformClaim{in("extractedClaim", "email")}
	j := func(s string) map[string]any { return map[string]any{"userData": s} }
	runCases(t, "GetSingleValueFromJsonArray", []ctCase{
		{name: "doc example", claims: j(`["someone@example.com", "Someone", 6353399]`), ins: ins, outs: outs,
			want: map[string]any{"email": "someone@example.com"}},
		{name: "number keeps its text", claims: j(`[6353399.0, "a"]`), ins: ins, outs: outs, want: map[string]any{"email": "6353399.0"}},
		{name: "object stays JSON", claims: j(`[{"a": 1}]`), ins: ins, outs: outs, want: map[string]any{"email": `{"a": 1}`}},
		{name: "null first element leaves output unset", claims: j(`[null, "a"]`), ins: ins, outs: outs, want: map[string]any{"email": nil}},
		{name: "absent input leaves output unset", ins: ins, outs: outs, want: map[string]any{"email": nil}},
		{name: "empty array", claims: j(`[]`), ins: ins, outs: outs, wantErr: errAny},
		{name: "object", claims: j(`{"a": 1}`), ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "not JSON", claims: j(`["a"`), ins: ins, outs: outs, wantErr: ErrNotJSON},
		{name: "no extractedClaim", claims: j(`["a"]`), ins: ins, wantErr: errAny},
		{name: "no inputJsonClaim", outs: outs, wantErr: errAny},
	})
}

// jsonArrayParams are the article's input parameters of GetClaimsFromJsonArray(V2).
func jsonArrayParams(errorOnMissing, includeEmpty string) []policy.InputParameter {
	return []policy.InputParameter{
		{ID: "errorOnMissingClaims", DataType: "boolean", Value: errorOnMissing},
		{ID: "includeEmptyClaims", DataType: "boolean", Value: includeEmpty},
		param("jsonSourceKeyName", "key"), param("jsonSourceValueName", "value"),
	}
}

// jsonArrayOuts are the article's output claims, without TransformationClaimType.
var jsonArrayOuts = []policy.TransformClaim{
	{ClaimTypeReferenceID: "email"}, {ClaimTypeReferenceID: "displayName"}, {ClaimTypeReferenceID: "membershipID"},
	{ClaimTypeReferenceID: "active"}, {ClaimTypeReferenceID: "birthDate"},
}

var jsonArrayDocItems = []string{
	`{"key": "email", "value": "someone@example.com"}`,
	`{"key": "displayName", "value": "Someone"}`,
	`{"key": "membershipID", "value": 6353399}`,
	`{"key": "active", "value": true}`,
	`{"key": "birthDate", "value": "2005-09-23T00:00:00Z"}`,
}

var jsonArrayDocWant = map[string]any{"email": "someone@example.com", "displayName": "Someone", "membershipID": "6353399",
	"active": "true", "birthDate": "2005-09-23T00:00:00Z"}

func TestGetClaimsFromJSONArray(t *testing.T) {
	ins := []policy.TransformClaim{in("jsonSource", "jsonSourceClaim")}
	doc := map[string]any{"jsonSourceClaim": "[" + strings.Join(jsonArrayDocItems, ", ") + "]"}
	j := func(s string) map[string]any { return map[string]any{"jsonSourceClaim": s} }
	runCases(t, "GetClaimsFromJsonArray", []ctCase{
		{name: "doc example", claims: doc, ins: ins, params: jsonArrayParams("false", "false"), outs: jsonArrayOuts, want: jsonArrayDocWant},
		{name: "input bound as jsonSourceClaim (the article's table)", claims: doc, ins: []policy.TransformClaim{in("jsonSourceClaim", "jsonSourceClaim")},
			params: jsonArrayParams("false", "false"), outs: jsonArrayOuts, want: jsonArrayDocWant},
		{name: "other key and value names", claims: j(`[{"type": "email", "v": "a@x.com"}]`), ins: ins,
			params: []policy.InputParameter{param("jsonSourceKeyName", "type"), param("jsonSourceValueName", "v")},
			outs:   jsonArrayOuts[:1], want: map[string]any{"email": "a@x.com"}},
		{name: "TransformationClaimType names the element", claims: j(`[{"key": "mail", "value": "a@x.com"}]`), ins: ins,
			params: jsonArrayParams("false", "false"), outs: []policy.TransformClaim{in("mail", "email")}, want: map[string]any{"email": "a@x.com"}},
		{name: "missing claim left as it is", claims: map[string]any{"jsonSourceClaim": `[{"key": "email", "value": "a@x.com"}]`, "active": "old"},
			ins: ins, params: jsonArrayParams("false", "false"), outs: jsonArrayOuts,
			want: map[string]any{"email": "a@x.com", "active": "old", "displayName": nil}},
		{name: "missing claim with errorOnMissingClaims sets nothing", claims: j(`[{"key": "email", "value": "a@x.com"}]`),
			ins: ins, params: jsonArrayParams("true", "false"), outs: jsonArrayOuts, wantErr: errAny, want: map[string]any{"email": nil}},
		{name: "empty values skipped", claims: j(`[{"key": "email", "value": ""}, {"key": "displayName", "value": null}, {"key": "active"}]`),
			ins: ins, params: jsonArrayParams("false", "false"), outs: jsonArrayOuts,
			want: map[string]any{"email": nil, "displayName": nil, "active": nil}},
		{name: "empty values included", claims: j(`[{"key": "email", "value": ""}, {"key": "displayName", "value": null}, {"key": "active"}]`),
			ins: ins, params: jsonArrayParams("false", "true"), outs: jsonArrayOuts,
			want: map[string]any{"email": "", "displayName": "", "active": "", "birthDate": nil}},
		{name: "last of repeated keys; non-objects and non-string keys skipped",
			claims: j(`[1, "x", {"key": 5, "value": "n"}, {"key": "email", "value": "a"}, {"key": "email", "value": "b"}]`),
			ins:    ins, params: jsonArrayParams("false", "false"), outs: jsonArrayOuts[:1], want: map[string]any{"email": "b"}},
		{name: "optional booleans left out", claims: doc, ins: ins, params: jsonArrayParams("", "")[2:], outs: jsonArrayOuts, want: jsonArrayDocWant},
		{name: "absent input leaves outputs unset", ins: ins, params: jsonArrayParams("true", "false"), outs: jsonArrayOuts,
			want: map[string]any{"email": nil}},
		{name: "the article's malformed array", claims: j(`[{"key":"email","value":"emily@live.com"}, "key":"displayName","value":"Emily Smith"}]`),
			ins: ins, params: jsonArrayParams("false", "false"), outs: jsonArrayOuts, wantErr: ErrNotJSON},
		{name: "object", claims: j(`{"key": "email", "value": "a"}`), ins: ins, params: jsonArrayParams("false", "false"), outs: jsonArrayOuts,
			wantErr: ErrInvalidClaimValue},
		{name: "errorOnMissingClaims not a boolean", claims: doc, ins: ins, params: jsonArrayParams("maybe", "false"), outs: jsonArrayOuts, wantErr: errAny},
		{name: "no jsonSourceKeyName", claims: doc, ins: ins, params: jsonArrayParams("false", "false")[:2], outs: jsonArrayOuts, wantErr: errAny},
		{name: "no input claim", params: jsonArrayParams("false", "false"), outs: jsonArrayOuts, wantErr: errAny},
	})
}

func TestGetClaimsFromJSONArrayV2(t *testing.T) {
	ins := []policy.TransformClaim{in("jsonSource", "jsonSourceClaim")}
	c := func(v any) map[string]any { return map[string]any{"jsonSourceClaim": v} }
	runCases(t, "GetClaimsFromJsonArrayV2", []ctCase{
		{name: "doc example", claims: c(append([]string(nil), jsonArrayDocItems...)), ins: ins, params: jsonArrayParams("false", "false"),
			outs: jsonArrayOuts, want: jsonArrayDocWant},
		{name: "a single string is one item", claims: c(jsonArrayDocItems[0]), ins: ins, params: jsonArrayParams("false", "false"),
			outs: jsonArrayOuts, want: map[string]any{"email": "someone@example.com", "displayName": nil}},
		{name: "errorOnMissingClaims", claims: c([]string{jsonArrayDocItems[0]}), ins: ins, params: jsonArrayParams("true", "false"),
			outs: jsonArrayOuts, wantErr: errAny, want: map[string]any{"email": nil}},
		{name: "empty collection", claims: c([]string{}), ins: ins, params: jsonArrayParams("false", "true"), outs: jsonArrayOuts,
			want: map[string]any{"email": nil}},
		{name: "absent input leaves outputs unset", ins: ins, params: jsonArrayParams("true", "false"), outs: jsonArrayOuts,
			want: map[string]any{"email": nil}},
		{name: "item not JSON", claims: c([]string{jsonArrayDocItems[0], `{"key":`}), ins: ins, params: jsonArrayParams("false", "false"),
			outs: jsonArrayOuts, wantErr: ErrNotJSON, want: map[string]any{"email": nil}},
		{name: "item not an object", claims: c([]string{`["email", "a"]`}), ins: ins, params: jsonArrayParams("false", "false"),
			outs: jsonArrayOuts, wantErr: ErrNotJSONObject},
		{name: "no jsonSourceValueName", claims: c(jsonArrayDocItems), ins: ins, params: jsonArrayParams("false", "false")[:3], outs: jsonArrayOuts, wantErr: errAny},
	})
}

func TestXMLStringToJSONString(t *testing.T) {
	ins := []policy.TransformClaim{in("xml", "inputXML")}
	outs := []policy.TransformClaim{in("json", "outputJson")}
	x := func(s string) map[string]any { return map[string]any{"inputXML": s} }
	runCases(t, "XmlStringToJsonString", []ctCase{
		{name: "doc example", claims: x("<user>\n  <name>Someone</name>\n  <email>someone@example.com</email>\n</user>"), ins: ins, outs: outs,
			want: map[string]any{"outputJson": `{"user":{"name":"Someone","email":"someone@example.com"}}`}},
		{name: "repeated elements are an array", claims: x(`<r><e>a</e><n>1</n><e>b</e></r>`), ins: ins, outs: outs,
			want: map[string]any{"outputJson": `{"r":{"e":["a","b"],"n":"1"}}`}},
		{name: "attributes and text", claims: x(`<user id="7"><name lang="en">Emily</name></user>`), ins: ins, outs: outs,
			want: map[string]any{"outputJson": `{"user":{"@id":"7","name":{"@lang":"en","#text":"Emily"}}}`}},
		{name: "empty elements are null", claims: x(`<r><a/><b></b><c>  </c></r>`), ins: ins, outs: outs,
			want: map[string]any{"outputJson": `{"r":{"a":null,"b":null,"c":null}}`}},
		{name: "empty root", claims: x(`<r/>`), ins: ins, outs: outs, want: map[string]any{"outputJson": `{"r":null}`}},
		{name: "mixed content", claims: x(`<p>Hello <b>you</b> there</p>`), ins: ins, outs: outs,
			want: map[string]any{"outputJson": `{"p":{"#text":["Hello "," there"],"b":"you"}}`}},
		{name: "prefixes kept; declaration, comments and CDATA", claims: x(`<?xml version="1.0"?><!-- c --><a:r xmlns:a="urn:x"><a:v><![CDATA[<1 & 2>]]></a:v></a:r>`),
			ins: ins, outs: outs, want: map[string]any{"outputJson": `{"a:r":{"@xmlns:a":"urn:x","a:v":"<1 & 2>"}}`}},
		{name: "entities", claims: x(`<r>a &amp; &#233;</r>`), ins: ins, outs: outs, want: map[string]any{"outputJson": `{"r":"a & é"}`}},
		{name: "absent input leaves output unset", ins: ins, outs: outs, want: map[string]any{"outputJson": nil}},
		{name: "two roots", claims: x(`<a/><b/>`), ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "mismatched tags", claims: x(`<a><b></a></b>`), ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "unclosed", claims: x(`<a><b/>`), ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "text outside the root", claims: x(`<a/>b`), ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "not XML", claims: x(`{"user": 1}`), ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "empty", claims: x(``), ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "unknown entity", claims: x(`<r>&nbsp;</r>`), ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "too deep", claims: x(strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300)), ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "no json slot", claims: x(`<r/>`), ins: ins, wantErr: errAny},
		{name: "no xml slot", outs: outs, wantErr: errAny},
	})
}

func TestCreateJSONArray(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "email")}
	outs := []policy.TransformClaim{in("outputClaim", "result")}
	runCases(t, "CreateJsonArray", []ctCase{
		{name: "doc example", claims: map[string]any{"email": "someone@example.com"}, ins: ins, outs: outs,
			want: map[string]any{"result": `["someone@example.com"]`}},
		{name: "escaped as JSON, HTML characters kept", claims: map[string]any{"email": `a"<b>&\`}, ins: ins, outs: outs,
			want: map[string]any{"result": `["a\"<b>&\\"]`}},
		{name: "empty string", claims: map[string]any{"email": ""}, ins: ins, outs: outs, want: map[string]any{"result": `[""]`}},
		{name: "collection gives one element per item", claims: map[string]any{"email": []string{"a", "b"}}, ins: ins, outs: outs,
			want: map[string]any{"result": `["a","b"]`}},
		{name: "absent input leaves output unset", ins: ins, outs: outs, want: map[string]any{"result": nil}},
		{name: "no inputClaim", outs: outs, wantErr: errAny},
		{name: "no outputClaim", claims: map[string]any{"email": "a"}, ins: ins, wantErr: errAny},
	})
}
