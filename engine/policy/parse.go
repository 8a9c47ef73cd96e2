package policy

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SchemaVersion is the only PolicySchemaVersion B2C accepts.
const SchemaVersion = "0.3.0.0"

// PolicyIDPrefix starts every custom policy id (compared case-insensitively, like policy ids).
const PolicyIDPrefix = "B2C_1A_"

// Parse decodes one TrustFrameworkPolicy document. name is the file name used in
// positions and problems. {Settings:Name} placeholders are replaced from settings
// before decoding (see substitute). The error, when not nil, is Problems.
//
// Parse returns a non-nil *File whenever the document could be decoded, even with
// problems (an unknown setting, a wrong schema version), so a caller can report
// further problems; it returns nil when the document is not a decodable policy.
func Parse(name string, data []byte, settings Settings) (*File, error) {
	f, probs := parse(name, data, settings)
	return f, probs.Err()
}

func parse(name string, data []byte, settings Settings) (*File, Problems) {
	src, probs := substitute(name, data, settings)
	d := xml.NewDecoder(bytes.NewReader(src.text))

	start, err := rootElement(d)
	if err != nil {
		return nil, append(probs, src.decodeProblem(d, err))
	}
	if start.Name.Local != "TrustFrameworkPolicy" || start.Name.Space != Namespace {
		pos := src.pos(d.InputOffset())
		return nil, append(probs, problemAt(pos, "", "", ErrNotPolicy,
			"not a TrustFrameworkPolicy: root element is <%s> in namespace %q, want <TrustFrameworkPolicy> in %q",
			start.Name.Local, start.Name.Space, Namespace))
	}
	var f File
	if err := d.DecodeElement(&f, &start); err != nil {
		return nil, append(probs, src.decodeProblem(d, err))
	}
	if err := trailing(d); err != nil {
		return nil, append(probs, src.decodeProblem(d, err))
	}

	f.walkPos(func(p *Pos) { *p = src.pos(p.Offset) })
	for i := range f.ClaimsProviders {
		cp := &f.ClaimsProviders[i]
		for j := range cp.TechnicalProfiles {
			cp.TechnicalProfiles[j].ProviderName = strings.TrimSpace(cp.DisplayName)
		}
	}
	if f.BasePolicy != nil {
		f.BasePolicy.PolicyID = strings.TrimSpace(f.BasePolicy.PolicyID)
		f.BasePolicy.TenantID = strings.TrimSpace(f.BasePolicy.TenantID)
	}

	if f.PolicySchemaVersion != SchemaVersion {
		probs = append(probs, problemAt(f.Pos, "", "", ErrSchemaVersion,
			"PolicySchemaVersion is %q, want %q", f.PolicySchemaVersion, SchemaVersion))
	}
	switch {
	case f.PolicyID == "":
		probs = append(probs, problemAt(f.Pos, "", "", ErrPolicyID, "PolicyId is missing"))
	case len(f.PolicyID) < len(PolicyIDPrefix) || !strings.EqualFold(f.PolicyID[:len(PolicyIDPrefix)], PolicyIDPrefix):
		probs = append(probs, problemAt(f.Pos, "", "", ErrPolicyID,
			"PolicyId %q must start with %q", f.PolicyID, PolicyIDPrefix))
	}
	return &f, probs
}

// rootElement reads up to the first start element.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, fmt.Errorf("%w: the document has no root element", ErrNotPolicy)
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, nil
		}
	}
}

// trailing checks that nothing but comments, processing instructions and white space
// follows the root element.
func trailing(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return fmt.Errorf("%w: element <%s> after the root element", ErrSyntax, t.Name.Local)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("%w: text after the root element", ErrSyntax)
			}
		}
	}
}

