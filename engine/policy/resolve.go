package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Resolve builds the effective policy of policyID: its BasePolicy chain merged
// root-first, then IncludeTechnicalProfile references resolved. The error, when not
// nil, wraps ErrUnknownPolicy or is Problems. Resolve returns a non-nil *Policy
// whenever the chain is complete, even if an include could not be resolved.
//
// Merge rules (same type and Id: the child overrides, new elements are added):
//   - ClaimTypes, ClaimsTransformations: the child's element replaces the parent's.
//   - TechnicalProfiles merge field by field: the child's non-empty scalars win;
//     Metadata items merge by Key and CryptographicKeys by Id (child wins, new ones
//     appended); Input, Output and Persisted claims merge by ClaimTypeReferenceId and
//     ValidationTechnicalProfiles by ReferenceId (a match is replaced in place, new
//     ones are prepended); claims-transformation references are appended unless
//     already present. Pos is that of the most derived definition.
//   - UserJourneys and SubJourneys merge steps by Order (a match is replaced, new
//     Orders are inserted in order); the child's non-empty attributes win.
//   - RelyingParty comes from the nearest file that has one; TenantId, TenantObjectId,
//     PublicPolicyUri and DeploymentMode from the nearest file that sets them.
//
// An IncludeTechnicalProfile is resolved to any depth with the same rules, the
// including profile overriding the included one.
//
// Resolve does not modify the set: the policy holds copies, and may be changed.
func (s *Set) Resolve(policyID string) (*Policy, error) {
	if _, ok := s.File(policyID); !ok {
		return nil, fmt.Errorf("resolve %s: %w", policyID, ErrUnknownPolicy)
	}
	p, probs := s.resolve(policyID)
	return p, probs.Err()
}

func (s *Set) resolve(policyID string) (*Policy, Problems) {
	chain, probs := s.chain(policyID)
	if probs != nil || chain == nil {
		return nil, probs
	}
	p := merge(chain)
	return p, resolveIncludes(p)
}

// chain returns the files from the root base to policyID.
func (s *Set) chain(policyID string) ([]*File, Problems) {
	f, ok := s.File(policyID)
	if !ok {
		return nil, nil
	}
	var leafFirst []*File
	index := make(map[*File]int)
	for {
		index[f] = len(leafFirst)
		leafFirst = append(leafFirst, f)
		if f.BasePolicy == nil {
			break
		}
		baseID := f.BasePolicy.PolicyID
		if baseID == "" {
			return nil, Problems{problemAt(f.BasePolicy.Pos, "BasePolicy", "", ErrMissingBase,
				"BasePolicy has no PolicyId")}
		}
		base, ok := s.File(baseID)
		if !ok {
			return nil, Problems{problemAt(f.BasePolicy.Pos, "BasePolicy", "", ErrMissingBase,
				"base policy %q is not in the set (have %s)", baseID, strings.Join(s.IDs(), ", "))}
		}
		if i, seen := index[base]; seen {
			return nil, Problems{cycleProblem(leafFirst[i:])}
		}
		f = base
	}
	slices.Reverse(leafFirst)
	return leafFirst, nil
}

// cycleProblem reports an inheritance cycle (each file's base is the next, the last
// one's base the first) once, at the BasePolicy of the file with the smallest id, so
// that every file of the cycle reports the same problem.
func cycleProblem(cycle []*File) Problem {
	start := 0
	for i, f := range cycle {
		if policyKey(f.PolicyID) < policyKey(cycle[start].PolicyID) {
			start = i
		}
	}
	ids := make([]string, 0, len(cycle)+1)
	for i := range cycle {
		ids = append(ids, cycle[(start+i)%len(cycle)].PolicyID)
	}
	ids = append(ids, cycle[start].PolicyID)
	return problemAt(cycle[start].BasePolicy.Pos, "BasePolicy", "", ErrCycle,
		"inheritance cycle: %s", strings.Join(ids, " -> "))
}

