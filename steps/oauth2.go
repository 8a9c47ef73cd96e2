package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/harness"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
)

// idp returns the mock behind an identity provider's name in the features.
func idp(w *harness.World, name string) (*mockoauth2.Server, error) {
	if strings.EqualFold(name, "facebook") {
		return w.Stack.Facebook, nil
	}
	return nil, fmt.Errorf("unknown OAuth2 identity provider %q: want Facebook", name)
}

// endpoints maps the mock's paths to its test API's endpoint names.
var endpoints = map[string]mockoauth2.Endpoint{
	"/authorize": mockoauth2.EndpointAuthorize,
	"/token":     mockoauth2.EndpointToken,
	"/me":        mockoauth2.EndpointClaims,
	"/logout":    mockoauth2.EndpointLogout,
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
		if i == 0 && (strings.EqualFold(k, "name") || strings.EqualFold(k, "claim") || strings.EqualFold(k, "parameter")) && strings.EqualFold(v, "value") {
			continue
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func oauth2Steps(sc *godog.ScenarioContext) {
	sc.Step(`^(Facebook) has a user "([^"]*)" with password "([^"]*)" and claims:$`, func(ctx context.Context, name, user, password string, t *godog.Table) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		m, err := idp(w, name)
		if err != nil {
			return err
		}
		rows, err := pairs(t)
		if err != nil {
			return err
		}
		claims := map[string]any{}
		for _, r := range rows {
			if claims[r[0]], err = cellValue(r[1]); err != nil {
				return err
			}
		}
		return m.AddUser(mockoauth2.User{Username: user, Password: password, Claims: claims})
	})
	sc.Step(`^(Facebook)'s claims endpoint answers with HTTP (\d+) and the body "([^"]*)"$`, func(ctx context.Context, name string, status int, body string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		m, err := idp(w, name)
		if err != nil {
			return err
		}
		ctype := "text/html; charset=utf-8"
		if json.Valid([]byte(body)) {
			ctype = "application/json"
		}
		m.Enqueue(mockoauth2.EndpointClaims, mockoauth2.Response{Status: status, ContentType: ctype, Body: body})
		return nil
	})
	sc.Step(`^(Facebook)'s token endpoint is unreachable$`, func(ctx context.Context, name string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		if !strings.EqualFold(name, "facebook") {
			return fmt.Errorf("unknown identity provider %q", name)
		}
		u, err := harness.UnreachableURL("/token")
		if err != nil {
			return err
		}
		return w.OverrideSetting("FacebookAccessTokenEndpoint", u)
	})
	sc.Step(`^(Facebook) received an? (GET|POST) to "([^"]*)" with:$`, func(ctx context.Context, name, method, path string, t *godog.Table) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		m, err := idp(w, name)
		if err != nil {
			return err
		}
		ep, ok := endpoints[path]
		if !ok {
			return fmt.Errorf("unknown path %q of %s", path, name)
		}
		var last *mockoauth2.Request
		for _, r := range m.Requests(ep) {
			if r.Method == method {
				r := r
				last = &r
			}
		}
		if last == nil {
			return fmt.Errorf("%s received no %s %s; journal:\n%s", name, method, path, w.Stack.Journal.String())
		}
		params := last.Query
		if method == http.MethodPost {
			params = last.Form
		}
		rows, err := pairs(t)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := matchParam(params, r[0], w.Expand(r[1])); err != nil {
				return fmt.Errorf("%s %s %s: %w", name, method, path, err)
			}
		}
		return nil
	})
	sc.Step(`^the journal shows (Facebook) answered "([^"]*)" with the error "([^"]*)"$`, func(ctx context.Context, name, path, code string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		party, _, err := w.PartyURL(name)
		if err != nil {
			return err
		}
		var seen []string
		for _, e := range w.Stack.Journal.Party(party) {
			if e.Path == path {
				if e.Error == code {
					return nil
				}
				seen = append(seen, fmt.Sprintf("%d %q", e.Status, e.Error))
			}
		}
		return fmt.Errorf("want %s to answer %s with error %q, saw %v; journal:\n%s", name, path, code, seen, w.Stack.Journal.String())
	})
	sc.Step(`^(Facebook) received no request to "([^"]*)"$`, func(ctx context.Context, name, path string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		party, _, err := w.PartyURL(name)
		if err != nil {
			return err
		}
		for _, e := range w.Stack.Journal.Party(party) {
			if e.Path == path {
				return fmt.Errorf("want no request to %s %s, got %s %s; journal:\n%s", name, path, e.Method, e.URL, w.Stack.Journal.String())
			}
		}
		return nil
	})
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
