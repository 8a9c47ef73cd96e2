// Package openidconnect is the OpenIdConnect technical profile in the one form
// the emulator runs it: B2C's local-account sign-in, the starter packs'
// login-NonInteractive (spec local-accounts §2.1). B2C sends the username and
// password as a resource owner password credentials (ROPC) request to
// login.microsoftonline.com on behalf of its own IEF applications and maps
// the id token's claims (oid, tid, given_name, family_name, name, upn) to
// output claims. The emulator checks the credentials against env.Directory
// instead and answers with the claims such a token would carry.
//
// A failed sign-in is a *profile.Error whose cause is a *profile.UserError
// with B2C's page text (We can't seem to find your account., Your password
// is incorrect., ...), so that the self-asserted page that runs the profile
// as a validation profile shows it next to the form.
//
// A federated OpenID Connect identity provider, which redirects the browser,
// is not this package's (IsLocalAccountLogin is false for it).
package openidconnect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// ProtocolName is the Protocol Name of the profile.
const ProtocolName = "OpenIdConnect"

// The partner claim types of the ROPC request this package reads.
const (
	partnerUsername = "username"
	partnerPassword = "password"
)

// Metadata keys this package reads; others (ProviderName, METADATA,
// authorization_endpoint, response_types, scope, client_id, IdTokenAudience,
// HttpBinding, ...) shape the request to ESTS, which the emulator does not send.
const (
	KeyUserMessageIfClaimsPrincipalDoesNotExist = "UserMessageIfClaimsPrincipalDoesNotExist"
	KeyUserMessageIfInvalidPassword             = "UserMessageIfInvalidPassword"
	KeyUserMessageIfUserAccountDisabled         = "UserMessageIfUserAccountDisabled"
	KeyIncludeClaimResolving                    = "IncludeClaimResolvingInClaimsHandling"
)

// B2C's default texts (spec §2.1, [D-loc]; the packs' TrustFrameworkLocalization.xml).
const (
	// DefaultUserMessageIfClaimsPrincipalDoesNotExist: no account has the
	// sign-in name (ESTS AADSTS50034).
	DefaultUserMessageIfClaimsPrincipalDoesNotExist = "We can't seem to find your account."
	// DefaultUserMessageIfInvalidPassword: the password is wrong (ESTS AADSTS50126).
	DefaultUserMessageIfInvalidPassword = "Your password is incorrect."
	// DefaultUserMessageIfUserAccountDisabled: accountEnabled is false (ESTS
	// AADSTS50057); B2C reports the same text as AADB2C90111.
	DefaultUserMessageIfUserAccountDisabled = "Your account has been locked. Contact your support person to unlock it, then try again."
	// CodeUserAccountDisabled is the AADB2C code with the disabled account's text [D-err].
	CodeUserAccountDisabled = "AADB2C90111"
	// messageClaimsExchange is B2C's generic failure of a claims exchange.
	messageClaimsExchange = "AADB2C90255: The claims exchange specified did not complete as expected."
)

// IsLocalAccountLogin reports whether tp is the local-account ROPC call the
// package implements: Protocol OpenIdConnect, not one of the relying party's
// token issuers, with an input claim sent as username and one sent as
// password (spec §2.1: B2C posts them as ROPC form fields). A federated
// OpenID Connect identity provider has no password input claim: the user
// types the password at the provider, not on B2C's page.
func IsLocalAccountLogin(p *policy.Policy, tp *policy.TechnicalProfile) bool {
	if tp == nil || tp.Protocol == nil || !strings.EqualFold(strings.TrimSpace(tp.Protocol.Name), ProtocolName) {
		return false
	}
	if p != nil && p.IsIssuer(tp) {
		return false
	}
	user, pass := credentialClaims(p, tp)
	return user != nil && pass != nil
}

// credentialClaims returns the input claims sent as username and password.
func credentialClaims(p *policy.Policy, tp *policy.TechnicalProfile) (user, pass *policy.ClaimRef) {
	for i := range tp.InputClaims {
		ref := &tp.InputClaims[i]
		switch name := p.PartnerClaimType(*ref, ProtocolName); {
		case strings.EqualFold(name, partnerUsername) && user == nil:
			user = ref
		case strings.EqualFold(name, partnerPassword) && pass == nil:
			pass = ref
		}
	}
	return user, pass
}

