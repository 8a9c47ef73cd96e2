package journey_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/journey"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

// recorder is the ordered list of profile calls of one test.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// redirector is a fake profile.Redirector: Start returns url (or startErr),
// Complete writes out into the bag (or returns completeErr).
type redirector struct {
	id          string
	rec         *recorder
	startErr    error
	completeErr error
	out         map[string]string
	params      url.Values
}

func (f *redirector) Start(_ context.Context, env *profile.Env) (string, error) {
	f.rec.add("start " + f.id)
	if f.startErr != nil {
		return "", f.startErr
	}
	return "https://" + strings.ToLower(f.id) + ".example/authorize?state=" + env.State, nil
}

func (f *redirector) Complete(_ context.Context, env *profile.Env, params url.Values) error {
	f.rec.add("complete " + f.id)
	f.params = params
	if f.completeErr != nil {
		return f.completeErr
	}
	for k, v := range f.out {
		env.Claims.Set(k, v)
	}
	return nil
}

// caller is a fake profile.Caller; hook, when set, runs during the call.
type caller struct {
	id   string
	rec  *recorder
	err  error
	out  map[string]string
	hook func()
}

func (f *caller) Call(_ context.Context, env *profile.Env) error {
	f.rec.add("call " + f.id)
	if f.hook != nil {
		f.hook()
	}
	if f.err != nil {
		return f.err
	}
	for k, v := range f.out {
		env.Claims.Set(k, v)
	}
	return nil
}

// issuer is a fake profile.Issuer; the journey never calls it (the server does).
type issuer struct{}

func (issuer) Issue(context.Context, *profile.Env, profile.IssueRequest) (*profile.Issued, error) {
	return &profile.Issued{IDToken: "token"}, nil
}

// policyXML is a relying-party policy with the given journey steps and RP output claims.
func policyXML(steps, rpOutput string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy xmlns="%s" PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_Signup_Signin">
  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="objectId"><DataType>string</DataType></ClaimType>
      <ClaimType Id="email"><DataType>string</DataType></ClaimType>
      <ClaimType Id="givenName"><DataType>string</DataType></ClaimType>
      <ClaimType Id="age"><DataType>int</DataType></ClaimType>
      <ClaimType Id="bigNumber"><DataType>long</DataType></ClaimType>
      <ClaimType Id="emailVerified"><DataType>boolean</DataType></ClaimType>
      <ClaimType Id="roles"><DataType>stringCollection</DataType></ClaimType>
      <ClaimType Id="correlationId"><DataType>string</DataType></ClaimType>
      <ClaimType Id="policy"><DataType>string</DataType></ClaimType>
      <ClaimType Id="idp"><DataType>string</DataType></ClaimType>
      <ClaimType Id="surname"><DataType>string</DataType><DefaultPartnerClaimTypes>
        <Protocol Name="OAuth2" PartnerClaimType="last_name" /><Protocol Name="OpenIdConnect" PartnerClaimType="family_name" />
      </DefaultPartnerClaimTypes></ClaimType>
      <ClaimType Id="displayName"><DataType>string</DataType><DefaultPartnerClaimTypes>
        <Protocol Name="OAuth2" PartnerClaimType="unique_name" />
      </DefaultPartnerClaimTypes></ClaimType>
      <ClaimType Id="identityProvider"><DataType>string</DataType><DefaultPartnerClaimTypes>
        <Protocol Name="openidconnect" PartnerClaimType="idp" />
      </DefaultPartnerClaimTypes></ClaimType>
    </ClaimsSchema>
  </BuildingBlocks>
  <ClaimsProviders>
    <ClaimsProvider>
      <DisplayName>Facebook</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="Facebook-OAUTH"><DisplayName>Facebook</DisplayName><Protocol Name="OAuth2" /></TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
    <ClaimsProvider>
      <DisplayName>Contoso Login</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="Contoso-OAUTH"><Protocol Name="OAuth2" /></TechnicalProfile>
        <TechnicalProfile Id="REST-A"><Protocol Name="Proprietary" /></TechnicalProfile>
        <TechnicalProfile Id="REST-B"><Protocol Name="Proprietary" /></TechnicalProfile>
        <TechnicalProfile Id="JwtIssuer"><Protocol Name="OpenIdConnect" /><OutputTokenFormat>JWT</OutputTokenFormat></TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>
  <UserJourneys>
    <UserJourney Id="Test">
      <OrchestrationSteps>
%s
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>
  <RelyingParty>
    <DefaultUserJourney ReferenceId="Test" />
    <TechnicalProfile Id="PolicyProfile">
      <Protocol Name="OpenIdConnect" />
      <OutputClaims>%s</OutputClaims>
    </TechnicalProfile>
  </RelyingParty>
</TrustFrameworkPolicy>
`, policy.Namespace, steps, rpOutput)
}

func loadJourney(t *testing.T, steps, rpOutput string, profiles map[string]any) *journey.Journey {
	t.Helper()
	f, err := policy.Parse("journey.xml", []byte(policyXML(steps, rpOutput)), nil)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	set, err := policy.NewSet(f)
	if err != nil {
		t.Fatalf("set: %v", err)
	}
	p, err := set.Resolve("B2C_1A_Signup_Signin")
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	uj, ok := p.Journey()
	if !ok {
		t.Fatal("no journey")
	}
	return &journey.Journey{Policy: p, Journey: uj, Profiles: profiles}
}

// newEnv is a journey's Env (profiletest's) without a party to call.
func newEnv() *profile.Env { return profiletest.NewEnv(nil) }

func exchangeStep(order int, pre string, exchanges ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<OrchestrationStep Order="%d" Type="ClaimsExchange">`, order)
	if pre != "" {
		b.WriteString("<Preconditions>" + pre + "</Preconditions>")
	}
	b.WriteString("<ClaimsExchanges>")
	for _, ex := range exchanges {
		id, tp, _ := strings.Cut(ex, "=")
		fmt.Fprintf(&b, `<ClaimsExchange Id="%s" TechnicalProfileReferenceId="%s" />`, id, tp)
	}
	b.WriteString("</ClaimsExchanges></OrchestrationStep>\n")
	return b.String()
}

