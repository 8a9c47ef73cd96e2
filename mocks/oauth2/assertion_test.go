package oauth2_test

import (
	"bufio"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

const pkjClient = "pkj-app"

// pkjConfig registers pkjClient for private_key_jwt with testdata/rsa-client.pub, plus mutate.
func pkjConfig(t *testing.T, mutate func(*oauth2.Client)) oauth2.Config {
	return configWith(switchClient(pkjClient, func(c *oauth2.Client) {
		c.Secret = ""
		c.AuthMethod = oauth2.AuthPrivateKeyJWT
		c.PublicKeyPEM = kittest.ReadFile(t, "testdata/rsa-client.pub")
		if mutate != nil {
			mutate(c)
		}
	}))
}

// b2cClaims are the claims B2C puts in a client assertion: iss = sub = client_id, aud = the
// token endpoint, nbf = iat = now, exp = iat + 300 s, a random jti.
func (e *env) b2cClaims(jti string) jwt.MapClaims {
	now := e.Clock.Now()
	return jwt.MapClaims{
		"iss": pkjClient, "sub": pkjClient, "aud": e.TS.URL + "/token", "jti": jti,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(300 * time.Second).Unix(),
	}
}

// sign makes a compact JWS; key nil means alg none.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	if key == nil {
		key = jwt.UnsafeAllowNoneSignatureType
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// assertionForm is B2C's private_key_jwt token request body.
func assertionForm(code, assertion string) url.Values {
	f := codeForm(pkjClient, code)
	f.Set("client_assertion_type", oauth2.ClientAssertionType)
	f.Set("client_assertion", assertion)
	return f
}

func TestPrivateKeyJWT(t *testing.T) {
	clientKey := privateKey(t, "testdata/rsa-client.key")
	otherKey := privateKey(t, "testdata/rsa-other.key")
	ecKey := privateKey(t, "testdata/ec-client.key").(*ecdsa.PrivateKey)
	point, err := ecKey.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		t.Fatal(err)
	}
	ecJWK, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "kid": "ec-1",
		"x": base64.RawURLEncoding.EncodeToString(point[1:33]),
		"y": base64.RawURLEncoding.EncodeToString(point[33:]),
	}}})
	if err != nil {
		t.Fatal(err)
	}

	type build struct {
		method jwt.SigningMethod
		key    any
		kid    string
	}
	rs256 := build{jwt.SigningMethodRS256, clientKey, ""}
	tests := []struct {
		name     string
		client   func(*oauth2.Client)
		build    build
		claims   func(e *env, c jwt.MapClaims)
		form     func(f url.Values)
		status   int
		errCode  string
		wantDesc string
	}{
		{name: "RS256", build: rs256, status: 200},
		{name: "RS512", build: build{jwt.SigningMethodRS512, clientKey, ""}, status: 200},
		{name: "certificate as the key", client: func(c *oauth2.Client) { c.PublicKeyPEM = kittest.ReadFile(t, "testdata/rsa-client.crt") }, build: rs256, status: 200},
		{name: "aud as an array", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["aud"] = []string{"other", e.TS.URL + "/token"} }, status: 200},
		{name: "aud the configured URL", client: func(c *oauth2.Client) { c.TokenEndpointURL = "https://idp.example/oauth2/token" },
			build: rs256, claims: func(e *env, c jwt.MapClaims) { c["aud"] = "https://idp.example/oauth2/token" }, status: 200},
		{name: "iat within the skew", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["iat"] = e.Clock.Now().Add(50 * time.Second).Unix() }, status: 200},
		{name: "no client_id: iss names the client", build: rs256, form: func(f url.Values) { f.Del("client_id") }, status: 200},
		{name: "ES256 key from a JWKS", client: func(c *oauth2.Client) {
			c.PublicKeyPEM, c.JWKS, c.AssertionAlgs = "", string(ecJWK), []string{"ES256"}
		}, build: build{jwt.SigningMethodES256, ecKey, "ec-1"}, status: 200},

		{name: "RSA key from a JWKS by kid", client: func(c *oauth2.Client) {
			c.PublicKeyPEM, c.JWKS = "", rsaJWKS(t, "testdata/rsa-other.key", "old", "testdata/rsa-client.key", "new")
		}, build: build{jwt.SigningMethodRS256, clientKey, "new"}, status: 200},
		{name: "JWKS and PEM together", client: func(c *oauth2.Client) {
			c.JWKS = rsaJWKS(t, "testdata/rsa-other.key", "old")
		}, build: build{jwt.SigningMethodRS256, clientKey, "old"}, status: 200},
		{name: "PS256 not in the default algs", build: build{jwt.SigningMethodPS256, clientKey, ""}, status: 401, errCode: "invalid_client", wantDesc: `alg "PS256" is not accepted`},
		{name: "RS512 not in the client's algs", client: func(c *oauth2.Client) { c.AssertionAlgs = []string{"RS256"} },
			build: build{jwt.SigningMethodRS512, clientKey, ""}, status: 401, errCode: "invalid_client", wantDesc: `alg "RS512" is not accepted`},
		{name: "HS256", build: build{jwt.SigningMethodHS256, []byte("a shared secret of 32 bytes long!"), ""}, status: 401, errCode: "invalid_client", wantDesc: `alg "HS256" is not accepted`},
		{name: "none", build: build{jwt.SigningMethodNone, nil, ""}, status: 401, errCode: "invalid_client", wantDesc: `alg "none" is not accepted`},
		{name: "wrong key", build: build{jwt.SigningMethodRS256, otherKey, ""}, status: 401, errCode: "invalid_client", wantDesc: "does not verify with the registered key"},
		{name: "JWKS kid of another key", client: func(c *oauth2.Client) {
			c.PublicKeyPEM, c.JWKS = "", rsaJWKS(t, "testdata/rsa-other.key", "old", "testdata/rsa-client.key", "new")
		}, build: build{jwt.SigningMethodRS256, clientKey, "old"}, status: 401, errCode: "invalid_client", wantDesc: "does not verify with the registered key"},
		{name: "JWKS kid unknown", client: func(c *oauth2.Client) {
			c.PublicKeyPEM, c.JWKS, c.AssertionAlgs = "", string(ecJWK), []string{"ES256"}
		}, build: build{jwt.SigningMethodES256, ecKey, "ec-2"}, status: 401, errCode: "invalid_client", wantDesc: `no registered key of client pkj-app verifies ES256 (kid "ec-2")`},
		{name: "wrong iss", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["iss"] = "other-app" }, status: 401, errCode: "invalid_client", wantDesc: `iss "other-app"`},
		{name: "wrong sub", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["sub"] = "alice" }, status: 401, errCode: "invalid_client", wantDesc: `sub "alice"`},
		{name: "wrong aud", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["aud"] = "https://login.example/token" }, status: 401, errCode: "invalid_client", wantDesc: "does not contain the token endpoint URL"},
		{name: "aud with a query", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["aud"] = e.TS.URL + "/token?x=1" }, status: 401, errCode: "invalid_client", wantDesc: "does not contain the token endpoint URL"},
		{name: "expired", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["exp"] = e.Clock.Now().Add(-time.Second).Unix() }, status: 401, errCode: "invalid_client", wantDesc: "expired"},
		{name: "exp too far ahead", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["exp"] = e.Clock.Now().Add(11 * time.Minute).Unix() }, status: 401, errCode: "invalid_client", wantDesc: "more than 10m0s ahead"},
		{name: "exp missing", build: rs256, claims: func(e *env, c jwt.MapClaims) { delete(c, "exp") }, status: 401, errCode: "invalid_client", wantDesc: "exp is missing"},
		{name: "exp not a number", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["exp"] = "soon" }, status: 401, errCode: "invalid_client", wantDesc: "exp"},
		{name: "nbf in the future", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["nbf"] = e.Clock.Now().Add(2 * time.Minute).Unix() }, status: 401, errCode: "invalid_client", wantDesc: "nbf"},
		{name: "iat in the future", build: rs256, claims: func(e *env, c jwt.MapClaims) { c["iat"] = e.Clock.Now().Add(2 * time.Minute).Unix() }, status: 401, errCode: "invalid_client", wantDesc: "iat"},
		{name: "jti missing", build: rs256, claims: func(e *env, c jwt.MapClaims) { delete(c, "jti") }, status: 401, errCode: "invalid_client", wantDesc: "jti is missing"},
		{name: "client_id of a secret client", build: rs256, form: func(f url.Values) { f.Set("client_id", clientID) }, status: 401, errCode: "invalid_client", wantDesc: "authenticates with client_secret_post or client_secret_basic, got private_key_jwt"},
		{name: "wrong assertion type", build: rs256, form: func(f url.Values) {
			f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
		}, status: 401, errCode: "invalid_client", wantDesc: "unsupported client_assertion_type"},
		{name: "assertion type missing", build: rs256, form: func(f url.Values) { f.Del("client_assertion_type") }, status: 400, errCode: "invalid_request", wantDesc: "client_assertion_type is missing"},
		{name: "assertion missing", build: rs256, form: func(f url.Values) { f.Del("client_assertion") }, status: 400, errCode: "invalid_request", wantDesc: "client_assertion is missing"},
		{name: "not a JWT", build: rs256, form: func(f url.Values) { f.Set("client_assertion", "abc.def") }, status: 401, errCode: "invalid_client", wantDesc: "not a JWT"},
		{name: "assertion and secret", build: rs256, form: func(f url.Values) { f.Set("client_secret", "x") }, status: 400, errCode: "invalid_request", wantDesc: "more than one client authentication method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, pkjConfig(t, tt.client))
			claims := e.b2cClaims("jti-" + tt.name)
			if tt.claims != nil {
				tt.claims(e, claims)
			}
			form := assertionForm(e.codeFor(pkjClient), sign(t, tt.build.method, tt.build.key, claims, tt.build.kid))
			if tt.form != nil {
				tt.form(form)
			}
			r := e.PostForm("/token", form, nil)
			if tt.status == http.StatusOK {
				if r.StatusCode != http.StatusOK || r.JSON(t)["access_token"] == nil {
					t.Fatalf("status %d, want 200 with an access token\n%s", r.StatusCode, r.Text)
				}
				return
			}
			e.wantRefused(t, r, tt.status, tt.errCode, tt.wantDesc)
		})
	}
}