// Config is the parsed configuration of one login profile.
type Config struct {
	ID string
	// The user messages as configured; empty means B2C's default text.
	UserMessageIfClaimsPrincipalDoesNotExist string
	UserMessageIfInvalidPassword             string
	UserMessageIfUserAccountDisabled         string
	IncludeClaimResolving                    bool
	InputClaims                              []policy.ClaimRef
	OutputClaims                             []policy.ClaimRef
}

// Profile runs a local-account login. It is safe for concurrent use.
type Profile struct {
	cfg Config
	// pol names claims on the wire when the journey's Env has no policy.
	pol *policy.Policy
}

var _ profile.Caller = (*Profile)(nil)

// Config returns the parsed configuration.
func (p *Profile) Config() Config { return p.cfg }

// New parses a login profile of the effective policy pol (nil outside a
// policy). Problems lists what makes it unusable, each at the line it
// concerns; the profile is returned even with problems, nil only without tp.
func New(pol *policy.Policy, tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	if tp == nil {
		return nil, policy.Problems{{Message: "openidconnect: no technical profile", Err: ErrNotLocalAccountLogin}}
	}
	var probs policy.Problems
	include, err := profile.MetadataBool(tp, KeyIncludeClaimResolving)
	if err != nil {
		probs = append(probs, metadataProblem(tp, KeyIncludeClaimResolving, err.Error()))
	}
	cfg := Config{
		ID:                                       tp.ID,
		UserMessageIfClaimsPrincipalDoesNotExist: profile.MetadataValue(tp, KeyUserMessageIfClaimsPrincipalDoesNotExist),
		UserMessageIfInvalidPassword:             profile.MetadataValue(tp, KeyUserMessageIfInvalidPassword),
		UserMessageIfUserAccountDisabled:         profile.MetadataValue(tp, KeyUserMessageIfUserAccountDisabled),
		IncludeClaimResolving:                    include,
		InputClaims:                              tp.InputClaims,
		OutputClaims:                             tp.OutputClaims,
	}
	if pr := tp.Protocol; pr == nil || !strings.EqualFold(strings.TrimSpace(pr.Name), ProtocolName) {
		probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: tpPath(tp.ID) + "/Protocol", Err: ErrNotLocalAccountLogin,
			Message: fmt.Sprintf("technical profile %q is not a local-account login: want Protocol Name=%q", tp.ID, ProtocolName)})
	}
	user, pass := credentialClaims(pol, tp)
	for _, c := range []struct {
		ref  *policy.ClaimRef
		name string
	}{{user, partnerUsername}, {pass, partnerPassword}} {
		if c.ref == nil {
			probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: tpPath(tp.ID) + "/InputClaims", Err: ErrInvalidClaims,
				Message: fmt.Sprintf("technical profile %q has no input claim sent as %q: a local-account login (ROPC) needs the username and the password", tp.ID, c.name)})
		}
	}
	return &Profile{cfg: cfg, pol: pol}, probs
}

func tpPath(id string) string { return "TechnicalProfile[Id=" + id + "]" }

func metadataProblem(tp *policy.TechnicalProfile, key, msg string) policy.Problem {
	pos := tp.Pos
	for _, it := range tp.Metadata {
		if strings.EqualFold(it.Key, key) {
			pos = it.Pos
		}
	}
	return policy.Problem{File: pos.File, Line: pos.Line, Path: tpPath(tp.ID) + "/Metadata/Item[Key=" + key + "]", Message: msg, Err: ErrInvalidMetadata}
}

