package claims

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
		bag.Set(valueOut, scalarText(value))
	}
	return nil
}

// scalarText is a JSON value as a string claim: a string unquoted, true and
// false as written, a number with its text (1.50 stays 1.50), an object or
// array as its raw JSON.
func scalarText(r gjson.Result) string {
	if r.Type == gjson.Number || r.IsObject() || r.IsArray() {
		return r.Raw
	}
	return text(r)
}

// createJSONArray sets outputClaim to a JSON array holding the value of
// inputClaim: ["someone@example.com"] (the article's example output names
// another address than its input, a slip). [INF] A stringCollection input
// gives one element per item.
func createJSONArray(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	in, out := a.claim("inputClaim"), a.output("outputClaim")
	if a.err != nil {
		return a.err
	}
	v, ok := bag.Value(in)
	if !ok {
		return nil
	}
	items, isColl := v.([]string)
	if !isColl {
		items = []string{String(v)}
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, it)
	}
	b.WriteByte(']')
	bag.Set(out, b.String())
	return nil
}

// extractFromJSON finds claimToExtract in the JSON object inputJson: a member
// of that name, else [INF] a JSON path in the forms partner claims use
// (a.b, a.0.b, a[0].b), read with the same machinery (jsonpath.go). found is
// false when the input claim is absent or nothing is there; a JSON null is
// nothing.
func extractFromJSON(a *args) (r gjson.Result, found bool, err error) {
	name := a.param("claimToExtract")
	in, present := a.input("inputJson")
	if a.err != nil || !present {
		return r, false, a.err
	}
	doc, err := parseObject([]byte(in))
	if err != nil {
		return r, false, fmt.Errorf("inputJson: %w", err)
	}
	if r = child(doc, name); !r.Exists() {
		r = walk(doc, PathSegments(name))
	}
	return r, r.Exists() && r.Type != gjson.Null, nil
}

// getClaimFromJSON sets extractedClaim to the element claimToExtract of the
// JSON object inputJson, as GetSingleItemFromJson writes a value. A missing
// element leaves the output as it is [INF]; JSON that is not an object is an
// error.
func getClaimFromJSON(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("extractedClaim")
	r, found, err := extractFromJSON(a)
	if err != nil || !found {
		return err
	}
	bag.Set(out, scalarText(r))
	return nil
}

