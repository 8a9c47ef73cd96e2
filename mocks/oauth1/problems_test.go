package oauth1_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	dg "github.com/dghubble/oauth1"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth1"
)

// TestProblems edits a claims request dghubble signed, one check at a time, and expects each
// OAuth Problem Reporting name with its extra parameters.
func TestProblems(t *testing.T) {
	e, cfg := newConsumerEnv(t)
	c := e.flow(cfg)
	tempToken, _ := e.requestToken(cfg)
	claimsURL := e.TS.URL + oauth1.DefaultClaimsPath
	now := e.Clock.Now().Unix()

	tests := []struct {
		name      string
		signer    *dg.Config // nil: the consumer of the flow
		token     string     // empty: the flow's access token
		target    string     // empty: the claims URL
		body      string
		mutate    func(t *testing.T, r *http.Request)
		want      string
		wantParam map[string]string
	}{
		{name: "nonce absent", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_nonce", "-") },
			want: oauth1.ProblemParameterAbsent, wantParam: map[string]string{"oauth_parameters_absent": "oauth_nonce"}},
		{name: "timestamp and nonce absent", mutate: func(t *testing.T, r *http.Request) {
			setAuthParam(t, r, "oauth_nonce", "-")
			setAuthParam(t, r, "oauth_timestamp", "-")
		}, want: oauth1.ProblemParameterAbsent, wantParam: map[string]string{"oauth_parameters_absent": "oauth_nonce&oauth_timestamp"}},
		{name: "token absent", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_token", "-") },
			want: oauth1.ProblemParameterAbsent, wantParam: map[string]string{"oauth_parameters_absent": "oauth_token"}},
		{name: "signature absent", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_signature", "-") },
			want: oauth1.ProblemParameterAbsent, wantParam: map[string]string{"oauth_parameters_absent": "oauth_signature"}},
		{name: "consumer key empty", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_consumer_key", "") },
			want: oauth1.ProblemParameterAbsent, wantParam: map[string]string{"oauth_parameters_absent": "oauth_consumer_key"}},
		{name: "signature method absent", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_signature_method", "-") },
			want: oauth1.ProblemParameterAbsent, wantParam: map[string]string{"oauth_parameters_absent": "oauth_signature_method"}},
		{name: "no Authorization header", mutate: func(t *testing.T, r *http.Request) { r.Header.Del("Authorization") },
			want: oauth1.ProblemParameterAbsent, wantParam: map[string]string{"oauth_parameters_absent": "oauth_consumer_key&oauth_nonce&oauth_signature&oauth_signature_method&oauth_timestamp&oauth_token"}},
		{name: "Bearer instead of OAuth", mutate: func(t *testing.T, r *http.Request) { r.Header.Set("Authorization", "Bearer x") },
			want: oauth1.ProblemParameterAbsent},
		{name: "repeated parameter", mutate: func(t *testing.T, r *http.Request) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+`, oauth_nonce="again"`)
		}, want: oauth1.ProblemParameterRejected, wantParam: map[string]string{"oauth_parameters_rejected": "oauth_nonce"}},
		{name: "split across header and query", mutate: func(t *testing.T, r *http.Request) {
			nonce := authParamValue(t, r, "oauth_nonce")
			setAuthParam(t, r, "oauth_nonce", "-")
			r.URL.RawQuery = "oauth_nonce=" + nonce
		}, want: oauth1.ProblemParameterRejected},
		{name: "split across header and body", body: "x=1", mutate: func(t *testing.T, r *http.Request) {
			body := "oauth_nonce=" + authParamValue(t, r, "oauth_nonce")
			setAuthParam(t, r, "oauth_nonce", "-")
			r.Body, r.GetBody, r.ContentLength = io.NopCloser(strings.NewReader(body)), nil, int64(len(body))
		}, want: oauth1.ProblemParameterRejected},
		{name: "parameter the endpoint does not take", mutate: func(t *testing.T, r *http.Request) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+`, oauth_callback="oob", oauth_body_hash="x"`)
		}, want: oauth1.ProblemParameterRejected, wantParam: map[string]string{"oauth_parameters_rejected": "oauth_body_hash&oauth_callback"}},
		{name: "non-protocol parameter in the header", mutate: func(t *testing.T, r *http.Request) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+`, include_email="true"`)
		}, want: oauth1.ProblemParameterRejected, wantParam: map[string]string{"oauth_parameters_rejected": "include_email"}},
		{name: "unquoted value", mutate: func(t *testing.T, r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), `oauth_version="1.0"`, `oauth_version=1.0`, 1))
		}, want: oauth1.ProblemParameterRejected},
		{name: "bad percent-encoding", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_nonce", "%zz") },
			want: oauth1.ProblemParameterRejected},
		{name: "two OAuth headers", mutate: func(t *testing.T, r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
			want: oauth1.ProblemParameterRejected},
		{name: "timestamp not a number", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_timestamp", "-5") },
			want: oauth1.ProblemParameterRejected, wantParam: map[string]string{"oauth_parameters_rejected": "oauth_timestamp"}},
		{name: "version", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_version", "2.0") },
			want: oauth1.ProblemVersionRejected, wantParam: map[string]string{"oauth_acceptable_versions": "1.0-1.0"}},
		{name: "unknown consumer", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_consumer_key", "nobody") },
			want: oauth1.ProblemConsumerKeyUnknown},
		{name: "unknown signature method", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_signature_method", "HMAC-SHA256") },
			want: oauth1.ProblemSignatureMethodRejected},
		{name: "method not allowed for the consumer", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_signature_method", "RSA-SHA1") },
			want: oauth1.ProblemSignatureMethodRejected},
		{name: "method name is case-sensitive", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_signature_method", "hmac-sha1") },
			want: oauth1.ProblemSignatureMethodRejected},
		{name: "timestamp too old", mutate: func(t *testing.T, r *http.Request) {
			setAuthParam(t, r, "oauth_timestamp", strconv.FormatInt(now-301, 10))
		},
			want: oauth1.ProblemTimestampRefused, wantParam: map[string]string{"oauth_acceptable_timestamps": fmt.Sprintf("%d-%d", now-300, now+300)}},
		{name: "timestamp in the future", mutate: func(t *testing.T, r *http.Request) {
			setAuthParam(t, r, "oauth_timestamp", strconv.FormatInt(now+301, 10))
		},
			want: oauth1.ProblemTimestampRefused},
		{name: "timestamp overflows", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_timestamp", "99999999999999999999") },
			want: oauth1.ProblemTimestampRefused},
		{name: "unknown token", token: "1001-NOPE", want: oauth1.ProblemTokenRejected},
		{name: "temporary credential at the claims endpoint", token: tempToken, want: oauth1.ProblemTokenRejected},
		{name: "another consumer's token", signer: e.config("any-callback", "any-secret"), want: oauth1.ProblemTokenRejected},
		{name: "signature not base64", mutate: func(t *testing.T, r *http.Request) { setAuthParam(t, r, "oauth_signature", "not%20base64") },
			want: oauth1.ProblemSignatureInvalid},
		{name: "signature of another request", mutate: func(t *testing.T, r *http.Request) {
			setAuthParam(t, r, "oauth_signature", url.QueryEscape("tR3+Ty81lMeYAr/Fid0kMTYa/WM="))
		}, want: oauth1.ProblemSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signer, token, target := tt.signer, tt.token, tt.target
			if signer == nil {
				signer = cfg
			}
			if token == "" {
				token = c.token
			}
			if target == "" {
				target = claimsURL
			}
			req := e.signed(signer, dg.NewToken(token, c.secret), http.MethodGet, target, tt.body)
			if tt.mutate != nil {
				tt.mutate(t, req)
			}
			v := wantProblem(t, kittest.Do(t, e.HTTP, req), tt.want)
			if strings.HasPrefix(tt.name, "split") && !strings.Contains(v.Get("oauth_problem_advice"), "one place") {
				t.Errorf("advice = %q, want it to ask for one place", v.Get("oauth_problem_advice"))
			}
			for k, want := range tt.wantParam {
				if got := v.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestNonceReplay(t *testing.T) {
	e, cfg := newConsumerEnv(t)
	c := e.flow(cfg)
	req := e.signed(cfg, dg.NewToken(c.token, c.secret), http.MethodGet, e.TS.URL+oauth1.DefaultClaimsPath, "")
	if r := e.Do(req.Clone(t.Context())); r.StatusCode != http.StatusOK {
		t.Fatalf("first: %d %s", r.StatusCode, r.Text)
	}
	wantProblem(t, e.Do(req.Clone(t.Context())), oauth1.ProblemNonceUsed)

	// a refused signature does not use the nonce up
	bad := req.Clone(t.Context())
	setAuthParam(t, bad, "oauth_nonce", "fresh")
	wantProblem(t, e.Do(bad), oauth1.ProblemSignatureInvalid)

	// the same nonce with another token is another request (RFC 5849 §3.3)
	c2 := e.flow(cfg)
	other := e.signed(cfg, dg.NewToken(c2.token, c2.secret), http.MethodGet, e.TS.URL+oauth1.DefaultClaimsPath, "")
	cfg.Noncer = fixedNoncer("n-1")
	first := e.signed(cfg, dg.NewToken(c.token, c.secret), http.MethodGet, e.TS.URL+oauth1.DefaultClaimsPath, "")
	second := e.signed(cfg, dg.NewToken(c2.token, c2.secret), http.MethodGet, e.TS.URL+oauth1.DefaultClaimsPath, "")
	for _, r := range []*http.Request{other, first, second} {
		if got := e.Do(r); got.StatusCode != http.StatusOK {
			t.Errorf("%d %s", got.StatusCode, got.Text)
		}
	}

	// once the timestamp has left the window the replay is refused as stale instead
	e.Clock.Advance(6 * time.Minute)
	wantProblem(t, e.Do(req.Clone(t.Context())), oauth1.ProblemTimestampRefused)
}

type fixedNoncer string

func (n fixedNoncer) Nonce() string { return string(n) }

func TestRequestTokenProblems(t *testing.T) {
	e := newEnv(t, testConfig(t))
	tests := []struct {
		name     string
		key      string
		callback string
		want     string // "" for success
	}{
		{"registered callback", consumerKey, authresp, ""},
		{"registered callback with a query added", consumerKey, authresp + "?p=b2c_1a_signin", ""},
		{"registered callback that has a query", consumerKey, "https://rp.example/cb?tenant=contoso", ""},
		{"oob", consumerKey, "oob", ""},
		{"any absolute URL when none is registered", "any-callback", "http://localhost:8080/cb", ""},
		{"callback absent", consumerKey, "", oauth1.ProblemParameterAbsent},
		{"unregistered callback", consumerKey, "https://evil.example/cb", oauth1.ProblemParameterRejected},
		{"registered callback as a prefix only", consumerKey, authresp + "/more", oauth1.ProblemParameterRejected},
		{"callback differs in case", consumerKey, strings.ToUpper(authresp), oauth1.ProblemParameterRejected},
		{"relative callback", "any-callback", "/cb", oauth1.ProblemParameterRejected},
		{"callback with fragment", "any-callback", "https://rp.example/cb#x", oauth1.ProblemParameterRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := consumerSecret
			if tt.key == "any-callback" {
				secret = "any-secret"
			}
			cfg := e.config(tt.key, secret)
			cfg.CallbackURL = tt.callback
			rec := &bodyRecorder{}
			cfg.HTTPClient = &http.Client{Transport: rec}
			_, _, err := cfg.RequestToken()
			if tt.want == "" {
				if err != nil {
					t.Errorf("RequestToken: %v", err)
				}
				if ct := rec.last.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
					t.Errorf("Content-Type = %q", ct)
				}
				if !strings.HasSuffix(rec.last.Text, "&oauth_callback_confirmed=true") || !strings.HasPrefix(rec.last.Text, "oauth_token=") {
					t.Errorf("body = %q", rec.last.Text)
				}
				return
			}
			v := wantProblem(t, rec.last, tt.want)
			if tt.want == oauth1.ProblemParameterRejected && v.Get("oauth_parameters_rejected") != "oauth_callback" {
				t.Errorf("oauth_parameters_rejected = %q", v.Get("oauth_parameters_rejected"))
			}
		})
	}

	t.Run("with a token", func(t *testing.T) {
		c := e.flow(e.config(consumerKey, consumerSecret))
		req := e.signed(e.config(consumerKey, consumerSecret), dg.NewToken(c.token, c.secret), http.MethodPost, e.TS.URL+oauth1.PathRequestToken, "")
		v := wantProblem(t, kittest.Do(t, e.HTTP, req), oauth1.ProblemParameterRejected)
		if v.Get("oauth_parameters_rejected") != "oauth_token" {
			t.Errorf("oauth_parameters_rejected = %q", v.Get("oauth_parameters_rejected"))
		}
	})
	t.Run("timestamp refused", func(t *testing.T) {
		e := newEnv(t, testConfig(t))
		e.Clock.Advance(10 * time.Minute)
		rec := &bodyRecorder{}
		cfg := e.config(consumerKey, consumerSecret)
		cfg.HTTPClient = &http.Client{Transport: rec}
		if _, _, err := cfg.RequestToken(); err == nil {
			t.Fatal("RequestToken succeeded")
		}
		wantProblem(t, rec.last, oauth1.ProblemTimestampRefused)
	})
	t.Run("GET", func(t *testing.T) {
		r := e.Get(oauth1.PathRequestToken, nil)
		if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST" {
			t.Errorf("%d Allow=%q %s", r.StatusCode, r.Header.Get("Allow"), r.Text)
		}
	})
}