// merge builds the effective policy from a root-first chain, without includes. Ids
// match case-insensitively, as B2C's do: an element whose id differs from an
// inherited one only in case overrides it and takes the inherited spelling (the
// first declared), and every reference is then rewritten to the declared spelling
// of what it names (see canonicalize).
func merge(chain []*File) *Policy {
	leaf := chain[len(chain)-1]
	p := &Policy{
		PolicyID:              leaf.PolicyID,
		ClaimTypes:            make(map[string]*ClaimType),
		Predicates:            make(map[string]*Predicate),
		ContentDefinitions:    make(map[string]*ContentDefinition),
		LocalizedResources:    make(map[string]*LocalizedResources),
		PredicateValidations:  make(map[string]*PredicateValidation),
		ClaimsTransformations: make(map[string]*ClaimsTransformation),
		TechnicalProfiles:     make(map[string]*TechnicalProfile),
		UserJourneys:          make(map[string]*UserJourney),
		SubJourneys:           make(map[string]*UserJourney),
	}
	claimTypes, transformations, profiles := ids{}, ids{}, ids{}
	predicates, predicateValidations := ids{}, ids{}
	userJourneys, subJourneys := ids{}, ids{}
	for _, f := range chain {
		p.Chain = append(p.Chain, f.PolicyID)
		setIf(&p.TenantID, f.TenantID)
		setIf(&p.TenantObjectID, f.TenantObjectID)
		setIf(&p.PublicPolicyURI, f.PublicPolicyURI)
		setIf(&p.DeploymentMode, f.DeploymentMode)
		for i := range f.BuildingBlocks.ClaimTypes {
			ct := cloneClaimType(&f.BuildingBlocks.ClaimTypes[i])
			ct.ID = claimTypes.declare(ct.ID)
			p.ClaimTypes[ct.ID] = ct
		}
		for i := range f.BuildingBlocks.Predicates {
			pr := clonePredicate(&f.BuildingBlocks.Predicates[i])
			pr.ID = predicates.declare(pr.ID)
			p.Predicates[pr.ID] = pr
		}
		for i := range f.BuildingBlocks.PredicateValidations {
			pv := clonePredicateValidation(&f.BuildingBlocks.PredicateValidations[i])
			pv.ID = predicateValidations.declare(pv.ID)
			p.PredicateValidations[pv.ID] = pv
		}
		mergeLocalization(p, &f.BuildingBlocks)
		for i := range f.BuildingBlocks.ClaimsTransformations {
			ct := cloneTransformation(&f.BuildingBlocks.ClaimsTransformations[i])
			ct.ID = transformations.declare(ct.ID)
			p.ClaimsTransformations[ct.ID] = ct
		}
		for i := range f.ClaimsProviders {
			cp := &f.ClaimsProviders[i]
			for j := range cp.TechnicalProfiles {
				tp := &cp.TechnicalProfiles[j]
				id := profiles.declare(tp.ID)
				if dst, ok := p.TechnicalProfiles[id]; ok {
					mergeTechnicalProfile(dst, tp)
				} else {
					c := cloneTechnicalProfile(tp)
					c.ID = id
					p.TechnicalProfiles[id] = c
				}
			}
		}
		mergeJourneys(p.UserJourneys, userJourneys, f.UserJourneys)
		mergeJourneys(p.SubJourneys, subJourneys, f.SubJourneys)
		if f.RelyingParty != nil {
			p.RelyingParty = cloneRelyingParty(f.RelyingParty)
		}
	}
	canonicalize(p, refs{
		claimTypes: claimTypes, transformations: transformations, profiles: profiles,
		userJourneys: userJourneys, subJourneys: subJourneys,
		predicates: predicates, predicateValidations: predicateValidations,
	})
	return p
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// mergeTechnicalProfile merges src (not modified) into dst (owned by the caller).
func mergeTechnicalProfile(dst, src *TechnicalProfile) {
	setIf(&dst.DisplayName, src.DisplayName)
	setIf(&dst.InputTokenFormat, src.InputTokenFormat)
	setIf(&dst.OutputTokenFormat, src.OutputTokenFormat)
	setIf(&dst.ProviderName, src.ProviderName)
	if src.Protocol != nil {
		dst.Protocol = clonePtr(src.Protocol)
	}
	if src.SubjectNamingInfo != nil {
		dst.SubjectNamingInfo = clonePtr(src.SubjectNamingInfo)
	}
	if src.IncludeTechnicalProfile != nil {
		dst.IncludeTechnicalProfile = clonePtr(src.IncludeTechnicalProfile)
	}
	if src.UseTechnicalProfileForSessionManagement != nil {
		dst.UseTechnicalProfileForSessionManagement = clonePtr(src.UseTechnicalProfileForSessionManagement)
	}
	if src.IncludeInSso != nil {
		dst.IncludeInSso = clonePtr(src.IncludeInSso)
	}
	dst.Metadata = mergeAppend(dst.Metadata, src.Metadata, func(it Item) string { return foldKey(it.Key) }, identity[Item])
	dst.CryptographicKeys = mergeAppend(dst.CryptographicKeys, src.CryptographicKeys, func(k Key) string { return foldKey(k.ID) }, identity[Key])
	dst.InputClaims = mergePrepend(dst.InputClaims, src.InputClaims, claimID, cloneClaimRef)
	dst.PersistedClaims = mergePrepend(dst.PersistedClaims, src.PersistedClaims, claimID, cloneClaimRef)
	dst.OutputClaims = mergePrepend(dst.OutputClaims, src.OutputClaims, claimID, cloneClaimRef)
	dst.DisplayClaims = mergePrepend(dst.DisplayClaims, src.DisplayClaims, displayClaimID, identity[DisplayClaim])
	dst.ValidationTechnicalProfiles = mergePrepend(dst.ValidationTechnicalProfiles, src.ValidationTechnicalProfiles,
		func(v ValidationTechnicalProfile) string { return foldKey(v.ReferenceID) }, cloneValidation)
	dst.InputClaimsTransformations = appendNew(dst.InputClaimsTransformations, src.InputClaimsTransformations)
	dst.OutputClaimsTransformations = appendNew(dst.OutputClaimsTransformations, src.OutputClaimsTransformations)
	dst.Pos = src.Pos
}

func claimID(c ClaimRef) string { return foldKey(c.ClaimTypeReferenceID) }

// displayClaimID keys a DisplayClaim by its claim type, or its display control.
func displayClaimID(c DisplayClaim) string {
	if c.ClaimTypeReferenceID != "" {
		return foldKey(c.ClaimTypeReferenceID)
	}
	return "control:" + foldKey(c.DisplayControlReferenceID)
}

func clonePredicate(p *Predicate) *Predicate {
	c := *p
	c.Parameters = slices.Clone(p.Parameters)
	return &c
}

func clonePredicateValidation(pv *PredicateValidation) *PredicateValidation {
	c := *pv
	c.Groups = slices.Clone(pv.Groups)
	for i := range c.Groups {
		c.Groups[i].References.References = slices.Clone(c.Groups[i].References.References)
	}
	return &c
}

// mergeAppend replaces the last element of dst with the key of each src element, or
// appends it. dst is owned; src is copied.
func mergeAppend[T any](dst, src []T, key func(T) string, clone func(T) T) []T {
	for _, v := range src {
		i := lastIndex(dst, key(v), key)
		if i >= 0 {
			dst[i] = clone(v)
		} else {
			dst = append(dst, clone(v))
		}
	}
	return dst
}

// mergePrepend replaces the element of dst with the key of each src element in place;
// src elements with new keys go first, in their order. dst is owned; src is copied.
func mergePrepend[T any](dst, src []T, key func(T) string, clone func(T) T) []T {
	var added []T
	for _, v := range src {
		i := lastIndex(dst, key(v), key)
		if i >= 0 {
			dst[i] = clone(v)
		} else {
			added = append(added, clone(v))
		}
	}
	if len(added) == 0 {
		return dst
	}
	return append(added, dst...)
}

func lastIndex[T any](s []T, k string, key func(T) string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if key(s[i]) == k {
			return i
		}
	}
	return -1
}

