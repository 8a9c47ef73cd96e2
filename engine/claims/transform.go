package claims

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
)

// ErrUnsupportedTransformation is returned for a TransformationMethod the
// emulator does not implement yet.
var ErrUnsupportedTransformation = errors.New("claims transformation method not supported by the emulator")

// transformFunc runs one claims transformation over the bag.
type transformFunc func(ct *policy.ClaimsTransformation, bag *Bag) error

// transforms is the registry of TransformationMethod implementations.
var transforms = map[string]transformFunc{
	"GenerateJson":      generateJSON,
	"CreateStringClaim": createStringClaim,
	"CopyClaim":         copyClaim,
}

// Supported reports whether the emulator implements a TransformationMethod.
func Supported(method string) bool {
	_, ok := transforms[method]
	return ok
}

// Transform runs a claims transformation: its input claims and parameters
// from the bag, its output claims into it.
func Transform(ct *policy.ClaimsTransformation, bag *Bag) error {
	f, ok := transforms[ct.TransformationMethod]
	if !ok {
		return fmt.Errorf("claims transformation %s: %s: %w", ct.ID, ct.TransformationMethod, ErrUnsupportedTransformation)
	}
	if err := f(ct, bag); err != nil {
		return fmt.Errorf("claims transformation %s (%s): %w", ct.ID, ct.TransformationMethod, err)
	}
	return nil
}

// outputClaim is the claim bound to a transformation's output slot.
func outputClaim(ct *policy.ClaimsTransformation, slot string) (string, error) {
	for _, c := range ct.OutputClaims {
		if c.TransformationClaimType == slot {
			return c.ClaimTypeReferenceID, nil
		}
	}
	return "", fmt.Errorf("no output claim with TransformationClaimType %q", slot)
}

func inputClaim(ct *policy.ClaimsTransformation, slot string) (string, bool) {
	for _, c := range ct.InputClaims {
		if c.TransformationClaimType == slot {
			return c.ClaimTypeReferenceID, true
		}
	}
	return "", false
}

func inputParameter(ct *policy.ClaimsTransformation, id string) (policy.InputParameter, bool) {
	for _, p := range ct.InputParameters {
		if p.ID == id {
			return p, true
		}
	}
	return policy.InputParameter{}, false
}

// createStringClaim sets outputClaim to the parameter value.
func createStringClaim(ct *policy.ClaimsTransformation, bag *Bag) error {
	out, err := outputClaim(ct, "createdClaim")
	if err != nil {
		return err
	}
	p, ok := inputParameter(ct, "value")
	if !ok {
		return errors.New("no input parameter value")
	}
	bag.Set(out, p.Value)
	return nil
}

// copyClaim copies inputClaim to outputClaim.
func copyClaim(ct *policy.ClaimsTransformation, bag *Bag) error {
	in, ok := inputClaim(ct, "inputClaim")
	if !ok {
		return errors.New("no input claim inputClaim")
	}
	out, err := outputClaim(ct, "outputClaim")
	if err != nil {
		return err
	}
	if v, ok := bag.Value(in); ok {
		bag.Set(out, v)
	}
	return nil
}

// generateJSON builds a JSON document from input claims and parameters whose
// TransformationClaimType / Id is a dot path; integer segments are array
// indexes (spec §4.1, REST-04): personalizations.0.to.0.email gives
// {"personalizations":[{"to":[{"email":…}]}]}. Parameters are typed by DataType.
func generateJSON(ct *policy.ClaimsTransformation, bag *Bag) error {
	out, err := outputClaim(ct, "outputClaim")
	if err != nil {
		return err
	}
	var root any
	for _, c := range ct.InputClaims {
		v, ok := bag.Value(c.ClaimTypeReferenceID)
		if !ok {
			continue
		}
		if s, isStr := v.(string); isStr {
			root, err = setPath(root, c.TransformationClaimType, s)
		} else {
			root, err = setPath(root, c.TransformationClaimType, v)
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
		if root, err = setPath(root, p.ID, v); err != nil {
			return err
		}
	}
	if root == nil {
		root = map[string]any{}
	}
	b, err := json.Marshal(root)
	if err != nil {
		return err
	}
	bag.Set(out, string(b))
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

// setPath places v at a dot path inside node, creating objects and arrays.
func setPath(node any, path string, v any) (any, error) {
	segs := strings.Split(path, ".")
	return setSegs(node, segs, v, path)
}

func setSegs(node any, segs []string, v any, path string) (any, error) {
	if len(segs) == 0 {
		return v, nil
	}
	seg := segs[0]
	if i, err := strconv.Atoi(seg); err == nil && i >= 0 {
		arr, _ := node.([]any)
		if node != nil && arr == nil {
			return nil, fmt.Errorf("path %s: segment %q indexes something that is not an array", path, seg)
		}
		for len(arr) <= i {
			arr = append(arr, nil)
		}
		child, err := setSegs(arr[i], segs[1:], v, path)
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
	child, err := setSegs(obj[seg], segs[1:], v, path)
	if err != nil {
		return nil, err
	}
	obj[seg] = child
	return obj, nil
}