func TestPrivateKeyJWTReplay(t *testing.T) {
	e := newEnv(t, pkjConfig(t, nil))
	key := privateKey(t, "testdata/rsa-client.key")
	assertion := sign(t, jwt.SigningMethodRS256, key, e.b2cClaims("5qAiFWiD83CmMJYckz0Qtg=="), "")
	if r := e.PostForm("/token", assertionForm(e.codeFor(pkjClient), assertion), nil); r.StatusCode != http.StatusOK {
		t.Fatalf("first use: %d\n%s", r.StatusCode, r.Text)
	}
	// the same assertion, and a new one reusing the jti, on fresh codes
	again := sign(t, jwt.SigningMethodRS512, key, e.b2cClaims("5qAiFWiD83CmMJYckz0Qtg=="), "")
	for _, a := range []string{assertion, again} {
		r := e.PostForm("/token", assertionForm(e.codeFor(pkjClient), a), nil)
		m := wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client")
		if d, _ := m["error_description"].(string); !strings.Contains(d, "jti already used") {
			t.Errorf("description = %q, want jti already used", d)
		}
	}
	// jti values are per client: another client may use the same one
	cfg := pkjConfig(t, nil)
	other := cfg.Clients[len(cfg.Clients)-1]
	other.ID = "pkj-other"
	if err := e.Srv.AddClient(other); err != nil {
		t.Fatal(err)
	}
	claims := e.b2cClaims("5qAiFWiD83CmMJYckz0Qtg==")
	claims["iss"], claims["sub"] = "pkj-other", "pkj-other"
	form := assertionForm(e.codeFor("pkj-other"), sign(t, jwt.SigningMethodRS256, key, claims, ""))
	form.Set("client_id", "pkj-other")
	if r := e.PostForm("/token", form, nil); r.StatusCode != http.StatusOK {
		t.Errorf("same jti for another client: %d\n%s", r.StatusCode, r.Text)
	}
}

