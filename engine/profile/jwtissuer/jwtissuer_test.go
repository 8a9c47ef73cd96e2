package jwtissuer_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/jwtissuer"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

const (
	container  = "B2C_1A_TokenSigningKeyContainer"
	tenantGUID = "7a1b2c3d-0000-4000-8000-000000000001"
	baseURL    = "https://contoso.b2clogin.com"
	policyID   = "B2C_1A_Signup_Signin"
)

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// metadataLine is the line of the metadata items in profiletest.File.
const metadataLine = 10

// tpXML is the JwtIssuer technical profile with extra metadata items and,
// withKey, its cryptographic keys.
func tpXML(metadata string, withKey bool) string {
	key := ""
	if withKey {
		key = `<CryptographicKeys><Key Id="issuer_secret" StorageReferenceId="` + container + `" /><Key Id="issuer_refresh_token_key" StorageReferenceId="B2C_1A_TokenEncryptionKeyContainer" /></CryptographicKeys>`
	}
	return `<TechnicalProfile Id="JwtIssuer">
      <Protocol Name="OpenIdConnect" />
      <OutputTokenFormat>JWT</OutputTokenFormat>
      <Metadata><Item Key="client_id">{service:te}</Item>` + metadata + `</Metadata>
      ` + key + `
    </TechnicalProfile>`
}

// newProfile is the JwtIssuer technical profile with its keys and extra
// metadata items; it must have no problems.
func newProfile(t *testing.T, metadata string) *jwtissuer.Profile {
	t.Helper()
	return profiletest.MustNew(t, jwtissuer.New, "Token Issuer", tpXML(metadata, true))
}

func item(k, v string) string { return `<Item Key="` + k + `">` + v + `</Item>` }

func fixedKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, _, err := keys.ParsePEMFile("testdata/signing_key.pem")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newEnv(t *testing.T, ks *keys.Store) *profile.Env {
	t.Helper()
	return &profile.Env{
		Tenant:     "contoso.onmicrosoft.com",
		TenantGUID: tenantGUID,
		PolicyID:   policyID,
		BaseURL:    baseURL,
		Keys:       ks,
		Now:        func() time.Time { return now },
	}
}

