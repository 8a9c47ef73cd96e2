package claims

import (
	"strconv"

	"github.com/iefconform/iefconform/engine/policy"
)

// StringCollection claims transformations, as B2C's
// stringcollection-transformations article describes them.

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
	bag.Set(out, withItem(bag, collID, item))
	return nil
}

// addParameterToStringCollection is AddItemToStringCollection with the item
// given by the input parameter item instead of a claim, so the output is
// always set.
func addParameterToStringCollection(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, collID, item := a.output("collection"), a.claim("collection"), a.param("item")
	if a.err != nil {
		return a.err
	}
	bag.Set(out, withItem(bag, collID, item))
	return nil
}

// withItem is a new collection: the one under collID (absent counts as
// empty) with item added at the end, ordinal duplicates dropped.
func withItem(bag *Bag, collID, item string) []string {
	var coll []string
	if v, ok := bag.Value(collID); ok {
		coll = collection(v)
	}
	res := make([]string, 0, len(coll)+1)
	seen := make(map[string]bool, len(coll)+1)
	for _, s := range append(coll[:len(coll):len(coll)], item) {
		if !seen[s] {
			seen[s] = true
			res = append(res, s)
		}
	}
	return res
}

// getSingleItemFromStringCollection sets extractedItem to the first item of
// collection. An absent or empty collection leaves it unset [INF].
func getSingleItemFromStringCollection(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, collID := a.output("extractedItem"), a.claim("collection")
	if a.err != nil {
		return a.err
	}
	v, _ := bag.Value(collID)
	if coll := collection(v); len(coll) > 0 {
		bag.Set(out, coll[0])
	}
	return nil
}

// stringCollectionContains sets the boolean outputClaim to whether the
// collection inputClaim holds the item parameter, ignoring case when
// ignoreCase is true (default false [INF]). An absent collection leaves the
// output unset.
func stringCollectionContains(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, collID, item := a.output("outputClaim"), a.claim("inputClaim"), a.param("item")
	ignoreCase := a.boolParam("ignoreCase", false)
	if a.err != nil {
		return a.err
	}
	return setContains(bag, out, collID, item, ignoreCase)
}

// stringCollectionContainsClaim sets the boolean outputClaim to whether the
// collection claim holds the value of the item claim, ignoring case when
// ignoreCase is true (default false [INF]). An absent collection or item
// leaves the output unset.
func stringCollectionContainsClaim(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, collID := a.output("outputClaim"), a.claim("collection")
	ignoreCase := a.boolParam("ignoreCase", false)
	item, ok := a.input("item")
	if a.err != nil || !ok {
		return a.err
	}
	return setContains(bag, out, collID, item, ignoreCase)
}

// setContains sets out to whether the collection under collID holds item; an
// absent collection leaves out unset.
func setContains(bag *Bag, out, collID, item string, ignoreCase bool) error {
	v, ok := bag.Value(collID)
	if !ok {
		return nil
	}
	found := false
	for _, s := range collection(v) {
		if same(s, item, ignoreCase) {
			found = true
			break
		}
	}
	bag.Set(out, strconv.FormatBool(found))
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
