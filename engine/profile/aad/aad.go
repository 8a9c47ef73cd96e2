// Package aad is the directory technical profile (Protocol Proprietary with
// Handler "Web.TPEngine.Providers.AzureActiveDirectoryProvider, …"; spec DIR
// §1): it reads, writes or deletes an account of env.Directory.
//
// The one input claim is the lookup key (objectId, userPrincipalName,
// signInNames[.type] or alternativeSecurityId, named by its PartnerClaimType
// or claim id). PersistedClaims name the attributes a Write stores and a
// DeleteClaims clears; OutputClaims are read back from the account, with
// newClaimsPrincipalCreated telling whether a Write created it.
//
// A missing account (RaiseErrorIfClaimsPrincipalDoesNotExist) or an existing
// one on create (RaiseErrorIfClaimsPrincipalAlreadyExists) is a
// *profile.Error whose message is B2C's orchestration-step text (AADB2C99002,
// AADB2C99001) and whose cause is a *profile.UserError with the page text, so
// that a self-asserted page shows the latter (spec DIR §1.7).
package aad

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// newClaimsPrincipalCreated is the partner claim type of the output that says
// a Write created the account.
const newClaimsPrincipalCreated = "newClaimsPrincipalCreated"

// Profile runs a directory technical profile. It is safe for concurrent use.
type Profile struct {
	cfg Config
}

var _ profile.Caller = (*Profile)(nil)

// Config returns the parsed configuration.
func (p *Profile) Config() Config { return p.cfg }

// New parses a directory technical profile of the effective policy pol (nil
// outside a policy). Problems lists every missing or bad setting, each at the
// line of the item it concerns. A profile that only others include and that
// no journey or self-asserted page runs (AAD-Common) needs no Operation or
// key. The profile is returned even with problems.
func New(pol *policy.Policy, tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	if tp == nil {
		return nil, policy.Problems{{Message: "aad: no technical profile", Err: ErrInvalidMetadata}}
	}
	var probs policy.Problems
	get := func(key string) string { return profile.MetadataValue(tp, key) }
	boolean := func(key string) bool {
		b, err := profile.MetadataBool(tp, key)
		if err != nil {
			probs = append(probs, metadataProblem(tp, key, "", ErrInvalidMetadata, err.Error()))
		}
		return b
	}
	cfg := Config{
		ID:                                        tp.ID,
		RaiseErrorIfClaimsPrincipalDoesNotExist:   boolean(KeyRaiseErrorIfClaimsPrincipalDoesNotExist),
		RaiseErrorIfClaimsPrincipalAlreadyExists:  boolean(KeyRaiseErrorIfClaimsPrincipalAlreadyExists),
		UserMessageIfClaimsPrincipalDoesNotExist:  get(KeyUserMessageIfClaimsPrincipalDoesNotExist),
		UserMessageIfClaimsPrincipalAlreadyExists: get(KeyUserMessageIfClaimsPrincipalExists),
		ApplicationObjectID:                       get(KeyApplicationObjectID),
		ClientID:                                  get(KeyClientID),
		IncludeClaimResolving:                     boolean(KeyIncludeClaimResolving),
		PersistedClaims:                           tp.PersistedClaims,
		OutputClaims:                              tp.OutputClaims,
	}
	if pol != nil {
		cfg.PolicyID, cfg.TenantID = pol.PolicyID, pol.TenantID
	}
	if pr := tp.Protocol; pr == nil || !strings.EqualFold(pr.Name, ProtocolName) {
		probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: tpPath(tp.ID) + "/Protocol", Err: ErrInvalidMetadata,
			Message: fmt.Sprintf("technical profile %q is not a directory profile: want Protocol Name=%q Handler=%q", tp.ID, ProtocolName, Handler)})
	}
	missing := func(key string) {
		probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: tpPath(tp.ID) + "/Metadata",
			Code: policy.CodeMissingMetadata, Err: policy.ErrMissingMetadata,
			Message: fmt.Sprintf("A required Metadata item with key %q was not found in the TechnicalProfile with id %q in policy %q of tenant %q.",
				key, tp.ID, strings.ToUpper(cfg.PolicyID), cfg.TenantID)})
	}

	// DIR-13: extension attributes need the b2c-extensions-app.
	if usesExtensions(tp) {
		if cfg.ApplicationObjectID == "" {
			missing(KeyApplicationObjectID)
		}
		if cfg.ClientID == "" {
			missing(KeyClientID)
		}
	}

	op := get(KeyOperation)
	if op == "" {
		if !includeOnly(pol, tp) {
			missing(KeyOperation)
		}
		return &Profile{cfg: cfg}, probs
	}
	for _, o := range []string{OpRead, OpWrite, OpDeleteClaims, OpDeleteClaimsPrincipal} {
		if strings.EqualFold(op, o) {
			cfg.Operation = o
		}
	}
	if cfg.Operation == "" {
		probs = append(probs, metadataProblem(tp, KeyOperation, "", ErrInvalidMetadata,
			fmt.Sprintf("technical profile %q has the unsupported %s %q: want one of Read, Write, DeleteClaims, DeleteClaimsPrincipal", tp.ID, KeyOperation, op)))
		return &Profile{cfg: cfg}, probs
	}

	// DIR-13: exactly one input claim, a key the operation accepts.
	switch n := len(tp.InputClaims); {
	case n == 0:
		probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: tpPath(tp.ID) + "/InputClaims", Err: ErrInvalidClaims,
			Message: fmt.Sprintf("technical profile %q has no input claim: a directory profile needs exactly one, the key of the account", tp.ID)})
	case n > 1:
		probs = append(probs, claimProblem(tp, "InputClaim", tp.InputClaims[1],
			fmt.Sprintf("technical profile %q has %d input claims: a directory profile takes exactly one, the key of the account", tp.ID, n)))
	}
	if len(tp.InputClaims) > 0 {
		key := tp.InputClaims[0]
		cfg.Key = &key
		attr := key.PartnerName()
		if !keyAllowed(cfg.Operation, attr) {
			probs = append(probs, claimProblem(tp, "InputClaim", key,
				fmt.Sprintf("technical profile %q cannot %s by %q: want one of %s", tp.ID, cfg.Operation, attr, strings.Join(keyAttributes[cfg.Operation], ", "))))
		} else if cfg.Operation == OpWrite || cfg.Operation == OpDeleteClaims {
			found := slices.ContainsFunc(tp.PersistedClaims, func(r policy.ClaimRef) bool { return strings.EqualFold(r.PartnerName(), attr) })
			if !found {
				probs = append(probs, claimProblem(tp, "InputClaim", key,
					fmt.Sprintf("technical profile %q must list its key %q in PersistedClaims for the %s operation", tp.ID, attr, cfg.Operation)))
			}
		}
	}
	return &Profile{cfg: cfg}, probs
}

