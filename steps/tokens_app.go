package steps

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/cucumber/godog"
	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/mocks/rp"
)

// appTokenSteps: the tokens an application gets from the token endpoint
// (access and refresh tokens, hybrid answers) and the refresh grant
// (spec apps §3, §4, §5).
func appTokenSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the relying party asks for the scopes "([^"]*)"$`, func(ctx context.Context, scopes string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.Scope = w.Expand(scopes)
		return nil
	})
	sc.Step(`^the relying party asks for a code and an id_token by (fragment|query|form_post)$`, func(ctx context.Context, mode string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.ResponseType, w.Request.ResponseMode = "code id_token", mode
		return nil
	})
	sc.Step(`^the relying party receives an access token with the claims:$`, func(ctx context.Context, t *godog.Table) error {
		w, rows, err := worldRows(ctx, t)
		if err != nil {
			return err
		}
		res, err := lastResult(ctx)
		if err != nil {
			return err
		}
		if res.AccessToken == "" || res.AccessClaims == nil {
			return fmt.Errorf("want a verified access token, got %q (verify: %s; error %s %s)", res.AccessToken, res.VerifyError, res.Error, res.ErrorDescription)
		}
		for _, r := range rows {
			if got := fmt.Sprint(res.AccessClaims[r[0]]); got != w.Expand(r[1]) {
				return fmt.Errorf("access token claim %s = %q, want %q (claims %v)", r[0], got, w.Expand(r[1]), res.AccessClaims)
			}
		}
		return nil
	})
	sc.Step(`^the relying party receives no access token$`, func(ctx context.Context) error {
		res, err := lastResult(ctx)
		if err != nil {
			return err
		}
		if res.AccessToken != "" {
			return fmt.Errorf("want no access token, got one with %v", res.AccessClaims)
		}
		return nil
	})
	sc.Step(`^the relying party receives a refresh token$`, func(ctx context.Context) error {
		res, err := lastResult(ctx)
		if err != nil {
			return err
		}
		if res.RefreshToken == "" {
			return fmt.Errorf("want a refresh token, got none (error %s %s)", res.Error, res.ErrorDescription)
		}
		return nil
	})
	sc.Step(`^the relying party refreshes its tokens$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.Refresh(ctx)
	})
	sc.Step(`^the user's refresh tokens are revoked in the directory$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.RevokeRefreshTokens(ctx)
	})
	sc.Step(`^the front-channel id_token carries the code's c_hash$`, func(ctx context.Context) error {
		res, err := lastResult(ctx)
		if err != nil {
			return err
		}
		if res.FrontIDToken == "" || res.Code == "" {
			return fmt.Errorf("want a code and an id_token at the redirect URI, got code %q id_token %q", res.Code, res.FrontIDToken)
		}
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(res.FrontIDToken, claims); err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(res.Code))
		if want := base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]); claims["c_hash"] != want {
			return fmt.Errorf("c_hash = %v, want %s", claims["c_hash"], want)
		}
		return nil
	})
}

// lastResult is what the relying party received last.
func lastResult(ctx context.Context) (rp.Result, error) {
	w, err := world(ctx)
	if err != nil {
		return rp.Result{}, err
	}
	return w.Result(ctx)
}