// decodeProblem turns a decoding error into a located Problem.
func (src *source) decodeProblem(d *xml.Decoder, err error) Problem {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return Problem{File: src.name, Line: se.Line, Message: "malformed XML: " + se.Msg, Err: ErrSyntax}
	}
	var de *decodeError
	if errors.As(err, &de) {
		pos := src.pos(de.offset)
		return problemAt(pos, strings.Join(de.path, "/"), "", ErrSyntax, "invalid policy XML: %v", de.err)
	}
	if errors.Is(err, ErrNotPolicy) {
		return Problem{File: src.name, Message: err.Error(), Err: ErrNotPolicy}
	}
	if errors.Is(err, ErrSyntax) {
		pos := src.pos(d.InputOffset())
		return Problem{File: src.name, Line: pos.Line, Message: err.Error(), Err: ErrSyntax}
	}
	pos := src.pos(d.InputOffset())
	return Problem{File: src.name, Line: pos.Line, Message: "malformed XML: " + err.Error(), Err: ErrSyntax}
}

// decodeError is a non-syntax decoding error (a bad attribute value, say) with the
// path and offset of the innermost positioned element that contains it.
type decodeError struct {
	path   []string // outermost first
	offset int64
	err    error
}

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// decodeAt records the offset just after start (Decoder.InputOffset) in pos, then
// decodes the element into v, a method-less alias of the element's type.
func decodeAt(d *xml.Decoder, start xml.StartElement, v any, pos *Pos, segment string) error {
	pos.Offset = d.InputOffset()
	err := d.DecodeElement(v, &start)
	if err == nil {
		return nil
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return err
	}
	var de *decodeError
	if errors.As(err, &de) {
		if segment != "" {
			de.path = append([]string{segment}, de.path...)
		}
		return de
	}
	de = &decodeError{offset: pos.Offset, err: err}
	if segment != "" {
		de.path = []string{segment}
	}
	return de
}

// segment names an element in a Problem path: Name[Attr=value] with its identifying attribute.
func segment(start xml.StartElement) string {
	name := start.Name.Local
	switch name {
	case "Item":
		name = "Metadata/Item"
	case "Key":
		name = "CryptographicKeys/Key"
	}
	for _, key := range []string{"Id", "Order", "Key", "ReferenceId", "ClaimTypeReferenceId", "TargetClaimsExchangeId"} {
		for _, a := range start.Attr {
			if a.Name.Local == key {
				return fmt.Sprintf("%s[%s=%s]", name, key, a.Value)
			}
		}
	}
	return name
}

// UnmarshalXML decodes the policy root and records its position.
func (f *File) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain File
	return decodeAt(d, start, (*plain)(f), &f.Pos, "")
}

