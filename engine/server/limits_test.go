package server

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/journey"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// patchJourney changes what policyID's journey runs, bypassing validation as
// a policy that escaped it would: first runs before the journey's own steps,
// with the sub journeys subs (Call ones) and the extra technical profiles.
// Called before the emulator serves a request.
func patchJourney(t testing.TB, e *emulator, policyID string, first []policy.OrchestrationStep, subs map[string][]policy.OrchestrationStep, profiles map[string]any) {
	t.Helper()
	rp, ok := e.srv.rps[strings.ToLower(policyID)]
	if !ok {
		t.Fatalf("no relying party %s", policyID)
	}
	for id, steps := range subs {
		rp.policy.SubJourneys[id] = &policy.UserJourney{ID: id, Type: journey.SubJourneyCall, Steps: steps}
	}
	uj := *rp.journey.Journey
	uj.Steps = append(append([]policy.OrchestrationStep(nil), first...), uj.Steps...)
	rp.journey.Journey = &uj
	for id, p := range profiles {
		rp.journey.Profiles[id] = p
	}
}

// liveJourneys is how many journeys the emulator keeps.
func liveJourneys(e *emulator) int {
	e.srv.sessions.mu.Lock()
	defer e.srv.sessions.mu.Unlock()
	return len(e.srv.sessions.byID)
}

func invokeStep(order int, sub string) policy.OrchestrationStep {
	return policy.OrchestrationStep{Order: order, Type: journey.StepInvokeSubJourney, JourneyList: []policy.Candidate{{SubJourneyReferenceID: sub}}}
}

