package harness

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
)

// SignOut opens the policy's sign-out endpoint with the stack's signed-out
// page as post_logout_redirect_uri and waits until the browser lands there
// (after the sign-out page's identity-provider iframes have loaded).
func (w *World) SignOut(ctx context.Context) error {
	sess, err := w.Session(ctx)
	if err != nil {
		return err
	}
	target := w.Stack.SignedOutURL()
	u := w.Expand("{logout}") + "?post_logout_redirect_uri=" + url.QueryEscape(target)
	if err := sess.Navigate(u); err != nil {
		return err
	}
	return sess.WaitURLPrefix(target)
}

// ReplayAnswer sends the browser back to the emulator's callback with the code
// and state an identity provider already answered with once: a replayed answer.
func (w *World) ReplayAnswer(ctx context.Context, idpName string) error {
	info, ok := w.Stack.IdP(idpName)
	if !ok {
		return fmt.Errorf("unknown identity provider %q", idpName)
	}
	authz := info.Mock.Requests(mockoauth2.EndpointAuthorize)
	tokens := info.Mock.Requests(mockoauth2.EndpointToken)
	if len(authz) == 0 || len(tokens) == 0 {
		return fmt.Errorf("%s has not answered a sign-in yet (authorize requests: %d, token requests: %d)", idpName, len(authz), len(tokens))
	}
	first := authz[0]
	last := tokens[len(tokens)-1]
	code := last.Form.Get("code")
	if code == "" {
		code = last.Query.Get("code")
	}
	callback := first.Query.Get("redirect_uri")
	if callback == "" || code == "" {
		return fmt.Errorf("cannot rebuild %s's answer: redirect_uri %q, code present %v", idpName, callback, code != "")
	}
	return w.navigate(ctx, callback+"?"+url.Values{"code": {code}, "state": {first.Query.Get("state")}}.Encode())
}

// ReturnWithState sends the browser to the emulator's OAuth2 callback with a
// code and the given state, as an identity provider (or an attacker) could.
func (w *World) ReturnWithState(ctx context.Context, state string) error {
	return w.navigate(ctx, w.Expand("{authresp}")+"?"+url.Values{"code": {"forged-code"}, "state": {state}}.Encode())
}

func (w *World) navigate(ctx context.Context, u string) error {
	sess, err := w.Session(ctx)
	if err != nil {
		return err
	}
	if err := sess.Navigate(u); err != nil && !strings.Contains(err.Error(), "net::ERR_HTTP_RESPONSE_CODE_FAILURE") {
		return err
	}
	return nil
}
