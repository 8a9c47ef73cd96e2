// Package jwtissuer is the JWT token issuer technical profile (JwtIssuer, spec
// §5.6): it signs the relying party's id_token with RS256 and the policy key
// named by its issuer_secret cryptographic key.
package jwtissuer

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// Metadata keys and the key id this package reads.
const (
	KeyIssuerSecret                    = "issuer_secret"
	KeyIDTokenLifetime                 = "id_token_lifetime_secs"
	KeyTokenLifetime                   = "token_lifetime_secs"
	KeyRefreshTokenLifetime            = "refresh_token_lifetime_secs"
	KeyRollingRefreshTokenLifetime     = "rolling_refresh_token_lifetime_secs"
	KeyAllowInfiniteRollingRefresh     = "allow_infinite_rolling_refresh_token"
	KeyIssuanceClaimPattern            = "IssuanceClaimPattern"
	KeyACRPattern                      = "AuthenticationContextReferenceClaimPattern"
	defaultLifetime                    = 3600
	defaultRefreshTokenLifetime        = 1209600
	defaultRollingRefreshTokenLifetime = 7776000
)

// Profile issues JWTs.
type Profile struct {
	id        string
	container string
	lifetimes profile.Lifetimes
	tfpIssuer bool
	acrClaim  bool
}

// New parses a JwtIssuer technical profile.
func New(tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	probs := policy.RequireKeys(tp, KeyIssuerSecret)
	p := &Profile{id: tp.ID, lifetimes: profile.Lifetimes{
		IDToken: defaultLifetime * time.Second, AccessToken: defaultLifetime * time.Second,
		RefreshToken: defaultRefreshTokenLifetime * time.Second, RollingRefresh: defaultRollingRefreshTokenLifetime * time.Second,
	}}
	if k, ok := tp.Key(KeyIssuerSecret); ok {
		p.container = k.StorageReferenceID
	}
	for _, l := range []struct {
		key      string
		min, max int
		dst      *time.Duration
	}{
		{KeyIDTokenLifetime, 300, 86400, &p.lifetimes.IDToken},
		{KeyTokenLifetime, 300, 86400, &p.lifetimes.AccessToken},
		{KeyRefreshTokenLifetime, 86400, 7776000, &p.lifetimes.RefreshToken},
		{KeyRollingRefreshTokenLifetime, 86400, 31536000, &p.lifetimes.RollingRefresh},
	} {
		v, ok := tp.Metadata.Get(l.key)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < l.min || n > l.max {
			probs = append(probs, metadataProblem(tp, l.key, fmt.Sprintf("%s %q: want a whole number of seconds from %d to %d", l.key, v, l.min, l.max)))
			continue
		}
		*l.dst = time.Duration(n) * time.Second
	}
	if p.lifetimes.RollingRefresh < p.lifetimes.RefreshToken {
		probs = append(probs, metadataProblem(tp, KeyRollingRefreshTokenLifetime,
			"rolling_refresh_token_lifetime_secs is shorter than refresh_token_lifetime_secs"))
	}
	infinite, err := profile.MetadataBool(tp, KeyAllowInfiniteRollingRefresh)
	if err != nil {
		probs = append(probs, metadataProblem(tp, KeyAllowInfiniteRollingRefresh, err.Error()))
	}
	p.lifetimes.InfiniteRolling = infinite
	if v, _ := tp.Metadata.Get(KeyIssuanceClaimPattern); strings.EqualFold(v, "AuthorityWithTfp") {
		p.tfpIssuer = true
	}
	if v, _ := tp.Metadata.Get(KeyACRPattern); strings.EqualFold(v, "PolicyId") {
		p.acrClaim = true
	}
	return p, probs
}

// metadataProblem is a problem at tp's metadata item key.
func metadataProblem(tp *policy.TechnicalProfile, key, msg string) policy.Problem {
	pos := tp.Pos
	for _, it := range tp.Metadata {
		if strings.EqualFold(it.Key, key) {
			pos = it.Pos
		}
	}
	return policy.Problem{File: pos.File, Line: pos.Line, Path: "TechnicalProfile[Id=" + tp.ID + "]/Metadata/Item[Key=" + key + "]", Message: msg}
}

// Lifetimes are the profile's token lifetimes.
func (p *Profile) Lifetimes() profile.Lifetimes { return p.lifetimes }

