package harness_test

import (
	"context"
	"io/fs"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/browser"
)

func newSuite(tb testing.TB) *harness.Suite {
	tb.Helper()
	if _, err := browser.Find(); err != nil && os.Getenv("IEFCONFORM_BROWSER_URL") == "" {
		if os.Getenv("CI") != "" {
			tb.Fatalf("CI needs a browser: %v", err)
		}
		tb.Skipf("no browser on this machine: %v", err)
	}
	policies, err := fs.Sub(features.FS, features.Policies)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := harness.NewSuite(harness.Options{Policies: policies, Browser: browser.OptionsFromEnv()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close suite: %v", err)
		}
	})
	return s
}

// idps are the journeys the browser tests and benchmark run: the identity
// provider, its policy folder and relying-party policy.
var idps = []struct{ name, dir, policy string }{
	{"Facebook", "facebook", "B2C_1A_signup_signin"},
	{"Twitter", "social", "B2C_1A_Twitter_SignIn"},
}

// phases are the moments of one journey, for the benchmark's breakdown.
type phases struct {
	start, stack, session, loginPage, filled, result, closed time.Time
}

// journey runs one whole scenario as the features do: a fresh stack and a fresh
// (or reset) incognito context, sign-in at the identity provider, the relying
// party's verified answer. It records in ph, if not nil, when each phase ended.
func journey(ctx context.Context, s *harness.Suite, idp, dir, policy, mode string, ph *phases) error {
	if ph == nil {
		ph = &phases{}
	}
	mark := func(t *time.Time) { *t = time.Now() }
	mark(&ph.start)
	defer mark(&ph.closed)
	return withWorld(s, func(w *harness.World) error { return idpJourney(ctx, w, idp, dir, policy, mode, ph, mark) })
}

// withWorld runs fn with a new scenario World and closes it; the first error wins.
func withWorld(s *harness.Suite, fn func(*harness.World) error) (err error) {
	w, err := s.NewWorld()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}()
	return fn(w)
}

// idpJourney is journey's scenario in World w.
func idpJourney(ctx context.Context, w *harness.World, idp, dir, policy, mode string, ph *phases, mark func(*time.Time)) error {
	if err := w.UsePolicy(dir, policy); err != nil {
		return err
	}
	claims := map[string]any{"id": "1", "first_name": "Alice"}
	if idp == "Twitter" {
		claims = map[string]any{"user_id": "1", "screen_name": "alice", "email": "alice@example.com"}
	}
	if err := w.AddUser(idp, "alice", "wonderland", claims); err != nil {
		return err
	}
	mark(&ph.stack)
	if _, err := w.Session(ctx); err != nil {
		return err
	}
	mark(&ph.session)
	w.Request.ResponseType, w.Request.ResponseMode = "id_token", mode
	if mode == "query" {
		w.Request.ResponseType = "code" // an id_token never travels in a query (AADB2C90014)
	}
	if err := w.StartSignIn(ctx); err != nil {
		return err
	}
	if err := w.WaitLoginPage(ctx, idp); err != nil {
		return err
	}
	mark(&ph.loginPage)
	if err := w.SignInAtIdP(ctx, idp, "alice", "wonderland"); err != nil {
		return err
	}
	mark(&ph.filled)
	res, err := w.Result(ctx)
	if err != nil {
		return err
	}
	mark(&ph.result)
	if res.IDToken == "" || res.VerifyError != "" || res.Claims["sub"] != "1" {
		return &journeyError{res.Error, res.VerifyError}
	}
	return nil
}

type journeyError struct{ err, verify string }

func (e *journeyError) Error() string { return "no verified token: " + e.err + " " + e.verify }

func TestBrowserJourney(t *testing.T) {
	s := newSuite(t)
	for _, idp := range idps {
		for _, mode := range []string{"fragment", "query", "form_post"} {
			t.Run(idp.name+"/"+mode, func(t *testing.T) {
				if err := journey(context.Background(), s, idp.name, idp.dir, idp.policy, mode, nil); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// BenchmarkBrowserJourney is one journey in headless Chromium per identity
// provider, including a fresh stack and a fresh (or reset) incognito context;
// it reports the median, and the median of each phase: starting the stack,
// getting the browser session, reaching the IdP's login page, filling and
// submitting it, the redirects and form posts back to the relying party, and
// closing the stack and giving the session back.
func BenchmarkBrowserJourney(b *testing.B) {
	s := newSuite(b)
	ctx := context.Background()
	for _, idp := range idps {
		b.Run(idp.name, func(b *testing.B) {
			if err := journey(ctx, s, idp.name, idp.dir, idp.policy, "fragment", nil); err != nil { // launch the browser outside the timing
				b.Fatal(err)
			}
			all := make([]phases, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var ph phases
				if err := journey(ctx, s, idp.name, idp.dir, idp.policy, "fragment", &ph); err != nil {
					b.Fatal(err)
				}
				all = append(all, ph)
			}
			b.StopTimer()
			median := func(from, to func(phases) time.Time) float64 {
				d := make([]time.Duration, len(all))
				for i, ph := range all {
					d[i] = to(ph).Sub(from(ph))
				}
				slices.Sort(d)
				return float64(d[len(d)/2].Microseconds()) / 1000
			}
			b.ReportMetric(median(func(p phases) time.Time { return p.start }, func(p phases) time.Time { return p.closed }), "median-ms/journey")
			b.ReportMetric(median(func(p phases) time.Time { return p.start }, func(p phases) time.Time { return p.stack }), "ms-stack")
			b.ReportMetric(median(func(p phases) time.Time { return p.stack }, func(p phases) time.Time { return p.session }), "ms-session")
			b.ReportMetric(median(func(p phases) time.Time { return p.session }, func(p phases) time.Time { return p.loginPage }), "ms-to-login")
			b.ReportMetric(median(func(p phases) time.Time { return p.loginPage }, func(p phases) time.Time { return p.filled }), "ms-fill-submit")
			b.ReportMetric(median(func(p phases) time.Time { return p.filled }, func(p phases) time.Time { return p.result }), "ms-back-to-rp")
			b.ReportMetric(median(func(p phases) time.Time { return p.result }, func(p phases) time.Time { return p.closed }), "ms-close")
		})
	}
}
