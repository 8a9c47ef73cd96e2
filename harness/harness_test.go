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
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
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

// journey runs one whole scenario as the features do: a fresh stack and a fresh
// incognito context, sign-in at Facebook, the relying party's verified answer.
func journey(ctx context.Context, s *harness.Suite, mode string) error {
	w, err := s.NewWorld()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.UsePolicy("facebook", "B2C_1A_signup_signin"); err != nil {
		return err
	}
	if err := w.Stack.Facebook.AddUser(mockoauth2.User{Username: "alice", Password: "wonderland", Claims: map[string]any{"id": "1", "first_name": "Alice"}}); err != nil {
		return err
	}
	w.Request.ResponseType, w.Request.ResponseMode = "id_token", mode
	if err := w.StartSignIn(ctx); err != nil {
		return err
	}
	if err := w.SignInAtIdP(ctx, "Facebook", "alice", "wonderland"); err != nil {
		return err
	}
	res, err := w.Result(ctx)
	if err != nil {
		return err
	}
	if res.IDToken == "" || res.VerifyError != "" || res.Claims["given_name"] != "Alice" {
		return &journeyError{res.Error, res.VerifyError}
	}
	return nil
}

type journeyError struct{ err, verify string }

func (e *journeyError) Error() string { return "no verified token: " + e.err + " " + e.verify }

func TestBrowserJourney(t *testing.T) {
	s := newSuite(t)
	for _, mode := range []string{"fragment", "query", "form_post"} {
		t.Run(mode, func(t *testing.T) {
			if err := journey(context.Background(), s, mode); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// BenchmarkBrowserJourney is one Facebook journey in headless Chromium,
// including a fresh stack and a fresh incognito context; it reports the median.
func BenchmarkBrowserJourney(b *testing.B) {
	s := newSuite(b)
	ctx := context.Background()
	if err := journey(ctx, s, "fragment"); err != nil { // launch the browser outside the timing
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := journey(ctx, s, "fragment"); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms/journey")
}
