package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/mocks/rp"
)

// result waits for the relying party's answer.
func result(ctx context.Context) (*harness.World, rp.Result, error) {
	w, err := world(ctx)
	if err != nil {
		return nil, rp.Result{}, err
	}
	res, err := w.Result(ctx)
	return w, res, err
}

// describe summarises a result for failure messages.
func describe(w *harness.World, res rp.Result) string {
	return fmt.Sprintf("(%s answer from %s: error=%q error_description=%q verify=%q raw=%q)", res.Mode, w.PolicyID, res.Error, res.ErrorDescription, res.VerifyError, res.Raw)
}

// claimText is a claim's value as the features write it: a string as it is,
// anything else (numbers, booleans, arrays) as JSON.
func claimText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// The correlation id and timestamp of seed 000's example, which a run replaces.
const (
	seedCorrelationID = "233bf9bd-747a-4800-9062-6236f3f69a47"
	seedTimestamp     = "2021-03-25+14%3a01%3a23"
)

// descriptionRE is B2C's error_description layout (spec §5.9, ERR-02).
var descriptionRE = regexp.MustCompile(`^(.+)\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z\r\n$`)

func tokenSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the relying party receives an id_token$`, func(ctx context.Context) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		if res.Error != "" || res.IDToken == "" || res.VerifyError != "" || res.Claims == nil {
			return fmt.Errorf("want a verified id_token %s", describe(w, res))
		}
		return nil
	})
	sc.Step(`^the id_token has the claims:$`, func(ctx context.Context, t *godog.Table) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		return eachRow(w, t, func(claim, want string) error {
			got, ok := res.Claims[claim]
			if !ok {
				return fmt.Errorf("want claim %s=%q, the id_token has no such claim (claims: %v, policy %s)", claim, want, res.Claims, w.PolicyID)
			}
			if want == "(present)" {
				if fmt.Sprint(got) == "" {
					return fmt.Errorf("want claim %s present, it is empty (id_token from %s)", claim, w.PolicyID)
				}
				return nil
			}
			if g := claimText(got); g != want {
				return fmt.Errorf("want claim %s=%q, got %q (id_token from %s)", claim, want, g, w.PolicyID)
			}
			return nil
		})
	})
	sc.Step(`^the id_token claim "([^"]*)" matches "([^"]*)"$`, func(ctx context.Context, name, pattern string) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return fmt.Errorf("bad pattern %q: %w", pattern, err)
		}
		got, ok := res.Claims[name]
		if !ok || !re.MatchString(fmt.Sprint(got)) {
			return fmt.Errorf("want claim %s matching %s, got %v (present %v, id_token from %s)", name, pattern, got, ok, w.PolicyID)
		}
		return nil
	})
	sc.Step(`^the id_token has no claim "([^"]*)"$`, func(ctx context.Context, name string) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		if v, ok := res.Claims[name]; ok {
			return fmt.Errorf("want no claim %s, got %v (id_token from %s)", name, v, w.PolicyID)
		}
		return nil
	})
	sc.Step(`^the relying party receives the error "([^"]*)"$`, func(ctx context.Context, code string) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		if res.Error != code {
			return fmt.Errorf("want error %q %s", code, describe(w, res))
		}
		return nil
	})
	sc.Step(`^the error description starts with "([^"]*)"$`, func(ctx context.Context, prefix string) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(res.ErrorDescription, prefix) {
			return fmt.Errorf("want error_description starting %q %s", prefix, describe(w, res))
		}
		return nil
	})
	sc.Step(`^the error description has B2C's correlation id and timestamp lines$`, func(ctx context.Context) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		if !descriptionRE.MatchString(res.ErrorDescription) {
			return fmt.Errorf("want error_description of the form <message>\\r\\nCorrelation ID: <guid>\\r\\nTimestamp: <yyyy-MM-dd HH:mm:ss>Z\\r\\n %s", describe(w, res))
		}
		return nil
	})
	sc.Step(`^the relying party receives no token$`, func(ctx context.Context) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		if res.IDToken != "" || res.Code != "" || res.Params.Has("id_token") || res.Params.Has("code") {
			return fmt.Errorf("want no token and no code %s", describe(w, res))
		}
		return nil
	})
	sc.Step(`^the raw answer is exactly "(.*)" but for the correlation id and the timestamp$`, func(ctx context.Context, want string) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		re := regexp.QuoteMeta(want)
		re = strings.Replace(re, regexp.QuoteMeta(seedCorrelationID), `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, 1)
		re = strings.Replace(re, regexp.QuoteMeta(seedTimestamp), `\d{4}-\d{2}-\d{2}\+\d{2}%3a\d{2}%3a\d{2}`, 1)
		rx, err := regexp.Compile("^" + re + "$")
		if err != nil {
			return fmt.Errorf("bad expected answer %q: %w", want, err)
		}
		if !rx.MatchString(res.Raw) {
			return fmt.Errorf("want the raw answer to be, byte for byte but for the correlation id and timestamp,\n  %s\ngot\n  %s %s", want, res.Raw, describe(w, res))
		}
		return nil
	})
	sc.Step(`^the raw answer contains "(.*)"$`, func(ctx context.Context, want string) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		if !strings.Contains(res.Raw, want) {
			return fmt.Errorf("want the raw answer to contain %q %s", want, describe(w, res))
		}
		return nil
	})
	sc.Step(`^the answer arrives by (fragment|query|form_post)$`, func(ctx context.Context, mode string) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		if res.Mode != mode {
			return fmt.Errorf("want the answer by %s %s", mode, describe(w, res))
		}
		return nil
	})
	sc.Step(`^the state "([^"]*)" comes back$`, func(ctx context.Context, state string) error {
		w, res, err := result(ctx)
		if err != nil {
			return err
		}
		if res.State != state {
			return fmt.Errorf("want state %q back, got %q %s", state, res.State, describe(w, res))
		}
		return nil
	})
}