// appendNew appends the references of src that dst does not have yet.
func appendNew(dst, src []TransformationRef) []TransformationRef {
	for _, r := range src {
		if !slices.ContainsFunc(dst, func(d TransformationRef) bool { return strings.EqualFold(d.ReferenceID, r.ReferenceID) }) {
			dst = append(dst, r)
		}
	}
	return dst
}

// mergeJourneys merges the journeys of one file into the effective ones, matching
// ids through declared.
func mergeJourneys(dst map[string]*UserJourney, declared ids, src []UserJourney) {
	for i := range src {
		j := &src[i]
		id := declared.declare(j.ID)
		have, ok := dst[id]
		if !ok {
			c := cloneJourney(j)
			c.ID = id
			dst[id] = c
			continue
		}
		setIf(&have.Type, j.Type)
		setIf(&have.DefaultCpimIssuerTechnicalProfileReferenceID, j.DefaultCpimIssuerTechnicalProfileReferenceID)
		have.Pos = j.Pos
		for k := range j.Steps {
			step := cloneStep(&j.Steps[k])
			if i := slices.IndexFunc(have.Steps, func(s OrchestrationStep) bool { return s.Order == step.Order }); i >= 0 {
				have.Steps[i] = step
				continue
			}
			i := sort.Search(len(have.Steps), func(i int) bool { return have.Steps[i].Order > step.Order })
			have.Steps = slices.Insert(have.Steps, i, step)
		}
	}
}

