package claims

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// jsonLookupSeeds are JSON answers and partner claim types from the repo's
// tests and feature policies, plus the regressions the differential found.
var jsonLookupSeeds = []struct {
	doc   string
	name  string
	paths bool
}{
	{testDoc, "contacts.0.person.name", true},
	{testDoc, "contacts[0].person.emails[0].email", true},
	{testDoc, "firstName.localized.en_US", true},
	{testDoc, "elements[0].handle~.emailAddress", true},
	{testDoc, "a.b", false},
	{testDoc, "mixed", false},
	{testDoc, "big", true},
	{testDoc, "nothing", true},
	{`{"contacts":[{"person":{"name":"Emily Smith","loyaltyNumber":1234}}]}`, "contacts[0].person.loyaltyNumber", true},
	{`{"displayName": "Emily Smith", "loyaltyNumber": 12345678901234567890, "tags": ["a", "b"]}`, "loyaltyNumber", false},
	{`{"emails":[{"value":"a@contoso.com"},{"value":"b@contoso.com"}]}`, "emails.1.value", true},
	{`{"profile":{"department":"Sales"},"sub":"248289761001"}`, "profile.department", true},
	{`{"id":"1","first_name":"Bob","email":"bob@contoso.com"}`, "first_name", false},
	{`{"user_id":"12","screen_name":"bob"}`, "screen_name", true},
	// Regressions: a key with invalid UTF-8 is U+FFFD to encoding/json ...
	{"{\"\xff\":\"v\"}", "\xff", false},
	{"{\"\xff\":\"v\"}", "\ufffd", false},
	{"{\"a\":{\"\xe2\x82\":\"v\"}}", "a.\ufffd\ufffd", true},
	{"{\"k\":\"\xff\"}", "k", false},
	// ... a duplicate key keeps its last value ...
	{`{"a":1,"a":2}`, "a", false},
	{`{"a":{"b":1},"a":{"c":2}}`, "a.c", true},
	// ... and a lone surrogate escape is U+FFFD.
	{`{"\ud800":"v"}`, "\ufffd", false},
	{`{"k":"\udc00x"}`, "k", false},
	// ... and so is a lone high surrogate before another \u escape.
	{`{"k":"\udC00\u0000"}`, "k", false},
	{`{"\ud800\u0041":"v"}`, "\ufffdA", false},
}

// FuzzJSONLookup checks ParseJSON and JSONSource.Lookup against encoding/json:
// a document is accepted exactly when encoding/json decodes it to an object,
// and a name is present, with the same value, exactly when walking the decoded
// map[string]any / []any finds a non-null value there.
func FuzzJSONLookup(f *testing.F) {
	for _, s := range jsonLookupSeeds {
		f.Add([]byte(s.doc), s.name, s.paths)
	}
	f.Fuzz(func(t *testing.T, doc []byte, name string, paths bool) {
		want, wantOK, wantErr := refLookup(doc, name, paths)
		src, err := ParseJSON(doc, paths)
		if !errors.Is(err, wantErr) || (err == nil) != (wantErr == nil) {
			t.Fatalf("ParseJSON(%q) error = %v, want %v", doc, err, wantErr)
		}
		if err != nil {
			return
		}
		got, ok := src.Lookup(name)
		if ok != wantOK {
			t.Fatalf("Lookup(%q) with paths=%v in %q: present = %v (%#v), encoding/json says %v (%#v)", name, paths, doc, ok, got, wantOK, want)
		}
		if !ok {
			return
		}
		if msg := sameValue(got, want); msg != "" {
			t.Fatalf("Lookup(%q) with paths=%v in %q = %#v, encoding/json says %#v: %s", name, paths, doc, got, want, msg)
		}
	})
}

// refLookup is the reference: the document decoded by encoding/json (numbers
// as json.Number), walked along the segments of name.
func refLookup(doc []byte, name string, paths bool) (any, bool, error) {
	if !json.Valid(doc) {
		return nil, false, ErrNotJSON
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false, err
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, false, ErrNotJSONObject
	}
	segs := []string{name}
	if paths {
		segs = strings.FieldsFunc(strings.ReplaceAll(name, "]", ""), func(r rune) bool { return r == '.' || r == '[' })
	}
	if len(segs) == 0 || segs[0] == "" {
		return nil, false, nil
	}
	for _, seg := range segs {
		switch node := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = node[seg]; !ok {
				return nil, false, nil
			}
		case []any:
			i, ok := refArrayIndex(seg)
			if !ok || i >= len(node) {
				return nil, false, nil
			}
			v = node[i]
		default:
			return nil, false, nil
		}
	}
	if v == nil {
		return nil, false, nil
	}
	return v, true, nil
}

// refArrayIndex reads a segment made of ASCII digits only.
func refArrayIndex(seg string) (int, bool) {
	for _, c := range []byte(seg) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(seg)
	return i, err == nil
}

// sameValue compares a Lookup result with an encoding/json value: scalars as
// their text, objects and arrays by meaning (their raw text is kept as
// written), arrays as stringCollections without nulls.
func sameValue(got, want any) string {
	switch w := want.(type) {
	case []any:
		g, ok := got.([]string)
		if !ok {
			return fmt.Sprintf("want a []string, got %T", got)
		}
		var items []any
		for _, it := range w {
			if it != nil {
				items = append(items, it)
			}
		}
		if len(g) != len(items) {
			return fmt.Sprintf("want %d items, got %d", len(items), len(g))
		}
		for i := range g {
			msg := ""
			switch items[i].(type) {
			case map[string]any, []any:
				msg = sameRaw(g[i], items[i])
			default:
				msg = sameValue(g[i], items[i])
			}
			if msg != "" {
				return fmt.Sprintf("item %d: %s", i, msg)
			}
		}
		return ""
	case map[string]any:
		g, ok := got.(string)
		if !ok {
			return fmt.Sprintf("want raw JSON text, got %T", got)
		}
		return sameRaw(g, w)
	}
	g, ok := got.(string)
	if !ok {
		return fmt.Sprintf("want a string, got %T", got)
	}
	var text string
	switch w := want.(type) {
	case string:
		text = w
	case json.Number:
		text = string(w)
	case bool:
		text = strconv.FormatBool(w)
	default:
		return fmt.Sprintf("unexpected encoding/json value %T", want)
	}
	if g != text {
		return fmt.Sprintf("want %q", text)
	}
	return ""
}

// sameRaw compares raw JSON text with an encoding/json value by meaning.
func sameRaw(raw string, want any) string {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Sprintf("raw JSON %q does not decode: %v", raw, err)
	}
	if !reflect.DeepEqual(v, want) {
		return fmt.Sprintf("raw JSON %q means %#v", raw, v)
	}
	return ""
}
