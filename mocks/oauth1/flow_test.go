package oauth1_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	dg "github.com/dghubble/oauth1"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth1"
)

// TestThreeLeggedFlow runs the whole flow with github.com/dghubble/oauth1 as the consumer and
// checks every answer and what the server verified at every endpoint.
func TestThreeLeggedFlow(t *testing.T) {
	e, cfg := newConsumerEnv(t)
	cfg.Realm = "Twitter" // sent in the header, never signed
	c := e.flow(cfg)

	if got := c.tokenResponse.Get("user_id"); got != userID {
		t.Errorf("user_id = %q, want %q", got, userID)
	}
	if got := c.tokenResponse.Get("screen_name"); got != "alice_s" {
		t.Errorf("screen_name = %q, want alice_s", got)
	}
	if !strings.HasPrefix(c.token, userID+"-") {
		t.Errorf("access token %q does not start with the user id, as Twitter's do", c.token)
	}

	r := e.claims(cfg, c, "include_email=true")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("claims: %d %s\n%s", r.StatusCode, r.Header.Get("Content-Type"), r.Text)
	}
	var claims map[string]any
	if err := json.Unmarshal([]byte(r.Text), &claims); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": float64(1001), "id_str": "1001", "screen_name": "alice_s", "name": "Alice Smith",
		"email": "alice@example.com", "verified": true, "location": map[string]any{"city": "Oslo"},
	}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("claims = %v\nwant     %v", claims, want)
	}

	// what each endpoint verified
	for _, tt := range []struct {
		ep      oauth1.Endpoint
		method  string
		path    string
		present []string
	}{
		{oauth1.EndpointRequestToken, "POST", oauth1.PathRequestToken, []string{"oauth_callback"}},
		{oauth1.EndpointAccessToken, "POST", oauth1.PathAccessToken, []string{"oauth_token", "oauth_verifier"}},
		{oauth1.EndpointClaims, "GET", oauth1.DefaultClaimsPath, []string{"oauth_token"}},
	} {
		last, ok := e.Srv.LastRequest(tt.ep)
		if !ok {
			t.Fatalf("%s: no request", tt.ep)
		}
		wantPrefix := tt.method + "&" + oauth1.PercentEncode(e.TS.URL+tt.path) + "&"
		if !strings.HasPrefix(last.BaseString, wantPrefix) || !strings.Contains(last.BaseString, "oauth_nonce%3D") {
			t.Errorf("%s: base string %s, want prefix %s", tt.ep, last.BaseString, wantPrefix)
		}
		if last.Realm != "Twitter" || strings.Contains(last.BaseString, "realm") || strings.Contains(last.BaseString, "oauth_signature%3D") {
			t.Errorf("%s: realm %q, base string %s: realm and oauth_signature must not be signed", tt.ep, last.Realm, last.BaseString)
		}
		for _, p := range tt.present {
			if last.OAuth.Get(p) == "" {
				t.Errorf("%s: %s missing from %v", tt.ep, p, last.OAuth)
			}
		}
		if !reflect.DeepEqual(last.OAuthIn, []string{oauth1.InHeader}) || last.OAuth.Get("oauth_signature") == "" {
			t.Errorf("%s: oauthIn %v, oauth %v", tt.ep, last.OAuthIn, last.OAuth)
		}
	}
	if last, _ := e.Srv.LastRequest(oauth1.EndpointRequestToken); last.OAuth.Get("oauth_callback") != authresp {
		t.Errorf("oauth_callback = %q", last.OAuth.Get("oauth_callback"))
	}
	if last, _ := e.Srv.LastRequest(oauth1.EndpointClaims); !strings.Contains(last.BaseString, "include_email%3Dtrue") {
		t.Errorf("the claims endpoint's query is not in the base string: %s", last.BaseString)
	}

	// the journal saw five calls, none refused, with secrets redacted
	entries := e.Journal.Party("twitter")
	if len(entries) != 5 {
		t.Fatalf("journal:\n%s", e.Journal)
	}
	for _, en := range entries {
		if en.Error != "" || en.Status >= 400 {
			t.Errorf("journal entry %d: %d %s", en.Seq, en.Status, en.Error)
		}
		if a := en.Header.Get("Authorization"); a != "" && a != "[redacted]" {
			t.Errorf("journal kept an Authorization header: %s", a)
		}
	}
}

// plaintextSigner is a dghubble Signer for PLAINTEXT (RFC 5849 §3.4.4), which the library lacks.
type plaintextSigner struct{ consumerSecret string }

