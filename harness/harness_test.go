package harness_test

import (
	"context"
	"io/fs"
	"os"
	"sort"
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

// journey runs one whole scenario as the features do: a fresh stack and a fresh
// incognito context, sign-in at the identity provider, the relying party's
// verified answer.
func journey(ctx context.Context, s *harness.Suite, idp, dir, policy, mode string) error {
	w, err := s.NewWorld()
	if err != nil {
		return err
	}
	defer w.Close()
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
	w.Request.ResponseType, w.Request.ResponseMode = "id_token", mode
	if err := w.StartSignIn(ctx); err != nil {
		return err
	}
	if err := w.SignInAtIdP(ctx, idp, "alice", "wonderland"); err != nil {
		return err
	}
	res, err := w.Result(ctx)
	if err != nil {
		return err
	}
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
				if err := journey(context.Background(), s, idp.name, idp.dir, idp.policy, mode); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// BenchmarkBrowserJourney is one journey in headless Chromium per identity
// provider, including a fresh stack and a fresh incognito context; it reports
// the median.
func BenchmarkBrowserJourney(b *testing.B) {
	s := newSuite(b)
	ctx := context.Background()
	for _, idp := range idps {
		b.Run(idp.name, func(b *testing.B) {
			if err := journey(ctx, s, idp.name, idp.dir, idp.policy, "fragment"); err != nil { // launch the browser outside the timing
				b.Fatal(err)
			}
			durations := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if err := journey(ctx, s, idp.name, idp.dir, idp.policy, "fragment"); err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(start))
			}
			b.StopTimer()
			sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
			b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms/journey")
		})
	}
}