func storeWithKey(t *testing.T) (*keys.Store, *keys.RSAKey) {
	t.Helper()
	ks := keys.NewStore()
	k, err := ks.SetRSA(container, fixedKey(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ks, k
}

// verify parses a token against the profile's SigningKeys, as a relying party
// does with the JWKS, and returns its claims.
func verify(t *testing.T, p *jwtissuer.Profile, env *profile.Env, token string, opts ...jwt.ParserOption) (jwt.MapClaims, *jwt.Token) {
	t.Helper()
	ks, err := p.SigningKeys(env)
	if err != nil {
		t.Fatalf("SigningKeys: %v", err)
	}
	opts = append([]jwt.ParserOption{jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithJSONNumber(), jwt.WithExpirationRequired()}, opts...)
	c := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(token, c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		for _, k := range ks {
			if k.KeyID == kid {
				return &k.Private.PublicKey, nil
			}
		}
		return nil, fmt.Errorf("no signing key with kid %q", kid)
	}, opts...)
	if err != nil {
		t.Fatalf("verify token: %v", err)
	}
	return c, tok
}

func num(t *testing.T, c jwt.MapClaims, name string) int64 {
	t.Helper()
	n, ok := c[name].(json.Number)
	if !ok {
		t.Fatalf("claim %s = %#v, want a number", name, c[name])
	}
	v, err := n.Int64()
	if err != nil {
		t.Fatalf("claim %s = %s: %v", name, n, err)
	}
	return v
}

// TestIssue checks the token header and claims (spec §5.6).
func TestIssue(t *testing.T) {
	authTime := now.Add(-90 * time.Second)
	tests := []struct {
		name     string
		metadata string
		req      profile.IssueRequest // to the audience rp-client
		want     map[string]any       // string or int64 values
		absent   []string
		lifetime int64 // exp - iat; 0 is the default, 3600
	}{
		{
			name: "defaults: AuthorityAndTenantGuid issuer, tfp, one hour",
			req:  profile.IssueRequest{Nonce: "n-0S6", AuthTime: authTime},
			want: map[string]any{
				"iss": baseURL + "/" + tenantGUID + "/v2.0/", "aud": "rp-client", "nonce": "n-0S6", "ver": "1.0",
				"tfp": "b2c_1a_signup_signin", "auth_time": authTime.Unix(), "iat": now.Unix(), "nbf": now.Unix(),
			},
			absent: []string{"acr"},
		},
		{
			name:   "no nonce when the relying party sent none",
			want:   map[string]any{"auth_time": now.Unix()},
			absent: []string{"nonce"},
		},
		{
			name:     "AuthorityWithTfp issuer",
			metadata: item("IssuanceClaimPattern", "AuthorityWithTfp"),
			want:     map[string]any{"iss": baseURL + "/tfp/" + tenantGUID + "/b2c_1a_signup_signin/v2.0/"},
		},
		{
			name:     "AuthorityAndTenantGuid spelled out",
			metadata: item("IssuanceClaimPattern", "AuthorityAndTenantGuid"),
			want:     map[string]any{"iss": baseURL + "/" + tenantGUID + "/v2.0/"},
		},
		{
			name:     "acr instead of tfp with AuthenticationContextReferenceClaimPattern=PolicyId",
			metadata: item("AuthenticationContextReferenceClaimPattern", "PolicyId"),
			want:     map[string]any{"acr": "b2c_1a_signup_signin"},
			absent:   []string{"tfp"},
		},
		{
			name:     "AuthenticationContextReferenceClaimPattern=None keeps tfp",
			metadata: item("AuthenticationContextReferenceClaimPattern", "None"),
			want:     map[string]any{"tfp": "b2c_1a_signup_signin"},
			absent:   []string{"acr"},
		},
		{
			name:     "id_token_lifetime_secs",
			metadata: item("id_token_lifetime_secs", "600"),
			lifetime: 600,
		},
		{
			name: "relying party claims with their types",
			req: profile.IssueRequest{Claims: map[string]any{
				"sub": "oid-1", "given_name": "Alice", "age": int64(42), "email_verified": true, "roles": []string{"a", "b"},
			}},
			want: map[string]any{"sub": "oid-1", "given_name": "Alice", "age": int64(42), "email_verified": true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProfile(t, tt.metadata)
			ks, key := storeWithKey(t)
			env := newEnv(t, ks)
			tt.req.Audience = "rp-client"
			if tt.lifetime == 0 {
				tt.lifetime = 3600
			}
			issued, err := p.Issue(context.Background(), env, tt.req)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if issued.Error != nil {
				t.Fatalf("Issue returned an error response: %v", issued.Error)
			}
			c, tok := verify(t, p, env, issued.IDToken, jwt.WithAudience(tt.req.Audience), jwt.WithIssuer(p.Issuer(env)))
			if tok.Header["alg"] != "RS256" || tok.Header["typ"] != "JWT" || tok.Header["kid"] != key.KeyID {
				t.Errorf("header = %v, want alg RS256, typ JWT, kid %s", tok.Header, key.KeyID)
			}
			for k, v := range tt.want {
				switch want := v.(type) {
				case int64:
					if got := num(t, c, k); got != want {
						t.Errorf("claim %s = %d, want %d", k, got, want)
					}
				default:
					if c[k] != want {
						t.Errorf("claim %s = %#v, want %#v", k, c[k], want)
					}
				}
			}
			for _, k := range tt.absent {
				if v, ok := c[k]; ok {
					t.Errorf("claim %s = %v, want it absent", k, v)
				}
			}
			if got := num(t, c, "exp") - num(t, c, "iat"); got != tt.lifetime {
				t.Errorf("exp - iat = %d, want %d", got, tt.lifetime)
			}
			if num(t, c, "nbf") != num(t, c, "iat") {
				t.Errorf("nbf %v != iat %v", c["nbf"], c["iat"])
			}
			if c["ver"] != "1.0" {
				t.Errorf("ver = %v, want 1.0", c["ver"])
			}
			if roles, ok := tt.req.Claims["roles"]; ok {
				got, _ := c["roles"].([]any)
				if fmt.Sprint(got) != fmt.Sprint(roles) {
					t.Errorf("roles = %#v, want %v", c["roles"], roles)
				}
			}
		})
	}
}

// TestIssueExpired: a token issued by the clock is expired an hour later.
func TestIssueExpired(t *testing.T) {
	p := newProfile(t, "")
	ks, _ := storeWithKey(t)
	env := newEnv(t, ks)
	issued, err := p.Issue(context.Background(), env, profile.IssueRequest{Audience: "a"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = jwt.Parse(issued.IDToken, func(*jwt.Token) (any, error) { return &fixedKey(t).PublicKey, nil },
		jwt.WithTimeFunc(func() time.Time { return now.Add(time.Hour + time.Second) }))
	if !errors.Is(err, jwt.ErrTokenExpired) {
		t.Fatalf("parse an hour later: %v, want ErrTokenExpired", err)
	}
}

// TestIssueGeneratesKey: with no key in the store, the signing key is generated
// on first use and kept; SigningKeys returns the kid the token carries.
func TestIssueGeneratesKey(t *testing.T) {
	p := newProfile(t, "")
	if p.Container() != container {
		t.Fatalf("Container = %q, want %q", p.Container(), container)
	}
	ks := keys.NewStore()
	env := newEnv(t, ks)
	first, err := p.Issue(context.Background(), env, profile.IssueRequest{Audience: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if !ks.Has(container) {
		t.Fatalf("the store has no %s after Issue", container)
	}
	second, err := p.Issue(context.Background(), env, profile.IssueRequest{Audience: "a", Nonce: "2"})
	if err != nil {
		t.Fatal(err)
	}
	_, t1 := verify(t, p, env, first.IDToken)
	_, t2 := verify(t, p, env, second.IDToken)
	if t1.Header["kid"] != t2.Header["kid"] {
		t.Fatalf("kid changed between tokens: %v then %v", t1.Header["kid"], t2.Header["kid"])
	}
	sk, err := p.SigningKeys(env)
	if err != nil || len(sk) != 1 || sk[0].KeyID != t1.Header["kid"] {
		t.Fatalf("SigningKeys = %v, %v; want the one key with kid %v", sk, err, t1.Header["kid"])
	}
}

func TestIssueErrors(t *testing.T) {
	p := newProfile(t, "")
	t.Run("container holds a secret", func(t *testing.T) {
		ks := keys.NewStore()
		ks.SetSecret(container, []byte("not an rsa key"))
		env := newEnv(t, ks)
		if _, err := p.Issue(context.Background(), env, profile.IssueRequest{}); !errors.Is(err, keys.ErrWrongKind) {
			t.Fatalf("Issue = %v, want ErrWrongKind", err)
		}
		if _, err := p.SigningKeys(env); !errors.Is(err, keys.ErrWrongKind) {
			t.Fatalf("SigningKeys = %v, want ErrWrongKind", err)
		}
	})
	t.Run("no key store", func(t *testing.T) {
		env := newEnv(t, nil)
		if _, err := p.Issue(context.Background(), env, profile.IssueRequest{}); err == nil {
			t.Fatal("Issue without a key store: want an error")
		}
		if _, err := p.SigningKeys(env); err == nil {
			t.Fatal("SigningKeys without a key store: want an error")
		}
	})
	t.Run("no clock uses the wall clock", func(t *testing.T) {
		ks, _ := storeWithKey(t)
		env := newEnv(t, ks)
		env.Now = nil
		issued, err := p.Issue(context.Background(), env, profile.IssueRequest{Audience: "a"})
		if err != nil {
			t.Fatal(err)
		}
		c := jwt.MapClaims{}
		if _, err := jwt.ParseWithClaims(issued.IDToken, c, func(*jwt.Token) (any, error) { return &fixedKey(t).PublicKey, nil }); err != nil {
			t.Fatalf("a token issued with the wall clock is valid now: %v", err)
		}
	})
}

func TestNewProblems(t *testing.T) {
	tests := []struct {
		name     string
		metadata string
		noKey    bool
		wantCode []string // every problem's Code, in order
		wantText string   // a problem message contains this
		wantLine int      // the line of the problem, when set (the metadata item's line)
	}{
		{name: "valid"},
		{name: "lifetime 300 (minimum)", metadata: item("id_token_lifetime_secs", "300")},
		{name: "lifetime 86400 (maximum)", metadata: item("id_token_lifetime_secs", " 86400 ")},
		{name: "lifetime 299", metadata: item("id_token_lifetime_secs", "299"), wantCode: []string{""}, wantText: "299", wantLine: metadataLine},
		{name: "lifetime 86401", metadata: item("id_token_lifetime_secs", "86401"), wantCode: []string{""}, wantText: "86401"},
		{name: "lifetime not a number", metadata: item("id_token_lifetime_secs", "1h"), wantCode: []string{""}, wantText: "1h"},
		{name: "missing issuer_secret (AADB2C90025)", noKey: true, wantCode: []string{"AADB2C90025"}, wantText: "issuer_secret"},
		{name: "both", noKey: true, metadata: item("id_token_lifetime_secs", "0"), wantCode: []string{"AADB2C90025", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := profiletest.New(t, jwtissuer.New, "Token Issuer", tpXML(tt.metadata, !tt.noKey))
			profiletest.WantProblems(t, probs, tt.wantCode, tt.wantText)
			for i, pr := range probs {
				if pr.Code != tt.wantCode[i] {
					t.Errorf("problem %d = %v, want code %q: the codes in the order %q", i, pr, tt.wantCode[i], tt.wantCode)
				}
				if tt.wantLine != 0 && pr.Line != tt.wantLine {
					t.Errorf("problem %v at line %d, want line %d", pr, pr.Line, tt.wantLine)
				}
			}
		})
	}
}
