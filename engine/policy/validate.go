package policy

import (
	"fmt"
	"sort"
	"strings"
)

// Checker reports protocol-specific problems of one technical profile of an effective
// policy (required metadata and keys, say). Callers supply it to Validate; it sees
// every technical profile of every relying-party policy after IncludeTechnicalProfile
// resolution (not the relying party's own PolicyProfile). Identical problems from
// several relying parties are reported once.
type Checker func(p *Policy, tp *TechnicalProfile) Problems

// RequireMetadata reports each key that tp's metadata lacks (AADB2C90023) or has with
// an empty value (AADB2C99011).
func RequireMetadata(tp *TechnicalProfile, keys ...string) Problems {
	var probs Problems
	for _, key := range keys {
		i := lastIndex(tp.Metadata, foldKey(key), func(it Item) string { return foldKey(it.Key) })
		if i < 0 {
			probs = append(probs, problemAt(tp.Pos, tpPath(tp.ID)+"/Metadata", CodeMissingMetadata, ErrMissingMetadata,
				"technical profile %q is missing required metadata key %q", tp.ID, key))
			continue
		}
		if it := tp.Metadata[i]; strings.TrimSpace(it.Value) == "" {
			probs = append(probs, problemAt(it.Pos, itemPath(tp.ID, key), CodeEmptyMetadata, ErrMissingMetadata,
				"technical profile %q has no value for required metadata key %q", tp.ID, key))
		}
	}
	return probs
}

// RequireKeys reports each cryptographic key id that tp lacks, or has without a
// StorageReferenceId (AADB2C90025).
func RequireKeys(tp *TechnicalProfile, ids ...string) Problems {
	var probs Problems
	for _, id := range ids {
		k, ok := tp.Key(id)
		switch {
		case !ok:
			probs = append(probs, problemAt(tp.Pos, tpPath(tp.ID)+"/CryptographicKeys", CodeMissingKey, ErrMissingKey,
				"technical profile %q is missing required cryptographic key %q", tp.ID, id))
		case strings.TrimSpace(k.StorageReferenceID) == "":
			probs = append(probs, problemAt(k.Pos, tpPath(tp.ID)+"/CryptographicKeys/Key[Id="+id+"]", CodeMissingKey, ErrMissingKey,
				"technical profile %q has no StorageReferenceId for required cryptographic key %q", tp.ID, id))
		}
	}
	return probs
}

