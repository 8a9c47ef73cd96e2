package claims

import (
	"strings"

	"github.com/tidwall/gjson"
)

// JSONSource looks up partner claims in a JSON document.
type JSONSource struct {
	doc gjson.Result
	// Paths enables nested paths (ResolveJsonPathsInJsonTokens): "a.b", "a.0.b" and "a[0].b".
	Paths bool
}

// ParseJSON checks that data is a JSON object and returns a source over it.
func ParseJSON(data []byte, paths bool) (*JSONSource, error) {
	if !gjson.ValidBytes(data) {
		return nil, ErrNotJSON
	}
	doc := gjson.ParseBytes(data)
	if !doc.IsObject() {
		return nil, ErrNotJSONObject
	}
	return &JSONSource{doc: doc, Paths: paths}, nil
}

// Lookup returns the value at name: a member name, or with Paths a JSON path.
// A JSON null is absent.
func (s *JSONSource) Lookup(name string) (any, bool) {
	var r gjson.Result
	if s.Paths {
		r = s.doc.Get(GJSONPath(name))
	} else {
		r = s.doc.Get(gjson.Escape(name))
	}
	if !r.Exists() || r.Type == gjson.Null {
		return nil, false
	}
	return valueOf(r), true
}

// GJSONPath converts a B2C JSON path, in either of the documented forms
// "contacts.0.person.name" and "contacts[0].person.name", into a gjson path whose
// segments are escaped so that characters such as '~' stay literal.
func GJSONPath(path string) string {
	path = strings.ReplaceAll(path, "]", "")
	path = strings.ReplaceAll(path, "[", ".")
	segs := strings.Split(path, ".")
	out := segs[:0]
	for _, s := range segs {
		if s == "" {
			continue
		}
		out = append(out, gjson.Escape(s))
	}
	return strings.Join(out, ".")
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
				items = append(items, it.String())
			}
		}
		return items
	case r.IsObject():
		return r.Raw
	case r.Type == gjson.Number:
		return r.Raw // not r.String(): 1.50 and 1e3 keep their text
	default:
		return r.String()
	}
}