// TestPrivateKeyJWTRecorded checks that steps can read the assertion B2C sent (OA2-07).
func TestPrivateKeyJWTRecorded(t *testing.T) {
	e := newEnv(t, pkjConfig(t, nil))
	assertion := sign(t, jwt.SigningMethodRS256, privateKey(t, "testdata/rsa-client.key"), e.b2cClaims("j1"), "key-1")
	e.PostForm("/token", assertionForm(e.codeFor(pkjClient), assertion), nil)
	last, ok := e.Srv.LastRequest(oauth2.EndpointToken)
	if !ok || last.Assertion == nil {
		t.Fatalf("LastRequest(token).Assertion = nil, want the decoded assertion")
	}
	a := last.Assertion
	if a.Header["alg"] != "RS256" || a.Header["kid"] != "key-1" || a.Header["typ"] != "JWT" {
		t.Errorf("header = %v", a.Header)
	}
	exp, _ := a.Claims["exp"].(float64)
	iat, _ := a.Claims["iat"].(float64)
	if exp-iat != 300 || a.Claims["nbf"] != a.Claims["iat"] || a.Claims["iss"] != pkjClient || a.Claims["jti"] != "j1" {
		t.Errorf("claims = %v, want exp-iat=300, nbf=iat, iss and jti", a.Claims)
	}
	// the record is a copy, and the journal redacts the assertion
	a.Claims["iss"] = "changed"
	if again, _ := e.Srv.LastRequest(oauth2.EndpointToken); again.Assertion.Claims["iss"] != pkjClient {
		t.Error("LastRequest returned a shared Assertion")
	}
	if en := e.Journal.Entries(); en[len(en)-1].Form.Get("client_assertion") != "[redacted]" {
		t.Errorf("journal keeps the assertion: %q", en[len(en)-1].Form.Get("client_assertion"))
	}
	// requests without an assertion have none
	e.PostForm("/token", tokenForm("x"), nil)
	if last, _ := e.Srv.LastRequest(oauth2.EndpointToken); last.Assertion != nil {
		t.Errorf("Assertion = %v for a secret request", last.Assertion)
	}
}

