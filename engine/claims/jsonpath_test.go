package claims

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// testDoc mixes a flat REST answer (seed 004), the nested example of seed 004
// (REST-07), LinkedIn's profile and email answers (spec §2.1 Step E) and keys
// that mean something in gjson's path syntax.
const testDoc = `{
	"id": "123",
	"name": "Emily Smith",
	"a.b": "dotted key",
	"a": {"b": "nested"},
	"contacts": [
		{
			"id": "MAINCONTACT_1",
			"person": {
				"name": "Emily Smith",
				"loyaltyNumber": 1234,
				"emails": [{"id": "EMAIL_1", "type": "WORK", "email": "email@domain.com"}]
			}
		}
	],
	"data": [{"to": [{"email": "to@contoso.com"}]}],
	"firstName": {"localized":{"en_US":"Bob"},"preferredLocale":{"country":"US","language":"en"}},
	"elements": [{"handle": "urn:li:emailAddress:1", "handle~": {"emailAddress": "bob@contoso.com"}}],
	"big": 1234567890123456789,
	"dec": 1.50,
	"exp": 1e3,
	"neg": -12,
	"yes": true,
	"no": false,
	"nothing": null,
	"emptyString": "",
	"escaped": "line\nbreak \u00e9",
	"tags": ["a", "b"],
	"mixed": ["x", 7, 1.50, true, null, {"k": "v"}, [1, 2]],
	"emptyArray": [],
	"obj": {"k":"v"},
	"0": "zero key",
	"@this": "at",
	"#": "hash",
	"a|b": "pipe",
	"*": "star",
	"q?": "question",
	"!true": "bang",
	"back\\slash": "backslash",
	"with~tilde": "tilde",
	"x..y": "double dot"
}`