// resolveIncludes replaces every technical profile that has an IncludeTechnicalProfile
// by the included profile (itself resolved) with the including one merged over it.
func resolveIncludes(p *Policy) Problems {
	const (
		unvisited = iota // the zero value of state
		visiting
		done
		failed // unresolved because of an unknown include or a cycle on the way
	)
	var probs Problems
	state := make(map[string]int)
	resolved := make(map[string]*TechnicalProfile)
	var stack []string
	// visit returns the resolved profile, or nil when it cannot be resolved.
	var visit func(id string) *TechnicalProfile
	visit = func(id string) *TechnicalProfile {
		switch state[id] {
		case done:
			return resolved[id]
		case failed:
			return nil
		case visiting:
			probs = append(probs, includeCycle(p, stack[slices.Index(stack, id):]))
			return nil
		}
		tp := p.TechnicalProfiles[id]
		inc := tp.IncludeTechnicalProfile
		if inc == nil {
			state[id] = done
			resolved[id] = tp
			return tp
		}
		if _, ok := p.TechnicalProfiles[inc.ReferenceID]; !ok {
			probs = append(probs, problemAt(inc.Pos, tpPath(id)+"/IncludeTechnicalProfile", "", ErrUnknownReference,
				"included technical profile %q is not defined", inc.ReferenceID))
			state[id] = failed
			return nil
		}
		state[id] = visiting
		stack = append(stack, id)
		base := visit(inc.ReferenceID)
		stack = stack[:len(stack)-1]
		if base == nil {
			state[id] = failed
			return nil
		}
		merged := cloneTechnicalProfile(base)
		mergeTechnicalProfile(merged, tp)
		merged.ID = tp.ID
		merged.IncludeTechnicalProfile = clonePtr(tp.IncludeTechnicalProfile)
		state[id] = done
		resolved[id] = merged
		return merged
	}
	ids := make([]string, 0, len(p.TechnicalProfiles))
	for id := range p.TechnicalProfiles {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		visit(id)
	}
	for id, tp := range resolved {
		p.TechnicalProfiles[id] = tp
	}
	return probs.dedupe()
}