// TestPrivateKeyJWTUnderPrefix checks aud against the URL the client reached when the handler is
// mounted under a path prefix, with GET binding.
func TestPrivateKeyJWTUnderPrefix(t *testing.T) {
	e := newEnv(t, pkjConfig(t, func(c *oauth2.Client) { c.TokenMethod = oauth2.TokenMethodGET }))
	mux := http.NewServeMux()
	mux.Handle("/idp/", http.StripPrefix("/idp", e.Srv.Handler()))
	e.TS = httptest.NewServer(mux)
	e.URL = e.TS.URL
	t.Cleanup(e.TS.Close)

	q := authzQuery("query")
	q.Set("client_id", pkjClient)
	page := e.Get("/idp/authorize", q)
	login := e.PostForm("/idp/authorize", kittest.LoginForm(t, page.Text, "alice", "alice-pw", "signin"), nil)
	loc, _ := url.Parse(login.Header.Get("Location"))
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code: %d %s", login.StatusCode, login.Header.Get("Location"))
	}
	claims := e.b2cClaims("j-prefix")
	claims["aud"] = e.TS.URL + "/idp/token"
	r := e.Get("/idp/token", assertionForm(code, sign(t, jwt.SigningMethodRS256, privateKey(t, "testdata/rsa-client.key"), claims, "")))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /idp/token: %d\n%s", r.StatusCode, r.Text)
	}
}