// Call checks the username and password input claims against env.Directory
// and writes the output claims the id token of a successful sign-in maps to.
func (p *Profile) Call(ctx context.Context, env *profile.Env) error {
	if env == nil || env.Claims == nil {
		return p.failed(fmt.Errorf("call %s: no environment or claims bag", p.cfg.ID))
	}
	if env.Directory == nil {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, ErrNoDirectory))
	}
	pol := env.Policy
	if pol == nil {
		pol = p.pol
	}
	opts := claims.Options{ResolveDefaults: p.cfg.IncludeClaimResolving, Resolver: env.Resolver, Policy: pol, Protocol: ProtocolName}
	params, err := claims.MapInput(p.cfg.InputClaims, env.Claims, opts)
	if err != nil {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
	}
	var username, password string
	for _, prm := range params {
		switch {
		case strings.EqualFold(prm.Name, partnerUsername) && username == "":
			username = claims.String(prm.Value)
		case strings.EqualFold(prm.Name, partnerPassword) && password == "":
			password = claims.String(prm.Value)
		}
	}
	if username == "" {
		// Spec §2.1 [INF]: no sign-in name matches no account.
		return p.userError("AADSTS50034", "", "UserMessageIfClaimsPrincipalDoesNotExist", p.cfg.UserMessageIfClaimsPrincipalDoesNotExist, DefaultUserMessageIfClaimsPrincipalDoesNotExist, nil)
	}
	// Spec §2.1 [INF]: the username matches any local sign-in name, ignoring case.
	u, err := env.Directory.Find(ctx, directory.Key{Kind: directory.BySignInName, Value: username})
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return p.userError("AADSTS50034", "", "UserMessageIfClaimsPrincipalDoesNotExist", p.cfg.UserMessageIfClaimsPrincipalDoesNotExist, DefaultUserMessageIfClaimsPrincipalDoesNotExist, err)
	case err != nil:
		return p.failed(fmt.Errorf("call %s: find %s: %w", p.cfg.ID, username, err))
	}
	if !u.CheckPassword(password) {
		return p.userError("AADSTS50126", "", "UserMessageIfInvalidPassword", p.cfg.UserMessageIfInvalidPassword, DefaultUserMessageIfInvalidPassword, nil)
	}
	if !u.AccountEnabled {
		return p.userError("AADSTS50057", CodeUserAccountDisabled, "UserMessageIfUserAccountDisabled", p.cfg.UserMessageIfUserAccountDisabled, DefaultUserMessageIfUserAccountDisabled, nil)
	}
	if err := claims.MapOutput(p.cfg.OutputClaims, tokenClaims(env, &u), env.Claims, opts); err != nil {
		return p.failed(fmt.Errorf("call %s: %w", p.cfg.ID, err))
	}
	return nil
}

// tokenClaims is what the id token of ESTS would carry for u, by claim name.
func tokenClaims(env *profile.Env, u *directory.User) claims.Source {
	attr := func(name string) (any, bool) {
		v, ok := u.Get(name)
		if s, isString := v.(string); !ok || (isString && s == "") {
			return nil, false
		}
		return v, true
	}
	return claims.SourceFunc(func(name string) (any, bool) {
		switch strings.ToLower(name) {
		case "oid":
			return u.ObjectID, u.ObjectID != ""
		case "tid":
			return env.TenantGUID, env.TenantGUID != ""
		case "given_name":
			return attr("givenName")
		case "family_name":
			return attr("surname")
		case "name":
			return attr(directory.AttrDisplayName)
		case "upn", "unique_name":
			return u.UserPrincipalName, u.UserPrincipalName != ""
		}
		return nil, false
	})
}

// userError is a sign-in the user can retry: the page shows the configured
// text or B2C's default; an orchestration step ends with it, prefixed with
// the AADB2C code that carries the same text when there is one. estsCode is
// what ESTS would have answered, kept in the developer message. stringID
// names the text for the page's localized resources, which replace the
// default (not a configured text).
func (p *Profile) userError(estsCode, b2cCode, stringID, configured, def string, cause error) error {
	msg := configured
	if msg == "" {
		msg = def
	} else {
		stringID = ""
	}
	rp := msg
	if b2cCode != "" {
		rp = b2cCode + ": " + def
	}
	ue := &profile.UserError{UserMessage: msg, Code: b2cCode, DeveloperMessage: estsCode, ProfileID: p.cfg.ID, HTTPStatus: 400, StringID: stringID}
	if cause != nil {
		return &profile.Error{Code: profile.CodeServerError, Message: rp, Err: fmt.Errorf("%w: %w", ue, cause)}
	}
	return &profile.Error{Code: profile.CodeServerError, Message: rp, Err: ue}
}

// failed is a login that could not run: AADB2C90255.
func (p *Profile) failed(err error) error {
	return &profile.Error{Code: profile.CodeServerError, Message: messageClaimsExchange, Err: err}
}
