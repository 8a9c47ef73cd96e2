// Package claims holds the claims bag of a running journey and the pure machinery
// around it: claim resolvers, JSON-path lookups, preconditions and the mapping of
// technical-profile input and output claims. It does no I/O.
package claims

import (
	"fmt"
	"sort"
	"strings"
)

// Bag is the claims bag of one journey. A value is a string or a []string
// (stringCollection). A Bag is not safe for concurrent use: a journey runs one
// request at a time. A nil *Bag reads as empty.
type Bag struct {
	m map[string]any
}

// NewBag returns an empty bag.
func NewBag() *Bag { return &Bag{m: map[string]any{}} }

// Set stores v (string or []string) under id; other types are stored as given.
func (b *Bag) Set(id string, v any) { b.m[id] = v }

// Delete removes id.
func (b *Bag) Delete(id string) { delete(b.m, id) }

// Value returns the raw value of id.
func (b *Bag) Value(id string) (any, bool) {
	if b == nil {
		return nil, false
	}
	v, ok := b.m[id]
	return v, ok
}

// Get returns id as a string: a collection is joined with commas.
func (b *Bag) Get(id string) (string, bool) {
	v, ok := b.Value(id)
	if !ok {
		return "", false
	}
	return String(v), true
}

// Has reports whether id holds a value that is not empty. B2C's ClaimsExist
// treats a claim without a value as absent.
func (b *Bag) Has(id string) bool {
	v, ok := b.Value(id)
	if !ok {
		return false
	}
	switch t := v.(type) {
	case string:
		return t != ""
	case []string:
		return len(t) > 0
	}
	return v != nil
}

// Keys returns the claim ids in the bag, sorted.
func (b *Bag) Keys() []string {
	if b == nil {
		return []string{}
	}
	ks := make([]string, 0, len(b.m))
	for k := range b.m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Clone returns a copy that shares no state with b.
func (b *Bag) Clone() *Bag {
	c := &Bag{m: make(map[string]any, len(b.m))}
	for k, v := range b.m {
		if s, ok := v.([]string); ok {
			v = append([]string(nil), s...)
		}
		c.m[k] = v
	}
	return c
}

// String renders a claim value as text: collections joined by commas, other
// values as fmt.Sprint prints them.
func String(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case []string:
		return strings.Join(t, ",")
	case interface{ String() string }:
		return t.String()
	}
	return fmt.Sprint(v)
}
