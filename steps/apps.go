package steps

import (
	"context"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/engine/server"
)

// appSteps register applications and have the relying party act as one of
// them (spec apps §1).
func appSteps(sc *godog.ScenarioContext) {
	register := func(ctx context.Context, clientID string, app server.Application) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		app.ClientID = clientID
		app.RedirectURIs = []string{w.Stack.RP.RedirectURI()}
		w.RegisterApplication(app)
		return nil
	}
	sc.Step(`^the application "([^"]*)" is registered for the relying party's redirect URI as a public client$`, func(ctx context.Context, id string) error {
		return register(ctx, id, server.Application{Public: true, AllowImplicitFlow: true})
	})
	sc.Step(`^the application "([^"]*)" is registered for the relying party's redirect URI with the secret "([^"]*)"$`, func(ctx context.Context, id, secret string) error {
		return register(ctx, id, server.Application{Secret: secret, AllowImplicitFlow: true})
	})
	sc.Step(`^the application "([^"]*)" is registered for the relying party's redirect URI with the secret "([^"]*)" and no implicit flow$`, func(ctx context.Context, id, secret string) error {
		return register(ctx, id, server.Application{Secret: secret})
	})
	sc.Step(`^the relying party signs in as the application "([^"]*)"$`, func(ctx context.Context, id string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.ClientID = id
		return nil
	})
	sc.Step(`^the relying party redeems the code with the client secret "([^"]*)"$`, func(ctx context.Context, secret string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.ClientSecret = secret
		return nil
	})
	sc.Step(`^the relying party redeems the code without a client secret$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.NoClientSecret = true
		return nil
	})
}