func (p plaintextSigner) Name() string { return oauth1.PLAINTEXT }
func (p plaintextSigner) Sign(tokenSecret, _ string) (string, error) {
	return dg.PercentEncode(p.consumerSecret) + "&" + dg.PercentEncode(tokenSecret), nil
}

func TestOtherSignatureMethods(t *testing.T) {
	block, _ := pem.Decode([]byte(kittest.ReadFile(t, "testdata/rsa-consumer.key")))
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	block, _ = pem.Decode([]byte(kittest.ReadFile(t, "testdata/rsa-other.key")))
	otherKey, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		key      string
		signer   dg.Signer
		wrong    dg.Signer // a signer the server must refuse
		wantFail string
	}{
		{"RSA-SHA1", "rsa", &dg.RSASigner{PrivateKey: key}, &dg.RSASigner{PrivateKey: otherKey}, oauth1.ProblemSignatureInvalid},
		{"PLAINTEXT", "plain", plaintextSigner{"plain-secret"}, plaintextSigner{"other"}, oauth1.ProblemSignatureInvalid},
		{"HMAC-SHA1 from a PLAINTEXT consumer", "plain", plaintextSigner{"plain-secret"}, &dg.HMACSigner{ConsumerSecret: "plain-secret"}, oauth1.ProblemSignatureMethodRejected},
		{"HMAC-SHA256 is not a method of RFC 5849", "any-callback", &dg.HMACSigner{ConsumerSecret: "any-secret"}, &dg.HMAC256Signer{ConsumerSecret: "any-secret"}, oauth1.ProblemSignatureMethodRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testConfig(t))
			cfg := e.config(tt.key, "")
			cfg.Signer = tt.signer
			c := e.flow(cfg)
			if r := e.claims(cfg, c, ""); r.StatusCode != http.StatusOK {
				t.Errorf("claims: %d %s", r.StatusCode, r.Text)
			}
			cfg.Signer = tt.wrong
			rec := &bodyRecorder{}
			cfg.HTTPClient = &http.Client{Transport: rec}
			if _, _, err := cfg.RequestToken(); err == nil {
				t.Fatal("RequestToken with the wrong signer succeeded")
			}
			wantProblem(t, rec.last, tt.wantFail)
		})
	}
}

// TestPlaintextWithoutTimestampAndNonce: RFC 5849 §3.1 lets PLAINTEXT omit both.
func TestPlaintextWithoutTimestampAndNonce(t *testing.T) {
	e := newEnv(t, testConfig(t))
	req := mustRequest(t, http.MethodPost, e.TS.URL+oauth1.PathRequestToken, "")
	req.Header.Set("Authorization", `OAuth oauth_consumer_key="plain", oauth_signature_method="PLAINTEXT", oauth_signature="plain-secret%26", oauth_callback="oob"`)
	r := e.Do(req)
	v, _ := url.ParseQuery(r.Text)
	if r.StatusCode != http.StatusOK || v.Get("oauth_callback_confirmed") != "true" || v.Get("oauth_token") == "" {
		t.Errorf("%d %s", r.StatusCode, r.Text)
	}
	// the HMAC consumer may not omit them
	req = mustRequest(t, http.MethodPost, e.TS.URL+oauth1.PathRequestToken, "")
	req.Header.Set("Authorization", `OAuth oauth_consumer_key="any-callback", oauth_signature_method="HMAC-SHA1", oauth_signature="x", oauth_callback="oob"`)
	if v := wantProblem(t, e.Do(req), oauth1.ProblemParameterAbsent); v.Get("oauth_parameters_absent") != "oauth_nonce&oauth_timestamp" {
		t.Errorf("oauth_parameters_absent = %q", v.Get("oauth_parameters_absent"))
	}
}