func TestJSONSourceLookup(t *testing.T) {
	tests := []struct {
		name   string
		paths  bool
		lookup string
		want   any
		wantOK bool
	}{
		{"flat member", false, "id", "123", true},
		{"flat member with paths", true, "name", "Emily Smith", true},
		{"missing member", false, "missing", nil, false},
		{"string escapes decoded", false, "escaped", "line\nbreak é", true},
		{"empty string is a value", false, "emptyString", "", true},

		// OA2-10: without ResolveJsonPathsInJsonTokens a dotted name is a literal member name.
		{"OA2-10 dotted key is literal without paths", false, "a.b", "dotted key", true},
		{"OA2-10 nested path not resolved without paths", false, "contacts.0.person.name", nil, false},
		{"OA2-10 indexed path not resolved without paths", false, "contacts[0].person.name", nil, false},
		{"OA2-10 firstName.localized not resolved without paths", false, "firstName.localized", nil, false},
		{"OA2-10 object member without paths is raw JSON", false, "obj", `{"k":"v"}`, true},

		// REST-07 / OA2-10: with paths both syntaxes resolve.
		{"OA2-10 a.b resolves nested with paths", true, "a.b", "nested", true},
		{"REST-07 seed 004 contacts.0.person.name", true, "contacts.0.person.name", "Emily Smith", true},
		{"REST-07 seed 004 contacts.0.person.emails.0.email", true, "contacts.0.person.emails.0.email", "email@domain.com", true},
		{"REST-07 seed 004 contacts.0.person.loyaltyNumber", true, "contacts.0.person.loyaltyNumber", "1234", true},
		{"REST-07 bracket form contacts[0].person.name", true, "contacts[0].person.name", "Emily Smith", true},
		{"bracket form data[0].to[0].email", true, "data[0].to[0].email", "to@contoso.com", true},
		{"index out of range", true, "contacts[1].person.name", nil, false},
		{"array index into strings", true, "tags.1", "b", true},
		{"object key made of digits", true, "0", "zero key", true},
		{"LinkedIn firstName.localized is an object: raw JSON", true, "firstName.localized", `{"en_US":"Bob"}`, true},
		{"LinkedIn firstName.localized.en_US", true, "firstName.localized.en_US", "Bob", true},
		{"LinkedIn elements[0].handle~.emailAddress: ~ is literal", true, "elements[0].handle~.emailAddress", "bob@contoso.com", true},
		{"LinkedIn elements[0].handle", true, "elements[0].handle", "urn:li:emailAddress:1", true},

		// Scalars keep their text.
		{"large integer stays exact", false, "big", "1234567890123456789", true},
		{"decimal keeps trailing zero", false, "dec", "1.50", true},
		{"exponent kept as written", false, "exp", "1e3", true},
		{"negative number", false, "neg", "-12", true},
		{"true", false, "yes", "true", true},
		{"false", false, "no", "false", true},
		{"JSON null is absent", false, "nothing", nil, false},
		{"JSON null is absent with paths", true, "nothing", nil, false},

		// Arrays become stringCollections.
		{"array of strings", false, "tags", []string{"a", "b"}, true},
		{"mixed array: objects and arrays serialized, nulls dropped", false, "mixed", []string{"x", "7", "1.50", "true", `{"k": "v"}`, "[1, 2]"}, true},
		{"array of objects serialized", true, "contacts.0.person.emails", []string{`{"id": "EMAIL_1", "type": "WORK", "email": "email@domain.com"}`}, true},
		{"empty array", false, "emptyArray", []string(nil), true},

		// Keys that are gjson syntax are looked up literally.
		{"key @this", false, "@this", "at", true},
		{"key #", false, "#", "hash", true},
		{"key with pipe", false, "a|b", "pipe", true},
		{"key *", false, "*", "star", true},
		{"key with ?", false, "q?", "question", true},
		{"key !true", false, "!true", "bang", true},
		{"key with backslash", false, `back\slash`, "backslash", true},
		{"key with tilde", false, "with~tilde", "tilde", true},
		{"key with tilde and paths", true, "with~tilde", "tilde", true},
		{"key with double dot, no paths", false, "x..y", "double dot", true},
		{"wildcard is not a pattern", false, "n*me", nil, false},
		{"wildcard is not a pattern with paths", true, "n*me", nil, false},
		{"hash is not the array length", true, "tags.#", nil, false},
		{"empty name", false, "", nil, false},
		{"empty path", true, "", nil, false},
	}
	sources := map[bool]*JSONSource{}
	for _, paths := range []bool{false, true} {
		src, err := ParseJSON([]byte(testDoc), paths)
		if err != nil {
			t.Fatalf("ParseJSON(paths=%v): %v", paths, err)
		}
		if src.Paths != paths {
			t.Fatalf("ParseJSON(paths=%v).Paths = %v", paths, src.Paths)
		}
		sources[paths] = src
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := sources[tt.paths].Lookup(tt.lookup)
			if ok != tt.wantOK || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Lookup(%q) with paths=%v = %#v, %v; want %#v, %v", tt.lookup, tt.paths, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestJSONSourceReadsAsEncodingJSON holds the disagreements with
// encoding/json that FuzzJSONLookup found: gjson matched a key holding
// invalid UTF-8 byte for byte, where encoding/json (and .NET) read every such
// byte as U+FFFD; gjson kept the first of repeated members, encoding/json
// and Json.NET the last; gjson took any \u escape after a lone high
// surrogate for its low half.
func TestJSONSourceReadsAsEncodingJSON(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		paths  bool
		lookup string
		want   any
		wantOK bool
	}{
		{"invalid UTF-8 key is not found byte for byte", "{\"\xff\":\"v\"}", false, "\xff", nil, false},
		{"invalid UTF-8 key is found as U+FFFD", "{\"\xff\":\"v\"}", false, "\ufffd", "v", true},
		{"invalid UTF-8 key with paths", "{\"\xff\":\"v\"}", true, "\xff", nil, false},
		{"one U+FFFD per invalid byte", "{\"a\":{\"\xe2\x82x\":\"v\"}}", true, "a.\ufffd\ufffdx", "v", true},
		{"invalid UTF-8 value is U+FFFD", "{\"k\":\"a\xffb\"}", false, "k", "a\ufffdb", true},
		{"invalid UTF-8 in an array", "{\"k\":[\"\xc3\"]}", false, "k", []string{"\ufffd"}, true},
		{"valid U+FFFD kept", "{\"\ufffd\":\"v\"}", false, "\ufffd", "v", true},
		{"escaped key", `{"a\u0062":"v"}`, false, "ab", "v", true},
		{"lone surrogate escape is U+FFFD", `{"\ud800":"v"}`, false, "\ufffd", "v", true},
		{"lone high surrogate before another escape", `{"k":"\udC00\u0000"}`, false, "k", "\ufffd\x00", true},
		{"lone high surrogate before an escaped letter", `{"k":"\ud800\u0041"}`, false, "k", "\ufffdA", true},
		{"lone high surrogate before a pair", `{"k":"\ud800\ud800\udc00"}`, false, "k", "\ufffd\U00010000", true},
		{"lone high surrogate in a key", `{"\ud800\u0041":"v"}`, false, "\ufffdA", "v", true},
		{"lone high surrogate in an array item", `{"k":["\ud800\u0041"]}`, true, "k", []string{"\ufffdA"}, true},
		{"surrogate pair", `{"k":"\ud83d\ude00"}`, false, "k", "\U0001F600", true},
		{"duplicate key keeps the last value", `{"a":1,"a":2}`, false, "a", "2", true},
		{"duplicate key whose last value is null is absent", `{"a":1,"a":null}`, false, "a", nil, false},
		{"duplicate nested key keeps the last object", `{"a":{"b":1},"a":{"c":2}}`, true, "a.b", nil, false},
		{"duplicate nested key, last object's member", `{"a":{"b":1},"a":{"c":2}}`, true, "a.c", "2", true},
		{"array index with leading zero", `{"a":["x","y"]}`, true, "a.01", "y", true},
		{"array index not a number", `{"a":["x","y"]}`, true, "a.+1", nil, false},
		{"array index beyond int", `{"a":["x"]}`, true, "a.99999999999999999999", nil, false},
		{"index into a scalar", `{"a":"x"}`, true, "a.0", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := ParseJSON([]byte(tt.doc), tt.paths)
			if err != nil {
				t.Fatalf("ParseJSON(%q): %v", tt.doc, err)
			}
			got, ok := src.Lookup(tt.lookup)
			if ok != tt.wantOK || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Lookup(%q) with paths=%v in %q = %#v, %v; want %#v, %v", tt.lookup, tt.paths, tt.doc, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr error
	}{
		{"HTML page", "<html><body>Error</body></html>", ErrNotJSON},
		{"empty body", "", ErrNotJSON},
		{"form body", "access_token=abc&expires=3600", ErrNotJSON},
		{"truncated object", `{"id": "1"`, ErrNotJSON},
		{"trailing comma", `{"id": "1",}`, ErrNotJSON},
		{"control character in a string", "{\"id\": \"a\x01\"}", ErrNotJSON},
		{"nested deeper than encoding/json allows", strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001), ErrNotJSON},
		{"array", `[{"id": "1"}]`, ErrNotJSONObject},
		{"string", `"id"`, ErrNotJSONObject},
		{"number", `42`, ErrNotJSONObject},
		{"null", `null`, ErrNotJSONObject},
		{"object", `{"id": "1"}`, nil},
		{"empty object", ` {} `, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := ParseJSON([]byte(tt.body), false)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseJSON(%q) error = %v, want %v", tt.body, err, tt.wantErr)
			}
			if (src == nil) != (tt.wantErr != nil) {
				t.Errorf("ParseJSON(%q) source = %v with error %v", tt.body, src, err)
			}
		})
	}
}

