// Package restful is the RESTful technical profile (Protocol Proprietary with
// Handler "Web.TPEngine.Providers.RestfulProvider, …"; spec §4): a call to a
// REST API that sends input claims and reads output claims from its JSON answer.
//
// A call: the input claims (PartnerClaimType, DefaultValue and, with
// IncludeClaimResolvingInClaimsHandling, claim resolvers) go out as SendClaimsIn
// says (request.go), authenticated as AuthenticationType says, over a client
// that trusts env.RootCAs (transport.go). An attempt is bounded by
// env.RESTTimeout; a timeout, a connection failure or an HTTP 5xx is retried,
// three attempts in all. A 2xx JSON object feeds the output claims; a 4xx with
// the error contract is a *profile.UserError; other failures are a
// *profile.Error whose message is the user message of the failure (response.go).
package restful

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// DefaultTimeout bounds one attempt when env.RESTTimeout is zero (spec §4.1).
const DefaultTimeout = 30 * time.Second

// MaxAttempts is how many requests a call makes at most: B2C's retry count 2.
const MaxAttempts = 3

// StepUnknown stands for the orchestration step in B2C messages that name it
// (AADB2C90075, AADB2C90261): the environment does not say which step runs.
const StepUnknown = "n/a"

// maxBody bounds what the profile reads from a REST API.
const maxBody = 1 << 20

// Profile runs a RESTful technical profile. It is safe for concurrent use.
type Profile struct {
	cfg Config

	mu      sync.Mutex
	clients map[clientKey]*http.Client
}

var _ profile.Caller = (*Profile)(nil)

// Config returns the parsed configuration.
func (p *Profile) Config() Config { return p.cfg }

// input is one input claim with a value, as it goes on the wire.
type input struct {
	claimType string
	param     claims.Param
}

// Call sends the input claims to ServiceUrl and writes the output claims of a
// successful answer into env.Claims.
func (p *Profile) Call(ctx context.Context, env *profile.Env) error {
	if env == nil {
		return fmt.Errorf("call %s: no environment", p.cfg.ID)
	}
	if env.Claims == nil && len(p.cfg.OutputClaims) > 0 {
		return fmt.Errorf("call %s: %w", p.cfg.ID, ErrNoClaimsBag)
	}
	ins, err := p.inputs(env)
	if err != nil {
		return err
	}
	auth, err := p.authenticate(env, ins)
	if err != nil {
		return err
	}
	spec, err := p.request(ins, auth)
	if err != nil {
		return p.failed(fmt.Errorf("%w: %w", ErrRequest, err))
	}
	client, err := p.client(env, auth.cert)
	if err != nil {
		return err
	}
	timeout := env.RESTTimeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	res, err := p.exchange(ctx, client, spec, timeout)
	if err != nil {
		return err
	}
	return p.response(env, res)
}

// inputs maps the input claims, each with its claim type id. Claim resolvers in
// DefaultValue resolve only with IncludeClaimResolvingInClaimsHandling and
// AlwaysUseDefaultValue (spec §1.3); otherwise the literal is sent.
func (p *Profile) inputs(env *profile.Env) ([]input, error) {
	opts := claims.Options{ResolveDefaults: p.cfg.IncludeClaimResolving, Resolver: env.Resolver, Policy: env.Policy, Protocol: ProtocolName}
	var out []input
	for _, ref := range p.cfg.InputClaims {
		ps, err := claims.MapInput([]policy.ClaimRef{ref}, env.Claims, opts)
		if err != nil {
			return nil, p.resolverError(env, ref, err)
		}
		for _, prm := range ps {
			out = append(out, input{claimType: ref.ClaimTypeReferenceID, param: prm})
		}
	}
	return out, nil
}

// resolverError reports a claim resolver the emulator does not support
// (AADB2C90044), naming the claim and the resolver.
func (p *Profile) resolverError(env *profile.Env, ref policy.ClaimRef, err error) error {
	var re *claims.ResolverError
	if errors.As(err, &re) {
		return profile.Errorf(profile.CodeServerError, err, "AADB2C90044: The claim '%s' is not supported by the claim resolver '%s'.", re.Name, re.Family)
	}
	return profile.Errorf(profile.CodeServerError, err, "AADB2C90044: The claim resolver in the input claim '%s' of technical profile '%s' is not supported.", ref.ClaimTypeReferenceID, p.cfg.ID)
}

// availableClaims lists the claim types of the input claims that have a value,
// as AADB2C90194 prints them.
func availableClaims(ins []input) string {
	names := make([]string, 0, len(ins))
	for _, in := range ins {
		names = append(names, in.claimType)
	}
	return strings.Join(names, ", ")
}