// usesExtensions reports whether a persisted or output claim names an
// extension attribute.
func usesExtensions(tp *policy.TechnicalProfile) bool {
	for _, refs := range [][]policy.ClaimRef{tp.InputClaims, tp.PersistedClaims, tp.OutputClaims} {
		for _, r := range refs {
			if isExtension(r.PartnerName()) {
				return true
			}
		}
	}
	return false
}

// includeOnly reports whether tp is a base that other technical profiles of
// pol include and that no claims exchange or validation runs directly.
func includeOnly(pol *policy.Policy, tp *policy.TechnicalProfile) bool {
	if pol == nil {
		return false
	}
	included := false
	for _, other := range pol.TechnicalProfiles {
		if inc := other.IncludeTechnicalProfile; inc != nil && strings.EqualFold(inc.ReferenceID, tp.ID) {
			included = true
		}
		for _, v := range other.ValidationTechnicalProfiles {
			if strings.EqualFold(v.ReferenceID, tp.ID) {
				return false
			}
		}
	}
	for _, js := range []map[string]*policy.UserJourney{pol.UserJourneys, pol.SubJourneys} {
		for _, j := range js {
			for _, s := range j.Steps {
				for _, ex := range s.ClaimsExchanges {
					if strings.EqualFold(ex.TechnicalProfileReferenceID, tp.ID) {
						return false
					}
				}
			}
		}
	}
	return included
}

