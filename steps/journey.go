package steps

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

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
	sc.Step(`^loading the policy folder "([^"]*)" fails with "([^"]*)"$`, func(ctx context.Context, dir, want string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		err = w.Stack.UsePolicy(dir, nil)
		if err == nil {
			return fmt.Errorf("want the policy folder %s refused with %q, it loaded", dir, want)
		}
		if !strings.Contains(err.Error(), want) {
			return fmt.Errorf("want the policy folder %s refused with %q, got: %v", dir, want, err)
		}
		return nil
	})
	sc.Step(`^the relying party asks for an? (id_token|code) by (fragment|query|form_post)$`, func(ctx context.Context, responseType, mode string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.ResponseType, w.Request.ResponseMode = responseType, mode
		return nil
	})
	sc.Step(`^the relying party uses PKCE$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.PKCE = true
		return nil
	})
	sc.Step(`^the relying party uses PKCE but redeems the code with the wrong code_verifier$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.PKCE, w.Request.CodeVerifier = true, "a-verifier-that-is-not-the-challenge-one"
		w.Request.TamperVerifier = true
		return nil
	})
	sc.Step(`^the relying party sends no state$`, func(ctx context.Context) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		w.Request.NoState = true
		return nil
	})
	sc.Step(`^the guarded step's preconditions are "([^"]*)" then "([^"]*)"$`, func(ctx context.Context, first, second string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		for i, pc := range []string{first, second} {
			f := strings.Fields(pc)
			if len(f) < 3 || len(f) > 4 {
				return fmt.Errorf("want a precondition like \"ClaimEquals true color Blue\" (Type ExecuteActionsIf claim [value]), got %q", pc)
			}
			if len(f) == 3 {
				f = append(f, "")
			}
			prefix := [...]string{"First", "Second"}[i]
			for j, name := range []string{"Type", "If", "Claim", "Value"} {
				if err := w.OverrideSetting(prefix+name, f[j]); err != nil {
					return err
				}
			}
		}
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

func policySteps(sc *godog.ScenarioContext) {
	sc.Step(`^the technical profile "([^"]*)" has the metadata:$`, func(ctx context.Context, tpID string, t *godog.Table) error {
		w, rows, err := worldRows(ctx, t)
		if err != nil {
			return err
		}
		return w.PatchMetadata(tpID, rows)
	})
	sc.Step(`^the technical profile "([^"]*)" has the cryptographic key "([^"]*)" stored in "([^"]*)"$`, func(ctx context.Context, tpID, keyID, container string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.PatchKey(tpID, keyID, container)
	})
	sc.Step(`^the technical profile "([^"]*)" has the input claim "([^"]*)"$`, func(ctx context.Context, tpID, claim string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.PatchInputClaim(tpID, claim)
	})
	sc.Step(`^the technical profile "([^"]*)" first runs the claims transformation "([^"]*)"$`, func(ctx context.Context, tpID, ct string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.PatchInputTransformation(tpID, ct)
	})
	sc.Step(`^the validation technical profile "([^"]*)" of "([^"]*)" continues on error$`, func(ctx context.Context, vtp, tpID string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.PatchContinueOnError(tpID, vtp)
	})
	sc.Step(`^the setting "([^"]*)" is "([^"]*)"$`, func(ctx context.Context, name, value string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.OverrideSetting(name, w.Expand(value))
	})
	sc.Step(`^the emulator gives parties (\d+) ms to answer$`, func(ctx context.Context, ms int) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.SetPartyTimeout(time.Duration(ms) * time.Millisecond)
	})
	sc.Step(`^the relying party sends the parameter "([^"]*)" with "([^"]*)"$`, func(ctx context.Context, name, value string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		if w.Request.Extra == nil {
			w.Request.Extra = url.Values{}
		}
		w.Request.Extra.Set(name, value)
		return nil
	})
}
