package claims

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// JSONSource looks up partner claims in a JSON document. It reads the
// document as encoding/json does where gjson differs: each byte that is not
// UTF-8 is U+FFFD, a \u escape of a lone surrogate is U+FFFD, and a
// repeated member keeps its last value (as in Json.NET, which B2C uses).
type JSONSource struct {
	doc gjson.Result
	// Paths enables nested paths (ResolveJsonPathsInJsonTokens): "a.b", "a.0.b" and "a[0].b".
	Paths bool
}

// ParseJSON checks that data is a JSON object and returns a source over it.
func ParseJSON(data []byte, paths bool) (*JSONSource, error) {
	doc, err := parseObject(data)
	if err != nil {
		return nil, err
	}
	return &JSONSource{doc: doc, Paths: paths}, nil
}

// parseObject checks data with encoding/json's grammar, replaces bytes that
// are not UTF-8 as encoding/json does, and requires an object.
func parseObject(data []byte) (gjson.Result, error) {
	if !json.Valid(data) {
		return gjson.Result{}, ErrNotJSON
	}
	doc := gjson.ParseBytes(toValidUTF8(data))
	if !doc.IsObject() {
		return gjson.Result{}, ErrNotJSONObject
	}
	return doc, nil
}

// toValidUTF8 replaces every byte that does not start a UTF-8 sequence with
// U+FFFD, one for each such byte, as encoding/json does in the strings it
// decodes. In valid JSON such bytes can only be inside strings.
func toValidUTF8(data []byte) []byte {
	if utf8.Valid(data) {
		return data
	}
	out := make([]byte, 0, len(data)+16)
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, data[:n]...)
		}
		data = data[n:]
	}
	return out
}

// Lookup returns the value at name: a member name, or with Paths a JSON path.
// A JSON null is absent.
func (s *JSONSource) Lookup(name string) (any, bool) {
	segs := []string{name}
	if s.Paths {
		segs = PathSegments(name)
	}
	r := walk(s.doc, segs)
	if !r.Exists() || r.Type == gjson.Null {
		return nil, false
	}
	return valueOf(r), true
}

// walk follows segs (member names and array indexes, as child reads them)
// down from r. The result does not exist when a segment is missing, or when
// segs is empty or starts with an empty name.
func walk(r gjson.Result, segs []string) gjson.Result {
	if len(segs) == 0 || segs[0] == "" {
		return gjson.Result{}
	}
	for _, seg := range segs {
		if r = child(r, seg); !r.Exists() {
			return r
		}
	}
	return r
}

// PathSegments splits a B2C JSON path, in either of the documented forms
// "contacts.0.person.name" and "contacts[0].person.name", into its member
// names and array indexes. Every other character is literal; empty segments
// are dropped.
func PathSegments(path string) []string {
	path = strings.ReplaceAll(path, "]", "")
	return strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '[' })
}

// child is the member seg of an object, the last one when the name is
// repeated, or the element at index seg (ASCII digits) of an array. gjson's
// own paths keep the first of repeated members, and give meaning to
// characters such as '*', '#' and '@', so segments are matched here.
func child(r gjson.Result, seg string) gjson.Result {
	var found gjson.Result
	switch {
	case r.IsObject():
		r.ForEach(func(k, v gjson.Result) bool {
			if text(k) == seg {
				found = v
			}
			return true
		})
	case r.IsArray():
		i, ok := arrayIndex(seg)
		if !ok {
			break
		}
		r.ForEach(func(_, v gjson.Result) bool {
			if i == 0 {
				found = v
				return false
			}
			i--
			return true
		})
	}
	return found
}

// arrayIndex reads an array index written in ASCII digits.
func arrayIndex(seg string) (int, bool) {
	for _, c := range []byte(seg) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(seg)
	return i, err == nil
}

func valueOf(r gjson.Result) any {
	switch {
	case r.IsArray():
		var items []string
		for _, it := range r.Array() {
			if it.Type == gjson.Null {
				continue
			}
			if it.IsObject() || it.IsArray() || it.Type == gjson.Number {
				items = append(items, it.Raw) // numbers keep their text: 1.50 stays 1.50
			} else {
				items = append(items, text(it))
			}
		}
		return items
	case r.IsObject():
		return r.Raw
	case r.Type == gjson.Number:
		return r.Raw // not r.String(): 1.50 and 1e3 keep their text
	default:
		return text(r)
	}
}

// text is a value as a string: a JSON string decoded as encoding/json
// decodes it, true and false as written. gjson takes any \u escape after a
// lone high surrogate for its low half ("\ud800\u0041" gives one U+FFFD, not
// U+FFFD and "A"), so strings with \u escapes are decoded by encoding/json.
func text(r gjson.Result) string {
	if r.Type != gjson.String || !strings.Contains(r.Raw, `\u`) {
		return r.String()
	}
	var s string
	if err := json.Unmarshal([]byte(r.Raw), &s); err != nil {
		return r.String() // not reached: the document is valid JSON
	}
	return s
}
