package policy

import (
	"fmt"
	"iter"
	"slices"
	"strings"
)

// Warning is something a user needs to know before running a policy in the
// emulator. Unlike a Problem it does not make validation fail.
type Warning struct {
	Problem
}

// String formats the warning as "file:line: path: warning: message" (with the B2C
// code after "warning" when there is one), leaving out empty parts.
func (w Warning) String() string {
	p := w.Problem
	if p.Code == "" {
		p.Code = "warning"
	} else {
		p.Code = "warning: " + p.Code
	}
	return p.String()
}

// Error implements error with String.
func (w Warning) Error() string { return w.String() }

// Warnings is a list of warnings.
type Warnings []Warning

// Sort orders the warnings by file, line, path, code and message.
func (ws Warnings) Sort() {
	slices.SortStableFunc(ws, func(a, b Warning) int { return compareProblems(a.Problem, b.Problem) })
}

// dedupe returns the warnings sorted, each distinct one once.
func (ws Warnings) dedupe() Warnings {
	probs := make(Problems, len(ws))
	for i, w := range ws {
		probs[i] = w.Problem
	}
	probs = probs.dedupe()
	out := make(Warnings, len(probs))
	for i, p := range probs {
		out[i] = Warning{p}
	}
	return out
}

func warningAt(pos Pos, path string, err error, format string, args ...any) Warning {
	return Warning{problemAt(pos, path, "", err, format, args...)}
}

// WarnOptions tell Warnings what the caller knows about the place the policies
// are to run in. Each nil field turns its check off (HasKey excepted).
type WarnOptions struct {
	// HasKey reports whether the key store holds a policy key container. When nil,
	// no key store was given: each policy key the policies reference is reported
	// once as needed.
	HasKey func(container string) bool
	// Implemented reports whether the emulator implements a technical profile of
	// an effective policy (its Protocol, handler and token format).
	Implemented func(p *Policy, tp *TechnicalProfile) bool
	// TransformationSupported reports whether the emulator implements a claims
	// transformation method.
	TransformationSupported func(method string) bool
	// Read returns the source of a policy file by the name it was loaded under,
	// for the elements the model does not keep (ContentDefinitions, Localization, ...).
	Read func(name string) ([]byte, error)
}

// Warnings reports, sorted by file and line and each once, what a user needs to
// know before running the set in the emulator:
//   - values left in from the starter pack (ErrPlaceholder), once per value and file;
//   - policy keys named by CryptographicKeys that the key store lacks, or, without a
//     key store, every policy key the policies need (ErrPolicyKey), once per key;
//   - elements outside the schema (ErrUnknownElement) and elements of the schema the
//     emulator ignores (ErrUnsupported) among the children of TrustFrameworkPolicy and
//     BuildingBlocks;
//   - technical profiles that a relying party's journey can reach whose protocol or
//     handler the emulator does not implement, or that use a claims transformation
//     method it does not implement (ErrUnsupported; serve refuses such a policy), and
//     protocol names outside the schema (ErrUnknownElement).
//
// Files that cannot be read for the element scan are reported as warnings too.
func (s *Set) Warnings(o WarnOptions) Warnings {
	var ws Warnings
	for _, id := range s.IDs() {
		f, _ := s.File(id)
		ws = append(ws, placeholderWarnings(f)...)
		if o.Read != nil {
			ws = append(ws, elementWarnings(f.Pos.File, o.Read)...)
		}
	}
	ws = append(ws, keyWarnings(s, o.HasKey)...)
	var uses unsupportedUses
	for _, id := range s.RelyingParties() {
		p, err := s.Resolve(id)
		if err != nil {
			continue // a problem Validate reports
		}
		uses.add(p, o)
	}
	ws = append(ws, uses.warnings()...)
	return ws.dedupe()
}

// placeholder is a value of the starter pack that the user is meant to replace.
type placeholder struct {
	value string
	// contains: the value is found inside longer values (yourtenant.onmicrosoft.com);
	// otherwise it must be the whole value.
	contains bool
	hint     string
}

// placeholders are the values Microsoft's starter packs ask the user to replace.
var placeholders = []placeholder{
	{"yourtenant", true, "replace it with your tenant's name (contoso for contoso.onmicrosoft.com), or a {Settings:Tenant} placeholder"},
	{"ProxyIdentityExperienceFrameworkAppId", false, "replace it with the application (client) ID of the ProxyIdentityExperienceFramework app registration"},
	{"IdentityExperienceFrameworkAppId", false, "replace it with the application (client) ID of the IdentityExperienceFramework app registration"},
	{"facebook_clientid", false, "replace it with your Facebook application's App ID (or a {Settings:FacebookAppId} placeholder)"},
}

func (ph placeholder) matches(v string) bool {
	v = strings.TrimSpace(v)
	if ph.contains {
		return strings.Contains(strings.ToLower(v), strings.ToLower(ph.value))
	}
	return strings.EqualFold(v, ph.value)
}

// valueAt is one value of a file, where it is written.
type valueAt struct {
	pos   Pos
	path  string
	what  string
	value string
}