// includeCycle reports an include cycle at the profile of the cycle with the smallest id.
func includeCycle(p *Policy, cycle []string) Problem {
	start := 0
	for i, id := range cycle {
		if id < cycle[start] {
			start = i
		}
	}
	ids := make([]string, 0, len(cycle)+1)
	for i := range cycle {
		ids = append(ids, cycle[(start+i)%len(cycle)])
	}
	ids = append(ids, cycle[start])
	tp := p.TechnicalProfiles[cycle[start]]
	return problemAt(tp.IncludeTechnicalProfile.Pos, tpPath(tp.ID)+"/IncludeTechnicalProfile", "", ErrCycle,
		"include cycle: %s", strings.Join(ids, " -> "))
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneClaimRef(c ClaimRef) ClaimRef {
	c.DefaultValue = clonePtr(c.DefaultValue)
	return c
}

func clonePrecondition(p Precondition) Precondition {
	p.Values = slices.Clone(p.Values)
	return p
}

func cloneValidation(v ValidationTechnicalProfile) ValidationTechnicalProfile {
	v.ContinueOnError = clonePtr(v.ContinueOnError)
	v.ContinueOnSuccess = clonePtr(v.ContinueOnSuccess)
	v.Preconditions = cloneEach(v.Preconditions, clonePrecondition)
	return v
}

func cloneEach[T any](s []T, clone func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = clone(v)
	}
	return out
}

func cloneClaimType(ct *ClaimType) *ClaimType {
	c := *ct
	if ct.Restriction != nil {
		r := *ct.Restriction
		r.Enumerations = slices.Clone(r.Enumerations)
		r.Pattern = clonePtr(r.Pattern)
		c.Restriction = &r
	}
	c.PredicateValidationReference = clonePtr(ct.PredicateValidationReference)
	return &c
}

func cloneTransformation(ct *ClaimsTransformation) *ClaimsTransformation {
	c := *ct
	c.InputClaims = slices.Clone(ct.InputClaims)
	c.InputParameters = slices.Clone(ct.InputParameters)
	c.OutputClaims = slices.Clone(ct.OutputClaims)
	return &c
}

func cloneTechnicalProfile(tp *TechnicalProfile) *TechnicalProfile {
	c := *tp
	c.Protocol = clonePtr(tp.Protocol)
	c.Metadata = slices.Clone(tp.Metadata)
	c.CryptographicKeys = slices.Clone(tp.CryptographicKeys)
	c.InputClaimsTransformations = slices.Clone(tp.InputClaimsTransformations)
	c.OutputClaimsTransformations = slices.Clone(tp.OutputClaimsTransformations)
	c.InputClaims = cloneEach(tp.InputClaims, cloneClaimRef)
	c.PersistedClaims = cloneEach(tp.PersistedClaims, cloneClaimRef)
	c.OutputClaims = cloneEach(tp.OutputClaims, cloneClaimRef)
	c.DisplayClaims = slices.Clone(tp.DisplayClaims)
	c.IncludeInSso = clonePtr(tp.IncludeInSso)
	c.ValidationTechnicalProfiles = cloneEach(tp.ValidationTechnicalProfiles, cloneValidation)
	c.SubjectNamingInfo = clonePtr(tp.SubjectNamingInfo)
	c.IncludeTechnicalProfile = clonePtr(tp.IncludeTechnicalProfile)
	c.UseTechnicalProfileForSessionManagement = clonePtr(tp.UseTechnicalProfileForSessionManagement)
	return &c
}

func cloneStep(s *OrchestrationStep) OrchestrationStep {
	c := *s
	c.Preconditions = cloneEach(s.Preconditions, clonePrecondition)
	if s.ClaimsProviderSelections != nil {
		sel := *s.ClaimsProviderSelections
		sel.Selections = slices.Clone(sel.Selections)
		c.ClaimsProviderSelections = &sel
	}
	c.ClaimsExchanges = slices.Clone(s.ClaimsExchanges)
	c.JourneyList = slices.Clone(s.JourneyList)
	return c
}

