// Package steps holds the godog step definitions, one file per domain. Steps
// stay thin: they parse the sentence, call one harness or mock method and
// compare. All scenario state lives in the harness.World carried by the context.
package steps

import (
	"context"
	"fmt"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/browser"
	"github.com/iefconform/iefconform/mocks/journal"
)

// Initialize returns the scenario initializer for a suite: hooks that give each
// scenario a fresh World and attach evidence to failed steps, and every step.
func Initialize(suite *harness.Suite) func(*godog.ScenarioContext) {
	return func(sc *godog.ScenarioContext) {
		sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
			w, err := suite.NewWorld()
			if err != nil {
				return ctx, fmt.Errorf("start the scenario's parties: %w", err)
			}
			return harness.NewContext(ctx, w), nil
		})
		sc.StepContext().After(func(ctx context.Context, _ *godog.Step, status godog.StepResultStatus, _ error) (context.Context, error) {
			if status != godog.StepFailed {
				return ctx, nil
			}
			w, err := harness.FromContext(ctx)
			if err != nil {
				return ctx, nil
			}
			for _, e := range w.Evidence() {
				ctx = godog.Attach(ctx, godog.Attachment{Body: e.Body, FileName: e.Name, MediaType: e.MediaType})
			}
			return ctx, nil
		})
		sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
			w, werr := harness.FromContext(ctx)
			if werr != nil {
				return ctx, nil
			}
			if cerr := w.Close(); cerr != nil && err == nil {
				return ctx, fmt.Errorf("close the scenario's parties: %w", cerr)
			}
			return ctx, nil
		})
		journeySteps(sc)
		policySteps(sc)
		wireSteps(sc)
		assertionSteps(sc)
		browserSteps(sc)
		oauth2Steps(sc)
		oauth1Steps(sc)
		restSteps(sc)
		customClaimsSteps(sc)
		tokenSteps(sc)
		localSteps(sc)
		appSteps(sc)
		appTokenSteps(sc)
	}
}

// world is the scenario's World; every step starts with it.
func world(ctx context.Context) (*harness.World, error) {
	return harness.FromContext(ctx)
}

// worldRows returns the scenario's World and the name | value rows of t.
func worldRows(ctx context.Context, t *godog.Table) (*harness.World, [][2]string, error) {
	w, err := world(ctx)
	if err != nil {
		return nil, nil, err
	}
	rows, err := pairs(t)
	return w, rows, err
}

// eachRow calls f with the name and the expanded value of every name | value
// row of t, and stops at the first error.
func eachRow(w *harness.World, t *godog.Table, f func(name, want string) error) error {
	rows, err := pairs(t)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := f(r[0], w.Expand(r[1])); err != nil {
			return err
		}
	}
	return nil
}

// partyJournal returns the scenario's World and what the party called name
// received, in order.
func partyJournal(ctx context.Context, name string) (*harness.World, []journal.Entry, error) {
	w, err := world(ctx)
	if err != nil {
		return nil, nil, err
	}
	party, _, err := w.PartyURL(name)
	if err != nil {
		return nil, nil, err
	}
	return w, w.Stack.Journal.Party(party), nil
}

// pageHTML returns the browser session and the HTML of its page.
func pageHTML(ctx context.Context) (*browser.Session, string, error) {
	w, err := world(ctx)
	if err != nil {
		return nil, "", err
	}
	sess, err := w.Session(ctx)
	if err != nil {
		return nil, "", err
	}
	html, err := sess.HTML()
	return sess, html, err
}