// Validate reports every problem of the set at once, sorted by file and line, each
// identical problem once even when several relying parties share the file it is in:
//   - the problems found while loading (parse errors, unknown settings, duplicate PolicyIds);
//   - per file: duplicate ids of technical profiles, claim types, claims
//     transformations and journeys, and duplicate or descending step Orders;
//   - for every file: a missing base policy or an inheritance cycle;
//   - for every relying-party policy, on its effective policy: unknown references
//     (technical profiles, claim types, claims transformations, sub journeys, claims
//     exchanges), a missing or unknown DefaultUserJourney (AADB2C90031), journeys
//     without SendClaims (AADB2C90040), steps with several claims exchanges and no
//     selection step before them, selections whose exchange does not exist, unresolved
//     includes, sub journeys that invoke themselves, directly or through others
//     (ErrCycle), and whatever check (may be nil) reports for each technical profile.
func (s *Set) Validate(check Checker) Problems {
	probs := s.Problems()
	ids := s.IDs()
	for _, id := range ids {
		f, _ := s.File(id)
		probs = append(probs, checkFile(f)...)
		_, chainProbs := s.chain(id)
		probs = append(probs, chainProbs...)
	}
	for _, id := range s.RelyingParties() {
		chain, chainProbs := s.chain(id)
		if chainProbs != nil || chain == nil {
			continue // reported above
		}
		p := merge(chain)
		probs = append(probs, checkReferences(p)...)
		probs = append(probs, checkSubJourneyCycles(p)...)
		probs = append(probs, resolveIncludes(p)...)
		if check != nil {
			for _, tpID := range sortedKeys(p.TechnicalProfiles) {
				probs = append(probs, check(p, p.TechnicalProfiles[tpID])...)
			}
		}
	}
	return probs.dedupe()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func tpPath(id string) string { return "TechnicalProfile[Id=" + id + "]" }

func itemPath(tpID, key string) string { return tpPath(tpID) + "/Metadata/Item[Key=" + key + "]" }

func idPath(kind, id string) string { return kind + "[Id=" + id + "]" }

func stepPath(kind, journeyID string, order int) string {
	return fmt.Sprintf("%s/OrchestrationStep[Order=%d]", idPath(kind, journeyID), order)
}

// checkFile reports problems visible in one file alone.
func checkFile(f *File) Problems {
	var probs Problems
	dup := func(kind, id string, pos Pos, seen map[string]Pos) {
		if first, ok := seen[foldKey(id)]; ok {
			probs = append(probs, problemAt(pos, idPath(kind, id), "", ErrDuplicateID,
				"%s %q is already defined at line %d of this file", strings.ToLower(splitWords(kind)), id, first.Line))
			return
		}
		seen[foldKey(id)] = pos
	}
	seen := make(map[string]Pos)
	for _, ct := range f.BuildingBlocks.ClaimTypes {
		dup("ClaimType", ct.ID, ct.Pos, seen)
	}
	seen = make(map[string]Pos)
	for _, ct := range f.BuildingBlocks.ClaimsTransformations {
		dup("ClaimsTransformation", ct.ID, ct.Pos, seen)
	}
	seen = make(map[string]Pos)
	for _, cp := range f.ClaimsProviders {
		for _, tp := range cp.TechnicalProfiles {
			dup("TechnicalProfile", tp.ID, tp.Pos, seen)
		}
	}
	for _, js := range []struct {
		kind     string
		journeys []UserJourney
	}{{"UserJourney", f.UserJourneys}, {"SubJourney", f.SubJourneys}} {
		seen = make(map[string]Pos)
		for _, j := range js.journeys {
			dup(js.kind, j.ID, j.Pos, seen)
			probs = append(probs, checkStepOrder(js.kind, j)...)
		}
	}
	return probs
}

// splitWords turns ClaimsTransformation into "Claims Transformation".
func splitWords(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func checkStepOrder(kind string, j UserJourney) Problems {
	var probs Problems
	seen := make(map[int]bool)
	for i, s := range j.Steps {
		switch {
		case seen[s.Order]:
			probs = append(probs, problemAt(s.Pos, stepPath(kind, j.ID, s.Order), "", ErrStepOrder,
				"step Order %d is used more than once in %s %q", s.Order, strings.ToLower(splitWords(kind)), j.ID))
		case i > 0 && s.Order < j.Steps[i-1].Order:
			probs = append(probs, problemAt(s.Pos, stepPath(kind, j.ID, s.Order), "", ErrStepOrder,
				"step Order %d follows step Order %d: Orders must be ascending", s.Order, j.Steps[i-1].Order))
		}
		seen[s.Order] = true
	}
	return probs
}

// refChecker collects unknown-reference problems of an effective policy.
type refChecker struct {
	p     *Policy
	probs Problems
}

func (c *refChecker) technicalProfile(pos Pos, path, id, what string) {
	if _, ok := c.p.TechnicalProfiles[id]; !ok {
		c.probs = append(c.probs, problemAt(pos, path, "", ErrUnknownReference,
			"%s references technical profile %q, which is not defined", what, id))
	}
}

func (c *refChecker) claimType(pos Pos, path, id string) {
	if _, ok := c.p.ClaimTypes[id]; !ok {
		c.probs = append(c.probs, problemAt(pos, path, "", ErrUnknownReference,
			"claim type %q is not defined in the ClaimsSchema", id))
	}
}

func (c *refChecker) claims(owner, element string, claims []ClaimRef) {
	for _, cl := range claims {
		c.claimType(cl.Pos, owner+"/"+element+"[ClaimTypeReferenceId="+cl.ClaimTypeReferenceID+"]", cl.ClaimTypeReferenceID)
	}
}

func (c *refChecker) transformations(owner, element string, refs []TransformationRef) {
	for _, r := range refs {
		if _, ok := c.p.ClaimsTransformations[r.ReferenceID]; !ok {
			c.probs = append(c.probs, problemAt(r.Pos, owner+"/"+element+"[ReferenceId="+r.ReferenceID+"]", "", ErrUnknownReference,
				"claims transformation %q is not defined", r.ReferenceID))
		}
	}
}

func (c *refChecker) preconditions(owner string, ps []Precondition) {
	for i, pc := range ps {
		if len(pc.Values) == 0 {
			continue
		}
		c.claimType(pc.Pos, fmt.Sprintf("%s/Precondition[%d]", owner, i+1), strings.TrimSpace(pc.Values[0]))
	}
}

func (c *refChecker) techProfile(owner string, tp *TechnicalProfile) {
	c.claims(owner, "InputClaim", tp.InputClaims)
	c.claims(owner, "PersistedClaim", tp.PersistedClaims)
	c.claims(owner, "OutputClaim", tp.OutputClaims)
	c.transformations(owner, "InputClaimsTransformation", tp.InputClaimsTransformations)
	c.transformations(owner, "OutputClaimsTransformation", tp.OutputClaimsTransformations)
	for _, v := range tp.ValidationTechnicalProfiles {
		path := owner + "/ValidationTechnicalProfile[ReferenceId=" + v.ReferenceID + "]"
		c.technicalProfile(v.Pos, path, v.ReferenceID, "validation technical profile")
		c.preconditions(path, v.Preconditions)
	}
	if u := tp.UseTechnicalProfileForSessionManagement; u != nil {
		c.technicalProfile(u.Pos, owner+"/UseTechnicalProfileForSessionManagement", u.ReferenceID, "session management")
	}
}

// checkReferences reports unknown references and journey problems of an effective
// policy, before includes are resolved (so each problem is reported where it is written).
func checkReferences(p *Policy) Problems {
	c := &refChecker{p: p}
	for _, id := range sortedKeys(p.TechnicalProfiles) {
		c.techProfile(tpPath(id), p.TechnicalProfiles[id])
	}
	for _, id := range sortedKeys(p.ClaimsTransformations) {
		ct := p.ClaimsTransformations[id]
		owner := "ClaimsTransformation[Id=" + id + "]"
		for _, cl := range ct.InputClaims {
			c.claimType(cl.Pos, owner+"/InputClaim[ClaimTypeReferenceId="+cl.ClaimTypeReferenceID+"]", cl.ClaimTypeReferenceID)
		}
		for _, cl := range ct.OutputClaims {
			c.claimType(cl.Pos, owner+"/OutputClaim[ClaimTypeReferenceId="+cl.ClaimTypeReferenceID+"]", cl.ClaimTypeReferenceID)
		}
	}
	if rp := p.RelyingParty; rp != nil {
		ref := rp.DefaultUserJourney.ReferenceID
		switch _, ok := p.UserJourneys[ref]; {
		case ref == "":
			c.probs = append(c.probs, problemAt(rp.Pos, "RelyingParty/DefaultUserJourney", CodeNoDefaultJourney, ErrNoDefaultJourney,
				"relying party of policy %q has no DefaultUserJourney", p.PolicyID))
		case !ok:
			c.probs = append(c.probs, problemAt(rp.Pos, "RelyingParty/DefaultUserJourney", CodeNoDefaultJourney, ErrNoDefaultJourney,
				"default user journey %q of policy %q is not defined", ref, p.PolicyID))
		}
		c.techProfile("RelyingParty/"+tpPath(rp.TechnicalProfile.ID), &rp.TechnicalProfile)
	}
	for _, id := range sortedKeys(p.UserJourneys) {
		c.journey("UserJourney", p.UserJourneys[id])
	}
	for _, id := range sortedKeys(p.SubJourneys) {
		c.journey("SubJourney", p.SubJourneys[id])
	}
	return c.probs
}

func isSelection(stepType string) bool {
	return stepType == "ClaimsProviderSelection" || stepType == "CombinedSignInAndSignUp"
}

func (c *refChecker) journey(kind string, j *UserJourney) {
	jpath := idPath(kind, j.ID)
	if ref := j.DefaultCpimIssuerTechnicalProfileReferenceID; ref != "" {
		c.technicalProfile(j.Pos, jpath, ref, "DefaultCpimIssuerTechnicalProfileReferenceId")
	}
	if kind == "UserJourney" && !c.sendsClaims(j, map[string]bool{}) {
		c.probs = append(c.probs, problemAt(j.Pos, jpath, CodeNoSendClaims, ErrNoSendClaims,
			"user journey %q has no SendClaims step", j.ID))
	}
	for i, s := range j.Steps {
		spath := stepPath(kind, j.ID, s.Order)
		if s.CpimIssuerTechnicalProfileReferenceID != "" {
			c.technicalProfile(s.Pos, spath, s.CpimIssuerTechnicalProfileReferenceID, "CpimIssuerTechnicalProfileReferenceId")
		}
		c.preconditions(spath, s.Preconditions)
		for _, x := range s.ClaimsExchanges {
			c.technicalProfile(x.Pos, spath+"/ClaimsExchange[Id="+x.ID+"]", x.TechnicalProfileReferenceID, fmt.Sprintf("claims exchange %q", x.ID))
		}
		for _, cand := range s.JourneyList {
			if _, ok := c.p.SubJourneys[cand.SubJourneyReferenceID]; !ok {
				c.probs = append(c.probs, problemAt(s.Pos, spath, "", ErrUnknownReference,
					"sub journey %q is not defined", cand.SubJourneyReferenceID))
			}
		}
		if s.Type == "ClaimsExchange" && len(s.ClaimsExchanges) > 1 && (i == 0 || !isSelection(j.Steps[i-1].Type)) {
			c.probs = append(c.probs, problemAt(s.Pos, spath, "", ErrSelection,
				"%s %q has step %d with %d claims exchanges. It must be preceded by a claims provider selection in order to determine which claims exchange can be used",
				strings.ToLower(splitWords(kind)), j.ID, s.Order, len(s.ClaimsExchanges)))
		}
		if s.ClaimsProviderSelections != nil {
			c.selections(kind, j, i)
		}
	}
}

func (c *refChecker) selections(kind string, j *UserJourney, i int) {
	s := j.Steps[i]
	var next *OrchestrationStep
	if i+1 < len(j.Steps) {
		next = &j.Steps[i+1]
	}
	hasExchange := func(step *OrchestrationStep, id string) bool {
		if step == nil {
			return false
		}
		for _, x := range step.ClaimsExchanges {
			if x.ID == id {
				return true
			}
		}
		return false
	}
	for _, sel := range s.ClaimsProviderSelections.Selections {
		path := stepPath(kind, j.ID, s.Order) + "/ClaimsProviderSelection"
		switch {
		case sel.TargetClaimsExchangeID == "" && sel.ValidationClaimsExchangeID == "":
			c.probs = append(c.probs, problemAt(sel.Pos, path, "", ErrSelection,
				"claims provider selection has neither TargetClaimsExchangeId nor ValidationClaimsExchangeId"))
		case sel.TargetClaimsExchangeID != "" && sel.ValidationClaimsExchangeID != "":
			c.probs = append(c.probs, problemAt(sel.Pos, path+"[TargetClaimsExchangeId="+sel.TargetClaimsExchangeID+"]", "", ErrSelection,
				"claims provider selection has both TargetClaimsExchangeId and ValidationClaimsExchangeId"))
		case sel.TargetClaimsExchangeID != "" && !hasExchange(next, sel.TargetClaimsExchangeID):
			where := "there is no next step"
			if next != nil {
				where = fmt.Sprintf("the next step (Order %d) has no such claims exchange", next.Order)
			}
			c.probs = append(c.probs, problemAt(sel.Pos, path+"[TargetClaimsExchangeId="+sel.TargetClaimsExchangeID+"]", "", ErrUnknownReference,
				"TargetClaimsExchangeId %q: %s", sel.TargetClaimsExchangeID, where))
		case sel.ValidationClaimsExchangeID != "" && !hasExchange(&s, sel.ValidationClaimsExchangeID):
			c.probs = append(c.probs, problemAt(sel.Pos, path+"[ValidationClaimsExchangeId="+sel.ValidationClaimsExchangeID+"]", "", ErrUnknownReference,
				"ValidationClaimsExchangeId %q: this step has no such claims exchange", sel.ValidationClaimsExchangeID))
		}
	}
}

// sendsClaims reports whether j has a SendClaims step, directly or in a sub journey it invokes.
func (c *refChecker) sendsClaims(j *UserJourney, visited map[string]bool) bool {
	for _, s := range j.Steps {
		if s.Type == "SendClaims" {
			return true
		}
		for _, cand := range s.JourneyList {
			sub, ok := c.p.SubJourneys[cand.SubJourneyReferenceID]
			if !ok || visited[sub.ID] {
				continue
			}
			visited[sub.ID] = true
			if c.sendsClaims(sub, visited) {
				return true
			}
		}
	}
	return false
}
