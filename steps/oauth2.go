package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/stack"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
)

// idpInfo returns the stack's description of an identity provider.
func idpInfo(w *harness.World, name string) (*stack.IdP, error) {
	if p, ok := w.Stack.IdP(name); ok {
		return p, nil
	}
	return nil, fmt.Errorf("unknown OAuth2 identity provider %q: want Facebook, LinkedIn or Contoso", name)
}

// cellValue reads a table cell: JSON objects and arrays as JSON, anything else as text.
func cellValue(s string) (any, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("cell %q looks like JSON but is not: %w", s, err)
		}
		return v, nil
	}
	return s, nil
}

// pairs reads a two-column table (name | value), skipping a header row named name/value.
func pairs(t *godog.Table) ([][2]string, error) {
	var out [][2]string
	for i, row := range t.Rows {
		if len(row.Cells) != 2 {
			return nil, fmt.Errorf("table row %d: want 2 columns, got %d", i+1, len(row.Cells))
		}
		k, v := row.Cells[0].Value, row.Cells[1].Value
		if i == 0 && isHeader(k) && strings.EqualFold(v, "value") {
			continue
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// isHeader tells a header cell of a name | value table.
func isHeader(k string) bool {
	switch strings.ToLower(k) {
	case "name", "claim", "parameter", "field", "key":
		return true
	}
	return false
}

func oauth2Steps(sc *godog.ScenarioContext) {
	sc.Step(`^(\w+) has a user "([^"]*)" with password "([^"]*)" and claims:$`, func(ctx context.Context, name, user, password string, t *godog.Table) error {
		w, rows, err := worldRows(ctx, t)
		if err != nil {
			return err
		}
		claims := map[string]any{}
		for _, r := range rows {
			if claims[r[0]], err = cellValue(r[1]); err != nil {
				return err
			}
		}
		return w.AddUser(name, user, password, claims)
	})
	sc.Step(`^(\w+)'s (token|claims|request token|access token) endpoint answers with HTTP (\d+) and the body "(.*)"$`, func(ctx context.Context, name, endpoint string, status int, body string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.Enqueue(name, endpoint, status, body, 0)
	})
	sc.Step(`^(\w+)'s (token|claims|request token|access token) endpoint answers only after (\d+) ms$`, func(ctx context.Context, name, endpoint string, ms int) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.Enqueue(name, endpoint, http.StatusOK, `{}`, time.Duration(ms)*time.Millisecond)
	})
	sc.Step(`^(\w+)'s client is configured with:$`, func(ctx context.Context, name string, t *godog.Table) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		info, err := idpInfo(w, name)
		if err != nil {
			return err
		}
		rows, err := pairs(t)
		if err != nil {
			return err
		}
		return configureClient(w, info, rows)
	})
	sc.Step(`^(\w+)'s (token|claims|request token|access token) endpoint is unreachable$`, func(ctx context.Context, name, endpoint string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		setting, err := w.EndpointSetting(name, endpoint)
		if err != nil {
			return err
		}
		u, err := harness.UnreachableURL("/down")
		if err != nil {
			return err
		}
		return w.OverrideSetting(setting, u)
	})
	sc.Step(`^(\w+) received an? (GET|POST) to "([^"]*)" with:$`, func(ctx context.Context, name, method, path string, t *godog.Table) error {
		w, last, err := received(ctx, name, method, path)
		if err != nil {
			return err
		}
		params := last.Query
		if method == http.MethodPost {
			params = last.Form
		}
		return eachRow(w, t, func(param, want string) error {
			if err := matchParam(params, param, want); err != nil {
				return fmt.Errorf("%s %s %s: %w", name, method, path, err)
			}
			return nil
		})
	})
	sc.Step(`^the journal shows (\w+) answered "([^"]*)" with the error "([^"]*)"$`, func(ctx context.Context, name, path, code string) error {
		w, entries, err := partyJournal(ctx, name)
		if err != nil {
			return err
		}
		var seen []string
		for _, e := range entries {
			if e.Path == path {
				if e.Error == code {
					return nil
				}
				seen = append(seen, fmt.Sprintf("%d %q", e.Status, e.Error))
			}
		}
		return fmt.Errorf("want %s to answer %s with error %q, saw %v; journal:\n%s", name, path, code, seen, w.Stack.Journal.String())
	})
	sc.Step(`^(\w+) received no request to "([^"]*)"$`, func(ctx context.Context, name, path string) error {
		w, entries, err := partyJournal(ctx, name)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Path == path {
				return fmt.Errorf("want no request to %s %s, got %s %s; journal:\n%s", name, path, e.Method, e.URL, w.Stack.Journal.String())
			}
		}
		return nil
	})
}

// received is the last request with the method (any when empty) that an
// identity provider's endpoint received, by the endpoint's path.
func received(ctx context.Context, name, method, path string) (*harness.World, *harness.Request, error) {
	w, err := world(ctx)
	if err != nil {
		return nil, nil, err
	}
	last, err := w.LastRequest(name, method, path)
	return w, last, err
}

// configureClient changes fields of the identity provider's registered B2C
// client: each row names a JSON field of mocks/oauth2.Client and its value
// (JSON, or else text; placeholders expanded; {assertion_public_key} is the
// PEM public key of the policy key B2C_1A_ContosoAssertionKey).
func configureClient(w *harness.World, info *stack.IdP, rows [][2]string) error {
	var client *mockoauth2.Client
	for _, c := range info.Mock.Clients() {
		if c.ID == info.ClientID {
			c := c
			client = &c
		}
	}
	if client == nil {
		return fmt.Errorf("%s has no client %s", info.Name, info.ClientID)
	}
	raw, err := json.Marshal(client)
	if err != nil {
		return err
	}
	fields := map[string]any{}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return err
	}
	for _, r := range rows {
		v := w.Expand(r[1])
		if v == "{assertion_public_key}" {
			if v, err = harness.PublicKeyPEM(w.Stack.AssertionKey()); err != nil {
				return err
			}
			fields[r[0]] = v
			continue
		}
		var parsed any
		if json.Unmarshal([]byte(v), &parsed) == nil {
			fields[r[0]] = parsed
		} else {
			fields[r[0]] = v
		}
	}
	if raw, err = json.Marshal(fields); err != nil {
		return err
	}
	var updated mockoauth2.Client
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.DisallowUnknownFields()
	if err := d.Decode(&updated); err != nil {
		return fmt.Errorf("configure %s's client: %w", info.Name, err)
	}
	return info.Mock.AddClient(updated)
}

// matchParam compares one parameter: a value, "(present)" or "(absent)".
func matchParam(params map[string][]string, name, want string) error {
	got, ok := params[name]
	switch want {
	case "(present)":
		if !ok || len(got) == 0 || got[0] == "" {
			return fmt.Errorf("want parameter %s present, it is absent", name)
		}
		return nil
	case "(absent)":
		if ok {
			return fmt.Errorf("want parameter %s absent, got %q", name, got)
		}
		return nil
	}
	if !ok || len(got) != 1 || got[0] != want {
		return fmt.Errorf("want parameter %s=%q, got %q", name, want, got)
	}
	return nil
}
