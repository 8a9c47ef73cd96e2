package steps

import (
	"context"
	"fmt"
	"slices"

	"github.com/cucumber/godog"
)

func browserSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the user starts signing in$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.StartSignIn(ctx)
	})
	sc.Step(`^the sign-in page offers the claims exchanges? "([^"]*)"$`, func(ctx context.Context, want string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		got, err := w.ProviderButtons(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(got, want) {
			return fmt.Errorf("want a button with id %q on the selection page, got %q", want, got)
		}
		return nil
	})
	sc.Step(`^the user chooses "([^"]*)"$`, func(ctx context.Context, exchangeID string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.ChooseProvider(ctx, exchangeID)
	})
	sc.Step(`^the user signs in at (\w+) as "([^"]*)" with password "([^"]*)"$`, func(ctx context.Context, idp, user, password string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.SignInAtIdP(ctx, idp, user, password)
	})
	sc.Step(`^the user cancels at (\w+)$`, func(ctx context.Context, idp string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.CancelAtIdP(ctx, idp)
	})
	sc.Step(`^the user signs out$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.SignOut(ctx)
	})
	sc.Step(`^(\w+)'s answer is replayed to the emulator$`, func(ctx context.Context, name string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.ReplayAnswer(ctx, name)
	})
	sc.Step(`^the browser returns to the emulator with a tampered state$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.ReturnWithState(ctx, "tampered-"+w.State)
	})
}
