package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/harness/stack"
	mockrest "github.com/iefconform/iefconform/mocks/rest"
)

// route reads "METHOD /path" and makes sure the REST API has that route.
func route(ctx context.Context, spec string) (*mockrest.Server, string, string, error) {
	w, err := world(ctx)
	if err != nil {
		return nil, "", "", err
	}
	method, path, ok := strings.Cut(strings.TrimSpace(spec), " ")
	if !ok {
		return nil, "", "", fmt.Errorf("want a route like \"POST /api/loyalty\" (or \"* /api/loyalty\" for any method), got %q", spec)
	}
	if method == "*" {
		method = ""
	}
	for _, r := range w.Stack.REST.Routes() {
		if r.Method == method && r.Path == path {
			return w.Stack.REST, method, path, nil
		}
	}
	if err := w.Stack.REST.AddRoute(mockrest.Route{Method: method, Path: path}); err != nil {
		return nil, "", "", err
	}
	return w.Stack.REST, method, path, nil
}

// updateRoute changes one route of the REST API.
func updateRoute(ctx context.Context, spec string, change func(*mockrest.Route)) error {
	m, method, path, err := route(ctx, spec)
	if err != nil {
		return err
	}
	for _, r := range m.Routes() { // the route exists: route made it
		if r.Method == method && r.Path == path {
			change(&r)
			return m.AddRoute(r)
		}
	}
	return fmt.Errorf("no route %s", spec)
}

// callField reads one field of a recorded call: method, body, claims in,
// auth, basic user, bearer token, client certificate, attempt, or
// json:<member>, form:<name>, header:<name>, query:<name>, path:<var>.
func callField(c mockrest.Call, field string) (string, bool) {
	kind, name, _ := strings.Cut(field, ":")
	switch kind {
	case "method":
		return c.Method, true
	case "body":
		return c.Body, true
	case "claims in":
		return c.ClaimsIn, true
	case "auth":
		return c.AuthType, true
	case "basic user":
		return c.BasicUser, c.BasicUser != ""
	case "bearer token":
		return c.BearerToken, c.BearerToken != ""
	case "client certificate":
		return c.ClientCertCN, c.ClientCertCN != ""
	case "json":
		v, ok := c.JSON[name]
		if s, isStr := v.(string); isStr {
			return s, ok
		}
		b, _ := json.Marshal(v)
		return string(b), ok
	case "form":
		return c.Form.Get(name), c.Form.Has(name)
	case "header":
		return c.Header.Get(name), c.Header.Get(name) != ""
	case "query":
		return c.Query.Get(name), c.Query.Has(name)
	case "path":
		v, ok := c.PathVars[name]
		return v, ok
	}
	return "", false
}

func restSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the REST API answers "([^"]*)" with HTTP (\d+) and the body "(.*)"$`, func(ctx context.Context, spec string, status int, body string) error {
		m, method, path, err := route(ctx, spec)
		if err != nil {
			return err
		}
		ctype := "application/json"
		if !json.Valid([]byte(body)) {
			ctype = "text/plain; charset=utf-8"
		}
		return m.SetResponses(method, path, mockrest.Response{Status: status, Body: body, ContentType: ctype})
	})
	sc.Step(`^the REST API answers "([^"]*)" with the error contract in HTTP (\d+): "([^"]*)"$`, func(ctx context.Context, spec string, status int, msg string) error {
		m, method, path, err := route(ctx, spec)
		if err != nil {
			return err
		}
		return m.SetResponses(method, path, mockrest.ErrorContract(status, msg, "API12345", "The developer's side of the story."))
	})
	sc.Step(`^the REST API answers "([^"]*)" in turn with:$`, func(ctx context.Context, spec string, doc *godog.DocString) error {
		m, method, path, err := route(ctx, spec)
		if err != nil {
			return err
		}
		var rs []mockrest.Response
		d := json.NewDecoder(strings.NewReader(doc.Content))
		d.DisallowUnknownFields()
		if err := d.Decode(&rs); err != nil {
			return fmt.Errorf("want a JSON list of mocks/rest.Response: %w", err)
		}
		return m.SetResponses(method, path, rs...)
	})
	sc.Step(`^the REST API route "([^"]*)" behaves as "([^"]*)"$`, func(ctx context.Context, spec, behaviour string) error {
		return updateRoute(ctx, spec, func(r *mockrest.Route) { r.Behaviour = behaviour })
	})
	sc.Step(`^the REST API route "([^"]*)" behaves as "([^"]*)" knowing "([^"]*)"$`, func(ctx context.Context, spec, behaviour, known string) error {
		return updateRoute(ctx, spec, func(r *mockrest.Route) { r.Behaviour, r.Known = behaviour, strings.Split(known, ",") })
	})
	sc.Step(`^the REST API route "([^"]*)" requires (none|basic|bearer|apiKey|clientCert) authentication$`, func(ctx context.Context, spec, kind string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		auth := mockrest.Auth{Type: kind}
		switch kind {
		case "basic":
			auth.Username, auth.Password = stack.RESTUsername, w.Stack.RESTCredential(stack.RESTPasswordKey)
		case "bearer":
			auth.Token = w.Stack.RESTCredential(stack.RESTBearerTokenKey)
		case "apiKey":
			auth.Header, auth.Key = "x-functions-key", w.Stack.RESTCredential(stack.RESTAPIKeyKey)
		case "clientCert":
			auth.CommonName = stack.RESTClientCertCN
		}
		return updateRoute(ctx, spec, func(r *mockrest.Route) { r.Auth = auth })
	})
	sc.Step(`^the emulator gives REST APIs (\d+) ms per attempt$`, func(ctx context.Context, ms int) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.SetRESTTimeout(time.Duration(ms) * time.Millisecond)
	})
	sc.Step(`^the REST API received (\d+) calls? to "([^"]*)"$`, func(ctx context.Context, n int, path string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		if got := len(w.Stack.REST.Calls(path)); got != n {
			return fmt.Errorf("want %d calls to %s, the REST API received %d; journal:\n%s", n, path, got, w.Stack.Journal.String())
		}
		return nil
	})
	sc.Step(`^the REST API's last call to "([^"]*)" had:$`, func(ctx context.Context, path string, t *godog.Table) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		c, ok := w.Stack.REST.LastCall(path)
		if !ok {
			return fmt.Errorf("the REST API received no call to %s; journal:\n%s", path, w.Stack.Journal.String())
		}
		return eachRow(w, t, func(field, want string) error {
			got, present := callField(c, field)
			switch {
			case want == "(present)" && !present:
				return fmt.Errorf("call to %s: want %s present, it is absent", path, field)
			case want == "(absent)" && present:
				return fmt.Errorf("call to %s: want %s absent, got %q", path, field, got)
			case want != "(present)" && want != "(absent)" && got != want:
				return fmt.Errorf("call to %s: want %s = %q, got %q (body %q)", path, field, want, got, c.Body)
			}
			return nil
		})
	})
	sc.Step(`^the user fills in:$`, func(ctx context.Context, t *godog.Table) error {
		w, rows, err := worldRows(ctx, t)
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i][1] = w.Expand(rows[i][1])
		}
		return w.FillPage(ctx, rows)
	})
	sc.Step(`^the user enters the email "([^"]*)" and the name "([^"]*)" and continues$`, func(ctx context.Context, email, name string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		if err := w.FillPage(ctx, [][2]string{{"email", email}, {"displayName", name}}); err != nil {
			return err
		}
		return w.PressPageButton(ctx, "continue")
	})
	sc.Step(`^the user (continues|cancels the page)$`, func(ctx context.Context, what string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		id := "continue"
		if what != "continues" {
			id = "cancel"
		}
		return w.PressPageButton(ctx, id)
	})
	sc.Step(`^the page shows the error "([^"]*)"$`, func(ctx context.Context, want string) error {
		return pageTextContains(ctx, "claimVerificationServerError", want)
	})
	sc.Step(`^the page shows "([^"]*)" as the (code|request id|developer message|more info)$`, func(ctx context.Context, want, what string) error {
		return pageTextContains(ctx, "error-"+strings.ReplaceAll(what, " ", "-"), want)
	})
	sc.Step(`^the page shows no debug details$`, func(ctx context.Context) error {
		sess, html, err := pageHTML(ctx)
		if err != nil {
			return err
		}
		if strings.Contains(html, `id="debug-details"`) {
			return fmt.Errorf("want no debug details on the page at %s", sess.URL())
		}
		return nil
	})
	sc.Step(`^the field "([^"]*)" shows the error "([^"]*)"$`, func(ctx context.Context, id, want string) error {
		return pageTextContains(ctx, id+"-error", want)
	})
	sc.Step(`^the field "([^"]*)" still holds "([^"]*)"$`, func(ctx context.Context, id, want string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return eventually(func() error {
			got, err := w.FieldValue(ctx, id)
			if err != nil {
				return err
			}
			if got != w.Expand(want) {
				return fmt.Errorf("want field %s to hold %q, it holds %q", id, want, got)
			}
			return nil
		})
	})
}

// eventually runs check until it passes or 5 s pass, and returns its last
// error: the page may still be the one the last action left (a form post in
// flight).
func eventually(check func() error) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pageTextContains checks, eventually, that the element with the id shows want.
func pageTextContains(ctx context.Context, id, want string) error {
	w, err := world(ctx)
	if err != nil {
		return err
	}
	return eventually(func() error {
		got, err := w.PageText(ctx, id)
		if err != nil {
			return err
		}
		if !strings.Contains(got, want) {
			return fmt.Errorf("want #%s to show %q, it shows %q", id, want, got)
		}
		return nil
	})
}
