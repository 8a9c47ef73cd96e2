package claims

import (
	"fmt"

	"github.com/iefconform/iefconform/engine/policy"
)

// Source is where a technical profile's output claims come from: a partner's
// answer, looked up by partner claim name.
type Source interface {
	Lookup(partnerName string) (any, bool)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(string) (any, bool)

// Lookup calls f.
func (f SourceFunc) Lookup(name string) (any, bool) { return f(name) }

// Sources tries each source in turn.
type Sources []Source

// Lookup returns the first source's value.
func (ss Sources) Lookup(name string) (any, bool) {
	for _, s := range ss {
		if s == nil {
			continue
		}
		if v, ok := s.Lookup(name); ok {
			return v, true
		}
	}
	return nil, false
}

// Options control how DefaultValue is treated and how claims are named.
type Options struct {
	// Policy and Protocol name each claim on the wire: Policy.PartnerClaimType
	// for the technical profile's Protocol (its PartnerClaimType, else the claim
	// type's DefaultPartnerClaimTypes entry for Protocol, else its id). A nil
	// Policy names a claim by its PartnerClaimType, else its id.
	Policy   *policy.Policy
	Protocol string
	// ResolveDefaults resolves claim resolvers in DefaultValue. B2C does so only
	// when the technical profile sets IncludeClaimResolvingInClaimsHandling=true and
	// the claim sets AlwaysUseDefaultValue=true (spec §1.3); for the relying party
	// AlwaysUseDefaultValue alone suffices.
	ResolveDefaults bool
	Resolver        *Context
}

// partnerName is ref's claim name on the wire.
func (o Options) partnerName(ref policy.ClaimRef) string {
	return o.Policy.PartnerClaimType(ref, o.Protocol)
}

func (o Options) defaultValue(ref policy.ClaimRef) (string, error) {
	v := *ref.DefaultValue
	if o.ResolveDefaults && ref.AlwaysUseDefaultValue && o.Resolver != nil {
		return o.Resolver.Resolve(v)
	}
	return v, nil
}

// MapOutput writes a technical profile's output claims into bag from src,
// applying the partner claim type (see Options), DefaultValue and AlwaysUseDefaultValue. A claim the
// partner does not return and that has no default is left untouched.
func MapOutput(refs []policy.ClaimRef, src Source, bag *Bag, opts Options) error {
	for _, ref := range refs {
		if ref.DefaultValue != nil && ref.AlwaysUseDefaultValue {
			v, err := opts.defaultValue(ref)
			if err != nil {
				return fmt.Errorf("output claim %s: %w", ref.ClaimTypeReferenceID, err)
			}
			bag.Set(ref.ClaimTypeReferenceID, v)
			continue
		}
		if src != nil {
			if v, ok := src.Lookup(opts.partnerName(ref)); ok {
				bag.Set(ref.ClaimTypeReferenceID, v)
				continue
			}
		}
		if ref.DefaultValue != nil {
			v, err := opts.defaultValue(ref)
			if err != nil {
				return fmt.Errorf("output claim %s: %w", ref.ClaimTypeReferenceID, err)
			}
			bag.Set(ref.ClaimTypeReferenceID, v)
		}
	}
	return nil
}

// Param is one input claim on the wire.
type Param struct {
	Name  string
	Value any
}

// MapInput returns a technical profile's input claims under their partner names:
// the claim's value, or its DefaultValue when the claim is absent (or always,
// with AlwaysUseDefaultValue). A claim without a value (Bag.Has is false, e.g.
// "") counts as absent. Claims with neither value nor default are left out.
func MapInput(refs []policy.ClaimRef, bag *Bag, opts Options) ([]Param, error) {
	var out []Param
	for _, ref := range refs {
		v, _ := bag.Value(ref.ClaimTypeReferenceID)
		ok := bag.Has(ref.ClaimTypeReferenceID)
		if ref.DefaultValue != nil && (ref.AlwaysUseDefaultValue || !ok) {
			d, err := opts.defaultValue(ref)
			if err != nil {
				return nil, fmt.Errorf("input claim %s: %w", ref.ClaimTypeReferenceID, err)
			}
			v, ok = d, true
		}
		if !ok {
			continue
		}
		out = append(out, Param{Name: opts.partnerName(ref), Value: v})
	}
	return out, nil
}