func TestAccessTokenProblems(t *testing.T) {
	e := newEnv(t, testConfig(t), oauth1.WithLogger(nil))
	cfg := e.config(consumerKey, consumerSecret)
	exchange := func(t *testing.T, reqToken, reqSecret, verifier string) response {
		t.Helper()
		rec := &bodyRecorder{}
		c := *cfg
		c.HTTPClient = &http.Client{Transport: rec}
		_, _, _ = c.AccessToken(reqToken, reqSecret, verifier)
		return rec.last
	}

	t.Run("single use", func(t *testing.T) {
		tok, sec := e.requestToken(cfg)
		ver := e.verifier(cfg, tok)
		if r := exchange(t, tok, sec, ver); r.StatusCode != http.StatusOK {
			t.Fatalf("first exchange: %d %s", r.StatusCode, r.Text)
		}
		wantProblem(t, exchange(t, tok, sec, ver), oauth1.ProblemTokenRejected)
		// the used verifier with another temporary credential
		tok2, sec2 := e.requestToken(cfg)
		e.verifier(cfg, tok2)
		wantProblem(t, exchange(t, tok2, sec2, ver), oauth1.ProblemVerifierInvalid)
	})
	t.Run("verifier absent", func(t *testing.T) {
		tok, sec := e.requestToken(cfg)
		e.verifier(cfg, tok)
		v := wantProblem(t, exchange(t, tok, sec, ""), oauth1.ProblemParameterAbsent)
		if v.Get("oauth_parameters_absent") != "oauth_verifier" {
			t.Errorf("oauth_parameters_absent = %q", v.Get("oauth_parameters_absent"))
		}
	})
	t.Run("wrong verifier, then the right one", func(t *testing.T) {
		tok, sec := e.requestToken(cfg)
		ver := e.verifier(cfg, tok)
		wantProblem(t, exchange(t, tok, sec, ver+"X"), oauth1.ProblemVerifierInvalid)
		if r := exchange(t, tok, sec, ver); r.StatusCode != http.StatusOK {
			t.Errorf("right verifier after a wrong one: %d %s", r.StatusCode, r.Text)
		}
	})
	t.Run("not yet authorized", func(t *testing.T) {
		tok, sec := e.requestToken(cfg)
		wantProblem(t, exchange(t, tok, sec, "GUESS"), oauth1.ProblemVerifierInvalid)
	})
	t.Run("access token instead of the temporary credential", func(t *testing.T) {
		c := e.flow(cfg)
		wantProblem(t, exchange(t, c.token, c.secret, c.verifier), oauth1.ProblemTokenRejected)
	})
	t.Run("unknown token", func(t *testing.T) {
		wantProblem(t, exchange(t, "NOPE", "x", "y"), oauth1.ProblemTokenRejected)
	})
	t.Run("another consumer's temporary credential", func(t *testing.T) {
		tok, sec := e.requestToken(cfg)
		ver := e.verifier(cfg, tok)
		other := e.config("any-callback", "any-secret")
		rec := &bodyRecorder{}
		other.HTTPClient = &http.Client{Transport: rec}
		_, _, _ = other.AccessToken(tok, sec, ver)
		wantProblem(t, rec.last, oauth1.ProblemTokenRejected)
	})
	t.Run("denied", func(t *testing.T) {
		tok, sec := e.requestToken(cfg)
		if r := e.authorize(cfg, tok, "", "", "deny"); r.StatusCode != http.StatusFound {
			t.Fatalf("deny: %d", r.StatusCode)
		}
		wantProblem(t, exchange(t, tok, sec, "x"), oauth1.ProblemTokenRejected)
	})
	t.Run("GET", func(t *testing.T) {
		r := e.Get(oauth1.PathAccessToken, nil)
		if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST" {
			t.Errorf("%d Allow=%q", r.StatusCode, r.Header.Get("Allow"))
		}
	})
}

