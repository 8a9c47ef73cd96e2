package policy

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
)

// schemaChildren are the child elements the TrustFrameworkPolicy schema
// (TrustFrameworkPolicy_0.3.0.0.xsd) allows, by parent, in schema order.
var schemaChildren = map[string][]string{
	"TrustFrameworkPolicy": {"BasePolicy", "PolicyConstraints", "Contacts", "DocumentReferences", "BuildingBlocks",
		"ClaimsProviders", "UserJourneys", "SubJourneys", "RelyingParty"},
	"BuildingBlocks": {"ClaimsSchema", "Predicates", "InputValidations", "PredicateValidations", "ClaimsTransformations",
		"ClientDefinitions", "ContentDefinitions", "Localization", "DisplayControls"},
}

// implementedChildren are the schema's children the emulator reads, by parent.
var implementedChildren = map[string][]string{
	"TrustFrameworkPolicy": {"BasePolicy", "BuildingBlocks", "ClaimsProviders", "UserJourneys", "SubJourneys", "RelyingParty"},
	"BuildingBlocks":       {"ClaimsSchema", "Predicates", "PredicateValidations", "ClaimsTransformations", "Localization"},
}

// ignoredEffect says what ignoring an unsupported element means for a run.
var ignoredEffect = map[string]string{
	"ContentDefinitions": "the emulator shows its own pages, not your page layouts",
	"Localization":       "the emulator's pages are in English only",
	"DisplayControls":    "self-asserted pages show no display controls (email verification, ...)",
	"InputValidations":   "input validations are not enforced",
}

// schemaProtocols are the values of the schema's ProtocolName type.
var schemaProtocols = []string{"None", "OAuth1", "OAuth2", "SAML2", "OpenIdConnect", "WsFed", "WsTrust", "UProve11", "Proprietary"}

// elementWarnings scans the children of TrustFrameworkPolicy and of BuildingBlocks
// in the source of the file name for elements the schema does not have and
// elements the emulator does not implement.
func elementWarnings(name string, read func(string) ([]byte, error)) Warnings {
	data, err := read(name)
	if err != nil {
		return Warnings{{Problem{File: name, Message: fmt.Sprintf("cannot read the file for the element checks: %v", err),
			Err: fmt.Errorf("%w: %w", ErrRead, err)}}}
	}
	var ws Warnings
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string // open elements, root first
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			break // a problem parsing reports
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := ""
			if n := len(stack); n > 0 {
				parent = stack[n-1]
			}
			inRoot := len(stack) == 1 || len(stack) == 2 && parent == "BuildingBlocks"
			if inRoot && stack[0] == "TrustFrameworkPolicy" {
				pos := Pos{File: name, Line: 1 + bytes.Count(data[:off], []byte("\n")), Offset: off}
				if w, ok := childWarning(pos, strings.Join(stack, "/"), parent, t.Name); ok {
					ws = append(ws, w)
				}
			}
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	return ws
}

func childWarning(pos Pos, path, parent string, name xml.Name) (Warning, bool) {
	el := name.Local
	path += "/" + el
	if name.Space != Namespace || !slices.Contains(schemaChildren[parent], el) {
		return warningAt(pos, path, ErrUnknownElement,
			"<%s> is not an element of %s in the TrustFrameworkPolicy schema (want one of %s): B2C rejects the upload; the emulator ignores it",
			el, parent, strings.Join(schemaChildren[parent], ", ")), true
	}
	if slices.Contains(implementedChildren[parent], el) {
		return Warning{}, false
	}
	effect := "it is ignored"
	if e, ok := ignoredEffect[el]; ok {
		effect = "it is ignored: " + e
	}
	return warningAt(pos, path, ErrUnsupported, "<%s> is not supported by the emulator yet; %s", el, effect), true
}

// reachable returns the technical profiles the relying party's default journey
// can run: its claims exchanges and issuers, those of the sub journeys it
// invokes and, transitively, their validation technical profiles. Ids without
// a profile are left out (a problem Validate reports).
func reachable(p *Policy) []*TechnicalProfile {
	j, ok := p.Journey()
	if !ok {
		return nil
	}
	var queue []string
	journeys := []*UserJourney{j}
	seenJourney := map[*UserJourney]bool{j: true}
	for i := 0; i < len(journeys); i++ {
		j := journeys[i]
		if ref := j.DefaultCpimIssuerTechnicalProfileReferenceID; ref != "" {
			queue = append(queue, ref)
		}
		for _, s := range j.Steps {
			for _, x := range s.ClaimsExchanges {
				queue = append(queue, x.TechnicalProfileReferenceID)
			}
			if ref := s.CpimIssuerTechnicalProfileReferenceID; ref != "" {
				queue = append(queue, ref)
			}
			for _, c := range s.JourneyList {
				if sj, ok := p.SubJourneys[c.SubJourneyReferenceID]; ok && !seenJourney[sj] {
					seenJourney[sj] = true
					journeys = append(journeys, sj)
				}
			}
		}
	}
	var out []*TechnicalProfile
	seen := map[*TechnicalProfile]bool{}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		tp, ok := p.TechnicalProfiles[id]
		if !ok || seen[tp] {
			continue
		}
		seen[tp] = true
		out = append(out, tp)
		for _, v := range tp.ValidationTechnicalProfiles {
			queue = append(queue, v.ReferenceID)
		}
	}
	return out
}

