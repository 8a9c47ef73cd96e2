package harness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iefconform/iefconform/engine/directory"
)

// Refresh has the relying party redeem the refresh token of the last answer
// and makes the endpoint's answer the scenario's result.
func (w *World) Refresh(ctx context.Context) error {
	res, err := w.Result(ctx)
	if err != nil {
		return err
	}
	if res.RefreshToken == "" {
		return errors.New("the relying party has no refresh token to redeem: ask for offline_access and a code")
	}
	next, err := w.Stack.RP.Refresh(ctx, w.State, res.RefreshToken)
	if err != nil {
		return err
	}
	w.result = &next
	return nil
}

// RevokeRefreshTokens moves the signed-in user's refreshTokensValidFromDateTime
// past now, as Microsoft Graph's revokeSignInSessions does: the user is the
// id_token's sub, an objectId.
func (w *World) RevokeRefreshTokens(ctx context.Context) error {
	res, err := w.Result(ctx)
	if err != nil {
		return err
	}
	sub, _ := res.Claims["sub"].(string)
	if _, err := w.Stack.Directory.Update(ctx, sub, func(u *directory.User) error {
		u.RefreshTokensValidFromDateTime = time.Now().Add(10 * time.Minute)
		return nil
	}); err != nil {
		return fmt.Errorf("revoke the refresh tokens of %q (the id_token's sub): %w", sub, err)
	}
	return nil
}