// TestExpiry moves the injected clock past TemporaryCredentialTTL (shorter than the timestamp
// window, so that dghubble's real-time timestamps stay acceptable).
func TestExpiry(t *testing.T) {
	cfg := testConfig(t)
	cfg.TemporaryCredentialTTL = oauth1.Duration(time.Minute)
	e := newEnv(t, cfg)
	dc := e.config(consumerKey, consumerSecret)

	// authorized, then expired before the exchange
	tok, sec := e.requestToken(dc)
	ver := e.verifier(dc, tok)
	e.Clock.Advance(time.Minute)
	rec := &bodyRecorder{}
	dc.HTTPClient = &http.Client{Transport: rec}
	if _, _, err := dc.AccessToken(tok, sec, ver); err == nil {
		t.Fatal("AccessToken with an expired credential succeeded")
	}
	wantProblem(t, rec.last, oauth1.ProblemTokenExpired)

	// expired before the user came: an error page, no redirect
	dc = e.config(consumerKey, consumerSecret)
	tok, _ = e.requestToken(dc)
	e.Clock.Advance(61 * time.Second)
	r := e.Get(oauth1.PathAuthorize, url.Values{"oauth_token": {tok}})
	if r.StatusCode != http.StatusBadRequest || r.Header.Get("Location") != "" || kittest.ByID(kittest.ParseHTML(t, r.Text), "error") == nil {
		t.Errorf("expired token page: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Text)
	}

	// just inside the lifetime it works
	tok, sec = e.requestToken(dc)
	ver = e.verifier(dc, tok)
	e.Clock.Advance(59 * time.Second)
	if _, _, err := dc.AccessToken(tok, sec, ver); err != nil {
		t.Errorf("AccessToken within the lifetime: %v", err)
	}
}