// UnmarshalXML decodes the element and records its position.
func (b *BasePolicy) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain BasePolicy
	return decodeAt(d, start, (*plain)(b), &b.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (c *ClaimType) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain ClaimType
	return decodeAt(d, start, (*plain)(c), &c.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (c *ClaimsTransformation) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain ClaimsTransformation
	return decodeAt(d, start, (*plain)(c), &c.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (c *TransformClaim) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain TransformClaim
	return decodeAt(d, start, (*plain)(c), &c.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (it *Item) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain Item
	return decodeAt(d, start, (*plain)(it), &it.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (k *Key) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain Key
	return decodeAt(d, start, (*plain)(k), &k.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (c *ClaimRef) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain ClaimRef
	return decodeAt(d, start, (*plain)(c), &c.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (r *TransformationRef) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain TransformationRef
	return decodeAt(d, start, (*plain)(r), &r.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (v *ValidationTechnicalProfile) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain ValidationTechnicalProfile
	return decodeAt(d, start, (*plain)(v), &v.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (r *IncludeRef) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain IncludeRef
	return decodeAt(d, start, (*plain)(r), &r.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (tp *TechnicalProfile) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain TechnicalProfile
	return decodeAt(d, start, (*plain)(tp), &tp.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (j *UserJourney) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain UserJourney
	return decodeAt(d, start, (*plain)(j), &j.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (s *OrchestrationStep) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain OrchestrationStep
	return decodeAt(d, start, (*plain)(s), &s.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (p *Precondition) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain Precondition
	return decodeAt(d, start, (*plain)(p), &p.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (s *ClaimsProviderSelection) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain ClaimsProviderSelection
	return decodeAt(d, start, (*plain)(s), &s.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (x *ClaimsExchange) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain ClaimsExchange
	return decodeAt(d, start, (*plain)(x), &x.Pos, segment(start))
}

// UnmarshalXML decodes the element and records its position.
func (rp *RelyingParty) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain RelyingParty
	return decodeAt(d, start, (*plain)(rp), &rp.Pos, segment(start))
}

// walkPos calls fn for every Pos in the file.
func (f *File) walkPos(fn func(*Pos)) {
	fn(&f.Pos)
	if f.BasePolicy != nil {
		fn(&f.BasePolicy.Pos)
	}
	for i := range f.BuildingBlocks.ClaimTypes {
		fn(&f.BuildingBlocks.ClaimTypes[i].Pos)
	}
	for i := range f.BuildingBlocks.ClaimsTransformations {
		ct := &f.BuildingBlocks.ClaimsTransformations[i]
		fn(&ct.Pos)
		for j := range ct.InputClaims {
			fn(&ct.InputClaims[j].Pos)
		}
		for j := range ct.OutputClaims {
			fn(&ct.OutputClaims[j].Pos)
		}
	}
	for i := range f.ClaimsProviders {
		cp := &f.ClaimsProviders[i]
		for j := range cp.TechnicalProfiles {
			cp.TechnicalProfiles[j].walkPos(fn)
		}
	}
	for i := range f.UserJourneys {
		f.UserJourneys[i].walkPos(fn)
	}
	for i := range f.SubJourneys {
		f.SubJourneys[i].walkPos(fn)
	}
	if f.RelyingParty != nil {
		fn(&f.RelyingParty.Pos)
		f.RelyingParty.TechnicalProfile.walkPos(fn)
	}
}

func (tp *TechnicalProfile) walkPos(fn func(*Pos)) {
	fn(&tp.Pos)
	for i := range tp.Metadata {
		fn(&tp.Metadata[i].Pos)
	}
	for i := range tp.CryptographicKeys {
		fn(&tp.CryptographicKeys[i].Pos)
	}
	for _, refs := range [][]TransformationRef{tp.InputClaimsTransformations, tp.OutputClaimsTransformations} {
		for i := range refs {
			fn(&refs[i].Pos)
		}
	}
	for _, claims := range [][]ClaimRef{tp.InputClaims, tp.PersistedClaims, tp.OutputClaims} {
		for i := range claims {
			fn(&claims[i].Pos)
		}
	}
	for i := range tp.ValidationTechnicalProfiles {
		v := &tp.ValidationTechnicalProfiles[i]
		fn(&v.Pos)
		for j := range v.Preconditions {
			fn(&v.Preconditions[j].Pos)
		}
	}
	if tp.IncludeTechnicalProfile != nil {
		fn(&tp.IncludeTechnicalProfile.Pos)
	}
	if tp.UseTechnicalProfileForSessionManagement != nil {
		fn(&tp.UseTechnicalProfileForSessionManagement.Pos)
	}
}

func (j *UserJourney) walkPos(fn func(*Pos)) {
	fn(&j.Pos)
	for i := range j.Steps {
		s := &j.Steps[i]
		fn(&s.Pos)
		for k := range s.Preconditions {
			fn(&s.Preconditions[k].Pos)
		}
		if s.ClaimsProviderSelections != nil {
			for k := range s.ClaimsProviderSelections.Selections {
				fn(&s.ClaimsProviderSelections.Selections[k].Pos)
			}
		}
		for k := range s.ClaimsExchanges {
			fn(&s.ClaimsExchanges[k].Pos)
		}
	}
}