func cloneJourney(j *UserJourney) *UserJourney {
	c := *j
	c.Steps = make([]OrchestrationStep, len(j.Steps))
	for i := range j.Steps {
		c.Steps[i] = cloneStep(&j.Steps[i])
	}
	return &c
}

func cloneRelyingParty(rp *RelyingParty) *RelyingParty {
	c := *rp
	c.TechnicalProfile = *cloneTechnicalProfile(&rp.TechnicalProfile)
	return &c
}

// mergeLocalization merges a file's content definitions (a later file's
// LocalizedResourcesReferences take the place of the same language's) and
// localized resources (a later file's strings replace the same element's).
func mergeLocalization(p *Policy, bb *BuildingBlocks) {
	for _, cd := range bb.ContentDefinitions {
		mergeInto(p.ContentDefinitions, cd.ID, cd, func(c ContentDefinition) ContentDefinition {
			c.LocalizedResourcesReferences = slices.Clone(c.LocalizedResourcesReferences)
			return c
		}, func(dst *ContentDefinition, src ContentDefinition) {
			setIf(&dst.LoadURI, src.LoadURI)
			setIf(&dst.DataURI, src.DataURI)
			dst.LocalizedResourcesReferences = mergePrepend(dst.LocalizedResourcesReferences, src.LocalizedResourcesReferences,
				func(r LocalizedResourceRef) string { return strings.ToLower(r.Language) }, identity[LocalizedResourceRef])
		})
	}
	loc := bb.Localization
	if loc == nil {
		return
	}
	if loc.Enabled == nil || *loc.Enabled {
		setIf(&p.DefaultLanguage, loc.SupportedLanguages.DefaultLanguage)
	} else {
		p.DefaultLanguage = ""
	}
	for _, lr := range loc.LocalizedResources {
		mergeInto(p.LocalizedResources, lr.ID, lr, func(c LocalizedResources) LocalizedResources {
			c.Strings = slices.Clone(c.Strings)
			return c
		}, func(dst *LocalizedResources, src LocalizedResources) {
			dst.Strings = mergeAppend(dst.Strings, src.Strings, localizedStringKey, identity[LocalizedString])
		})
	}
}

// mergeInto merges src into the element of m under id's fold key, or stores a
// clone of src there.
func mergeInto[T any](m map[string]*T, id string, src T, clone func(T) T, merge func(dst *T, src T)) {
	if dst, ok := m[foldKey(id)]; ok {
		merge(dst, src)
		return
	}
	c := clone(src)
	m[foldKey(id)] = &c
}

// identity is the clone of a value without references.
func identity[T any](v T) T { return v }

func localizedStringKey(s LocalizedString) string {
	return strings.ToLower(s.ElementType + "\x00" + s.ElementID + "\x00" + s.StringID)
}

// Localized returns the text of a localized string for the page of content
// definition contentDef in the policy's default language: elementType
// (ClaimType, UxElement, ErrorMessage, ...), elementID (a claim id, or "")
// and stringID, all matched ignoring case. False when localization is off or
// the page's resources lack it.
func (p *Policy) Localized(contentDef, elementType, elementID, stringID string) (string, bool) {
	if p.DefaultLanguage == "" || contentDef == "" {
		return "", false
	}
	cd, ok := p.ContentDefinitions[foldKey(contentDef)]
	if !ok {
		return "", false
	}
	for _, ref := range cd.LocalizedResourcesReferences {
		if !strings.EqualFold(ref.Language, p.DefaultLanguage) {
			continue
		}
		lr, ok := p.LocalizedResources[foldKey(ref.LocalizedResourcesReferenceID)]
		if !ok {
			continue
		}
		key := localizedStringKey(LocalizedString{ElementType: elementType, ElementID: elementID, StringID: stringID})
		for i := len(lr.Strings) - 1; i >= 0; i-- {
			if localizedStringKey(lr.Strings[i]) == key {
				return strings.TrimSpace(lr.Strings[i].Value), true
			}
		}
	}
	return "", false
}