func selectionStep(order int, display string, targets ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<OrchestrationStep Order="%d" Type="ClaimsProviderSelection"><ClaimsProviderSelections`, order)
	if display != "" {
		fmt.Fprintf(&b, ` DisplayOption="%s"`, display)
	}
	b.WriteString(">")
	for _, tg := range targets {
		fmt.Fprintf(&b, `<ClaimsProviderSelection TargetClaimsExchangeId="%s" />`, tg)
	}
	b.WriteString("</ClaimsProviderSelections></OrchestrationStep>\n")
	return b.String()
}

func sendStep(order int, issuerID string) string {
	if issuerID == "" {
		return fmt.Sprintf(`<OrchestrationStep Order="%d" Type="SendClaims" />`+"\n", order)
	}
	return fmt.Sprintf(`<OrchestrationStep Order="%d" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="%s" />`+"\n", order, issuerID)
}

func skipIfExists(claim string) string {
	return `<Precondition Type="ClaimsExist" ExecuteActionsIf="true"><Value>` + claim + `</Value><Action>SkipThisOrchestrationStep</Action></Precondition>`
}

func skipIfEquals(claim, value string) string {
	return `<Precondition Type="ClaimEquals" ExecuteActionsIf="true"><Value>` + claim + `</Value><Value>` + value + `</Value><Action>SkipThisOrchestrationStep</Action></Precondition>`
}

// TestAdvanceCallers runs journeys of Caller steps (UJ-01, UJ-02, UJ-03).
func TestAdvanceCallers(t *testing.T) {
	tests := []struct {
		name      string
		steps     func() string
		bag       map[string]string
		wantCalls []string
	}{
		{
			name: "steps run in ascending Order, gaps allowed (UJ-01)",
			steps: func() string {
				return exchangeStep(1, "", "A=REST-A") + exchangeStep(2, "", "B=REST-B") + sendStep(7, "JwtIssuer")
			},
			wantCalls: []string{"call REST-A", "call REST-B"},
		},
		{
			name: "ClaimsExist precondition on a claim an earlier step wrote skips the step: no call (UJ-01)",
			steps: func() string {
				return exchangeStep(1, "", "A=REST-A") + exchangeStep(2, skipIfExists("objectId"), "B=REST-B") + sendStep(3, "JwtIssuer")
			},
			wantCalls: []string{"call REST-A"},
		},
		{
			name: "ClaimsExist on an absent claim runs the step",
			steps: func() string {
				return exchangeStep(1, skipIfExists("email"), "A=REST-A") + sendStep(2, "JwtIssuer")
			},
			wantCalls: []string{"call REST-A"},
		},
		{
			name: "ClaimEquals is case-sensitive (UJ-03)",
			steps: func() string {
				return exchangeStep(1, skipIfEquals("idp", "Phone"), "A=REST-A") + exchangeStep(2, skipIfEquals("idp", "phone"), "B=REST-B") + sendStep(3, "JwtIssuer")
			},
			bag:       map[string]string{"idp": "phone"},
			wantCalls: []string{"call REST-A"},
		},
		{
			name: "ClaimEquals with an absent claim never skips (UJ-02)",
			steps: func() string {
				return exchangeStep(1, skipIfEquals("email", "x"), "A=REST-A") + sendStep(2, "JwtIssuer")
			},
			wantCalls: []string{"call REST-A"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			profiles := map[string]any{
				"REST-A":    &caller{id: "REST-A", rec: rec, out: map[string]string{"objectId": "oid-1"}},
				"REST-B":    &caller{id: "REST-B", rec: rec},
				"JwtIssuer": issuer{},
			}
			j := loadJourney(t, tt.steps(), "", profiles)
			env := newEnv()
			for k, v := range tt.bag {
				env.Claims.Set(k, v)
			}
			var st journey.State
			send := advanceTo[journey.Send](t, j, env, &st)
			if send.IssuerID != "JwtIssuer" || send.Issuer == nil {
				t.Errorf("Send issuer = %q %v, want JwtIssuer", send.IssuerID, send.Issuer)
			}
			if !st.Done {
				t.Error("State.Done is false after SendClaims")
			}
			if got := rec.list(); !reflect.DeepEqual(got, tt.wantCalls) {
				t.Errorf("calls = %q, want %q", got, tt.wantCalls)
			}
			if _, err := j.Advance(context.Background(), env, &st); !errors.Is(err, journey.ErrFinished) {
				t.Errorf("Advance after SendClaims = %v, want ErrFinished", err)
			}
		})
	}
}

func twoIdPs(rec *recorder) map[string]any {
	return map[string]any{
		"Facebook-OAUTH": &redirector{id: "Facebook-OAUTH", rec: rec, out: map[string]string{"email": "fb@example.com"}},
		"Contoso-OAUTH":  &redirector{id: "Contoso-OAUTH", rec: rec, out: map[string]string{"email": "contoso@example.com"}},
		"JwtIssuer":      issuer{},
	}
}

// TestSelection covers the claims-provider selection step (spec §5.2, UJ-05).
func TestSelection(t *testing.T) {
	t.Run("one option with the default DisplayOption redirects at once", func(t *testing.T) {
		rec := &recorder{}
		j := loadJourney(t, selectionStep(1, "", "FacebookExchange")+exchangeStep(2, "", "FacebookExchange=Facebook-OAUTH")+sendStep(3, "JwtIssuer"), "", twoIdPs(rec))
		env := newEnv()
		var st journey.State
		r := advanceTo[journey.Redirect](t, j, env, &st)
		if r.ProfileID != "Facebook-OAUTH" || !strings.HasPrefix(r.URL, "https://facebook-oauth.example/authorize?state="+profiletest.State) {
			t.Errorf("Redirect = %+v", r)
		}
		if st.Pending != "Facebook-OAUTH" || st.Step != 1 {
			t.Errorf("State = %+v, want Pending Facebook-OAUTH at step index 1", st)
		}
	})
	t.Run("one option with ShowSingleProvider shows the page", func(t *testing.T) {
		rec := &recorder{}
		j := loadJourney(t, selectionStep(1, journey.ShowSingleProvider, "FacebookExchange")+exchangeStep(2, "", "FacebookExchange=Facebook-OAUTH")+sendStep(3, "JwtIssuer"), "", twoIdPs(rec))
		env := newEnv()
		var st journey.State
		sel := advanceTo[journey.Select](t, j, env, &st)
		want := []journey.Option{{ExchangeID: "FacebookExchange", ProfileID: "Facebook-OAUTH", Label: "Facebook"}}
		if !reflect.DeepEqual(sel.Options, want) || sel.Step != 0 {
			t.Errorf("Select = %+v, want step 0 options %+v", sel, want)
		}
		if len(rec.list()) != 0 {
			t.Errorf("calls before the choice: %q", rec.list())
		}
		if err := j.Choose(&st, "FacebookExchange"); err != nil {
			t.Fatal(err)
		}
		if r := advanceTo[journey.Redirect](t, j, env, &st); r.ProfileID != "Facebook-OAUTH" {
			t.Fatalf("Advance after Choose = %+v, want Redirect to Facebook-OAUTH", r)
		}
	})
	for _, pick := range []struct{ exchange, profile, email string }{
		{"FacebookExchange", "Facebook-OAUTH", "fb@example.com"},
		{"ContosoExchange", "Contoso-OAUTH", "contoso@example.com"},
	} {
		t.Run("several options: only the chosen exchange runs: "+pick.exchange+" (UJ-05)", func(t *testing.T) {
			rec := &recorder{}
			profiles := twoIdPs(rec)
			j := loadJourney(t, selectionStep(1, "", "FacebookExchange", "ContosoExchange")+
				exchangeStep(2, "", "FacebookExchange=Facebook-OAUTH", "ContosoExchange=Contoso-OAUTH")+sendStep(3, "JwtIssuer"), `<OutputClaim ClaimTypeReferenceId="email" />`, profiles)
			env := newEnv()
			var st journey.State
			sel := advanceTo[journey.Select](t, j, env, &st)
			want := []journey.Option{
				{ExchangeID: "FacebookExchange", ProfileID: "Facebook-OAUTH", Label: "Facebook"},
				{ExchangeID: "ContosoExchange", ProfileID: "Contoso-OAUTH", Label: "Contoso Login"}, // ProviderName when no DisplayName
			}
			if !reflect.DeepEqual(sel.Options, want) {
				t.Errorf("options = %+v, want %+v", sel.Options, want)
			}
			if err := j.Choose(&st, pick.exchange); err != nil {
				t.Fatal(err)
			}
			if r := advanceTo[journey.Redirect](t, j, env, &st); r.ProfileID != pick.profile {
				t.Fatalf("Advance after Choose = %+v, want Redirect to %s", r, pick.profile)
			}
			act, err := j.Resume(context.Background(), env, &st, url.Values{"code": {"c"}})
			if err != nil {
				t.Fatal(err)
			}
			send, ok := act.(journey.Send)
			if !ok {
				t.Fatalf("Resume = %#v, want Send", act)
			}
			if got := send.Claims["email"]; got != pick.email {
				t.Errorf("RP claim email = %v, want %s", got, pick.email)
			}
			wantCalls := []string{"start " + pick.profile, "complete " + pick.profile}
			if got := rec.list(); !reflect.DeepEqual(got, wantCalls) {
				t.Errorf("calls = %q, want %q", got, wantCalls)
			}
			if got := profiles[pick.profile].(*redirector).params.Get("code"); got != "c" {
				t.Errorf("Complete got code %q, want c", got)
			}
		})
	}
	t.Run("Choose of an unknown id errors and does not move", func(t *testing.T) {
		rec := &recorder{}
		j := loadJourney(t, selectionStep(1, "", "FacebookExchange", "ContosoExchange")+
			exchangeStep(2, "", "FacebookExchange=Facebook-OAUTH", "ContosoExchange=Contoso-OAUTH")+sendStep(3, "JwtIssuer"), "", twoIdPs(rec))
		var st journey.State
		if _, err := j.Advance(context.Background(), newEnv(), &st); err != nil {
			t.Fatal(err)
		}
		before := st
		if err := j.Choose(&st, "TwitterExchange"); !errors.Is(err, journey.ErrUnknownExchange) {
			t.Fatalf("Choose = %v, want ErrUnknownExchange", err)
		}
		if !reflect.DeepEqual(st, before) {
			t.Errorf("State changed from %+v to %+v", before, st)
		}
	})
	t.Run("a ClaimsExchange step with several exchanges and no choice errors", func(t *testing.T) {
		rec := &recorder{}
		j := loadJourney(t, exchangeStep(1, "", "FacebookExchange=Facebook-OAUTH", "ContosoExchange=Contoso-OAUTH")+sendStep(2, "JwtIssuer"), "", twoIdPs(rec))
		var st journey.State
		if _, err := j.Advance(context.Background(), newEnv(), &st); !errors.Is(err, journey.ErrNoSelection) {
			t.Fatalf("Advance = %v, want ErrNoSelection", err)
		}
		if len(rec.list()) != 0 {
			t.Errorf("calls = %q, want none", rec.list())
		}
	})
	t.Run("a selection whose next step is skipped does not leak into later steps", func(t *testing.T) {
		rec := &recorder{}
		profiles := twoIdPs(rec)
		profiles["REST-A"] = &caller{id: "REST-A", rec: rec}
		j := loadJourney(t, selectionStep(1, "", "FacebookExchange")+
			exchangeStep(2, skipIfExists("objectId"), "FacebookExchange=Facebook-OAUTH")+
			exchangeStep(3, "", "ReadExchange=REST-A")+sendStep(4, "JwtIssuer"), "", profiles)
		env := newEnv()
		env.Claims.Set("objectId", "already-signed-in")
		var st journey.State
		advanceTo[journey.Send](t, j, env, &st)
		if got, want := rec.list(), []string{"call REST-A"}; !reflect.DeepEqual(got, want) {
			t.Errorf("calls = %q, want %q", got, want)
		}
	})
}

// TestFailures covers the journey's errors.
func TestFailures(t *testing.T) {
	startErr := errors.New("boom")
	completeErr := &profile.Error{Code: profile.CodeAccessDenied, Message: "AADB2C90273: An invalid response was received : 'Error: access_denied,Error Description: no'"}
	callErr := profile.Errorf(profile.CodeServerError, nil, "AADB2C90075: The claims exchange 'A' specified in step '1' returned HTTP error response with Code 'InternalServerError'.")

	t.Run("Resume without a pending profile", func(t *testing.T) {
		j := loadJourney(t, sendStep(1, "JwtIssuer"), "", map[string]any{"JwtIssuer": issuer{}})
		var st journey.State
		if _, err := j.Resume(context.Background(), newEnv(), &st, url.Values{}); !errors.Is(err, journey.ErrNotWaiting) {
			t.Fatalf("Resume = %v, want ErrNotWaiting", err)
		}
	})
	t.Run("Resume with a pending profile that cannot be resumed", func(t *testing.T) {
		j := loadJourney(t, sendStep(1, "JwtIssuer"), "", map[string]any{"JwtIssuer": issuer{}})
		st := journey.State{Pending: "JwtIssuer"}
		if _, err := j.Resume(context.Background(), newEnv(), &st, url.Values{}); !errors.Is(err, journey.ErrNotWaiting) {
			t.Fatalf("Resume = %v, want ErrNotWaiting", err)
		}
	})
	t.Run("a Redirector Start error ends the journey with it", func(t *testing.T) {
		rec := &recorder{}
		j := loadJourney(t, exchangeStep(1, "", "FacebookExchange=Facebook-OAUTH")+sendStep(2, "JwtIssuer"), "",
			map[string]any{"Facebook-OAUTH": &redirector{id: "Facebook-OAUTH", rec: rec, startErr: startErr}, "JwtIssuer": issuer{}})
		var st journey.State
		act, err := j.Advance(context.Background(), newEnv(), &st)
		if !errors.Is(err, startErr) || act != nil {
			t.Fatalf("Advance = %v, %v; want nil and an error wrapping %v", act, err, startErr)
		}
		if st.Pending != "" {
			t.Errorf("Pending = %q after a failed start", st.Pending)
		}
	})
	t.Run("a Redirector Complete error ends the journey with that error", func(t *testing.T) {
		rec := &recorder{}
		j := loadJourney(t, exchangeStep(1, "", "FacebookExchange=Facebook-OAUTH")+sendStep(2, "JwtIssuer"), "",
			map[string]any{"Facebook-OAUTH": &redirector{id: "Facebook-OAUTH", rec: rec, completeErr: completeErr}, "JwtIssuer": issuer{}})
		env := newEnv()
		var st journey.State
		if _, err := j.Advance(context.Background(), env, &st); err != nil {
			t.Fatal(err)
		}
		act, err := j.Resume(context.Background(), env, &st, url.Values{"error": {"access_denied"}})
		var pe *profile.Error
		if act != nil || !errors.As(err, &pe) || pe != completeErr {
			t.Fatalf("Resume = %v, %v; want the profile's error %v", act, err, completeErr)
		}
		if _, err := j.Resume(context.Background(), env, &st, url.Values{}); !errors.Is(err, journey.ErrNotWaiting) {
			t.Errorf("second Resume = %v, want ErrNotWaiting", err)
		}
	})
	t.Run("a Caller error ends the journey with it", func(t *testing.T) {
		rec := &recorder{}
		j := loadJourney(t, exchangeStep(1, "", "A=REST-A")+exchangeStep(2, "", "B=REST-B")+sendStep(3, "JwtIssuer"), "",
			map[string]any{"REST-A": &caller{id: "REST-A", rec: rec, err: callErr}, "REST-B": &caller{id: "REST-B", rec: rec}, "JwtIssuer": issuer{}})
		var st journey.State
		_, err := j.Advance(context.Background(), newEnv(), &st)
		var pe *profile.Error
		if !errors.As(err, &pe) || pe != callErr {
			t.Fatalf("Advance = %v, want the caller's error", err)
		}
		if got := rec.list(); !reflect.DeepEqual(got, []string{"call REST-A"}) {
			t.Errorf("calls = %q, want only REST-A", got)
		}
	})
	tests := []struct {
		name     string
		steps    string
		profiles map[string]any
		want     string
	}{
		{"SendClaims without an issuer (AADB2C90108)", sendStep(1, ""), map[string]any{}, "AADB2C90108"},
		{"SendClaims whose issuer is not an Issuer (AADB2C90108)", sendStep(1, "JwtIssuer"), map[string]any{"JwtIssuer": &caller{id: "JwtIssuer", rec: &recorder{}}}, "AADB2C90108"},
		{"past the last step (AADB2C90040)", exchangeStep(1, "", "A=REST-A"), map[string]any{"REST-A": &caller{id: "REST-A", rec: &recorder{}}}, "AADB2C90040"},
		{"every step skipped (AADB2C90040)", exchangeStep(1, skipIfExists("idp"), "A=REST-A"), map[string]any{"REST-A": &caller{id: "REST-A", rec: &recorder{}}}, "AADB2C90040"},
		{"a profile that cannot run in a ClaimsExchange", exchangeStep(1, "", "A=JwtIssuer") + sendStep(2, "JwtIssuer"), map[string]any{"JwtIssuer": issuer{}}, "cannot run in a ClaimsExchange"},
		{"a profile without implementation", exchangeStep(1, "", "A=REST-A") + sendStep(2, "JwtIssuer"), map[string]any{"JwtIssuer": issuer{}}, "cannot run in a ClaimsExchange"},
		{"an unsupported step type", `<OrchestrationStep Order="1" Type="ReviewScreen" />` + sendStep(2, "JwtIssuer"), map[string]any{"JwtIssuer": issuer{}}, "ReviewScreen"},
		{"a selection step without options", `<OrchestrationStep Order="1" Type="ClaimsProviderSelection"><ClaimsProviderSelections /></OrchestrationStep>` + sendStep(2, "JwtIssuer"), map[string]any{"JwtIssuer": issuer{}}, "offers no claims exchange"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := loadJourney(t, tt.steps, "", tt.profiles)
			env := newEnv()
			env.Claims.Set("idp", "x")
			var st journey.State
			act, err := j.Advance(context.Background(), env, &st)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Advance = %#v, %v; want an error containing %q", act, err, tt.want)
			}
			if st.Done {
				t.Error("State.Done set by a failed journey")
			}
		})
	}
}

func TestDefaultIssuer(t *testing.T) {
	j := loadJourney(t, sendStep(1, ""), "", map[string]any{"JwtIssuer": issuer{}})
	j.Journey.DefaultCpimIssuerTechnicalProfileReferenceID = "JwtIssuer"
	var st journey.State
	if s := advanceTo[journey.Send](t, j, newEnv(), &st); s.IssuerID != "JwtIssuer" {
		t.Fatalf("Advance = %+v, want Send by the journey's default issuer", s)
	}
}

// TestRelyingPartyClaims covers the RP OutputClaims (spec §5.5; UJ-09, UJ-10).
func TestRelyingPartyClaims(t *testing.T) {
	tests := []struct {
		name   string
		output string
		bag    map[string]any
		want   map[string]any
	}{
		{
			name:   "PartnerClaimType renames; claims without value are left out (UJ-09)",
			output: `<OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="sub" /><OutputClaim ClaimTypeReferenceId="email" /><OutputClaim ClaimTypeReferenceId="givenName" PartnerClaimType="given_name" /><OutputClaim ClaimTypeReferenceId="idp" />`,
			bag:    map[string]any{"objectId": "oid-1", "email": "a@example.com", "givenName": ""},
			want:   map[string]any{"sub": "oid-1", "email": "a@example.com"},
		},
		{
			name:   "DefaultValue when absent, the value when present",
			output: `<OutputClaim ClaimTypeReferenceId="idp" DefaultValue="local" /><OutputClaim ClaimTypeReferenceId="email" DefaultValue="none@example.com" />`,
			bag:    map[string]any{"email": "a@example.com"},
			want:   map[string]any{"idp": "local", "email": "a@example.com"},
		},
		{
			name: "AlwaysUseDefaultValue with claim resolvers (UJ-10)",
			output: `<OutputClaim ClaimTypeReferenceId="correlationId" DefaultValue="{Context:CorrelationId}" AlwaysUseDefaultValue="true" />` +
				`<OutputClaim ClaimTypeReferenceId="policy" DefaultValue="{Policy:PolicyId}" AlwaysUseDefaultValue="true" />` +
				`<OutputClaim ClaimTypeReferenceId="idp" DefaultValue="facebook.com" AlwaysUseDefaultValue="true" />`,
			bag:  map[string]any{"idp": "other.example", "correlationId": "x"},
			want: map[string]any{"correlationId": profiletest.CorrelationID, "policy": profiletest.PolicyID, "idp": "facebook.com"},
		},
		{
			name: "values typed by DataType",
			output: `<OutputClaim ClaimTypeReferenceId="age" /><OutputClaim ClaimTypeReferenceId="bigNumber" /><OutputClaim ClaimTypeReferenceId="emailVerified" PartnerClaimType="email_verified" />` +
				`<OutputClaim ClaimTypeReferenceId="roles" /><OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="emails" />`,
			bag:  map[string]any{"age": "42", "bigNumber": "9007199254740993", "emailVerified": "True", "roles": []string{"admin", "user"}, "email": "a@example.com"},
			want: map[string]any{"age": int64(42), "bigNumber": int64(9007199254740993), "email_verified": true, "roles": []string{"admin", "user"}, "emails": "a@example.com"},
		},
		{
			name:   "a single value of a stringCollection becomes a one-item array",
			output: `<OutputClaim ClaimTypeReferenceId="roles" />`,
			bag:    map[string]any{"roles": "admin"},
			want:   map[string]any{"roles": []string{"admin"}},
		},
		{
			name:   "a value that does not fit its DataType stays a string",
			output: `<OutputClaim ClaimTypeReferenceId="age" /><OutputClaim ClaimTypeReferenceId="emailVerified" />`,
			bag:    map[string]any{"age": "forty", "emailVerified": "maybe"},
			want:   map[string]any{"age": "forty", "emailVerified": "maybe"},
		},
		{
			name: "DefaultPartnerClaimTypes of OpenIdConnect name claims without PartnerClaimType; OAuth2's are ignored",
			output: `<OutputClaim ClaimTypeReferenceId="surname" /><OutputClaim ClaimTypeReferenceId="identityProvider" />` +
				`<OutputClaim ClaimTypeReferenceId="displayName" /><OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="sub" />`,
			bag:  map[string]any{"surname": "Smith", "identityProvider": "facebook.com", "displayName": "Alice Smith", "objectId": "oid-1"},
			want: map[string]any{"family_name": "Smith", "idp": "facebook.com", "displayName": "Alice Smith", "sub": "oid-1"},
		},
		{
			name:   "an explicit PartnerClaimType beats the default",
			output: `<OutputClaim ClaimTypeReferenceId="surname" PartnerClaimType="sn" />`,
			bag:    map[string]any{"surname": "Smith"},
			want:   map[string]any{"sn": "Smith"},
		},
		{
			name:   "a claim type missing from the schema is a string",
			output: `<OutputClaim ClaimTypeReferenceId="unknownClaim" />`,
			bag:    map[string]any{"unknownClaim": "v"},
			want:   map[string]any{"unknownClaim": "v"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := loadJourney(t, sendStep(1, "JwtIssuer"), tt.output, map[string]any{"JwtIssuer": issuer{}})
			env := newEnv()
			for k, v := range tt.bag {
				env.Claims.Set(k, v)
			}
			got, err := j.RelyingPartyClaims(env)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RelyingPartyClaims = %#v, want %#v", got, tt.want)
			}
			// The Send action carries the same claims.
			var st journey.State
			if s := advanceTo[journey.Send](t, j, env, &st); !reflect.DeepEqual(s.Claims, tt.want) {
				t.Errorf("Send.Claims = %#v, want %#v", s.Claims, tt.want)
			}
		})
	}
}

// TestAdvanceBindsPolicy: the profiles a journey runs see its policy in
// env.Policy, by which they name claims on the wire (DefaultPartnerClaimTypes);
// a policy the caller set is kept.
func TestAdvanceBindsPolicy(t *testing.T) {
	var seen *policy.Policy
	env := newEnv()
	c := &caller{id: "REST-A", rec: &recorder{}, hook: func() { seen = env.Policy }}
	j := loadJourney(t, exchangeStep(1, "", "A=REST-A")+sendStep(2, "JwtIssuer"), "", map[string]any{"REST-A": c, "JwtIssuer": issuer{}})
	var st journey.State
	advanceTo[journey.Send](t, j, env, &st)
	if seen != j.Policy {
		t.Errorf("env.Policy during the call = %p, want the journey's policy %p", seen, j.Policy)
	}
	other := &policy.Policy{}
	env2 := newEnv()
	env2.Policy = other
	var st2 journey.State
	advanceTo[journey.Send](t, j, env2, &st2)
	if env2.Policy != other {
		t.Error("Advance replaced the policy the caller set in env.Policy")
	}
}

func TestRelyingPartyClaimsUnsupportedResolver(t *testing.T) {
	j := loadJourney(t, sendStep(1, "JwtIssuer"), `<OutputClaim ClaimTypeReferenceId="policy" DefaultValue="{Policy:NoSuchThing}" AlwaysUseDefaultValue="true" />`, map[string]any{"JwtIssuer": issuer{}})
	_, err := j.RelyingPartyClaims(newEnv())
	if err == nil || !strings.Contains(err.Error(), "policy") {
		t.Fatalf("RelyingPartyClaims = %v, want an error naming the claim", err)
	}
}

// invokeStep is an InvokeSubJourney step, built without the XML (and so
// without validation, which rejects loops).
func invokeStep(order int, sub string) policy.OrchestrationStep {
	return policy.OrchestrationStep{Order: order, Type: journey.StepInvokeSubJourney, JourneyList: []policy.Candidate{{SubJourneyReferenceID: sub}}}
}

// withSubJourneys gives j's policy the sub journeys, each a list of steps,
// and puts first before the journey's own steps.
func withSubJourneys(j *journey.Journey, first []policy.OrchestrationStep, subs map[string][]policy.OrchestrationStep) {
	j.Policy.SubJourneys = map[string]*policy.UserJourney{}
	for id, steps := range subs {
		j.Policy.SubJourneys[id] = &policy.UserJourney{ID: id, Type: journey.SubJourneyCall, Steps: steps}
	}
	j.Journey.Steps = append(first, j.Journey.Steps...)
}

// TestLoopingSubJourneys: a policy whose sub journeys invoke each other, which
// validation rejects, cannot make the journey run for ever when it is built
// bypassing validation: each call stops with ErrDepthLimit or ErrStepBudget.
func TestLoopingSubJourneys(t *testing.T) {
	self := map[string][]policy.OrchestrationStep{"a": {invokeStep(1, "a")}}
	mutual := map[string][]policy.OrchestrationStep{"a": {invokeStep(1, "b")}, "b": {invokeStep(1, "a")}}
	tests := []struct {
		name     string
		subs     map[string][]policy.OrchestrationStep
		maxSteps int
		maxDepth int
		want     error
		wantText string
	}{
		{name: "a sub journey invoking itself", subs: self, want: journey.ErrDepthLimit,
			wantText: fmt.Sprintf("beyond %d nested sub journeys", journey.DefaultMaxDepth)},
		{name: "two sub journeys invoking each other", subs: mutual, want: journey.ErrDepthLimit,
			wantText: "user journey Test > sub journey a > sub journey b > sub journey a"},
		{name: "a sub journey invoking itself with no depth limit to speak of", subs: self, maxDepth: 1 << 30, want: journey.ErrStepBudget,
			wantText: fmt.Sprintf("more than %d orchestration steps", journey.DefaultMaxSteps)},
		{name: "a tighter step budget", subs: mutual, maxSteps: 5, maxDepth: 1 << 30, want: journey.ErrStepBudget,
			wantText: "more than 5 orchestration steps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			j := loadJourney(t, sendStep(2, "JwtIssuer"), "", map[string]any{"JwtIssuer": issuer{}, "REST-A": &caller{id: "REST-A", rec: rec}})
			j.MaxSteps, j.MaxDepth = tt.maxSteps, tt.maxDepth
			withSubJourneys(j, []policy.OrchestrationStep{invokeStep(1, "a")}, tt.subs)
			var st journey.State
			act, err := j.Advance(context.Background(), newEnv(), &st)
			if act != nil || !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Advance = %#v, %v; want %v mentioning %q", act, err, tt.want, tt.wantText)
			}
			maxDepth := tt.maxDepth
			if maxDepth == 0 {
				maxDepth = journey.DefaultMaxDepth
			}
			if len(st.Stack) > maxDepth {
				t.Errorf("%d sub journeys in progress, want at most %d", len(st.Stack), maxDepth)
			}
			if st.Done {
				t.Error("State.Done set by a looping journey")
			}
		})
	}
	t.Run("after a party answers (Resume)", func(t *testing.T) {
		rec := &recorder{}
		j := loadJourney(t, exchangeStep(1, "", "FacebookExchange=Facebook-OAUTH")+sendStep(3, "JwtIssuer"), "", twoIdPs(rec))
		withSubJourneys(j, nil, self)
		j.Journey.Steps = append(j.Journey.Steps[:1], append([]policy.OrchestrationStep{invokeStep(2, "a")}, j.Journey.Steps[1:]...)...)
		env := newEnv()
		var st journey.State
		advanceTo[journey.Redirect](t, j, env, &st)
		act, err := j.Resume(context.Background(), env, &st, url.Values{"code": {"c"}})
		if act != nil || !errors.Is(err, journey.ErrDepthLimit) {
			t.Fatalf("Resume = %#v, %v; want ErrDepthLimit", act, err)
		}
	})
	t.Run("a nested sub journey within the limits runs", func(t *testing.T) {
		rec := &recorder{}
		j := loadJourney(t, sendStep(2, "JwtIssuer"), "", map[string]any{"JwtIssuer": issuer{}, "REST-A": &caller{id: "REST-A", rec: rec}})
		j.MaxDepth = 2
		withSubJourneys(j, []policy.OrchestrationStep{invokeStep(1, "a")}, map[string][]policy.OrchestrationStep{
			"a": {invokeStep(1, "b")},
			"b": {{Order: 1, Type: journey.StepClaimsExchange, ClaimsExchanges: []policy.ClaimsExchange{{ID: "A", TechnicalProfileReferenceID: "REST-A"}}}},
		})
		var st journey.State
		advanceTo[journey.Send](t, j, newEnv(), &st)
		if got := rec.list(); !reflect.DeepEqual(got, []string{"call REST-A"}) {
			t.Errorf("calls = %q, want REST-A once", got)
		}
	})
}

// TestAdvanceStopsWhenContextEnds: a cancelled request stops the journey
// before its next step, with the context's cause.
func TestAdvanceStopsWhenContextEnds(t *testing.T) {
	rec := &recorder{}
	cause := errors.New("the request's time budget is spent")
	ctx, cancel := context.WithCancelCause(context.Background())
	profiles := map[string]any{
		"REST-A":    &caller{id: "REST-A", rec: rec, hook: func() { cancel(cause) }},
		"REST-B":    &caller{id: "REST-B", rec: rec},
		"JwtIssuer": issuer{},
	}
	j := loadJourney(t, exchangeStep(1, "", "A=REST-A")+exchangeStep(2, "", "B=REST-B")+sendStep(3, "JwtIssuer"), "", profiles)
	var st journey.State
	act, err := j.Advance(ctx, newEnv(), &st)
	if act != nil || !errors.Is(err, cause) {
		t.Fatalf("Advance = %#v, %v; want the context's cause", act, err)
	}
	if got := rec.list(); !reflect.DeepEqual(got, []string{"call REST-A"}) {
		t.Errorf("calls = %q, want REST-A only", got)
	}
}

// advanceTo runs j.Advance and fails the test unless it returns an action of type A.
func advanceTo[A journey.Action](t *testing.T, j *journey.Journey, env *profile.Env, st *journey.State) A {
	t.Helper()
	act, err := j.Advance(context.Background(), env, st)
	if err != nil {
		t.Fatalf("Advance: %v", err)
	}
	a, ok := act.(A)
	if !ok {
		t.Fatalf("Advance = %#v, want %T", act, a)
	}
	return a
}

// TestTransformationsReadTheJourneysClock: a technical profile's claims
// transformations get the Env's clock, so GetCurrentDateTime in a journey
// gives the injected time, not the machine's.
func TestTransformationsReadTheJourneysClock(t *testing.T) {
	rec := &recorder{}
	j := loadJourney(t, exchangeStep(1, "", "A=REST-A")+sendStep(2, "JwtIssuer"), "",
		map[string]any{"REST-A": &caller{id: "REST-A", rec: rec}, "JwtIssuer": issuer{}})
	j.Policy.ClaimsTransformations["Now"] = &policy.ClaimsTransformation{ID: "Now", TransformationMethod: "GetCurrentDateTime",
		OutputClaims: []policy.TransformClaim{{ClaimTypeReferenceID: "email", TransformationClaimType: "currentDateTime"}}}
	j.Policy.TechnicalProfiles["REST-A"].OutputClaimsTransformations = []policy.TransformationRef{{ReferenceID: "Now"}}
	env := newEnv()
	fixed := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	env.Now = func() time.Time { return fixed }
	advanceTo[journey.Send](t, j, env, &journey.State{})
	if got, _ := env.Claims.Get("email"); got != fixed.Format(claims.DateTimeLayout) {
		t.Errorf("GetCurrentDateTime in a journey = %q, want the Env's clock %q", got, fixed.Format(claims.DateTimeLayout))
	}
}

// TestHashReadsThePolicyKeys: a Hash transformation in a journey takes its
// randomizerSecret from the Env's policy keys.
func TestHashReadsThePolicyKeys(t *testing.T) {
	rec := &recorder{}
	j := loadJourney(t, exchangeStep(1, "", "A=REST-A")+sendStep(2, "JwtIssuer"), "",
		map[string]any{"REST-A": &caller{id: "REST-A", rec: rec}, "JwtIssuer": issuer{}})
	j.Policy.ClaimsTransformations["H"] = &policy.ClaimsTransformation{ID: "H", TransformationMethod: "Hash",
		InputClaims:     []policy.TransformClaim{{ClaimTypeReferenceID: "email", TransformationClaimType: "plaintext"}, {ClaimTypeReferenceID: "mySalt", TransformationClaimType: "salt"}},
		InputParameters: []policy.InputParameter{{ID: "randomizerSecret", DataType: "string", Value: "B2C_1A_AccountTransformSecret"}},
		OutputClaims:    []policy.TransformClaim{{ClaimTypeReferenceID: "displayName", TransformationClaimType: "hash"}}}
	j.Policy.TechnicalProfiles["REST-A"].InputClaimsTransformations = []policy.TransformationRef{{ReferenceID: "H"}}
	env := newEnv()
	env.Keys = keys.NewStore()
	env.Keys.SetSecret("B2C_1A_AccountTransformSecret", []byte("1234567890"))
	env.Claims.Set("email", "someone@contoso.com")
	env.Claims.Set("mySalt", "487624568")
	advanceTo[journey.Send](t, j, env, &journey.State{})
	// engine/claims' TestHash vector: HMAC-SHA256 with the secret 1234567890.
	if got, _ := env.Claims.Get("displayName"); got != "8IQwuy3d9HTElJ+jWDUobUkq1F/GvfWtjiqj1hALMbs=" {
		t.Errorf("Hash in a journey gave %v, want the HMAC of the policy key", got)
	}
}

// asserter is a fake self-asserted profile whose Submit runs one validation
// profile.
type asserter struct{ validation string }

func (asserter) Form(*profile.Env, url.Values) (*profile.Form, error) {
	return &profile.Form{ProfileID: "REST-A"}, nil
}

func (a asserter) Submit(ctx context.Context, _ *profile.Env, _ url.Values, validate profile.Validate) error {
	return validate(ctx, a.validation)
}

// TestAssertionFailureShownOnThePage: a validation profile whose assertion
// transformation fails keeps the user on the page with the self-asserted
// profile's UserMessageIfClaimsTransformationBooleanValueIsNotEqual, or B2C's
// default text without it (CTP-02, CTP-03).
func TestAssertionFailureShownOnThePage(t *testing.T) {
	for _, tt := range []struct {
		name, metadata, want string
	}{
		{"the profile's message", "Accept the terms of use to continue.", "Accept the terms of use to continue."},
		{"B2C's default", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			// REST-A is the page; REST-B its validation profile, which asserts emailVerified is true.
			j := loadJourney(t, exchangeStep(1, "", "A=REST-A")+sendStep(2, "JwtIssuer"), "",
				map[string]any{"REST-A": asserter{validation: "REST-B"}, "REST-B": &caller{id: "REST-B", rec: rec, out: map[string]string{"emailVerified": "false"}}, "JwtIssuer": issuer{}})
			j.Policy.ClaimsTransformations["Assert"] = &policy.ClaimsTransformation{ID: "Assert", TransformationMethod: "AssertBooleanClaimIsEqualToValue",
				InputClaims:     []policy.TransformClaim{{ClaimTypeReferenceID: "emailVerified", TransformationClaimType: "inputClaim"}},
				InputParameters: []policy.InputParameter{{ID: "valueToCompareTo", DataType: "boolean", Value: "true"}}}
			j.Policy.TechnicalProfiles["REST-B"].OutputClaimsTransformations = []policy.TransformationRef{{ReferenceID: "Assert"}}
			if tt.metadata != "" {
				j.Policy.TechnicalProfiles["REST-A"].Metadata = policy.Metadata{{Key: "UserMessageIfClaimsTransformationBooleanValueIsNotEqual", Value: tt.metadata}}
			}
			env := newEnv()
			st := &journey.State{}
			advanceTo[journey.Show](t, j, env, st)
			act, err := j.SubmitForm(context.Background(), env, st, url.Values{}, false)
			if err != nil {
				t.Fatalf("SubmitForm: %v, want the page again", err)
			}
			show, ok := act.(journey.Show)
			if !ok || show.Form.Error == nil {
				t.Fatalf("SubmitForm = %#v, want the page with an error", act)
			}
			want := tt.want
			if want == "" {
				bag := claims.NewBag()
				bag.Set("emailVerified", "false")
				var ae *claims.AssertionError
				if err := claims.TransformWith(j.Policy.ClaimsTransformations["Assert"], bag, claims.Env{}); !errors.As(err, &ae) {
					t.Fatalf("the assertion must fail, got %v", err)
				}
				want = ae.Message // B2C's default text
			}
			if show.Form.Error.UserMessage != want || want == "" {
				t.Errorf("page error %q, want %q", show.Form.Error.UserMessage, want)
			}
		})
	}
}
