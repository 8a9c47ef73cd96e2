package steps

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/harness"
	mockrest "github.com/iefconform/iefconform/mocks/rest"
)

// customClaimsSteps configure the Entra custom claims provider (spec §7) and
// read the emulator's sign-in log.
func customClaimsSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the application has a custom claims provider at "([^"]*)"$`, func(ctx context.Context, path string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		_, err = w.UseCustomClaims(path)
		return err
	})
	sc.Step(`^the custom claims provider API at "([^"]*)" answers with the fault "([^"]*)"$`, func(ctx context.Context, path, fault string) error {
		return updateRoute(ctx, "POST "+path, func(r *mockrest.Route) {
			cc := *r.CustomClaims
			cc.Fault = fault
			r.CustomClaims = &cc
		})
	})
	sc.Step(`^the custom claims provider's (targetUrl|resourceId) is "([^"]*)"$`, func(ctx context.Context, field, value string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.SetCustomClaimsTarget(field, value)
	})
	sc.Step(`^the custom claims provider allows (\d+) ms with (\d+) retr(?:y|ies)$`, func(ctx context.Context, ms, retries int) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.SetCustomClaimsTiming(ms, retries)
	})
	sc.Step(`^the listener names the extension "([^"]*)"$`, func(ctx context.Context, id string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.SetCustomClaimsListener(id)
	})
	sc.Step(`^the directory (lacks|disables) the (resource|client) service principal$`, func(ctx context.Context, how, which string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.BreakCustomClaimsDirectory(which, how == "lacks")
	})
	sc.Step(`^admin consent is not granted to the custom claims provider API$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.BreakCustomClaimsDirectory("consent", false)
	})
	sc.Step(`^the Microsoft Graph service principal is disabled$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.BreakCustomClaimsDirectory("graph", false)
	})
	sc.Step(`^the sign-in log records the code (\d+) (\w+)(?: after (\d+) retr(?:y|ies))?$`, func(ctx context.Context, code int, name, retries string) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		entries, err := w.SignInLog(res.ErrorDescription)
		if err != nil {
			return err
		}
		if len(entries) != 1 {
			return fmt.Errorf("want 1 sign-in log entry for the journey, got %d: %+v", len(entries), entries)
		}
		e := entries[0]
		if e.Code != code || e.Name != name {
			return fmt.Errorf("want the sign-in log to record %d %s, it records %d %s (%+v)", code, name, e.Code, e.Name, e)
		}
		if retries != "" {
			if n, _ := strconv.Atoi(retries); e.Retries != n {
				return fmt.Errorf("want %d retries in the sign-in log, it records %d", n, e.Retries)
			}
		}
		return nil
	})
	sc.Step(`^the custom claims provider API at "([^"]*)" accepted the emulator's bearer token$`, func(ctx context.Context, path string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		c, ok := w.Stack.REST.LastCall(path)
		if !ok {
			return fmt.Errorf("the custom claims provider API received no call to %s", path)
		}
		if c.TokenError != "" || c.TokenClaims["azp"] != harness.EventsServiceAppID {
			return fmt.Errorf("want a verified bearer token with azp %s, got error %q claims %v", harness.EventsServiceAppID, c.TokenError, c.TokenClaims)
		}
		if len(c.PayloadProblems) > 0 {
			return fmt.Errorf("the API found problems in the tokenIssuanceStart payload: %v", c.PayloadProblems)
		}
		return nil
	})
}