// fileValues lists the values of f a user is expected to fill in.
func fileValues(f *File) []valueAt {
	root := "TrustFrameworkPolicy[PolicyId=" + f.PolicyID + "]"
	vs := []valueAt{
		{f.Pos, root, "TenantId", f.TenantID},
		{f.Pos, root, "PublicPolicyUri", f.PublicPolicyURI},
	}
	if b := f.BasePolicy; b != nil {
		vs = append(vs, valueAt{b.Pos, "BasePolicy/TenantId", "BasePolicy TenantId", b.TenantID})
	}
	for _, ct := range f.BuildingBlocks.ClaimsTransformations {
		for _, ip := range ct.InputParameters {
			vs = append(vs, valueAt{ct.Pos, "ClaimsTransformation[Id=" + ct.ID + "]/InputParameter[Id=" + ip.ID + "]", "input parameter " + ip.ID, ip.Value})
		}
	}
	tpValues := func(owner string, tp *TechnicalProfile) {
		for _, it := range tp.Metadata {
			vs = append(vs, valueAt{it.Pos, owner + "/Metadata/Item[Key=" + it.Key + "]", "metadata " + it.Key, it.Value})
		}
		for _, list := range []struct {
			element string
			claims  []ClaimRef
		}{{"InputClaim", tp.InputClaims}, {"PersistedClaim", tp.PersistedClaims}, {"OutputClaim", tp.OutputClaims}} {
			for _, c := range list.claims {
				if c.DefaultValue != nil {
					vs = append(vs, valueAt{c.Pos, owner + "/" + list.element + "[ClaimTypeReferenceId=" + c.ClaimTypeReferenceID + "]",
						"DefaultValue of " + c.ClaimTypeReferenceID, *c.DefaultValue})
				}
			}
		}
	}
	for path, tp := range f.technicalProfiles() {
		tpValues(path, tp)
	}
	return vs
}

// placeholderWarnings reports each starter-pack placeholder of f once, at its
// first occurrence, with how many more there are in the file.
func placeholderWarnings(f *File) Warnings {
	vs := fileValues(f)
	slices.SortStableFunc(vs, func(a, b valueAt) int { return a.pos.Line - b.pos.Line })
	var ws Warnings
	for _, ph := range placeholders {
		var hits []valueAt
		for _, v := range vs {
			if ph.matches(v.value) {
				hits = append(hits, v)
			}
		}
		if len(hits) == 0 {
			continue
		}
		first := hits[0]
		more := ""
		if n := len(hits) - 1; n > 0 {
			more = fmt.Sprintf(" (%d more in this file)", n)
		}
		ws = append(ws, warningAt(first.pos, first.path, ErrPlaceholder,
			"%s is %q, the starter pack's placeholder %q%s: %s", first.what, strings.TrimSpace(first.value), ph.value, more, ph.hint))
	}
	return ws
}

// keyRef is a policy key container and the technical profiles that name it.
type keyRef struct {
	name     string
	first    Pos
	path     string
	profiles []string
}

// keyWarnings reports each policy key the set's technical profiles reference that
// hasKey lacks, or, when hasKey is nil, each one they reference.
func keyWarnings(s *Set, hasKey func(string) bool) Warnings {
	refs := map[string]*keyRef{}
	var order []string
	add := func(owner string, tp *TechnicalProfile) {
		for _, k := range tp.CryptographicKeys {
			name := strings.TrimSpace(k.StorageReferenceID)
			if name == "" {
				continue // RequireKeys reports it where the protocol needs it
			}
			r, ok := refs[foldKey(name)]
			if !ok {
				r = &keyRef{name: name, first: k.Pos, path: owner + "/CryptographicKeys/Key[Id=" + k.ID + "]"}
				refs[foldKey(name)] = r
				order = append(order, foldKey(name))
			} else if k.Pos.File < r.first.File || k.Pos.File == r.first.File && k.Pos.Line < r.first.Line {
				r.first, r.path = k.Pos, owner+"/CryptographicKeys/Key[Id="+k.ID+"]"
			}
			if !slices.Contains(r.profiles, tp.ID) {
				r.profiles = append(r.profiles, tp.ID)
			}
		}
	}
	for _, id := range s.IDs() {
		f, _ := s.File(id)
		for path, tp := range f.technicalProfiles() {
			add(path, tp)
		}
	}
	var ws Warnings
	for _, k := range order {
		r := refs[k]
		slices.Sort(r.profiles)
		who := "technical profile " + strings.Join(quoteAll(r.profiles), ", ")
		if len(r.profiles) > 1 {
			who = "technical profiles " + strings.Join(quoteAll(r.profiles), ", ")
		}
		switch {
		case hasKey == nil:
			ws = append(ws, warningAt(r.first, r.path, ErrPolicyKey,
				"the policies need policy key %s (%s); no key store was given, so it is not checked", r.name, who))
		case !hasKey(r.name):
			ws = append(ws, warningAt(r.first, r.path, ErrPolicyKey,
				"policy key %s (%s) is not in the key store", r.name, who))
		}
	}
	return ws
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// technicalProfiles yields every technical profile a file declares, its claims
// providers' and its relying party's, with its path in the file.
func (f *File) technicalProfiles() iter.Seq2[string, *TechnicalProfile] {
	return func(yield func(string, *TechnicalProfile) bool) {
		for i := range f.ClaimsProviders {
			for j := range f.ClaimsProviders[i].TechnicalProfiles {
				tp := &f.ClaimsProviders[i].TechnicalProfiles[j]
				if !yield(tpPath(tp.ID), tp) {
					return
				}
			}
		}
		if rp := f.RelyingParty; rp != nil {
			yield("RelyingParty/"+tpPath(rp.TechnicalProfile.ID), &rp.TechnicalProfile)
		}
	}
}