// TestPrivateKeyJWTAudienceIgnoresHost is security issue #18: the aud a client assertion had to
// name was built from the request's Host header (or an absolute request target), both written by
// the client, so an assertion minted for another audience passed when sent with a matching
// forged Host. The audience now comes from configuration only: the client's TokenEndpointURL,
// else Config.BaseURL, else the address of the listener the request came in on.
func TestPrivateKeyJWTAudienceIgnoresHost(t *testing.T) {
	key := privateKey(t, "testdata/rsa-client.key")
	post := func(e *env, aud, host string) response {
		t.Helper()
		claims := e.b2cClaims("jti-" + aud + host)
		claims["aud"] = aud
		req := e.Request(http.MethodPost, "/token", "application/x-www-form-urlencoded",
			assertionForm(e.codeFor(pkjClient), sign(t, jwt.SigningMethodRS256, key, claims, "")).Encode())
		if host != "" {
			req.Host = host
		}
		return e.Do(req)
	}

	e := newEnv(t, pkjConfig(t, nil))
	// the attack: an assertion for https://evil.example/token sent with Host: evil.example,
	// and the same with the absolute request target https://evil.example/token
	e.wantRefused(t, post(e, "http://evil.example/token", "evil.example"), 401, "invalid_client", "does not contain the token endpoint URL "+e.TS.URL+"/token")
	claims := e.b2cClaims("jti-absolute")
	claims["aud"] = "https://evil.example/token"
	body := assertionForm(e.codeFor(pkjClient), sign(t, jwt.SigningMethodRS256, key, claims, "")).Encode()
	req, err := http.NewRequest(http.MethodPost, "https://evil.example/token", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	e.wantRefused(t, sendAbsoluteForm(t, e.TS.Listener.Addr().String(), req), 401, "invalid_client", "does not contain the token endpoint URL "+e.TS.URL+"/token")
	// the token endpoint's own URL passes, whatever the Host says
	for _, host := range []string{"", "evil.example"} {
		if r := post(e, e.TS.URL+"/token", host); r.StatusCode != http.StatusOK {
			t.Errorf("aud %s/token with Host %q: %d\n%s", e.TS.URL, host, r.StatusCode, r.Text)
		}
	}

	// with a BaseURL, the aud is that URL plus the route's path, and the listener's no longer counts
	cfg := pkjConfig(t, nil)
	cfg.BaseURL = "https://idp.example/fb/"
	e = newEnv(t, cfg)
	e.wantRefused(t, post(e, e.TS.URL+"/token", ""), 401, "invalid_client", "does not contain the token endpoint URL https://idp.example/fb/token")
	e.wantRefused(t, post(e, "https://evil.example/fb/token", "evil.example"), 401, "invalid_client", "https://idp.example/fb/token")
	if r := post(e, "https://idp.example/fb/token", ""); r.StatusCode != http.StatusOK {
		t.Errorf("aud the BaseURL's token endpoint: %d\n%s", r.StatusCode, r.Text)
	}
	if d := e.Get("/.well-known/openid-configuration", nil).JSON(t); d["token_endpoint"] != "https://idp.example/fb/token" || d["issuer"] != "https://idp.example/fb" {
		t.Errorf("discovery with a BaseURL: %v", d)
	}

	// a client's TokenEndpointURL is then the one aud
	e = newEnv(t, pkjConfig(t, func(c *oauth2.Client) { c.TokenEndpointURL = "https://proxy.example/oauth2/token" }))
	e.wantRefused(t, post(e, e.TS.URL+"/token", ""), 401, "invalid_client", "does not contain the token endpoint URL https://proxy.example/oauth2/token")
	if r := post(e, "https://proxy.example/oauth2/token", "evil.example"); r.StatusCode != http.StatusOK {
		t.Errorf("aud the TokenEndpointURL: %d\n%s", r.StatusCode, r.Text)
	}
}

// sendAbsoluteForm sends req to addr with its absolute URL as the request target (RFC 9112
// §3.2.2, as to a proxy) and reads the response.
func sendAbsoluteForm(t *testing.T, addr string, req *http.Request) response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := req.WriteProxy(conn); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Response: resp, Text: string(b)}
}