// Container is the policy key the profile signs with.
func (p *Profile) Container() string { return p.container }

// Issuer is the iss claim for the environment (spec §5.6).
func (p *Profile) Issuer(env *profile.Env) string {
	if p.tfpIssuer {
		return fmt.Sprintf("%s/tfp/%s/%s/v2.0/", env.BaseURL, env.TenantGUID, strings.ToLower(env.PolicyID))
	}
	return fmt.Sprintf("%s/%s/v2.0/", env.BaseURL, env.TenantGUID)
}

// signingKey returns the signing key, generating it on first use.
func (p *Profile) signingKey(env *profile.Env) (*keys.RSAKey, error) {
	if env.Keys == nil {
		return nil, fmt.Errorf("jwt issuer %s: %s: %w", p.id, p.container, ErrNoKeyStore)
	}
	k, err := env.Keys.EnsureRSA(p.container)
	if err != nil {
		return nil, fmt.Errorf("jwt issuer %s: %w", p.id, err)
	}
	return k, nil
}

// SigningKeys returns the key the relying party verifies tokens with.
func (p *Profile) SigningKeys(env *profile.Env) ([]*keys.RSAKey, error) {
	k, err := p.signingKey(env)
	if err != nil {
		return nil, err
	}
	return []*keys.RSAKey{k}, nil
}

// Issue signs an id_token: the standard claims, then the relying party's claims.
func (p *Profile) Issue(_ context.Context, env *profile.Env, req profile.IssueRequest) (*profile.Issued, error) {
	key, err := p.signingKey(env)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if env.Now != nil {
		now = env.Now()
	}
	auth := req.AuthTime
	if auth.IsZero() {
		auth = now
	}
	issued := &profile.Issued{Lifetimes: p.lifetimes}
	if a := req.Access; a != nil {
		at := jwt.MapClaims{
			"aud": a.Audience,
			"iss": p.Issuer(env),
			"exp": now.Add(p.lifetimes.AccessToken).Unix(),
			"nbf": now.Unix(),
		}
		for k, v := range req.Claims {
			at[k] = v
		}
		if req.Nonce != "" {
			at["nonce"] = req.Nonce
		}
		if len(a.Scopes) > 0 {
			at["scp"] = strings.Join(a.Scopes, " ")
		}
		at["azp"] = a.AuthorizedParty
		at["ver"] = "1.0"
		at["iat"] = now.Unix()
		if a.Audience == a.AuthorizedParty {
			// The client's own id as scope: the token is for the client, and
			// carries the policy and the sign-in time (spec apps §3.3 [UNK]).
			at["auth_time"] = auth.Unix()
			p.policyClaim(at, env)
		}
		if issued.AccessToken, err = p.sign(at, key); err != nil {
			return nil, err
		}
	}
	c := jwt.MapClaims{
		"exp":       now.Add(p.lifetimes.IDToken).Unix(),
		"nbf":       now.Unix(),
		"ver":       "1.0",
		"iss":       p.Issuer(env),
		"aud":       req.Audience,
		"iat":       now.Unix(),
		"auth_time": auth.Unix(),
	}
	if req.Nonce != "" {
		c["nonce"] = req.Nonce
	}
	p.policyClaim(c, env)
	for k, v := range req.Claims {
		c[k] = v
	}
	if issued.AccessToken != "" {
		c["at_hash"] = halfHash(issued.AccessToken)
	}
	if req.Code != "" {
		c["c_hash"] = halfHash(req.Code)
	}
	if issued.IDToken, err = p.sign(c, key); err != nil {
		return nil, err
	}
	return issued, nil
}

// policyClaim adds acr or tfp, the policy in lowercase.
func (p *Profile) policyClaim(c jwt.MapClaims, env *profile.Env) {
	if p.acrClaim {
		c["acr"] = strings.ToLower(env.PolicyID)
	} else {
		c["tfp"] = strings.ToLower(env.PolicyID)
	}
}

// sign signs claims with RS256 and the key's id.
func (p *Profile) sign(c jwt.MapClaims, key *keys.RSAKey) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = key.KeyID
	signed, err := t.SignedString(key.Private)
	if err != nil {
		return "", fmt.Errorf("jwt issuer %s: sign: %w", p.id, err)
	}
	return signed, nil
}

// halfHash is OpenID Connect's at_hash of a token signed with RS256: the
// base64url of the left half of its SHA-256.
func halfHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}
