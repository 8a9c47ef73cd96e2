package policy

// Patch returns a copy of the set in which every relying-party file restates
// the given technical-profile fragments, as a policy author would in the
// relying-party file: each fragment merges over the inherited profile with the
// same Id by the usual rules (metadata items by Key, cryptographic keys by Id,
// claims by ClaimTypeReferenceId). Test harnesses use it to vary one setting of
// a policy without copying its files. The set itself is not changed.
func (s *Set) Patch(fragments ...TechnicalProfile) *Set {
	out := &Set{files: make(map[string]*File, len(s.files)), problems: append(Problems(nil), s.problems...)}
	for k, f := range s.files {
		if f.RelyingParty == nil || len(fragments) == 0 {
			out.files[k] = f
			continue
		}
		c := *f
		c.ClaimsProviders = append(append([]ClaimsProvider(nil), f.ClaimsProviders...),
			ClaimsProvider{DisplayName: "patch", TechnicalProfiles: append([]TechnicalProfile(nil), fragments...)})
		out.files[k] = &c
	}
	return out
}