// unsupportedUse is a technical profile or claims transformation the emulator
// cannot run, and the relying-party policies whose journeys reach it.
type unsupportedUse struct {
	w        Warning // without the policies
	policies []string
	refuses  bool // serve refuses the policies (else a journey stops at the element)
}

// unsupportedUses collects what the journeys of relying parties reach and the
// emulator cannot run, each once with every policy that reaches it.
type unsupportedUses struct {
	byKey map[string]*unsupportedUse
	order []string
}

func (u *unsupportedUses) note(policyID string, w Warning, refuses bool) {
	k := w.Problem.String()
	if u.byKey == nil {
		u.byKey = map[string]*unsupportedUse{}
	}
	use, ok := u.byKey[k]
	if !ok {
		use = &unsupportedUse{w: w, refuses: refuses}
		u.byKey[k] = use
		u.order = append(u.order, k)
	}
	if !slices.Contains(use.policies, policyID) {
		use.policies = append(use.policies, policyID)
	}
}

// add notes the reachable technical profiles of p the emulator cannot run.
func (u *unsupportedUses) add(p *Policy, o WarnOptions) {
	for _, tp := range reachable(p) {
		path := tpPath(tp.ID) + "/Protocol"
		if tp.Protocol != nil && !slices.Contains(schemaProtocols, tp.Protocol.Name) {
			u.note(p.PolicyID, warningAt(tp.Pos, path, ErrUnknownElement,
				"technical profile %q has Protocol Name %q, which is not in the TrustFrameworkPolicy schema (want one of %s)",
				tp.ID, tp.Protocol.Name, strings.Join(schemaProtocols, ", ")), false)
		} else if o.Implemented != nil && !o.Implemented(p, tp) {
			u.note(p.PolicyID, warningAt(tp.Pos, path, ErrUnsupported,
				"technical profile %q (%s) is not supported by the emulator yet", tp.ID, describeProtocol(tp)), false)
		}
		if o.TransformationSupported == nil {
			continue
		}
		for _, ref := range slices.Concat(tp.InputClaimsTransformations, tp.OutputClaimsTransformations) {
			ct, ok := p.ClaimsTransformations[ref.ReferenceID]
			if !ok || o.TransformationSupported(ct.TransformationMethod) {
				continue
			}
			u.note(p.PolicyID, warningAt(ct.Pos, "ClaimsTransformation[Id="+ct.ID+"]", ErrUnsupported,
				"TransformationMethod %s is not supported by the emulator yet", ct.TransformationMethod), true)
		}
	}
}

// warnings returns one warning per noted element, naming the policies that reach it.
func (u *unsupportedUses) warnings() Warnings {
	var ws Warnings
	for _, k := range u.order {
		use := u.byKey[k]
		slices.Sort(use.policies)
		w := use.w
		what := "policy " + use.policies[0] + " reaches it in its journey"
		if len(use.policies) > 1 {
			what = "policies " + strings.Join(use.policies, ", ") + " reach it in their journeys"
		}
		switch {
		case !use.refuses:
			w.Message += "; " + what + ", where a journey stops with the emulator's error page naming it"
		case len(use.policies) > 1:
			w.Message += "; " + what + ", so serve refuses them"
		default:
			w.Message += "; " + what + ", so serve refuses it"
		}
		ws = append(ws, w)
	}
	return ws
}

// describeProtocol names a profile's protocol: "Protocol Proprietary, handler
// AzureActiveDirectoryProvider", "Protocol OpenIdConnect, OutputTokenFormat JWT".
func describeProtocol(tp *TechnicalProfile) string {
	if tp.Protocol == nil {
		return "no Protocol"
	}
	s := "Protocol " + tp.Protocol.Name
	if h := strings.TrimSpace(tp.Protocol.Handler); h != "" {
		// Web.TPEngine.Providers.AzureActiveDirectoryProvider, Web.TPEngine, Version=... -> AzureActiveDirectoryProvider
		h, _, _ = strings.Cut(h, ",")
		if i := strings.LastIndex(h, "."); i >= 0 {
			h = h[i+1:]
		}
		s += ", handler " + strings.TrimSpace(h)
	}
	if f := strings.TrimSpace(tp.OutputTokenFormat); f != "" {
		s += ", OutputTokenFormat " + f
	}
	return s
}
