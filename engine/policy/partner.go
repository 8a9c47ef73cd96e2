package policy

import "strings"

// PartnerClaimType is the name under which ref's claim crosses a technical
// profile of the given protocol (its Protocol Name, e.g. "OAuth2", or
// "OpenIdConnect" for the relying party): ref's own PartnerClaimType when set,
// else the claim type's DefaultPartnerClaimTypes entry for that protocol, else
// the claim type id. Protocol names and claim type ids compare ignoring case.
// A nil policy has no defaults.
func (p *Policy) PartnerClaimType(ref ClaimRef, protocol string) string {
	if ref.PartnerClaimType != "" || p == nil {
		return ref.PartnerName()
	}
	if ct := p.claimType(ref.ClaimTypeReferenceID); ct != nil {
		if name, ok := ct.DefaultPartnerClaimType(protocol); ok {
			return name
		}
	}
	return ref.ClaimTypeReferenceID
}

// DefaultPartnerClaimType returns the claim type's default partner claim type
// for protocol, matched ignoring case and surrounding space. When two entries
// name the same protocol, the first wins; an entry with an empty
// PartnerClaimType counts as absent.
func (ct *ClaimType) DefaultPartnerClaimType(protocol string) (string, bool) {
	protocol = strings.TrimSpace(protocol)
	if ct == nil || protocol == "" {
		return "", false
	}
	for _, d := range ct.DefaultPartnerClaimTypes {
		if strings.EqualFold(strings.TrimSpace(d.Name), protocol) && d.PartnerClaimType != "" {
			return d.PartnerClaimType, true
		}
	}
	return "", false
}

// ProtocolName is the technical profile's Protocol Name, or "" when it has none.
func (tp *TechnicalProfile) ProtocolName() string {
	if tp == nil || tp.Protocol == nil {
		return ""
	}
	return strings.TrimSpace(tp.Protocol.Name)
}

// claimType returns the claim type id names: by its declared spelling (every
// reference of a loaded policy is rewritten to it), else ignoring case for
// references added after loading.
func (p *Policy) claimType(id string) *ClaimType {
	if ct, ok := p.ClaimTypes[id]; ok {
		return ct
	}
	for k, ct := range p.ClaimTypes {
		if strings.EqualFold(k, id) {
			return ct
		}
	}
	return nil
}
