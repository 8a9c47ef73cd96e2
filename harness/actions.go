package harness

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/iefconform/iefconform/harness/stack"
)

// PartyURL is the journal name and base URL of a party by its name in the
// features ("Facebook", "LinkedIn", "Contoso", "the emulator", "the relying party").
func (w *World) PartyURL(name string) (string, string, error) {
	switch strings.ToLower(name) {
	case "the emulator", "emulator", stack.PartyEmulator:
		return stack.PartyEmulator, w.Stack.EmulatorURL(), nil
	case "the relying party", stack.PartyRP:
		return stack.PartyRP, w.Stack.RPURL(), nil
	}
	if idp, ok := w.Stack.IdP(name); ok {
		return idp.Name, idp.URL, nil
	}
	if isTwitter(name) {
		return stack.PartyTwitter, w.Stack.TwitterURL(), nil
	}
	return "", "", fmt.Errorf("unknown party %q: want Facebook, LinkedIn, Contoso, the emulator or the relying party", name)
}

// idSelector is a CSS selector for an element id of any characters.
func idSelector(id string) string {
	return "[id=" + strconv.Quote(id) + "]"
}

// ChooseProvider clicks the selection page's button for a claims exchange id.
func (w *World) ChooseProvider(ctx context.Context, exchangeID string) error {
	sess, err := w.Session(ctx)
	if err != nil {
		return err
	}
	return sess.Click(idSelector(exchangeID))
}

// ProviderButtons waits for the selection page and returns its button ids.
func (w *World) ProviderButtons(ctx context.Context) ([]string, error) {
	sess, err := w.Session(ctx)
	if err != nil {
		return nil, err
	}
	if err := sess.WaitVisible("#claims-provider-selection"); err != nil {
		return nil, err
	}
	els, err := sess.Page().Elements("#claims-provider-selection button")
	if err != nil {
		return nil, fmt.Errorf("read selection buttons: %w", err)
	}
	var ids []string
	for _, el := range els {
		id, err := el.Attribute("id")
		if err != nil {
			return nil, fmt.Errorf("read selection buttons: %w", err)
		}
		if id != nil {
			ids = append(ids, *id)
		}
	}
	return ids, nil
}

// WaitLoginPage waits until the browser shows the named identity provider's page.
func (w *World) WaitLoginPage(ctx context.Context, idp string) error {
	_, base, err := w.PartyURL(idp)
	if err != nil {
		return err
	}
	sess, err := w.Session(ctx)
	if err != nil {
		return err
	}
	if err := sess.WaitURLPrefix(base + "/"); err != nil {
		return fmt.Errorf("expected %s's login page: %w", idp, err)
	}
	return sess.WaitVisible("#login-form")
}

// SignInAtIdP fills the identity provider's login page and submits it.
func (w *World) SignInAtIdP(ctx context.Context, idp, username, password string) error {
	if err := w.WaitLoginPage(ctx, idp); err != nil {
		return err
	}
	sess := w.session
	if err := sess.Fill("#username", username); err != nil {
		return err
	}
	if err := sess.Fill("#password", password); err != nil {
		return err
	}
	return sess.Click("#signin")
}

// CancelAtIdP presses Cancel on the identity provider's login page.
func (w *World) CancelAtIdP(ctx context.Context, idp string) error {
	if err := w.WaitLoginPage(ctx, idp); err != nil {
		return err
	}
	return w.session.Click("#cancel")
}
