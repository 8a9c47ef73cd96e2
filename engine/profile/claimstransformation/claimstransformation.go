// Package claimstransformation is the claims-transformation technical profile
// (Protocol Proprietary with Handler
// "Web.TPEngine.Providers.ClaimsTransformationProtocolProvider, …"; spec
// local-accounts §4.1): no page and no network, only claims. It runs as an
// orchestration ClaimsExchange or as a validation technical profile.
//
// What B2C runs for it is the generic pipeline (spec behavior §1.2): its
// InputClaimsTransformations, its InputClaims, its OutputClaims, its
// OutputClaimsTransformations. The journey runs the two lists of
// transformations around every Caller (engine/journey call and validate), so
// Call does only the part in between: input claims with a DefaultValue and
// output claims with a DefaultValue put their value into the claims bag,
// where the output transformations that follow read them. A failed assertion
// of an output transformation is a *claims.AssertionError; a self-asserted
// profile that ran this one as a validation profile shows its
// UserMessage(metadata).
package claimstransformation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// Handler is the Proprietary handler of claims-transformation profiles.
const Handler = "Web.TPEngine.Providers.ClaimsTransformationProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"

// ProtocolName is the Protocol Name of the profile; it picks the claim types'
// DefaultPartnerClaimTypes (none in B2C's schema).
const ProtocolName = "Proprietary"

// KeyIncludeClaimResolving is the metadata that lets DefaultValue hold claim
// resolvers (with AlwaysUseDefaultValue, spec behavior §1.3).
const KeyIncludeClaimResolving = "IncludeClaimResolvingInClaimsHandling"

// Sentinel errors.
var (
	// ErrNoOutputClaims: the profile declares no OutputClaims, which B2C requires (CTP-08).
	ErrNoOutputClaims = errors.New("a claims transformation technical profile needs at least one output claim")
	// ErrNoClaimsBag: Call was given an environment without a claims bag.
	ErrNoClaimsBag = errors.New("no claims bag")
)

// Profile runs a claims-transformation technical profile. It holds no state
// of a journey and is safe for concurrent use.
type Profile struct {
	id              string
	inputs, outputs []policy.ClaimRef
	resolve         bool
}

var _ profile.Caller = (*Profile)(nil)

// New parses a claims-transformation technical profile. A profile without
// OutputClaims is a problem (without an AADB2C code: B2C's is unknown); the
// profile is returned all the same.
func New(tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	p := &Profile{id: tp.ID, inputs: tp.InputClaims, outputs: tp.OutputClaims}
	if v, ok := tp.Metadata.Get(KeyIncludeClaimResolving); ok {
		p.resolve = strings.EqualFold(strings.TrimSpace(v), "true")
	}
	var probs policy.Problems
	if len(tp.OutputClaims) == 0 {
		pr := policy.ProblemAt(tp.Pos, "TechnicalProfile[Id="+tp.ID+"]/OutputClaims", "",
			"technical profile %q (ClaimsTransformationProtocolProvider) has no OutputClaims: provide at least one output claim", tp.ID)
		pr.Err = ErrNoOutputClaims
		probs = append(probs, pr)
	}
	return p, probs
}

// Call puts the DefaultValue of the input claims (when the claim has no value,
// or always with AlwaysUseDefaultValue) and then of the output claims (when
// the claim is absent, or always) into env.Claims. Claims already in the bag
// stay as they are; the journey runs the output claims transformations next.
func (p *Profile) Call(_ context.Context, env *profile.Env) error {
	if env == nil || env.Claims == nil {
		return fmt.Errorf("claims transformation profile %s: %w", p.id, ErrNoClaimsBag)
	}
	opts := claims.Options{ResolveDefaults: p.resolve, Resolver: env.Resolver, Policy: env.Policy, Protocol: ProtocolName}
	for _, ref := range p.inputs {
		if ref.DefaultValue == nil || (!ref.AlwaysUseDefaultValue && env.Claims.Has(ref.ClaimTypeReferenceID)) {
			continue
		}
		params, err := claims.MapInput([]policy.ClaimRef{ref}, env.Claims, opts)
		if err != nil {
			return fmt.Errorf("claims transformation profile %s: %w", p.id, err)
		}
		for _, prm := range params {
			env.Claims.Set(ref.ClaimTypeReferenceID, prm.Value)
		}
	}
	for _, ref := range p.outputs {
		// The source is the bag itself, by claim id: a claim already there is
		// kept unless AlwaysUseDefaultValue is set.
		id := ref.ClaimTypeReferenceID
		src := claims.SourceFunc(func(string) (any, bool) { return env.Claims.Value(id) })
		if err := claims.MapOutput([]policy.ClaimRef{ref}, src, env.Claims, opts); err != nil {
			return fmt.Errorf("claims transformation profile %s: %w", p.id, err)
		}
	}
	return nil
}
