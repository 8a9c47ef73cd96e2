package policy

import "strings"

// foldKey is the key under which ids compare: B2C compares ids ordinally,
// ignoring case ("The name of the claim type is case insensitive").
func foldKey(id string) string { return strings.ToUpper(id) }

// ids maps the fold key of each declared id of one kind to its declared spelling.
type ids map[string]string

// declare returns the declared spelling of id: the first declaration's, recording
// id as declared when it is new.
func (d ids) declare(id string) string {
	k := foldKey(id)
	if have, ok := d[k]; ok {
		return have
	}
	d[k] = id
	return id
}

// canon returns the declared spelling of a reference, or the reference unchanged
// when nothing of that kind is declared under it (validation then reports it).
func (d ids) canon(ref string) string {
	if have, ok := d[foldKey(ref)]; ok {
		return have
	}
	return ref
}

// refs are the declared ids of an effective policy, by kind.
type refs struct {
	claimTypes, transformations, profiles, userJourneys, subJourneys ids
	predicates, predicateValidations                                 ids
}

// canonicalize rewrites every reference of p that names a declared element in
// another case to the declared spelling, so that code downstream may look
// elements up by exact id. References to nothing are left as written.
func canonicalize(p *Policy, r refs) {
	for _, tp := range p.TechnicalProfiles {
		r.technicalProfile(tp)
	}
	for _, ct := range p.ClaimTypes {
		if ref := ct.PredicateValidationReference; ref != nil {
			ref.ID = r.predicateValidations.canon(ref.ID)
		}
	}
	for _, pv := range p.PredicateValidations {
		for i := range pv.Groups {
			for k := range pv.Groups[i].References.References {
				ref := &pv.Groups[i].References.References[k]
				ref.ID = r.predicates.canon(ref.ID)
			}
		}
	}
	for _, ct := range p.ClaimsTransformations {
		for i := range ct.InputClaims {
			r.claim(&ct.InputClaims[i].ClaimTypeReferenceID)
		}
		for i := range ct.OutputClaims {
			r.claim(&ct.OutputClaims[i].ClaimTypeReferenceID)
		}
	}
	for _, j := range p.UserJourneys {
		r.journey(j)
	}
	for _, j := range p.SubJourneys {
		r.journey(j)
	}
	if rp := p.RelyingParty; rp != nil {
		rp.DefaultUserJourney.ReferenceID = r.userJourneys.canon(rp.DefaultUserJourney.ReferenceID)
		r.technicalProfile(&rp.TechnicalProfile)
	}
}

func (r refs) claim(ref *string) { *ref = r.claimTypes.canon(*ref) }

func (r refs) claimRefs(cs []ClaimRef) {
	for i := range cs {
		r.claim(&cs[i].ClaimTypeReferenceID)
	}
}

func (r refs) transformationRefs(ts []TransformationRef) {
	for i := range ts {
		ts[i].ReferenceID = r.transformations.canon(ts[i].ReferenceID)
	}
}

// preconditions rewrites the claim type each precondition tests (its first
// Value); the second Value of ClaimEquals is a claim value and stays as written.
func (r refs) preconditions(ps []Precondition) {
	for i := range ps {
		if len(ps[i].Values) == 0 {
			continue
		}
		v := strings.TrimSpace(ps[i].Values[0])
		if c := r.claimTypes.canon(v); c != v {
			ps[i].Values[0] = c
		}
	}
}

func (r refs) technicalProfile(tp *TechnicalProfile) {
	r.claimRefs(tp.InputClaims)
	r.claimRefs(tp.PersistedClaims)
	r.claimRefs(tp.OutputClaims)
	for i := range tp.DisplayClaims {
		r.claim(&tp.DisplayClaims[i].ClaimTypeReferenceID)
	}
	r.transformationRefs(tp.InputClaimsTransformations)
	r.transformationRefs(tp.OutputClaimsTransformations)
	for i := range tp.ValidationTechnicalProfiles {
		v := &tp.ValidationTechnicalProfiles[i]
		v.ReferenceID = r.profiles.canon(v.ReferenceID)
		r.preconditions(v.Preconditions)
	}
	if inc := tp.IncludeTechnicalProfile; inc != nil {
		inc.ReferenceID = r.profiles.canon(inc.ReferenceID)
	}
	if u := tp.UseTechnicalProfileForSessionManagement; u != nil {
		u.ReferenceID = r.profiles.canon(u.ReferenceID)
	}
}

func (r refs) journey(j *UserJourney) {
	j.DefaultCpimIssuerTechnicalProfileReferenceID = r.profiles.canon(j.DefaultCpimIssuerTechnicalProfileReferenceID)
	for i := range j.Steps {
		s := &j.Steps[i]
		s.CpimIssuerTechnicalProfileReferenceID = r.profiles.canon(s.CpimIssuerTechnicalProfileReferenceID)
		r.preconditions(s.Preconditions)
		for k := range s.ClaimsExchanges {
			x := &s.ClaimsExchanges[k]
			x.TechnicalProfileReferenceID = r.profiles.canon(x.TechnicalProfileReferenceID)
		}
		for k := range s.JourneyList {
			c := &s.JourneyList[k]
			c.SubJourneyReferenceID = r.subJourneys.canon(c.SubJourneyReferenceID)
		}
	}
	// A selection names a claims exchange of the next step (Target) or of its own
	// step (Validation).
	for i := range j.Steps {
		s := &j.Steps[i]
		if s.ClaimsProviderSelections == nil {
			continue
		}
		own := exchangeIDs(s)
		next := ids{}
		if i+1 < len(j.Steps) {
			next = exchangeIDs(&j.Steps[i+1])
		}
		for k := range s.ClaimsProviderSelections.Selections {
			sel := &s.ClaimsProviderSelections.Selections[k]
			sel.TargetClaimsExchangeID = next.canon(sel.TargetClaimsExchangeID)
			sel.ValidationClaimsExchangeID = own.canon(sel.ValidationClaimsExchangeID)
		}
	}
}

func exchangeIDs(s *OrchestrationStep) ids {
	d := ids{}
	for _, x := range s.ClaimsExchanges {
		d.declare(x.ID)
	}
	return d
}
