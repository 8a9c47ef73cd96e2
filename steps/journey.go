package steps

import (
	"context"

	"github.com/cucumber/godog"
)

func journeySteps(sc *godog.ScenarioContext) {
	sc.Step(`^the relying party uses the policy "([^"]*)" from "([^"]*)"$`, func(ctx context.Context, policyID, dir string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.UsePolicy(dir, policyID)
	})
	sc.Step(`^the relying party asks for an? (id_token|code) by (fragment|query|form_post)$`, func(ctx context.Context, responseType, mode string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.ResponseType, w.Request.ResponseMode = responseType, mode
		return nil
	})
	sc.Step(`^the relying party sends the state "([^"]*)"$`, func(ctx context.Context, state string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.State = state
		return nil
	})
	sc.Step(`^the policy key "([^"]*)" holds the secret "([^"]*)"$`, func(ctx context.Context, container, secret string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Stack.Keys.SetSecret(container, []byte(secret))
		return nil
	})
}
