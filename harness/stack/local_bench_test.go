package stack_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/stack"
	"github.com/iefconform/iefconform/mocks/rp"
)

// startStarterPack serves the unmodified SocialAndLocalAccounts starter pack
// with one local account, bob@example.com.
func startStarterPack(tb testing.TB) *stack.Stack {
	tb.Helper()
	dir := harness.StarterPackForTest(tb)
	s, err := stack.Start(stack.Options{Policies: os.DirFS(dir)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	if err := s.Load("SocialAndLocalAccounts", stack.PolicyOptions{}); err != nil {
		tb.Fatal(err)
	}
	hash, err := directory.HashPassword("Passw0rd!2024")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Directory.Create(context.Background(), directory.User{AccountEnabled: true, CreationType: directory.CreationTypeLocalAccount,
		Identities:   []directory.Identity{{SignInType: "emailAddress", Issuer: s.Settings()["Tenant"], IssuerAssignedID: "bob@example.com"}},
		PasswordHash: hash, Attributes: map[string]any{"displayName": "Bob Jones"}}); err != nil {
		tb.Fatal(err)
	}
	return s
}

// localSignIn signs bob in on the unified page over plain HTTP.
func localSignIn(s *stack.Stack) (rp.Result, error) {
	return httpSignIn(s, "B2C_1A_signup_signin", "form_post", "localAccountForm",
		map[string]string{"signInName": "bob@example.com", "password": "Passw0rd!2024"}, "continue")
}

// localSignUp signs a new user up over plain HTTP: the sign-up link, the
// email's code from the mailbox, the passwords and a name.
func localSignUp(s *stack.Stack, email string) (rp.Result, error) {
	c, page, state, err := openSignIn(s, "B2C_1A_signup_signin", "form_post")
	if err != nil {
		return rp.Result{}, err
	}
	link, err := page.Href("createAccount")
	if err != nil {
		return rp.Result{}, err
	}
	if page, err = c.Get(link); err != nil {
		return rp.Result{}, err
	}
	submit := func(action string, fields map[string]string) error {
		f, err := page.FillForm("attributeVerification", fields)
		if err != nil {
			return err
		}
		page, err = c.Submit(f, "action", action)
		return err
	}
	if err := submit("email_ver_but_send", map[string]string{"email": email}); err != nil {
		return rp.Result{}, err
	}
	code, ok := s.Mailbox.Code(email)
	if !ok {
		return rp.Result{}, fmt.Errorf("no code for %s in the mailbox", email)
	}
	if err := submit("email_ver_but_verify", map[string]string{"email_ver_input": code}); err != nil {
		return rp.Result{}, err
	}
	if err := submit("continue", map[string]string{"newPassword": "Passw0rd!2024", "reenterPassword": "Passw0rd!2024", "displayName": "Ann Smith"}); err != nil {
		return rp.Result{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.RP.Wait(ctx, state)
}

func TestLocalAccountJourneysOverHTTP(t *testing.T) {
	s := startStarterPack(t)
	in, err := localSignIn(s)
	if err != nil {
		t.Fatal(err)
	}
	if in.VerifyError != "" || in.Claims["name"] != "Bob Jones" {
		t.Fatalf("sign-in: error=%q %q verify=%q claims=%v", in.Error, in.ErrorDescription, in.VerifyError, in.Claims)
	}
	up, err := localSignUp(s, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if up.VerifyError != "" || up.Claims["email"] != "ann@example.com" || up.Claims["name"] != "Ann Smith" {
		t.Fatalf("sign-up: error=%q %q verify=%q claims=%v", up.Error, up.ErrorDescription, up.VerifyError, up.Claims)
	}
	if n := len(s.Directory.Users()); n != 2 {
		t.Errorf("%d accounts, want 2", n)
	}
}

// BenchmarkLocalSignIn is a local-account sign-in of the unmodified starter
// pack without a browser: the unified page, login-NonInteractive against the
// directory (PBKDF2), the directory read, the token.
func BenchmarkLocalSignIn(b *testing.B) {
	s := startStarterPack(b)
	benchJourney(b, func() (rp.Result, error) { return localSignIn(s) })
}

// BenchmarkLocalSignUp is a local-account sign-up of the unmodified starter
// pack without a browser: the sign-up link, the verification code through the
// mailbox, the directory write (PBKDF2), the read and the token.
func BenchmarkLocalSignUp(b *testing.B) {
	s := startStarterPack(b)
	var n atomic.Int64
	benchJourney(b, func() (rp.Result, error) { return localSignUp(s, fmt.Sprintf("user%d@example.com", n.Add(1))) })
}
