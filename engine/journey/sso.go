package journey

import (
	"maps"
	"strings"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// SSORecord is what a session-management technical profile remembers of an
// earlier sign-in in the same browser: the values of its PersistedClaims
// (spec local-accounts §5).
type SSORecord struct {
	Claims map[string]string
	// Seq orders the records: a later sign-in's are higher.
	Seq int
}

// Session-management providers (Web.TPEngine.SSO.*).
const (
	ssoNone     = iota // no provider, NoopSSOSessionProvider, OAuthSSOSessionProvider, SAML
	ssoDefault         // DefaultSSOSessionProvider: the profile's step is skipped, its claims restored
	ssoExternal        // ExternalLoginSSOSessionProvider: the selection is skipped, the IdP still runs
)

// sessionManager is the session-management profile of technical profile id
// and its kind; ssoNone when the profile takes no part in single sign-on (no
// UseTechnicalProfileForSessionManagement, a Noop provider). IncludeInSso is
// not consulted: it governs profiles run as validation profiles, which never
// come from the session here; the packs' sign-in page sets it to false and is
// still skipped by SM-AAD (spec local-accounts §5.2, §5.3).
func (j *Journey) sessionManager(id string) (*policy.TechnicalProfile, int) {
	tp, ok := j.Policy.TechnicalProfiles[id]
	if !ok || tp.UseTechnicalProfileForSessionManagement == nil {
		return nil, ssoNone
	}
	sm, ok := j.Policy.TechnicalProfiles[tp.UseTechnicalProfileForSessionManagement.ReferenceID]
	if !ok || sm.Protocol == nil {
		return nil, ssoNone
	}
	handler := strings.ToLower(sm.Protocol.Handler)
	switch {
	case strings.Contains(handler, "web.tpengine.sso.defaultssosessionprovider"):
		return sm, ssoDefault
	case strings.Contains(handler, "web.tpengine.sso.externalloginssosessionprovider"):
		return sm, ssoExternal
	}
	return nil, ssoNone
}

// record is the browser's record for technical profile id, when its
// session-management profile has one.
func (j *Journey) record(st *State, id string) (SSORecord, *policy.TechnicalProfile, int, bool) {
	sm, kind := j.sessionManager(id)
	if kind == ssoNone {
		return SSORecord{}, nil, ssoNone, false
	}
	rec, ok := st.SSO[sm.ID]
	return rec, sm, kind, ok
}

// restore puts a record's claims back in the bag, with the session profile's
// output claims' default values (objectIdFromSession=true in the packs).
func restore(env *profile.Env, sm *policy.TechnicalProfile, rec SSORecord) {
	for k, v := range rec.Claims {
		env.Claims.Set(k, v)
	}
	for _, c := range sm.OutputClaims {
		if c.DefaultValue != nil {
			env.Claims.Set(c.ClaimTypeReferenceID, *c.DefaultValue)
		}
	}
}

// used notes that technical profile id ran in this journey, so that its
// session-management profile records the sign-in when the journey ends.
func (j *Journey) used(st *State, id string) {
	if sm, kind := j.sessionManager(id); kind != ssoNone {
		for _, u := range st.SSOUsed {
			if u == sm.ID {
				return
			}
		}
		st.SSOUsed = append(st.SSOUsed, sm.ID)
	}
}

// skipBySession reports whether the claims exchange of technical profile id
// is skipped because the browser's session already holds it (a
// DefaultSSOSessionProvider record): its claims are restored.
func (j *Journey) skipBySession(env *profile.Env, st *State, id string) bool {
	rec, sm, kind, ok := j.record(st, id)
	if !ok || kind != ssoDefault {
		return false
	}
	restore(env, sm, rec)
	return true
}

// selectBySession picks, at a selection step, the exchange an earlier sign-in
// in the browser took: an identity provider's button whose profile has a
// session record first (the latest), else the step's own local exchange with
// a DefaultSSOSessionProvider record (restored). It reports what it did:
// selected is the next step's exchange to run, local that the step's own
// exchange was restored and the step is done.
func (j *Journey) selectBySession(env *profile.Env, st *State, opts []Option, local *policy.ClaimsExchange) (selected string, local2 bool) {
	best, bestSeq := "", -1
	for _, o := range opts {
		if rec, _, _, ok := j.record(st, o.ProfileID); ok && rec.Seq > bestSeq {
			best, bestSeq = o.ExchangeID, rec.Seq
		}
	}
	if best != "" {
		return best, false
	}
	if local != nil && j.skipBySession(env, st, local.TechnicalProfileReferenceID) {
		return "", true
	}
	return "", false
}

// SSORecords are the browser's session records after this journey: the ones
// it came with, and for each session-management profile whose technical
// profiles ran, its PersistedClaims' values from the final claims bag.
func (j *Journey) SSORecords(bag *claims.Bag, st *State) map[string]SSORecord {
	out := maps.Clone(st.SSO)
	if out == nil {
		out = map[string]SSORecord{}
	}
	seq := 0
	for _, r := range out {
		seq = max(seq, r.Seq)
	}
	for _, id := range st.SSOUsed {
		sm, ok := j.Policy.TechnicalProfiles[id]
		if !ok {
			continue
		}
		seq++
		rec := SSORecord{Claims: map[string]string{}, Seq: seq}
		for _, c := range sm.PersistedClaims {
			if v, ok := bag.Get(c.ClaimTypeReferenceID); ok && v != "" {
				rec.Claims[c.ClaimTypeReferenceID] = v
			}
		}
		out[id] = rec
	}
	return out
}