// TestTamperingClaims signs claims requests with dghubble, changes one thing, and expects the
// server to notice; the untouched request (and a changed realm, which is not signed) passes.
func TestTamperingClaims(t *testing.T) {
	e := newEnv(t, testConfig(t), oauth1.WithForwardedProto())
	cfg := e.config(consumerKey, consumerSecret)
	c := e.flow(cfg)
	port := e.TS.Listener.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndexByte(port, ':')+1:]
	claimsURL := e.TS.URL + oauth1.DefaultClaimsPath

	tests := []struct {
		name           string
		method, target string // what is signed
		body           string
		consumerSecret string
		tokenSecret    string
		mutate         func(t *testing.T, r *http.Request)
		want           string // "" for 200
	}{
		{name: "untouched", target: claimsURL + "?include_email=true"},
		{name: "realm changed", target: claimsURL, mutate: func(t *testing.T, r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "OAuth ", `OAuth realm="elsewhere", `, 1))
		}},
		{name: "GET with a signed form body", target: claimsURL, body: "include_entities=false"},
		{name: "method", method: "POST", target: claimsURL, mutate: func(t *testing.T, r *http.Request) { r.Method = http.MethodGet }, want: oauth1.ProblemSignatureInvalid},
		{name: "host", target: claimsURL, mutate: func(t *testing.T, r *http.Request) { r.Host = "localhost:" + port }, want: oauth1.ProblemSignatureInvalid},
		{name: "host case is not significant", target: claimsURL, mutate: func(t *testing.T, r *http.Request) { r.Host = strings.ToUpper(r.URL.Host) }},
		{name: "port", target: claimsURL, mutate: func(t *testing.T, r *http.Request) { r.Host = "127.0.0.1:1" }, want: oauth1.ProblemSignatureInvalid},
		{name: "scheme", target: claimsURL, mutate: func(t *testing.T, r *http.Request) { r.Header.Set("X-Forwarded-Proto", "https") }, want: oauth1.ProblemSignatureInvalid},
		{name: "path", target: e.TS.URL + "/1.1/account/verify_credentials.xml", mutate: func(t *testing.T, r *http.Request) { r.URL.Path = oauth1.DefaultClaimsPath }, want: oauth1.ProblemSignatureInvalid},
		{name: "path encoding", target: claimsURL, mutate: func(t *testing.T, r *http.Request) { r.URL.RawPath = "/1.1/account/verify%5Fcredentials.json" }, want: oauth1.ProblemSignatureInvalid},
		{name: "query value", target: claimsURL + "?include_email=true", mutate: func(t *testing.T, r *http.Request) { r.URL.RawQuery = "include_email=false" }, want: oauth1.ProblemSignatureInvalid},
		{name: "query parameter added", target: claimsURL, mutate: func(t *testing.T, r *http.Request) { r.URL.RawQuery = "include_email=true" }, want: oauth1.ProblemSignatureInvalid},
		{name: "body value", target: claimsURL, body: "include_entities=false", mutate: func(t *testing.T, r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader("include_entities=true"))
			r.ContentLength = int64(len("include_entities=true"))
			r.GetBody = nil // else the transport may send the signed body again
		}, want: oauth1.ProblemSignatureInvalid},
		{name: "consumer secret", target: claimsURL, consumerSecret: "wrong", want: oauth1.ProblemSignatureInvalid},
		{name: "token secret", target: claimsURL, tokenSecret: "wrong", want: oauth1.ProblemSignatureInvalid},
		{name: "timestamp", target: claimsURL, mutate: func(t *testing.T, r *http.Request) {
			ts, _ := strconv.ParseInt(authParamValue(t, r, "oauth_timestamp"), 10, 64)
			setAuthParam(t, r, "oauth_timestamp", strconv.FormatInt(ts-1, 10))
		}, want: oauth1.ProblemSignatureInvalid},
		{name: "nonce", target: claimsURL, mutate: func(t *testing.T, r *http.Request) {
			setAuthParam(t, r, "oauth_nonce", "a"+authParamValue(t, r, "oauth_nonce"))
		}, want: oauth1.ProblemSignatureInvalid},
		{name: "signature", target: claimsURL, mutate: func(t *testing.T, r *http.Request) {
			setAuthParam(t, r, "oauth_signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA%3D")
		}, want: oauth1.ProblemSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, cs, ts := tt.method, tt.consumerSecret, tt.tokenSecret
			if method == "" {
				method = http.MethodGet
			}
			if cs == "" {
				cs = consumerSecret
			}
			if ts == "" {
				ts = c.secret
			}
			req := e.signed(e.config(consumerKey, cs), dg.NewToken(c.token, ts), method, tt.target, tt.body)
			if tt.mutate != nil {
				tt.mutate(t, req)
			}
			r := kittest.Do(t, e.HTTP, req)
			if tt.want == "" {
				if r.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200\n%s", r.StatusCode, r.Text)
				}
				return
			}
			v := wantProblem(t, r, tt.want)
			if tt.want == oauth1.ProblemSignatureInvalid && !strings.Contains(v.Get("oauth_problem_advice"), "&") {
				t.Errorf("the advice does not show the base string: %s", v.Get("oauth_problem_advice"))
			}
		})
	}
}

