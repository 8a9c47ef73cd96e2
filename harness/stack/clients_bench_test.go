package stack_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/oauth2-proxy/mockoidc"
	"golang.org/x/oauth2"

	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/httpdriver"
)

// codeFlow is one application's sign-in with golang.org/x/oauth2 and
// coreos/go-oidc: the authorization with PKCE S256 up to the callback
// (signIn drives what the user does), the exchange, the id_token's
// verification and a refresh through a TokenSource.
type codeFlow struct {
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
	ctx      context.Context
	cb       *appCallback
	signIn   func(authURL string) error
	n        int
}

func (f *codeFlow) run() error {
	f.n++
	state, nonce := "st-"+strconv.Itoa(f.n), "n-"+strconv.Itoa(f.n)
	v := oauth2.GenerateVerifier()
	if err := f.signIn(f.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("nonce", nonce),
		oauth2.SetAuthURLParam("response_mode", "query"))); err != nil {
		return err
	}
	answer := f.cb.last()
	if answer.Get("state") != state {
		return fmt.Errorf("the callback got %v", answer)
	}
	tok, err := f.conf.Exchange(f.ctx, answer.Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		return err
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := f.verifier.Verify(f.ctx, raw)
	if err != nil {
		return err
	}
	if idt.Nonce != nonce {
		return fmt.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	renewed, err := f.conf.TokenSource(f.ctx, &expired).Token()
	if err != nil {
		return err
	}
	if renewed.AccessToken == "" {
		return errors.New("no access token after the refresh")
	}
	return nil
}

// emulatorFlow is the code flow against the stack's emulator serving the
// unmodified starter pack: the user signs in on the unified page.
func emulatorFlow(b *testing.B) *codeFlow {
	dir := harness.StarterPackForTest(b)
	cb := newAppCallback(b)
	const clientID, secret = "6a1b5f7e-2c0d-4e1f-9a8b-7c6d5e4f3a2b", "app-s3cret"
	_, _, ctx, provider := appStack(b, dir, false, []server.Application{{ClientID: clientID, RedirectURIs: []string{cb.srv.URL + "/cb"}, Secret: secret}})
	return &codeFlow{
		conf: oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(), RedirectURL: cb.srv.URL + "/cb",
			Scopes: []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess, clientID}},
		verifier: provider.Verifier(&oidc.Config{ClientID: clientID}), ctx: ctx, cb: cb,
		signIn: func(authURL string) error {
			c, err := httpdriver.New(30 * time.Second)
			if err != nil {
				return err
			}
			page, err := c.Get(authURL)
			if err != nil {
				return err
			}
			f, err := page.Form("localAccountForm")
			if err != nil {
				return err
			}
			f.Fields.Set("signInName", "bob@example.com")
			f.Fields.Set("password", "Passw0rd!2024")
			_, err = c.Submit(f, "action", "continue")
			return err
		},
	}
}

// mockoidcFlow is the same client against oauth2-proxy/mockoidc, which signs
// its default user in without a page.
func mockoidcFlow(b *testing.B) *codeFlow {
	m, err := mockoidc.Run()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Shutdown() })
	cb := newAppCallback(b)
	cfg := m.Config()
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, m.Issuer())
	if err != nil {
		b.Fatal(err)
	}
	return &codeFlow{
		conf: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: provider.Endpoint(), RedirectURL: cb.srv.URL + "/cb",
			Scopes: []string{oidc.ScopeOpenID}}, // mockoidc refuses offline_access and always refreshes
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}), ctx: ctx, cb: cb,
		signIn: func(authURL string) error {
			c, err := httpdriver.New(30 * time.Second)
			if err != nil {
				return err
			}
			_, err = c.Get(authURL)
			return err
		},
	}
}

// BenchmarkClientCodeFlow is an application's code flow with PKCE, the token
// exchange, the id_token's verification and a refresh, through x/oauth2 and
// go-oidc: against the emulator running the starter pack (with its sign-in
// page and a PBKDF2 check) and, side by side in the same run, against
// oauth2-proxy/mockoidc (no page, no journey).
func BenchmarkClientCodeFlow(b *testing.B) {
	for _, c := range []struct {
		name string
		flow func(*testing.B) *codeFlow
	}{{"emulator", emulatorFlow}, {"mockoidc", mockoidcFlow}} {
		b.Run(c.name, func(b *testing.B) {
			f := c.flow(b)
			if err := f.run(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if err := f.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/flow")
		})
	}
}
