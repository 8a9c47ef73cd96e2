package selfasserted

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// pagesPolicy has a sign-up page in the starter pack's shape: hidden claims
// (validation outputs, a DefaultValue), a verified email, a password rule
// as PredicateValidations and the newPassword/reenterPassword pair.
const pagesPolicy = `<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"
  PolicySchemaVersion="0.3.0.0" TenantId="t.onmicrosoft.com" PolicyId="B2C_1A_pages">
 <BuildingBlocks>
  <ClaimsSchema>
   <ClaimType Id="email"><DisplayName>Email Address</DisplayName><DataType>string</DataType><UserInputType>EmailBox</UserInputType></ClaimType>
   <ClaimType Id="newPassword"><DisplayName>New Password</DisplayName><DataType>string</DataType><UserInputType>Password</UserInputType>
    <PredicateValidationReference Id="StrongPassword"/></ClaimType>
   <ClaimType Id="reenterPassword"><DisplayName>Confirm New Password</DisplayName><DataType>string</DataType><UserInputType>Password</UserInputType></ClaimType>
   <ClaimType Id="displayName"><DisplayName>Display Name</DisplayName><DataType>string</DataType></ClaimType>
   <ClaimType Id="objectId"><DataType>string</DataType></ClaimType>
   <ClaimType Id="newUser"><DataType>boolean</DataType></ClaimType>
   <ClaimType Id="executed-SelfAsserted-Input"><DataType>string</DataType></ClaimType>
   <ClaimType Id="birthday"><DisplayName>Birthday</DisplayName><DataType>date</DataType><PredicateValidationReference Id="Past"/></ClaimType>
  </ClaimsSchema>
  <Predicates>
   <Predicate Id="Length" Method="IsLengthRange" HelpText="The password must be between 5 and 15 characters.">
    <Parameters><Parameter Id="Minimum">5</Parameter><Parameter Id="Maximum">15</Parameter></Parameters></Predicate>
   <Predicate Id="Lower" Method="IncludesCharacters" HelpText="a lowercase letter">
    <Parameters><Parameter Id="CharacterSet">a-z</Parameter></Parameters></Predicate>
   <Predicate Id="Digit" Method="IncludesCharacters" HelpText="a digit">
    <Parameters><Parameter Id="CharacterSet">0-9</Parameter></Parameters></Predicate>
   <Predicate Id="Symbol" Method="IncludesCharacters" HelpText="a symbol">
    <Parameters><Parameter Id="CharacterSet">@#$%^&amp;*\-_+=[]{}|\\:',?/` + "`" + `~"();!</Parameter></Parameters></Predicate>
   <Predicate Id="NotFuture" Method="IsDateRange" HelpText="The date must be in the past.">
    <Parameters><Parameter Id="Minimum">1900-01-01</Parameter><Parameter Id="Maximum">Today</Parameter></Parameters></Predicate>
  </Predicates>
  <PredicateValidations>
   <PredicateValidation Id="StrongPassword">
    <PredicateGroups>
     <PredicateGroup Id="LengthGroup"><PredicateReferences MatchAtLeast="1"><PredicateReference Id="length"/></PredicateReferences></PredicateGroup>
     <PredicateGroup Id="Classes"><UserHelpText>The password must have at least 2 of the following:</UserHelpText>
      <PredicateReferences MatchAtLeast="2"><PredicateReference Id="Lower"/><PredicateReference Id="Digit"/><PredicateReference Id="Symbol"/></PredicateReferences></PredicateGroup>
    </PredicateGroups>
   </PredicateValidation>
   <PredicateValidation Id="Past"><PredicateGroups><PredicateGroup Id="G"><PredicateReferences><PredicateReference Id="NotFuture"/></PredicateReferences></PredicateGroup></PredicateGroups></PredicateValidation>
  </PredicateValidations>
 </BuildingBlocks>
 <ClaimsProviders><ClaimsProvider><DisplayName>Local</DisplayName><TechnicalProfiles>
  <TechnicalProfile Id="SignUp">
   <DisplayName>Email signup</DisplayName>
   <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"/>
   <OutputClaims>
    <OutputClaim ClaimTypeReferenceId="objectId"/>
    <OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="Verified.Email" Required="true"/>
    <OutputClaim ClaimTypeReferenceId="newPassword" Required="true"/>
    <OutputClaim ClaimTypeReferenceId="reenterPassword" Required="true"/>
    <OutputClaim ClaimTypeReferenceId="executed-SelfAsserted-Input" DefaultValue="true"/>
    <OutputClaim ClaimTypeReferenceId="newUser"/>
    <OutputClaim ClaimTypeReferenceId="displayName"/>
    <OutputClaim ClaimTypeReferenceId="birthday"/>
   </OutputClaims>
   <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="Write"/></ValidationTechnicalProfiles>
  </TechnicalProfile>
  <TechnicalProfile Id="Write">
   <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AzureActiveDirectoryProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"/>
   <OutputClaims><OutputClaim ClaimTypeReferenceId="objectId"/><OutputClaim ClaimTypeReferenceId="newUser"/></OutputClaims>
  </TechnicalProfile>
  <TechnicalProfile Id="Shown">
   <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"/>
   <DisplayClaims><DisplayClaim ClaimTypeReferenceId="displayName" Required="true"/><DisplayClaim DisplayControlReferenceId="emailControl"/></DisplayClaims>
   <OutputClaims><OutputClaim ClaimTypeReferenceId="email"/><OutputClaim ClaimTypeReferenceId="displayName"/></OutputClaims>
  </TechnicalProfile>
 </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
</TrustFrameworkPolicy>`

