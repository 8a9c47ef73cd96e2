package stack_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/httpdriver"
	"github.com/iefconform/iefconform/harness/stack"
	mockoauth1 "github.com/iefconform/iefconform/mocks/oauth1"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
	"github.com/iefconform/iefconform/mocks/rp"
)

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	testPKI *stack.PKI
)

func signingKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	keyOnce.Do(func() {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err) // test setup only
		}
		if testPKI, err = stack.NewPKI(); err != nil {
			panic(err) // test setup only
		}
	})
	return key
}

// mustPolicies is the built-in policy folders.
func mustPolicies(tb testing.TB) fs.FS {
	tb.Helper()
	policies, err := fs.Sub(features.FS, features.Policies)
	if err != nil {
		tb.Fatal(err)
	}
	return policies
}

// start returns a stack serving the built-in Facebook policies with a user alice.
func start(tb testing.TB) *stack.Stack {
	tb.Helper()
	policies, err := fs.Sub(features.FS, features.Policies)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := stack.Start(stack.Options{Policies: policies, SigningKey: signingKey(tb), AssertionKey: signingKey(tb), PKI: testPKI, PartyTimeout: 2 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	if err := s.UsePolicy("facebook", nil); err != nil {
		tb.Fatal(err)
	}
	err = s.Facebook.AddUser(mockoauth2.User{Username: "alice", Password: "wonderland", Claims: map[string]any{
		"id": "10158000000000001", "first_name": "Alice", "last_name": "Liddell", "name": "Alice Liddell", "email": "alice@example.com",
	}})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// httpSignIn starts a sign-in at the relying party with policyID and mode,
// fills the form formID of the first page with fields, presses the submit
// button whose "action" value is button, and returns what the relying party
// got, over plain HTTP (harness/httpdriver).
func httpSignIn(s *stack.Stack, policyID, mode, formID string, fields map[string]string, button string) (rp.Result, error) {
	c, page, state, err := openSignIn(s, policyID, mode)
	if err != nil {
		return rp.Result{}, err
	}
	f, err := page.FillForm(formID, fields)
	if err != nil {
		return rp.Result{}, err
	}
	if _, err := c.Submit(f, "action", button); err != nil {
		return rp.Result{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.RP.Wait(ctx, state)
}

// openSignIn has the relying party start a sign-in (id_token by mode; by
// query, which never carries an id_token, a code the relying party redeems)
// and loads its first page in a plain HTTP client.
func openSignIn(s *stack.Stack, policyID, mode string) (*httpdriver.Client, *httpdriver.Page, string, error) {
	responseType := "id_token"
	if mode == "query" {
		responseType = "code"
	}
	u, state, err := s.BeginSignIn(policyID, rp.AuthorizeRequest{ResponseType: responseType, ResponseMode: mode})
	if err != nil {
		return nil, nil, "", err
	}
	c, err := httpdriver.New(30 * time.Second)
	if err != nil {
		return nil, nil, "", err
	}
	page, err := c.Get(u)
	if err != nil {
		return nil, nil, "", err
	}
	return c, page, state, nil
}

// signIn runs one Facebook journey over plain HTTP and returns what the relying party got.
func signIn(s *stack.Stack, mode, password string) (rp.Result, error) {
	return httpSignIn(s, "B2C_1A_signup_signin", mode, "login-form", map[string]string{"username": "alice", "password": password}, "signin")
}

// benchJourney runs signIn b.N times, each to a verified id_token, and reports ms/journey.
func benchJourney(b *testing.B, signIn func() (rp.Result, error)) {
	b.Helper()
	b.ResetTimer()
	for range b.N {
		res, err := signIn()
		if err != nil {
			b.Fatal(err)
		}
		if res.VerifyError != "" || res.IDToken == "" {
			b.Fatalf("no verified token: %s %s %s", res.Error, res.ErrorDescription, res.VerifyError)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/journey")
}

func TestJourneyOverHTTP(t *testing.T) {
	s := start(t)
	for _, mode := range []string{"form_post", "query"} {
		t.Run(mode, func(t *testing.T) {
			res, err := signIn(s, mode, "wonderland")
			if err != nil {
				t.Fatal(err)
			}
			if res.VerifyError != "" || res.Error != "" {
				t.Fatalf("want a verified id_token, got error=%q verify=%q", res.Error, res.VerifyError)
			}
			if got := res.Claims["given_name"]; got != "Alice" {
				t.Errorf("given_name = %v, want Alice", got)
			}
			if res.Mode != mode {
				t.Errorf("mode = %q, want %q", res.Mode, mode)
			}
		})
	}
}

// TestConcurrentJourneys runs journeys in parallel on one stack and on separate
// stacks: scenarios must be safe to run concurrently (-race).
func TestConcurrentJourneys(t *testing.T) {
	shared := start(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	tokens := make(chan string, 16)
	journey := func(s *stack.Stack, mode string) {
		defer wg.Done()
		res, err := signIn(s, mode, "wonderland")
		if err == nil && res.VerifyError != "" {
			err = fmt.Errorf("verify: %s", res.VerifyError)
		}
		errs <- err
		tokens <- res.IDToken
	}
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go journey(shared, "form_post")
		go journey(start(t), "query")
	}
	wg.Wait()
	close(errs)
	close(tokens)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	seen := map[string]bool{}
	for tok := range tokens {
		if seen[tok] {
			t.Errorf("two journeys got the same id_token")
		}
		seen[tok] = true
	}
}

// TestPartyDown: Facebook's token endpoint refuses connections, so the
// emulator's token call fails after the login; the relying party gets an error
// redirect, not a token, and the emulator keeps serving the next journey.
func TestPartyDown(t *testing.T) {
	s := start(t)
	down, err := harness.UnreachableURL("/token")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UsePolicy("facebook", policy.Settings{"FacebookAccessTokenEndpoint": down}); err != nil {
		t.Fatal(err)
	}
	res, err := signIn(s, "form_post", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != "server_error" || !strings.HasPrefix(res.ErrorDescription, "AADB2C90289") || res.IDToken != "" {
		t.Fatalf("want server_error AADB2C90289 and no token, got error=%q description=%q token=%v", res.Error, res.ErrorDescription, res.IDToken != "")
	}
	if err := s.UsePolicy("facebook", nil); err != nil {
		t.Fatal(err)
	}
	if res, err := signIn(s, "form_post", "wonderland"); err != nil || res.IDToken == "" {
		t.Fatalf("the next journey must succeed: err=%v error=%q", err, res.Error)
	}
	if err := s.Stop(stack.PartyFacebook); err != nil {
		t.Fatal(err)
	}
	if _, err := signIn(s, "form_post", "wonderland"); err == nil {
		t.Fatal("want an error reaching a stopped Facebook")
	}
	if err := s.Stop(stack.PartyFacebook); err == nil {
		t.Fatal("stopping a stopped party must fail")
	}
}

// BenchmarkJourney is one full Facebook journey without a browser: relying
// party → emulator → Facebook login form → emulator (token and claims calls) →
// relying party with a verified id_token.
func BenchmarkJourney(b *testing.B) {
	s := start(b)
	benchJourney(b, func() (rp.Result, error) { return signIn(s, "form_post", "wonderland") })
}

// contosoSignIn runs one journey through the generic Contoso IdP over plain HTTP.
func contosoSignIn(s *stack.Stack) (rp.Result, error) {
	return httpSignIn(s, "B2C_1A_OAuth2_SignIn", "form_post", "login-form", map[string]string{"username": "bob", "password": "builder"}, "signin")
}

// startContoso serves the oauth2 policy folder; with pkjwt the Contoso profile
// and client use private_key_jwt with RS256.
func startContoso(tb testing.TB, pkjwt bool) *stack.Stack {
	tb.Helper()
	s := start(tb)
	idp, _ := s.IdP(stack.PartyContoso)
	if err := idp.Mock.AddUser(mockoauth2.User{Username: "bob", Password: "builder", Claims: map[string]any{"sub": "contoso-0001", "given_name": "Bob"}}); err != nil {
		tb.Fatal(err)
	}
	var o stack.PolicyOptions
	if pkjwt {
		pub, err := harness.PublicKeyPEM(s.AssertionKey())
		if err != nil {
			tb.Fatal(err)
		}
		if err := idp.Mock.AddClient(mockoauth2.Client{ID: idp.ClientID, Secret: idp.Secret, AuthMethod: "private_key_jwt", PublicKeyPEM: pub}); err != nil {
			tb.Fatal(err)
		}
		o.Patches = []policy.TechnicalProfile{{
			ID:                "Contoso-OAUTH2",
			Metadata:          policy.Metadata{{Key: "token_endpoint_auth_method", Value: "private_key_jwt"}},
			CryptographicKeys: []policy.Key{{ID: "assertion_signing_key", StorageReferenceID: stack.ContosoAssertionKey}},
		}}
	}
	if err := s.Load("oauth2", o); err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestContosoJourneys(t *testing.T) {
	for _, pkjwt := range []bool{false, true} {
		t.Run(fmt.Sprintf("private_key_jwt=%v", pkjwt), func(t *testing.T) {
			s := startContoso(t, pkjwt)
			res, err := contosoSignIn(s)
			if err != nil {
				t.Fatal(err)
			}
			if res.IDToken == "" || res.VerifyError != "" || res.Claims["given_name"] != "Bob" {
				t.Fatalf("want a verified id_token for Bob, got error=%q %q verify=%q", res.Error, res.ErrorDescription, res.VerifyError)
			}
			idp, _ := s.IdP(stack.PartyContoso)
			last, ok := idp.Mock.LastRequest(mockoauth2.EndpointToken)
			if !ok {
				t.Fatal("Contoso received no token request")
			}
			if got := last.Form.Has("client_assertion"); got != pkjwt {
				t.Errorf("client_assertion present = %v, want %v", got, pkjwt)
			}
		})
	}
}

// BenchmarkContosoJourney is one journey through the generic OAuth2 IdP without
// a browser, with the default client_secret_post and with private_key_jwt.
func BenchmarkContosoJourney(b *testing.B) {
	for _, tc := range []struct {
		name  string
		pkjwt bool
	}{{"client_secret_post", false}, {"private_key_jwt", true}} {
		b.Run(tc.name, func(b *testing.B) {
			s := startContoso(b, tc.pkjwt)
			benchJourney(b, func() (rp.Result, error) { return contosoSignIn(s) })
		})
	}
}

// twitterSignIn runs one journey through the OAuth 1.0a identity provider over plain HTTP.
func twitterSignIn(s *stack.Stack) (rp.Result, error) {
	return httpSignIn(s, "B2C_1A_Twitter_SignIn", "form_post", "login-form", map[string]string{"username": "alice", "password": "wonderland"}, "allow")
}

func startTwitter(tb testing.TB) *stack.Stack {
	tb.Helper()
	s := start(tb)
	if err := s.Twitter.AddUser(mockoauth1.User{Username: "alice", Password: "wonderland", UserID: "1187000000000001", ScreenName: "alice_l", Email: "alice@example.com"}); err != nil {
		tb.Fatal(err)
	}
	if err := s.UsePolicy("social", nil); err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestTwitterJourney(t *testing.T) {
	s := startTwitter(t)
	res, err := twitterSignIn(s)
	if err != nil {
		t.Fatal(err)
	}
	if res.IDToken == "" || res.VerifyError != "" || res.Claims["sub"] != "1187000000000001" || res.Claims["email"] != "alice@example.com" {
		t.Fatalf("want a verified id_token for alice, got error=%q %q verify=%q claims=%v", res.Error, res.ErrorDescription, res.VerifyError, res.Claims)
	}
}

// BenchmarkTwitterJourney is one OAuth 1.0a journey without a browser: request
// token, login form, access token and a signed claims call, all HMAC-SHA1.
func BenchmarkTwitterJourney(b *testing.B) {
	s := startTwitter(b)
	benchJourney(b, func() (rp.Result, error) { return twitterSignIn(s) })
}