func TestPathSegments(t *testing.T) {
	tests := []struct {
		name string
		path string
		want []string
	}{
		{"flat", "id", []string{"id"}},
		{"dotted", "a.b", []string{"a", "b"}},
		{"dotted index", "contacts.0.person.name", []string{"contacts", "0", "person", "name"}},
		{"bracket index", "contacts[0].person.name", []string{"contacts", "0", "person", "name"}},
		{"consecutive brackets", "a[0][1]", []string{"a", "0", "1"}},
		{"leading bracket", "[0].id", []string{"0", "id"}},
		{"tilde literal", "elements[0].handle~.emailAddress", []string{"elements", "0", "handle~", "emailAddress"}},
		{"gjson specials literal", "@this.#.a|b.*?!", []string{"@this", "#", "a|b", "*?!"}},
		{"backslash literal", `a\.b`, []string{`a\`, "b"}},
		{"empty segments dropped", "a..b.", []string{"a", "b"}},
		{"empty", "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PathSegments(tt.path); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PathSegments(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

// FuzzPathSegments checks that any member name is found literally without
// paths, and with paths when it holds no path syntax; and that path segments
// are never empty and never hold path syntax.
func FuzzPathSegments(f *testing.F) {
	for _, s := range []string{
		"contacts.0.person.name", "contacts[0].person.name", "elements[0].handle~.emailAddress",
		"firstName.localized", "a[0][1]", "..", "[", "]", "@this", "#(a==b)", `a\.b`, "", "a.#.b|@reverse",
	} {
		f.Add(s)
	}
	withPaths, err := ParseJSON([]byte(testDoc), true)
	if err != nil {
		f.Fatal(err)
	}
	literal, err := ParseJSON([]byte(testDoc), false)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path string) {
		for _, seg := range PathSegments(path) {
			if seg == "" || strings.ContainsAny(seg, ".[]") {
				t.Errorf("PathSegments(%q) has segment %q", path, seg)
			}
		}
		withPaths.Lookup(path)
		literal.Lookup(path)

		// Any member name is found literally without paths, and with paths
		// when it holds no path syntax.
		if path == "" || !utf8.ValidString(path) {
			return
		}
		doc, err := json.Marshal(map[string]string{path: "v"})
		if err != nil {
			t.Fatal(err)
		}
		src, err := ParseJSON(doc, false)
		if err != nil {
			t.Fatalf("ParseJSON(%s): %v", doc, err)
		}
		if got, ok := src.Lookup(path); !ok || got != "v" {
			t.Errorf("Lookup(%q) in %s = %#v, %v; want \"v\", true", path, doc, got, ok)
		}
		if strings.ContainsAny(path, ".[]") {
			return
		}
		src.Paths = true
		if got, ok := src.Lookup(path); !ok || got != "v" {
			t.Errorf("Lookup(%q) with paths in %s = %#v, %v; want \"v\", true", path, doc, got, ok)
		}
	})
}