// Call runs the operation against env.Directory and writes the output claims
// into env.Claims.
func (p *Profile) Call(ctx context.Context, env *profile.Env) error {
	if env == nil {
		return fmt.Errorf("call %s: no environment", p.cfg.ID)
	}
	if p.cfg.Operation == "" || p.cfg.Key == nil {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, ErrNotOperational))
	}
	if env.Directory == nil {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, ErrNoDirectory))
	}
	opts := claims.Options{ResolveDefaults: p.cfg.IncludeClaimResolving, Resolver: env.Resolver, Policy: env.Policy, Protocol: ProtocolName}
	key, err := p.key(env, opts)
	if err != nil {
		if p.cfg.Operation == OpRead && errors.Is(err, ErrNoKey) {
			// Spec DIR §1.3 [UNK]: a Read without a key value finds nothing.
			return p.notFound(env, opts)
		}
		return p.failed(err)
	}
	u, err := env.Directory.Find(ctx, key)
	found := err == nil
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
	}
	switch p.cfg.Operation {
	case OpRead:
		if !found {
			return p.notFound(env, opts)
		}
		return p.output(env, opts, &u, "")
	case OpWrite:
		return p.write(ctx, env, opts, key, u, found)
	case OpDeleteClaims:
		if !found {
			return p.notFound(env, opts)
		}
		u, err = env.Directory.Update(ctx, u.ObjectID, func(u *directory.User) error {
			for _, ref := range p.cfg.PersistedClaims {
				if strings.EqualFold(ref.PartnerName(), p.cfg.Key.PartnerName()) {
					continue // the key stays
				}
				if err := u.Clear(p.cfg.attribute(ref.PartnerName())); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
		}
		return p.output(env, opts, &u, "")
	default: // OpDeleteClaimsPrincipal
		if !found {
			return p.notFound(env, opts)
		}
		if err := env.Directory.Delete(ctx, u.ObjectID); err != nil {
			return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
		}
		return p.output(env, opts, nil, "")
	}
}

// key builds the directory key from the input claim.
func (p *Profile) key(env *profile.Env, opts claims.Options) (directory.Key, error) {
	ref := *p.cfg.Key
	ins, err := claims.MapInput([]policy.ClaimRef{ref}, env.Claims, opts)
	if err != nil {
		return directory.Key{}, fmt.Errorf("call %s: %w", p.cfg.ID, err)
	}
	if len(ins) == 0 || claims.String(ins[0].Value) == "" {
		return directory.Key{}, fmt.Errorf("call %s: %w: %s", p.cfg.ID, ErrNoKey, ref.ClaimTypeReferenceID)
	}
	k, err := directory.KeyFor(ref.PartnerName(), claims.String(ins[0].Value))
	if err != nil {
		return directory.Key{}, fmt.Errorf("call %s: %w", p.cfg.ID, err)
	}
	return k, nil
}

// write updates the account found, or creates one when the key is an
// identity (spec DIR §1.4).
func (p *Profile) write(ctx context.Context, env *profile.Env, opts claims.Options, key directory.Key, u directory.User, found bool) error {
	identityKey := key.Kind == directory.BySignInName || key.Kind == directory.ByIdentity
	if found && identityKey && p.cfg.RaiseErrorIfClaimsPrincipalAlreadyExists {
		return p.exists()
	}
	if !found && !identityKey {
		// Spec DIR §1.4 [UNK]: an update by objectId or UPN of a missing
		// account fails whether or not the flag is set.
		return p.doesNotExist()
	}
	persisted, err := claims.MapInput(p.cfg.PersistedClaims, env.Claims, opts)
	if err != nil {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
	}
	apply := func(u *directory.User) error {
		var signInTypes []string
		for _, prm := range persisted {
			name := p.cfg.attribute(prm.Name)
			switch {
			case strings.EqualFold(name, directory.AttrObjectID):
				continue // the key of an update; generated on create
			case strings.EqualFold(name, directory.AttrPassword):
				if err := u.SetPassword(claims.String(prm.Value), env.Now()); err != nil {
					return err
				}
				continue
			case len(name) > len(directory.AttrSignInNames)+1 && strings.EqualFold(name[:len(directory.AttrSignInNames)+1], directory.AttrSignInNames+"."):
				signInTypes = append(signInTypes, strings.ToLower(name[len(directory.AttrSignInNames)+1:]))
			}
			if v, ok := prm.Value.([]string); ok && len(v) == 0 {
				continue
			}
			if err := u.Set(name, prm.Value); err != nil {
				return err
			}
		}
		// Persisting one sign-in name type drops the local types not persisted
		// (spec DIR §1.5), and new local identities are the tenant's.
		u.Identities = slices.DeleteFunc(u.Identities, func(id directory.Identity) bool {
			return len(signInTypes) > 0 && !id.Federated() && !slices.Contains(signInTypes, strings.ToLower(id.SignInType))
		})
		for i := range u.Identities {
			if u.Identities[i].Issuer == "" {
				u.Identities[i].Issuer = env.Tenant
			}
		}
		return nil
	}
	if found {
		u, err = env.Directory.Update(ctx, u.ObjectID, apply)
		if errors.Is(err, directory.ErrExists) {
			return p.exists()
		}
		if err != nil {
			return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
		}
		return p.output(env, opts, &u, "false")
	}
	nu := directory.User{AccountEnabled: true}
	if env.Now != nil {
		nu.CreatedDateTime = env.Now().UTC()
	}
	if err := apply(&nu); err != nil {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
	}
	if key.Kind == directory.BySignInName {
		nu.CreationType = directory.CreationTypeLocalAccount
	}
	if nu.UserPrincipalName == "" {
		// Spec DIR §1.5 [INF]: a local create persists no UPN but outputs one.
		nu.UserPrincipalName = newGUID() + "@" + env.Tenant
	}
	u, err = env.Directory.Create(ctx, nu)
	if errors.Is(err, directory.ErrExists) {
		return p.exists()
	}
	if err != nil {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
	}
	return p.output(env, opts, &u, "true")
}

// notFound is the outcome of an operation that finds no account: an error
// with RaiseErrorIfClaimsPrincipalDoesNotExist, else success with only the
// outputs' default values.
func (p *Profile) notFound(env *profile.Env, opts claims.Options) error {
	if p.cfg.RaiseErrorIfClaimsPrincipalDoesNotExist {
		return p.doesNotExist()
	}
	return p.output(env, opts, nil, "")
}

// output writes the output claims read from u (nil: none, only defaults);
// created is the value of newClaimsPrincipalCreated after a Write, else "".
func (p *Profile) output(env *profile.Env, opts claims.Options, u *directory.User, created string) error {
	if len(p.cfg.OutputClaims) == 0 {
		return nil
	}
	if env.Claims == nil {
		return p.failed(fmt.Errorf("call %s: no claims bag", p.cfg.ID))
	}
	var src claims.Source
	if u != nil {
		src = claims.SourceFunc(func(name string) (any, bool) {
			if strings.EqualFold(name, newClaimsPrincipalCreated) {
				return created, created != ""
			}
			return u.Get(p.cfg.attribute(name))
		})
	}
	if err := claims.MapOutput(p.cfg.OutputClaims, src, env.Claims, opts); err != nil {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
	}
	return nil
}

func (p *Profile) doesNotExist() error {
	msg, id := p.cfg.UserMessageIfClaimsPrincipalDoesNotExist, ""
	if msg == "" {
		msg, id = DefaultUserMessageIfClaimsPrincipalDoesNotExist, KeyUserMessageIfClaimsPrincipalDoesNotExist
	}
	return &profile.Error{Code: profile.CodeServerError, Message: MessageDoesNotExist,
		Err: &profile.UserError{UserMessage: msg, ProfileID: p.cfg.ID, HTTPStatus: 400, StringID: id}}
}

func (p *Profile) exists() error {
	msg, id := p.cfg.UserMessageIfClaimsPrincipalAlreadyExists, ""
	if msg == "" {
		msg, id = DefaultUserMessageIfClaimsPrincipalAlreadyExists, KeyUserMessageIfClaimsPrincipalExists
	}
	return &profile.Error{Code: profile.CodeServerError, Message: fmt.Sprintf(messageAlreadyExists, p.cfg.ID),
		Err: &profile.UserError{UserMessage: msg, ProfileID: p.cfg.ID, HTTPStatus: 409, StringID: id}}
}

// failed is a directory call that could not complete: AADB2C90255.
func (p *Profile) failed(err error) error {
	return &profile.Error{Code: profile.CodeServerError, Message: messageClaimsExchange, Err: err}
}
