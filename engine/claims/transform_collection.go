package claims

import "github.com/iefconform/iefconform/engine/policy"

// addItemToStringCollection sets the output collection to the input collection
// (which may be absent from the bag) with item added at the end. The result
// holds unique values: ordinal duplicates are dropped, first occurrence kept.
func addItemToStringCollection(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, collID := a.output("collection"), a.claim("collection")
	item, ok := a.input("item")
	if a.err != nil || !ok {
		return a.err
	}
	var coll []string
	if v, ok := bag.Value(collID); ok {
		coll = collection(v)
	}
	res := make([]string, 0, len(coll)+1)
	seen := make(map[string]bool, len(coll)+1)
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			res = append(res, s)
		}
	}
	for _, s := range coll {
		add(s)
	}
	add(item)
	bag.Set(out, res)
	return nil
}

// collection reads a bag value as a stringCollection: a single non-empty
// string counts as one item.
func collection(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case nil:
		return nil
	case string:
		if t == "" {
			return nil
		}
		return []string{t}
	}
	return []string{String(v)}
}
