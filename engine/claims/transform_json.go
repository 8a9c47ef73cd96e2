package claims

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/iefconform/iefconform/engine/policy"
)

// generateJSON builds a JSON document from input claims and parameters whose
// TransformationClaimType / Id is a dot path; integer segments are array
// indexes (spec §4.1, REST-04): personalizations.0.to.0.email gives
// {"personalizations":[{"to":[{"email":…}]}]}. Parameters are typed by DataType.
// Arrays fill from index 0 without gaps, as B2C's documentation asks: a
// document with a missing element is an error.
func generateJSON(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	out, err := outputClaim(ct, "outputClaim")
	if err != nil {
		return err
	}
	b := jsonBuilder{values: len(ct.InputClaims) + len(ct.InputParameters)}
	var root any
	for _, c := range ct.InputClaims {
		v, ok := bag.Value(c.ClaimTypeReferenceID)
		if !ok {
			continue
		}
		if s, isStr := v.(string); isStr {
			root, err = b.setPath(root, c.TransformationClaimType, s)
		} else {
			root, err = b.setPath(root, c.TransformationClaimType, v)
		}
		if err != nil {
			return err
		}
	}
	for _, p := range ct.InputParameters {
		v, err := typedParameter(p)
		if err != nil {
			return err
		}
		if root, err = b.setPath(root, p.ID, v); err != nil {
			return err
		}
	}
	if root == nil {
		root = map[string]any{}
	}
	if path, ok := firstGap(root, ""); !ok {
		return fmt.Errorf("path %s: no value for this array element; arrays fill from index 0 without gaps", path)
	}
	doc, err := json.Marshal(root)
	if err != nil {
		return err
	}
	bag.Set(out, string(doc))
	return nil
}

func typedParameter(p policy.InputParameter) (any, error) {
	switch strings.ToLower(p.DataType) {
	case "int", "long":
		n, err := strconv.ParseInt(p.Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("input parameter %s: %q is not a %s", p.ID, p.Value, p.DataType)
		}
		return n, nil
	case "boolean":
		b, err := strconv.ParseBool(p.Value)
		if err != nil {
			return nil, fmt.Errorf("input parameter %s: %q is not a boolean", p.ID, p.Value)
		}
		return b, nil
	}
	return p.Value, nil
}

// jsonBuilder places the values of one GenerateJson transformation.
type jsonBuilder struct {
	// values is the number of values the transformation places: an array
	// index as large cannot be reached without a gap.
	values int
}

// setPath places v at a dot path inside node, creating objects and arrays.
func (b jsonBuilder) setPath(node any, path string, v any) (any, error) {
	segs := strings.Split(path, ".")
	return b.setSegs(node, segs, v, path)
}

func (b jsonBuilder) setSegs(node any, segs []string, v any, path string) (any, error) {
	if len(segs) == 0 {
		return v, nil
	}
	seg := segs[0]
	if i, err := strconv.Atoi(seg); err == nil && i >= 0 {
		arr, _ := node.([]any)
		if node != nil && arr == nil {
			return nil, fmt.Errorf("path %s: segment %q indexes something that is not an array", path, seg)
		}
		if i >= b.values {
			return nil, fmt.Errorf("path %s: index %d leaves a gap: the transformation has %d values and arrays fill from index 0 without gaps", path, i, b.values)
		}
		for len(arr) <= i {
			arr = append(arr, nil)
		}
		child, err := b.setSegs(arr[i], segs[1:], v, path)
		if err != nil {
			return nil, err
		}
		arr[i] = child
		return arr, nil
	}
	obj, _ := node.(map[string]any)
	if node != nil && obj == nil {
		return nil, fmt.Errorf("path %s: segment %q names a member of something that is not an object", path, seg)
	}
	if obj == nil {
		obj = map[string]any{}
	}
	child, err := b.setSegs(obj[seg], segs[1:], v, path)
	if err != nil {
		return nil, err
	}
	obj[seg] = child
	return obj, nil
}

// firstGap finds an array element that no value filled, in member order;
// path is the dot path of node. ok is false when there is one.
func firstGap(node any, path string) (gap string, ok bool) {
	join := func(seg string) string {
		if path == "" {
			return seg
		}
		return path + "." + seg
	}
	switch n := node.(type) {
	case []any:
		for i, el := range n {
			if el == nil {
				return join(strconv.Itoa(i)), false
			}
			if gap, ok := firstGap(el, join(strconv.Itoa(i))); !ok {
				return gap, false
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if gap, ok := firstGap(n[k], join(k)); !ok {
				return gap, false
			}
		}
	}
	return "", true
}

// getSingleItemFromJSON reads the first member of the JSON object in inputJson
// into the key and value output claims (either may be left out). A string value
// is unquoted, a number keeps its text, an object or array stays raw JSON, and
// null leaves value unset. The document is read as ParseJSON reads it: a
// repeated first member keeps its place and its last value. JSON that is not
// an object, or an empty object, is an error: B2C stops the journey there.
func getSingleItemFromJSON(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	keyOut, keyErr := outputClaim(ct, "key")
	valueOut, valueErr := outputClaim(ct, "value")
	if keyErr != nil && valueErr != nil {
		return fmt.Errorf("no output claim with TransformationClaimType %q or %q", "key", "value")
	}
	in, present, err := inputValue(ct, bag, "inputJson")
	if err != nil || !present {
		return err
	}
	doc, err := parseObject([]byte(in))
	if err != nil {
		return fmt.Errorf("inputJson: %w", err)
	}
	var key gjson.Result
	doc.ForEach(func(k, _ gjson.Result) bool {
		key = k
		return false
	})
	if !key.Exists() {
		return fmt.Errorf("inputJson: want an object with at least one member, got %s", in)
	}
	value := child(doc, text(key)) // a repeated first member keeps its last value, as in Json.NET
	if keyErr == nil {
		bag.Set(keyOut, text(key))
	}
	if valueErr == nil && value.Type != gjson.Null {
		v := text(value)
		if value.Type == gjson.Number || value.IsObject() || value.IsArray() {
			v = value.Raw // 1.50 stays 1.50; nested JSON stays JSON
		}
		bag.Set(valueOut, v)
	}
	return nil
}