// getNumericClaimFromJSON sets the long claim extractedClaim to the element
// claimToExtract of the JSON object inputJson. [INF] The element is a JSON
// number written as an integer, or a string holding one (as Json.NET converts
// it), in the long range; anything else is an error (ErrInvalidClaimValue).
// A missing element leaves the output as it is.
func getNumericClaimFromJSON(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("extractedClaim")
	r, found, err := extractFromJSON(a)
	if err != nil || !found {
		return err
	}
	s := r.Raw
	if r.Type == gjson.String {
		s = strings.TrimSpace(text(r))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if (r.Type != gjson.Number && r.Type != gjson.String) || err != nil {
		return fmt.Errorf("claimToExtract: %s is not a long: %w", r.Raw, ErrInvalidClaimValue)
	}
	bag.Set(out, strconv.FormatInt(n, 10))
	return nil
}

// parseJSONArray checks data with encoding/json's grammar, as parseObject
// does, and requires an array.
func parseJSONArray(data []byte) (gjson.Result, error) {
	if !json.Valid(data) {
		return gjson.Result{}, ErrNotJSON
	}
	doc := gjson.ParseBytes(toValidUTF8(data))
	if !doc.IsArray() {
		return gjson.Result{}, fmt.Errorf("want a JSON array: %w", ErrInvalidClaimValue)
	}
	return doc, nil
}

// getSingleValueFromJSONArray sets extractedClaim to the first element of the
// JSON array inputJsonClaim, as GetSingleItemFromJson writes a value; a null
// first element leaves it as it is. JSON that is not an array, or an empty
// array, is an error [INF], as an empty object is for GetSingleItemFromJson.
func getSingleValueFromJSONArray(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("extractedClaim")
	in, present := a.input("inputJsonClaim")
	if a.err != nil || !present {
		return a.err
	}
	doc, err := parseJSONArray([]byte(in))
	if err != nil {
		return fmt.Errorf("inputJsonClaim: %w", err)
	}
	first := child(doc, "0")
	if !first.Exists() {
		return fmt.Errorf("inputJsonClaim: want an array with at least one element, got %s", in)
	}
	if first.Type != gjson.Null {
		bag.Set(out, scalarText(first))
	}
	return nil
}

// jsonArraySource is the input claim of GetClaimsFromJsonArray(V2): the
// article's example binds it as jsonSource, its table as jsonSourceClaim;
// both are accepted [INF], jsonSource first.
func jsonArraySource(ct *policy.ClaimsTransformation) (string, error) {
	for _, slot := range []string{"jsonSource", "jsonSourceClaim"} {
		if id, ok := inputClaim(ct, slot); ok {
			return id, nil
		}
	}
	return "", fmt.Errorf("no input claim with TransformationClaimType %q or %q", "jsonSource", "jsonSourceClaim")
}

// getClaimsFromJSONArray reads a JSON array of objects such as
// [{"key":"email","value":"someone@example.com"}, ...] from its input claim.
func getClaimsFromJSONArray(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return claimsFromJSONElements(ct, bag, func(v any) ([]gjson.Result, error) {
		doc, err := parseJSONArray([]byte(String(v)))
		if err != nil {
			return nil, fmt.Errorf("jsonSource: %w", err)
		}
		return doc.Array(), nil
	})
}

// getClaimsFromJSONArrayV2 reads the same objects, one per item of its
// stringCollection input claim. [INF] A single string is one item.
func getClaimsFromJSONArrayV2(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return claimsFromJSONElements(ct, bag, func(v any) ([]gjson.Result, error) {
		items, isColl := v.([]string)
		if !isColl {
			items = []string{String(v)}
		}
		els := make([]gjson.Result, 0, len(items))
		for i, it := range items {
			doc, err := parseObject([]byte(it))
			if err != nil {
				return nil, fmt.Errorf("jsonSource item %d: %w", i, err)
			}
			els = append(els, doc)
		}
		return els, nil
	})
}

// claimsFromJSONElements sets each output claim from the element of the
// input whose jsonSourceKeyName member equals the claim's name: its
// TransformationClaimType when it has one, else [INF] its
// ClaimTypeReferenceId (the article's outputs have none). The claim gets the
// element's jsonSourceValueName member, written as GetSingleItemFromJson
// writes a value. [INF] Elements that are not objects or whose key is not a
// string are skipped, and of elements with the same key the last one counts.
// An empty value (an empty string, null, or no value member) is set as ""
// only with includeEmptyClaims true (default false); otherwise the claim is
// left as it is. A claim no element names is an error with
// errorOnMissingClaims true (default false), and then nothing is set.
func claimsFromJSONElements(ct *policy.ClaimsTransformation, bag *Bag, elements func(v any) ([]gjson.Result, error)) error {
	a := newArgs(ct, bag)
	src := read(a, func() (string, error) { return jsonArraySource(ct) })
	errorOnMissing := a.boolParam("errorOnMissingClaims", false)
	includeEmpty := a.boolParam("includeEmptyClaims", false)
	keyName, valueName := a.param("jsonSourceKeyName"), a.param("jsonSourceValueName")
	if a.err != nil {
		return a.err
	}
	v, present := bag.Value(src)
	if !present {
		return nil
	}
	els, err := elements(v)
	if err != nil {
		return err
	}
	values := map[string]gjson.Result{}
	for _, el := range els {
		if !el.IsObject() {
			continue
		}
		key := child(el, keyName)
		if key.Type != gjson.String {
			continue
		}
		values[text(key)] = child(el, valueName)
	}
	set := map[string]string{}
	for _, c := range ct.OutputClaims {
		name := c.TransformationClaimType
		if name == "" {
			name = c.ClaimTypeReferenceID
		}
		r, ok := values[name]
		switch {
		case !ok && errorOnMissing:
			return fmt.Errorf("jsonSource: no element with %s %q", keyName, name)
		case !ok:
		case r.Type == gjson.Null || (r.Type == gjson.String && text(r) == ""):
			if includeEmpty {
				set[c.ClaimTypeReferenceID] = ""
			}
		default:
			set[c.ClaimTypeReferenceID] = scalarText(r)
		}
	}
	for id, v := range set {
		bag.Set(id, v)
	}
	return nil
}

// xmlStringToJSONString converts the XML document in the xml claim to JSON in
// the json claim. The article gives one example (<user><name>…</name>…</user>
// gives {"user":{"name":…,…}}); B2C runs on .NET, whose usual converter is
// Json.NET's SerializeXmlNode, and the rest follows its conventions [INF]:
//   - the document is an object with one member, the root element;
//   - an element with neither attributes nor child elements is its text, or
//     null when it has none;
//   - otherwise it is an object: attributes as "@name" members first, then
//     child elements and text ("#text") in document order, the values of a
//     repeated name gathered into an array at its first place;
//   - names keep their prefixes as written (ns:name, @xmlns:ns);
//   - all text is a JSON string; text of white space only is dropped, CDATA is
//     text; the XML declaration, processing instructions, comments and the
//     DOCTYPE are dropped;
//   - the JSON is compact.
//
// XML that is not well-formed (one root element, matching tags, known
// entities, UTF-8) is an error, as is nesting deeper than xmlMaxDepth.
func xmlStringToJSONString(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("json")
	in, present := a.input("xml")
	if a.err != nil || !present {
		return a.err
	}
	root, err := parseXMLTree(in)
	if err != nil {
		return fmt.Errorf("xml: %w: %w", err, ErrInvalidClaimValue)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	writeJSONString(&b, root.name)
	b.WriteByte(':')
	root.writeJSON(&b)
	b.WriteByte('}')
	bag.Set(out, b.String())
	return nil
}

// xmlMaxDepth bounds element nesting. [INF]
const xmlMaxDepth = 256

// xmlNode is an element: its name as written, its attributes, and its
// content in order (*xmlNode children and string texts).
type xmlNode struct {
	name    string
	attrs   []xml.Attr
	content []any
}

func xmlName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// parseXMLTree reads a well-formed document with one root element. Tokens are
// read raw so that names keep their prefixes; tags are matched here.
func parseXMLTree(s string) (*xmlNode, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	var root *xmlNode
	var stack []*xmlNode
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, errors.New("more than one root element")
			}
			if len(stack) >= xmlMaxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d", xmlMaxDepth)
			}
			n := &xmlNode{name: xmlName(t.Name), attrs: t.Attr}
			if len(stack) == 0 {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.content = append(parent.content, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != xmlName(t.Name) {
				return nil, fmt.Errorf("unexpected end element </%s>", xmlName(t.Name))
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			txt := string(t)
			if strings.TrimSpace(txt) == "" {
				continue
			}
			if len(stack) == 0 {
				return nil, errors.New("text outside the root element")
			}
			n := stack[len(stack)-1]
			if last := len(n.content) - 1; last >= 0 {
				if prev, isText := n.content[last].(string); isText { // text split by a comment or CDATA
					n.content[last] = prev + txt
					continue
				}
			}
			n.content = append(n.content, txt)
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("element <%s> is not closed", stack[len(stack)-1].name)
	}
	return root, nil
}

// writeJSON writes the value of n.
func (n *xmlNode) writeJSON(b *bytes.Buffer) {
	simple := len(n.attrs) == 0
	for _, c := range n.content {
		if _, isElem := c.(*xmlNode); isElem {
			simple = false
		}
	}
	if simple {
		if len(n.content) == 0 {
			b.WriteString("null")
		} else {
			writeJSONString(b, n.content[0].(string)) // adjacent texts are merged, so there is one
		}
		return
	}
	// Members in order of first appearance, each with every value of its name.
	var names []string
	values := map[string][]any{}
	add := func(name string, v any) {
		if _, seen := values[name]; !seen {
			names = append(names, name)
		}
		values[name] = append(values[name], v)
	}
	for _, at := range n.attrs {
		add("@"+xmlName(at.Name), at.Value)
	}
	for _, c := range n.content {
		if el, isElem := c.(*xmlNode); isElem {
			add(el.name, el)
		} else {
			add("#text", c)
		}
	}
	b.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, name)
		b.WriteByte(':')
		vs := values[name]
		if len(vs) > 1 {
			b.WriteByte('[')
		}
		for j, v := range vs {
			if j > 0 {
				b.WriteByte(',')
			}
			if el, isElem := v.(*xmlNode); isElem {
				el.writeJSON(b)
			} else {
				writeJSONString(b, v.(string))
			}
		}
		if len(vs) > 1 {
			b.WriteByte(']')
		}
	}
	b.WriteByte('}')
}

// writeJSONString writes s as a JSON string without escaping <, > and &
// (Json.NET does not).
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode adds a newline
}
