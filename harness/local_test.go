package harness_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/iefconform/iefconform/harness"
)

// localJourney runs one local-account scenario of the unmodified
// SocialAndLocalAccounts starter pack in the browser, as the features do: a
// fresh stack and session; signUp registers email through the sign-up page
// and its verification code, else email (already in the directory) signs in.
func localJourney(ctx context.Context, s *harness.Suite, email string, signUp bool) error {
	return withWorld(s, func(w *harness.World) error { return localScenario(ctx, w, email, signUp) })
}

// localScenario is localJourney's scenario in World w.
func localScenario(ctx context.Context, w *harness.World, email string, signUp bool) error {
	if err := w.UseStarterPack("SocialAndLocalAccounts", "B2C_1A_signup_signin"); err != nil {
		return err
	}
	if !signUp {
		if err := w.AddLocalAccount(email, "Passw0rd!2024", map[string]string{"displayName": "Bob Jones"}); err != nil {
			return err
		}
	}
	w.Request.ResponseType, w.Request.ResponseMode = "id_token", "form_post"
	if err := w.StartSignIn(ctx); err != nil {
		return err
	}
	if signUp {
		if err := w.PressPageButton(ctx, "createAccount"); err != nil {
			return err
		}
		if err := w.VerifyEmail(ctx, "email", email); err != nil {
			return err
		}
		if err := w.FillPage(ctx, [][2]string{{"newPassword", "Passw0rd!2024"}, {"reenterPassword", "Passw0rd!2024"}, {"displayName", "Bob Jones"}}); err != nil {
			return err
		}
		if err := w.PressPageButton(ctx, "continue"); err != nil {
			return err
		}
	} else {
		if err := w.FillPage(ctx, [][2]string{{"signInName", email}, {"password", "Passw0rd!2024"}}); err != nil {
			return err
		}
		if err := w.PressPageButton(ctx, "next"); err != nil {
			return err
		}
	}
	res, err := w.Result(ctx)
	if err != nil {
		return err
	}
	if res.IDToken == "" || res.VerifyError != "" || res.Claims["name"] != "Bob Jones" {
		return fmt.Errorf("no verified token for Bob Jones: %s %s %v", res.Error, res.VerifyError, res.Claims)
	}
	return nil
}

func skipWithoutStarterPack(tb testing.TB) {
	tb.Helper()
	harness.StarterPackForTest(tb)
}

func TestBrowserLocalJourneys(t *testing.T) {
	skipWithoutStarterPack(t)
	s := newSuite(t)
	for _, signUp := range []bool{false, true} {
		if err := localJourney(context.Background(), s, "bob@example.com", signUp); err != nil {
			t.Errorf("sign-up %v: %v", signUp, err)
		}
	}
}

// BenchmarkBrowserLocalJourney is a local-account sign-in and a sign-up
// (with its email verification) of the unmodified starter pack in headless
// Chromium, each with a fresh stack and a fresh (or reset) incognito context.
func BenchmarkBrowserLocalJourney(b *testing.B) {
	skipWithoutStarterPack(b)
	s := newSuite(b)
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		signUp bool
	}{{"SignIn", false}, {"SignUp", true}} {
		b.Run(c.name, func(b *testing.B) {
			if err := localJourney(ctx, s, "bob@example.com", c.signUp); err != nil { // launch the browser outside the timing
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if err := localJourney(ctx, s, "bob@example.com", c.signUp); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/journey")
		})
	}
}
