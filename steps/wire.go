package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cucumber/godog"
)

// wireSteps assert on what identity providers received: headers, counts.
func wireSteps(sc *godog.ScenarioContext) {
	sc.Step(`^(\w+)'s last request to "([^"]*)" has the header "([^"]*)" (equal to|starting with) "([^"]*)"$`, func(ctx context.Context, name, path, header, how, want string) error {
		w, last, err := received(ctx, name, "", path)
		if err != nil {
			return err
		}
		got := last.Header.Get(header)
		want = w.Expand(want)
		if (how == "equal to" && got != want) || (how == "starting with" && !strings.HasPrefix(got, want)) {
			return fmt.Errorf("%s %s: want header %s %s %q, got %q", name, path, header, how, want, got)
		}
		return nil
	})
	sc.Step(`^(\w+)'s last request to "([^"]*)" has no header "([^"]*)"$`, func(ctx context.Context, name, path, header string) error {
		_, last, err := received(ctx, name, "", path)
		if err != nil {
			return err
		}
		if v := last.Header.Get(header); v != "" {
			return fmt.Errorf("%s %s: want no header %s, got %q", name, path, header, v)
		}
		return nil
	})
	sc.Step(`^(\w+) received (\d+) requests? to "([^"]*)"$`, func(ctx context.Context, name string, n int, path string) error {
		w, entries, err := partyJournal(ctx, name)
		if err != nil {
			return err
		}
		got := 0
		for _, e := range entries {
			if e.Path == path {
				got++
			}
		}
		if got != n {
			return fmt.Errorf("want %d requests to %s %s, got %d; journal:\n%s", n, name, path, got, w.Stack.Journal.String())
		}
		return nil
	})
	sc.Step(`^the (emulator|browser) shows the error "([^"]*)"$`, func(ctx context.Context, _ string, want string) error {
		return eventually(func() error {
			sess, html, err := pageHTML(ctx)
			if err != nil {
				return err
			}
			if !strings.Contains(html, want) {
				return fmt.Errorf("want the page at %s to show %q", sess.URL(), want)
			}
			return nil
		})
	})
}

// assertionSteps check the private_key_jwt client assertion an identity
// provider received (OA2-07).
func assertionSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the client assertion (\w+) received is signed with "(RS256|RS512)", lives (\d+) seconds and has the claims:$`, func(ctx context.Context, name, alg string, lifetime int, t *godog.Table) error {
		w, last, err := received(ctx, name, "", "/token")
		if err != nil {
			return err
		}
		a := last.Assertion
		if a == nil {
			return fmt.Errorf("%s's last token request carried no client assertion", name)
		}
		if got := fmt.Sprint(a.Header["alg"]); got != alg {
			return fmt.Errorf("want the assertion signed with %s, its header says alg %q", alg, got)
		}
		iat, exp, nbf := num(a.Claims["iat"]), num(a.Claims["exp"]), num(a.Claims["nbf"])
		if exp-iat != float64(lifetime) || nbf != iat {
			return fmt.Errorf("want exp - iat = %d and nbf = iat, got iat %v nbf %v exp %v", lifetime, iat, nbf, exp)
		}
		if jti, _ := a.Claims["jti"].(string); jti == "" {
			return fmt.Errorf("want a jti in the assertion, claims %v", a.Claims)
		}
		return eachRow(w, t, func(claim, want string) error {
			if got := fmt.Sprint(a.Claims[claim]); got != want {
				return fmt.Errorf("want assertion claim %s=%q, got %q", claim, want, got)
			}
			return nil
		})
	})
}

// num reads a JSON number (float64 or json.Number).
func num(v any) float64 {
	switch t := v.(type) {
	case float64:
		return t
	case json.Number:
		f, _ := t.Float64()
		return f
	}
	return -1
}
