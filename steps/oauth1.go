package steps

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	mockoauth1 "github.com/iefconform/iefconform/mocks/oauth1"
)

// oauth1Steps assert on OAuth 1.0a requests: their protocol parameters, nonces,
// timestamps and signature base strings (spec §3.4).
func oauth1Steps(sc *godog.ScenarioContext) {
	sc.Step(`^(\w+) received an? (GET|POST) to "([^"]*)" with the OAuth parameters:$`, func(ctx context.Context, name, method, path string, t *godog.Table) error {
		w, last, err := received(ctx, name, method, path)
		if err != nil {
			return err
		}
		return eachRow(w, t, func(param, want string) error {
			if err := matchParam(last.OAuth, param, want); err != nil {
				return fmt.Errorf("%s %s %s (OAuth parameters): %w", name, method, path, err)
			}
			return nil
		})
	})
	sc.Step(`^the OAuth requests (\w+) received used distinct nonces and timestamps within (\d+) seconds of when they arrived$`, func(ctx context.Context, name string, within int) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		seen := map[string]string{}
		n := 0
		for _, path := range []string{mockoauth1.PathRequestToken, mockoauth1.PathAccessToken, w.Stack.Twitter.ClaimsPath()} {
			rs, err := w.Requests(name, path)
			if err != nil {
				return err
			}
			for _, r := range rs {
				nonce := r.OAuth.Get("oauth_nonce")
				if nonce == "" {
					return fmt.Errorf("%s %s carried no oauth_nonce", name, path)
				}
				if prev, dup := seen[nonce]; dup {
					return fmt.Errorf("nonce %q used by %s and again by %s", nonce, prev, path)
				}
				seen[nonce] = path
				ts, err := strconv.ParseInt(r.OAuth.Get("oauth_timestamp"), 10, 64)
				if err != nil {
					return fmt.Errorf("%s %s: oauth_timestamp %q is not a number", name, path, r.OAuth.Get("oauth_timestamp"))
				}
				if d := math.Abs(float64(r.Time.Unix() - ts)); d > float64(within) {
					return fmt.Errorf("%s %s: oauth_timestamp %d is %.0f s from the arrival at %s", name, path, ts, d, r.Time.Format(time.RFC3339))
				}
				n++
			}
		}
		if n < 3 {
			return fmt.Errorf("want at least the request-token, access-token and claims requests, %s received %d signed requests", name, n)
		}
		return nil
	})
	sc.Step(`^(\w+)'s last request to "([^"]*)" was signed over a base string containing "([^"]*)"$`, func(ctx context.Context, name, path, want string) error {
		w, last, err := received(ctx, name, "", path)
		if err != nil {
			return err
		}
		if want = w.Expand(want); !strings.Contains(last.BaseString, want) {
			return fmt.Errorf("%s %s: want the signature base string to contain %q, it is %q", name, path, want, last.BaseString)
		}
		return nil
	})
	sc.Step(`^(\w+)'s last request to "([^"]*)" is sent to it again$`, func(ctx context.Context, name, path string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		_, err = w.Resend(ctx, name, path)
		return err
	})
}