// TestLoopingPolicy: a policy whose sub journeys invoke each other (which
// validation rejects) is stopped by the journey's limits: the authorize
// request answers with the error page, and the emulator keeps serving.
func TestLoopingPolicy(t *testing.T) {
	tests := []struct {
		name string
		subs map[string][]policy.OrchestrationStep
	}{
		{"a sub journey invoking itself", map[string][]policy.OrchestrationStep{"a": {invokeStep(1, "a")}}},
		{"two sub journeys invoking each other", map[string][]policy.OrchestrationStep{"a": {invokeStep(1, "b")}, "b": {invokeStep(1, "a")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEmulator(t, emuOptions{})
			patchJourney(t, e, policySignIn, []policy.OrchestrationStep{invokeStep(0, "a")}, tt.subs, nil)
			o := newBrowser(t).get(e.authorizeURL(policySignIn, nil))
			wantPage(t, o, http.StatusInternalServerError, "")
			if msg := elementText(t, o, "error-message"); !strings.Contains(msg, "does not end") || !strings.Contains(msg, "sub journey a") {
				t.Errorf("error message %q: want it to say the journey does not end, naming sub journey a", msg)
			}
			if n := e.idpA.total(); n != 0 {
				t.Errorf("IdP A got %d requests from a looping journey", n)
			}
			if n := liveJourneys(e); n != 0 {
				t.Errorf("%d journeys kept after the loop was stopped, want none", n)
			}
			good := signIn(t, e, newBrowser(t), policyPicker, nil, "IdPBExchange")
			idToken(t, e, good, policyPicker)
		})
	}
}

// blocker is a technical profile (a profile.Caller) that blocks until its
// request's context ends, and reports the context's cause.
type blocker struct{ cause chan error }

func (b *blocker) Call(ctx context.Context, _ *profile.Env) error {
	<-ctx.Done()
	b.cause <- context.Cause(ctx)
	return ctx.Err()
}

// TestRequestTimeout: a technical profile that takes longer than the
// request's time budget is stopped, and the browser gets the error page.
func TestRequestTimeout(t *testing.T) {
	// Only this test's emulator has a short budget; its one profile blocks
	// until the budget ends it, however slow the machine.
	e := newEmulator(t, emuOptions{requestTimeout: 100 * time.Millisecond})
	b := &blocker{cause: make(chan error, 1)}
	patchJourney(t, e, policySignIn, []policy.OrchestrationStep{{Order: 0, Type: journey.StepClaimsExchange,
		ClaimsExchanges: []policy.ClaimsExchange{{ID: "Block", TechnicalProfileReferenceID: "Blocker"}}}}, nil, map[string]any{"Blocker": b})
	o := newBrowser(t).get(e.authorizeURL(policySignIn, nil)) // returns once the handler has
	wantPage(t, o, http.StatusGatewayTimeout, "")
	if msg := elementText(t, o, "error-message"); !strings.Contains(msg, "time budget") || !strings.Contains(msg, "100ms") {
		t.Errorf("error message %q: want it to name the time budget", msg)
	}
	if cause := <-b.cause; cause != ErrRequestTimeout {
		t.Errorf("the profile's context ended by %v, want ErrRequestTimeout", cause)
	}
	if n := liveJourneys(e); n != 0 {
		t.Errorf("%d journeys kept after the timeout, want none", n)
	}
}

// TestRequestTimeoutDefault: the budget fits a RESTful call's every attempt.
func TestRequestTimeoutDefault(t *testing.T) {
	tests := []struct{ rest, want time.Duration }{
		{2 * time.Second, DefaultRequestTimeout},
		{30 * time.Second, 95 * time.Second},
	}
	for _, tt := range tests {
		if got := requestTimeout(tt.rest); got != tt.want {
			t.Errorf("requestTimeout(%s) = %s, want %s", tt.rest, got, tt.want)
		}
	}
}

// TestRequestLimits: bodies and URLs over the limits are refused on every
// endpoint a browser or party reaches, and requests within them work.
func TestRequestLimits(t *testing.T) {
	const maxBody, maxURL = 2048, 4096
	e := newEmulator(t, emuOptions{maxBodyBytes: maxBody, maxURLBytes: maxURL})
	big := url.Values{"filler": {strings.Repeat("x", maxBody)}}.Encode()
	post := func(t *testing.T, u, body string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return resp, readBody(t, resp)
	}
	tenant := e.base + "/" + DefaultTenant
	policyURL := e.srv.policyURL(policySignIn)
	for _, u := range []string{
		e.srv.AuthorizeURL(policySignIn),
		tenant + "/oauth2/authresp",
		policyURL + "/oauth2/authresp",
		policyURL + "/oauth1/authresp",
		policyURL + "/api/selection",
		policyURL + "/api/selfasserted",
	} {
		t.Run("body over the limit to "+strings.TrimPrefix(u, e.base), func(t *testing.T) {
			resp, body := post(t, u, big)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "MaxBodyBytes") {
				t.Fatalf("HTTP %d %.300s, want 413 naming MaxBodyBytes", resp.StatusCode, body)
			}
		})
	}
	t.Run("body over the limit to the token endpoint", func(t *testing.T) {
		resp, body := post(t, e.srv.TokenURL(policySignIn), big)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"invalid_request"`) {
			t.Fatalf("HTTP %d %s, want 413 invalid_request", resp.StatusCode, body)
		}
	})
	t.Run("URL over the limit", func(t *testing.T) {
		o := newBrowser(t).get(e.authorizeURL(policySignIn, map[string]string{"login_hint": strings.Repeat("x", maxURL)}))
		wantPage(t, o, http.StatusRequestURITooLong, "")
	})
	t.Run("a POSTed authorization request is held to the URL's bound", func(t *testing.T) {
		// #18 item 10: a huge state by POST was echoed into a Location header.
		e := newEmulator(t, emuOptions{})
		q, _ := url.ParseQuery(strings.SplitN(e.authorizeURL(policySignIn, nil), "?", 2)[1])
		q.Set("state", strings.Repeat("s", DefaultMaxURLBytes))
		o := newBrowser(t).post(e.srv.AuthorizeURL(policySignIn), q)
		wantPage(t, o, http.StatusRequestURITooLong, "")
		if n := e.idpA.count("/authorize"); n != 0 {
			t.Errorf("the journey started: IdP A got %d requests", n)
		}
		e.srv.sessions.mu.Lock()
		n := len(e.srv.sessions.byID)
		e.srv.sessions.mu.Unlock()
		if n != 0 {
			t.Errorf("%d sessions kept for a refused request", n)
		}
	})
	t.Run("a GET under the URL's bound is not measured again", func(t *testing.T) {
		// ':' is legal unescaped in a query; re-encoded it would be three bytes.
		e := newEmulator(t, emuOptions{})
		u := e.authorizeURL(policySignIn, nil) + "&login_hint=" + strings.Repeat(":", DefaultMaxURLBytes/2)
		if o := newBrowser(t).get(u); o.Mode == "page" && o.Status == http.StatusRequestURITooLong {
			t.Fatalf("a %d-byte URL got 414", len(u))
		}
	})
	t.Run("within the limits", func(t *testing.T) {
		o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_mode": "form_post"}, "")
		idToken(t, e, o, policySignIn)
	})
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestNotImplementedProfile: a policy whose journey can reach a technical
// profile the emulator does not implement still loads; a journey that reaches
// it stops there, on the error page naming the profile (HTTP 501), and the
// relying party is not answered.
func TestNotImplementedProfile(t *testing.T) {
	t.Run("the policy loads", func(t *testing.T) {
		body := `<ClaimsProviders><ClaimsProvider><DisplayName>P</DisplayName><TechnicalProfiles>` +
			`<TechnicalProfile Id="IdP"><Protocol Name="SAML2" /></TechnicalProfile>` +
			`<TechnicalProfile Id="JwtIssuer"><Protocol Name="None" /><OutputTokenFormat>JWT</OutputTokenFormat><CryptographicKeys><Key Id="issuer_secret" StorageReferenceId="B2C_1A_TokenSigningKeyContainer" /></CryptographicKeys></TechnicalProfile>` +
			`</TechnicalProfiles></ClaimsProvider></ClaimsProviders>` +
			`<UserJourneys><UserJourney Id="J"><OrchestrationSteps><OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges><ClaimsExchange Id="X" TechnicalProfileReferenceId="IdP" /></ClaimsExchanges></OrchestrationStep>` +
			`<OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" /></OrchestrationSteps></UserJourney></UserJourneys>` +
			`<RelyingParty><DefaultUserJourney ReferenceId="J" /><TechnicalProfile Id="PolicyProfile"><Protocol Name="OpenIdConnect" /><OutputClaims /></TechnicalProfile></RelyingParty>`
		f, err := policy.Parse("B2C_1A_Test.xml", []byte(`<TrustFrameworkPolicy xmlns="`+policy.Namespace+`" PolicySchemaVersion="0.3.0.0" TenantId="t.onmicrosoft.com" PolicyId="B2C_1A_Test">`+body+`</TrustFrameworkPolicy>`), nil)
		if err != nil {
			t.Fatal(err)
		}
		set, err := policy.NewSet(f)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := New(Config{BaseURL: "http://127.0.0.1:1", Policies: set})
		if err != nil {
			t.Fatalf("New = %v, want the policy loaded", err)
		}
		if _, ok := srv.rps["b2c_1a_test"].journey.Profiles["IdP"].(notImplemented); !ok {
			t.Errorf("profile IdP is %T, want notImplemented", srv.rps["b2c_1a_test"].journey.Profiles["IdP"])
		}
	})
	t.Run("a journey that reaches it stops there", func(t *testing.T) {
		e := newEmulator(t, emuOptions{})
		tp := &policy.TechnicalProfile{ID: "PhoneFactor-InputOrVerify", Pos: policy.Pos{File: "TrustFrameworkBase.xml", Line: 640},
			Protocol: &policy.Protocol{Name: "Proprietary", Handler: "Web.TPEngine.Providers.PhoneFactorProtocolProvider, Web.TPEngine"}}
		patchJourney(t, e, policySignIn, []policy.OrchestrationStep{{Order: 0, Type: journey.StepClaimsExchange,
			ClaimsExchanges: []policy.ClaimsExchange{{ID: "Phone", TechnicalProfileReferenceID: tp.ID}}}}, nil, map[string]any{tp.ID: newNotImplemented(tp)})
		o := newBrowser(t).get(e.authorizeURL(policySignIn, nil))
		wantPage(t, o, http.StatusNotImplemented, "")
		msg := elementText(t, o, "error-message")
		for _, want := range []string{"PhoneFactor-InputOrVerify", "PhoneFactorProtocolProvider", "TrustFrameworkBase.xml:640", "not implemented"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error message %q: want it to name %q", msg, want)
			}
		}
		if n := liveJourneys(e); n != 0 {
			t.Errorf("%d journeys kept after the stop, want none", n)
		}
	})
}