func loadPagesPolicy(t *testing.T) *policy.Policy {
	t.Helper()
	f, err := policy.Parse("pages.xml", []byte(pagesPolicy), nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := policy.NewSet(f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := set.Resolve("B2C_1A_pages")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pageProfile(t *testing.T, id string) *Profile {
	t.Helper()
	p := loadPagesPolicy(t)
	sp, probs := New(p, p.TechnicalProfiles[id])
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return sp
}

// outbox is a profile.Mailer that keeps what it is given.
type outbox struct {
	mu   sync.Mutex
	to   []string
	body []string
	err  error
}

func (o *outbox) SendMail(_ context.Context, to, _, body string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	o.to, o.body = append(o.to, to), append(o.body, body)
	return nil
}

func (o *outbox) code(t *testing.T) string {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.body) == 0 {
		t.Fatal("no message was sent")
	}
	m := regexp.MustCompile(`\b\d{6}\b`).FindString(o.body[len(o.body)-1])
	if m == "" {
		t.Fatalf("no code in %q", o.body[len(o.body)-1])
	}
	return m
}

func pageEnv(mail profile.Mailer) *profile.Env {
	return &profile.Env{Claims: claims.NewBag(), Data: map[string]string{}, Mail: mail, Tenant: "contoso.onmicrosoft.com",
		Now: func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }}
}

func fieldIDs(f *profile.Form) []string {
	var ids []string
	for _, fd := range f.Fields {
		ids = append(ids, fd.ID)
	}
	return ids
}

// TestRenderedClaims: validation-profile outputs and claims with a
// DefaultValue are not shown; DisplayClaims, when present, are exactly what
// is shown (SA-01, SA-02).
func TestRenderedClaims(t *testing.T) {
	for _, tt := range []struct {
		profile string
		want    string
	}{
		{"SignUp", "email newPassword reenterPassword displayName birthday"},
		{"Shown", "displayName"},
	} {
		f, err := pageProfile(t, tt.profile).Form(pageEnv(nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(fieldIDs(f), " "); got != tt.want {
			t.Errorf("%s renders %q, want %q", tt.profile, got, tt.want)
		}
	}
}

// verifyEmail runs the send and verify buttons for addr and returns the env.
func verifyEmail(t *testing.T, sp *Profile, env *profile.Env, box *outbox, addr string) {
	t.Helper()
	ctx := context.Background()
	var fe *profile.FormError
	if err := sp.Submit(ctx, env, url.Values{"action": {"email_ver_but_send"}, "email": {addr}}, nil); !errors.As(err, &fe) || len(fe.Fields) > 0 {
		t.Fatalf("send: want the page again without field errors, got %v", err)
	}
	f, _ := sp.Form(env, nil)
	if v := f.Fields[0].Verify; v == nil || v.State != profile.VerifySent || v.MessageID != "email_info" {
		t.Fatalf("after send: verification %+v", v)
	}
	if err := sp.Submit(ctx, env, url.Values{"action": {"email_ver_but_verify"}, "email_ver_input": {box.code(t)}}, nil); !errors.As(err, &fe) {
		t.Fatalf("verify: want the page again, got %v", err)
	}
	f, _ = sp.Form(env, nil)
	if v := f.Fields[0].Verify; v.State != profile.VerifyVerified || v.Message != MsgVerifySuccess || f.Fields[0].Value != addr {
		t.Fatalf("after verify: verification %+v, value %q", v, f.Fields[0].Value)
	}
}

func signUpValues(pw1, pw2 string) url.Values {
	return url.Values{"action": {"continue"}, "email": {"ann@example.com"}, "newPassword": {pw1}, "reenterPassword": {pw2},
		"displayName": {"Ann"}, "objectId": {"posted-by-the-browser"}, "newUser": {"posted"}}
}

func TestSignUpPage(t *testing.T) {
	ctx := context.Background()
	t.Run("an unverified email is refused before the validation profiles", func(t *testing.T) {
		sp := pageProfile(t, "SignUp")
		called := false
		err := sp.Submit(ctx, pageEnv(&outbox{}), signUpValues("abc12345", "abc12345"), func(context.Context, string) error { called = true; return nil })
		var ue *profile.UserError
		if !errors.As(err, &ue) || ue.UserMessage != "Claim not verified: Email Address" || called {
			t.Fatalf("got %v (validation ran: %v)", err, called)
		}
	})
	t.Run("passwords that differ", func(t *testing.T) {
		sp, box := pageProfile(t, "SignUp"), &outbox{}
		env := pageEnv(box)
		verifyEmail(t, sp, env, box, "ann@example.com")
		err := sp.Submit(ctx, env, signUpValues("abc12345", "abc12346"), func(context.Context, string) error { return nil })
		var fe *profile.FormError
		if !errors.As(err, &fe) || len(fe.Messages) != 1 || fe.Messages[0].ID != IDPasswordMismatch || fe.Messages[0].Text != MsgPasswordMismatch {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a password the predicates refuse", func(t *testing.T) {
		for pw, want := range map[string]string{
			"abc":                "The password must be between 5 and 15 characters.",
			"abcdefgh":           "The password must have at least 2 of the following: a digit a symbol",
			"abcdefgh1234567890": "The password must be between 5 and 15 characters.",
		} {
			sp, box := pageProfile(t, "SignUp"), &outbox{}
			env := pageEnv(box)
			verifyEmail(t, sp, env, box, "ann@example.com")
			err := sp.Submit(ctx, env, signUpValues(pw, pw), func(context.Context, string) error { return nil })
			var fe *profile.FormError
			if !errors.As(err, &fe) || fe.Fields["newPassword"] != want {
				t.Errorf("%q: got %v, field %q, want %q", pw, err, fe.Fields["newPassword"], want)
			}
		}
	})
	t.Run("a date in the future", func(t *testing.T) {
		sp, box := pageProfile(t, "SignUp"), &outbox{}
		env := pageEnv(box)
		verifyEmail(t, sp, env, box, "ann@example.com")
		v := signUpValues("abc1234!", "abc1234!")
		v.Set("birthday", "2024-05-02")
		err := sp.Submit(ctx, env, v, func(context.Context, string) error { return nil })
		var fe *profile.FormError
		if !errors.As(err, &fe) || fe.Fields["birthday"] != "The date must be in the past." {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("success: hidden claims are not taken from the post, defaults apply", func(t *testing.T) {
		sp, box := pageProfile(t, "SignUp"), &outbox{}
		env := pageEnv(box)
		verifyEmail(t, sp, env, box, "ann@example.com")
		var ran []string
		err := sp.Submit(ctx, env, signUpValues("abc1234!", "abc1234!"), func(_ context.Context, id string) error { ran = append(ran, id); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(ran, ",") != "Write" {
			t.Errorf("validation profiles run: %v", ran)
		}
		for id, want := range map[string]string{"email": "ann@example.com", "executed-SelfAsserted-Input": "true", "objectId": "", "newUser": ""} {
			if got, _ := env.Claims.Get(id); got != want {
				t.Errorf("claim %s = %q, want %q", id, got, want)
			}
		}
		if got := strings.Join(sp.PasswordClaims(), ","); got != "newPassword,reenterPassword" {
			t.Errorf("PasswordClaims = %s", got)
		}
	})
}

func TestEmailVerification(t *testing.T) {
	ctx := context.Background()
	t.Run("a wrong code three times locks the code", func(t *testing.T) {
		sp, box := pageProfile(t, "SignUp"), &outbox{}
		env := pageEnv(box)
		_ = sp.Submit(ctx, env, url.Values{"action": {"email_ver_but_send"}, "email": {"ann@example.com"}}, nil)
		code := box.code(t)
		wantIDs := []string{"email_fail_retry", "email_fail_retry", "email_fail_no_retry"}
		for _, want := range wantIDs {
			_ = sp.Submit(ctx, env, url.Values{"action": {"email_ver_but_verify"}, "email_ver_input": {"000000x"}}, nil)
			f, _ := sp.Form(env, nil)
			if v := f.Fields[0].Verify; v.MessageID != want || !v.Failed {
				t.Fatalf("want %s, got %+v", want, v)
			}
		}
		_ = sp.Submit(ctx, env, url.Values{"action": {"email_ver_but_verify"}, "email_ver_input": {code}}, nil)
		f, _ := sp.Form(env, nil)
		if v := f.Fields[0].Verify; v.State == profile.VerifyVerified {
			t.Fatal("the right code after three wrong ones verified the address")
		}
	})
	t.Run("an expired code", func(t *testing.T) {
		sp, box := pageProfile(t, "SignUp"), &outbox{}
		env := pageEnv(box)
		start := env.Now()
		_ = sp.Submit(ctx, env, url.Values{"action": {"email_ver_but_send"}, "email": {"ann@example.com"}}, nil)
		env.Now = func() time.Time { return start.Add(CodeLifetime + time.Second) }
		_ = sp.Submit(ctx, env, url.Values{"action": {"email_ver_but_verify"}, "email_ver_input": {box.code(t)}}, nil)
		f, _ := sp.Form(env, nil)
		if v := f.Fields[0].Verify; v.MessageID != "email_fail_code_expired" || v.Message != MsgVerifyExpired {
			t.Fatalf("got %+v", v)
		}
	})
	t.Run("a malformed address is not sent a code", func(t *testing.T) {
		sp, box := pageProfile(t, "SignUp"), &outbox{}
		err := sp.Submit(ctx, pageEnv(box), url.Values{"action": {"email_ver_but_send"}, "email": {""}}, nil)
		var fe *profile.FormError
		if !errors.As(err, &fe) || fe.Fields["email"] != MsgRequired || len(box.to) != 0 {
			t.Fatalf("got %v, sent %v", err, box.to)
		}
	})
	t.Run("a mailer that fails, or none", func(t *testing.T) {
		for _, m := range []profile.Mailer{nil, &outbox{err: errors.New("down")}} {
			sp := pageProfile(t, "SignUp")
			env := pageEnv(m)
			_ = sp.Submit(ctx, env, url.Values{"action": {"email_ver_but_send"}, "email": {"ann@example.com"}}, nil)
			f, _ := sp.Form(env, nil)
			if v := f.Fields[0].Verify; v.MessageID != "email_fail_server" || v.State != profile.VerifyIntro {
				t.Errorf("got %+v", v)
			}
		}
	})
	t.Run("edit unlocks the address and needs a new code", func(t *testing.T) {
		sp, box := pageProfile(t, "SignUp"), &outbox{}
		env := pageEnv(box)
		verifyEmail(t, sp, env, box, "ann@example.com")
		_ = sp.Submit(ctx, env, url.Values{"action": {"email_ver_but_edit"}}, nil)
		err := sp.Submit(ctx, env, signUpValues("abc1234!", "abc1234!"), func(context.Context, string) error { return nil })
		var ue *profile.UserError
		if !errors.As(err, &ue) {
			t.Fatalf("after edit the address must be verified again, got %v", err)
		}
	})
}

func TestUndefinedPredicateValidation(t *testing.T) {
	p := loadPagesPolicy(t)
	p.ClaimTypes["displayName"].PredicateValidationReference = &policy.PredicateRef{ID: "Nope"}
	if _, probs := New(p, p.TechnicalProfiles["SignUp"]); len(probs) != 1 || !errors.Is(probs[0].Err, policy.ErrUnknownReference) {
		t.Fatalf("problems: %v", probs)
	}
}

func TestCharacterSet(t *testing.T) {
	in, err := parseCharacterSet(`@#$%^&*\-_+=[]{}|\\:',?/` + "`" + `~"();!`)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range `@#-[]{}\;!` {
		if !in(r) {
			t.Errorf("%q is in the set", r)
		}
	}
	for _, r := range `aZ0 .` {
		if in(r) {
			t.Errorf("%q is not in the set", r)
		}
	}
	lower, _ := parseCharacterSet("a-z")
	if !lower('q') || lower('Q') || lower('-') {
		t.Error("a-z is a range")
	}
}