// TestTamperingTokenRequests changes signed temporary-credential and token requests after
// dghubble signed them.
func TestTamperingTokenRequests(t *testing.T) {
	e := newEnv(t, testConfig(t))
	port := e.TS.URL[strings.LastIndexByte(e.TS.URL, ':')+1:]

	requestTokenCases := []struct {
		name   string
		query  string // on the request token URL, signed
		secret string
		mutate func(t *testing.T, r *http.Request)
		want   string
	}{
		{name: "untouched", query: "x_auth_access_type=read"},
		{name: "host", mutate: func(t *testing.T, r *http.Request) { r.Host = "localhost:" + port }, want: oauth1.ProblemSignatureInvalid},
		{name: "port", mutate: func(t *testing.T, r *http.Request) { r.Host = "127.0.0.1:8443" }, want: oauth1.ProblemSignatureInvalid},
		{name: "query value", query: "x_auth_access_type=read", mutate: func(t *testing.T, r *http.Request) { r.URL.RawQuery = "x_auth_access_type=write" }, want: oauth1.ProblemSignatureInvalid},
		{name: "body parameter added", mutate: func(t *testing.T, r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader("x_auth_access_type=write"))
			r.GetBody = nil
			r.ContentLength = int64(len("x_auth_access_type=write"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}, want: oauth1.ProblemSignatureInvalid},
		{name: "consumer secret", secret: "wrong", want: oauth1.ProblemSignatureInvalid},
		{name: "timestamp", mutate: func(t *testing.T, r *http.Request) {
			ts, _ := strconv.ParseInt(authParamValue(t, r, "oauth_timestamp"), 10, 64)
			setAuthParam(t, r, "oauth_timestamp", strconv.FormatInt(ts+1, 10))
		}, want: oauth1.ProblemSignatureInvalid},
		{name: "nonce", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_nonce", "other") }, want: oauth1.ProblemSignatureInvalid},
		{name: "callback", mutate: func(t *testing.T, r *http.Request) {
			setAuthParam(t, r, "oauth_callback", url.PathEscape("https://rp.example/cb?tenant=contoso"))
		}, want: oauth1.ProblemSignatureInvalid},
	}
	for _, tt := range requestTokenCases {
		t.Run("request_token/"+tt.name, func(t *testing.T) {
			secret := tt.secret
			if secret == "" {
				secret = consumerSecret
			}
			cfg := e.config(consumerKey, secret)
			if tt.query != "" {
				cfg.Endpoint.RequestTokenURL += "?" + tt.query
			}
			rec := &bodyRecorder{}
			cfg.HTTPClient = &http.Client{Transport: tamper{base: rec, fn: func(r *http.Request) {
				if tt.mutate != nil {
					tt.mutate(t, r)
				}
			}}}
			_, _, err := cfg.RequestToken()
			if tt.want == "" {
				if err != nil {
					t.Errorf("RequestToken: %v", err)
				}
				return
			}
			wantProblem(t, rec.last, tt.want)
		})
	}

	accessTokenCases := []struct {
		name           string
		consumerSecret string
		tokenSecret    string
		mutate         func(t *testing.T, r *http.Request)
		want           string
	}{
		{name: "untouched"},
		{name: "consumer secret", consumerSecret: "wrong", want: oauth1.ProblemSignatureInvalid},
		{name: "token secret", tokenSecret: "wrong", want: oauth1.ProblemSignatureInvalid},
		{name: "verifier", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_verifier", "OTHER") }, want: oauth1.ProblemSignatureInvalid},
		{name: "path", mutate: func(t *testing.T, r *http.Request) { r.URL.RawPath = "/oauth/access%5Ftoken" }, want: oauth1.ProblemSignatureInvalid},
	}
	for _, tt := range accessTokenCases {
		t.Run("access_token/"+tt.name, func(t *testing.T) {
			cfg := e.config(consumerKey, consumerSecret)
			reqToken, reqSecret := e.requestToken(cfg)
			verifier := e.verifier(cfg, reqToken)
			if tt.consumerSecret != "" {
				cfg.ConsumerSecret = tt.consumerSecret
			}
			if tt.tokenSecret != "" {
				reqSecret = tt.tokenSecret
			}
			rec := &bodyRecorder{}
			cfg.HTTPClient = &http.Client{Transport: tamper{base: rec, fn: func(r *http.Request) {
				if tt.mutate != nil {
					tt.mutate(t, r)
				}
			}}}
			_, _, err := cfg.AccessToken(reqToken, reqSecret, verifier)
			if tt.want == "" {
				if err != nil {
					t.Errorf("AccessToken: %v", err)
				}
				return
			}
			wantProblem(t, rec.last, tt.want)
			// a refused request does not use the credential up
			cfg = e.config(consumerKey, consumerSecret)
			if _, _, err := cfg.AccessToken(reqToken, reqSecret, verifier); err != nil && tt.tokenSecret == "" {
				t.Errorf("AccessToken after a refused attempt: %v", err)
			}
		})
	}
}
