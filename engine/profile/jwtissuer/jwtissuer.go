// Package jwtissuer is the JWT token issuer technical profile (JwtIssuer, spec
// §5.6): it signs the relying party's id_token with RS256 and the policy key
// named by its issuer_secret cryptographic key.
package jwtissuer

import (
	"context"
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
	KeyIssuerSecret         = "issuer_secret"
	KeyIDTokenLifetime      = "id_token_lifetime_secs"
	KeyIssuanceClaimPattern = "IssuanceClaimPattern"
	KeyACRPattern           = "AuthenticationContextReferenceClaimPattern"
	defaultLifetime         = 3600
)

// Profile issues JWTs.
type Profile struct {
	id        string
	container string
	lifetime  time.Duration
	tfpIssuer bool
	acrClaim  bool
}

// New parses a JwtIssuer technical profile.
func New(tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	probs := policy.RequireKeys(tp, KeyIssuerSecret)
	p := &Profile{id: tp.ID, lifetime: defaultLifetime * time.Second}
	if k, ok := tp.Key(KeyIssuerSecret); ok {
		p.container = k.StorageReferenceID
	}
	if v, ok := tp.Metadata.Get(KeyIDTokenLifetime); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 300 || n > 86400 {
			pos := tp.Pos
			for _, it := range tp.Metadata {
				if it.Key == KeyIDTokenLifetime {
					pos = it.Pos
				}
			}
			probs = append(probs, policy.Problem{File: pos.File, Line: pos.Line, Path: "TechnicalProfile[Id=" + tp.ID + "]/Metadata/Item[Key=" + KeyIDTokenLifetime + "]",
				Message: fmt.Sprintf("id_token_lifetime_secs %q: want a whole number of seconds from 300 to 86400", v)})
		} else {
			p.lifetime = time.Duration(n) * time.Second
		}
	}
	if v, _ := tp.Metadata.Get(KeyIssuanceClaimPattern); strings.EqualFold(v, "AuthorityWithTfp") {
		p.tfpIssuer = true
	}
	if v, _ := tp.Metadata.Get(KeyACRPattern); strings.EqualFold(v, "PolicyId") {
		p.acrClaim = true
	}
	return p, probs
}

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
	c := jwt.MapClaims{
		"exp":       now.Add(p.lifetime).Unix(),
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
	if p.acrClaim {
		c["acr"] = strings.ToLower(env.PolicyID)
	} else {
		c["tfp"] = strings.ToLower(env.PolicyID)
	}
	for k, v := range req.Claims {
		c[k] = v
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = key.KeyID
	signed, err := t.SignedString(key.Private)
	if err != nil {
		return nil, fmt.Errorf("jwt issuer %s: sign: %w", p.id, err)
	}
	return &profile.Issued{IDToken: signed}, nil
}
