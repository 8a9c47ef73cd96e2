package policy

import "strings"

// IsIssuer reports whether tp is one of the relying party's token issuers (such as
// the starter pack's JwtIssuer), which sign what SendClaims returns and so need
// issuer keys: a profile with Protocol None, or one that a user journey or sub
// journey names as its DefaultCpimIssuerTechnicalProfileReferenceId or in a step's
// CpimIssuerTechnicalProfileReferenceId. Any other profile, such as an OpenIdConnect
// identity provider (the starter pack's login-NonInteractive), is not an issuer
// whatever its OutputTokenFormat.
func (p *Policy) IsIssuer(tp *TechnicalProfile) bool {
	if tp == nil {
		return false
	}
	if tp.Protocol != nil && strings.EqualFold(strings.TrimSpace(tp.Protocol.Name), "None") {
		return true
	}
	if tp.ID == "" {
		return false
	}
	names := func(j *UserJourney) bool {
		if strings.EqualFold(j.DefaultCpimIssuerTechnicalProfileReferenceID, tp.ID) {
			return true
		}
		for _, s := range j.Steps {
			if strings.EqualFold(s.CpimIssuerTechnicalProfileReferenceID, tp.ID) {
				return true
			}
		}
		return false
	}
	for _, js := range []map[string]*UserJourney{p.UserJourneys, p.SubJourneys} {
		for _, j := range js {
			if names(j) {
				return true
			}
		}
	}
	return false
}
