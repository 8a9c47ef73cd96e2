package kittest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Mock is a mock server.
type Mock interface {
	Handler() http.Handler
}

// Guarded is a mock under the admin guard checks.
type Guarded struct {
	// New returns a fresh mock built with the admin token given ("" for none), whose config
	// holds the Secrets.
	New func(adminToken string) (Mock, error)
	// Secrets are the secret values of the config (client secrets, passwords, tokens, keys) that
	// GET /_admin/config must show as (redacted) unless asked for with ?secrets=true.
	Secrets []string
}

// CheckAdminGuard checks a mock's admin guard and redaction: without an admin token the admin
// API serves loopback clients only (IPv4 and IPv6) and answers others 403 with a message saying
// to set the token, and requests whose Host is not a loopback name 421 (DNS rebinding); with one it needs Authorization: Bearer <token> from any client, else 401
// with a Bearer challenge; the protocol routes are never guarded; /_admin/config redacts.
func CheckAdminGuard(t *testing.T, g Guarded) {
	const token = "s3cret-admin-token"
	handler := func(t *testing.T, token string) http.Handler {
		m, err := g.New(token)
		if err != nil {
			t.Fatal(err)
		}
		return m.Handler()
	}
	call := func(h http.Handler, remote, authz, target string, host ...string) Response {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.RemoteAddr = remote
		req.Host = "127.0.0.1:8080"
		if len(host) > 0 {
			req.Host = host[0]
		}
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return Response{rec.Result(), rec.Body.String()}
	}
	wantRefusal := func(t *testing.T, r Response, status int, code string, mention ...string) {
		t.Helper()
		var body map[string]any
		if err := json.Unmarshal([]byte(r.Text), &body); err != nil || r.StatusCode != status || body["error"] != code {
			t.Fatalf("want %d with a JSON error %q, got %d %s (%v)", status, code, r.StatusCode, r.Text, err)
		}
		for _, m := range mention {
			if !strings.Contains(r.Text, m) {
				t.Errorf("the refusal does not mention %q: %s", m, r.Text)
			}
		}
	}

	t.Run("no token: loopback clients only", func(t *testing.T) {
		h := handler(t, "")
		for _, remote := range []string{"127.0.0.1:50123", "[::1]:50123", "127.0.0.2:1"} {
			if r := call(h, remote, "", "/_admin/config"); r.StatusCode != http.StatusOK {
				t.Errorf("from %s: %d %s", remote, r.StatusCode, r.Text)
			}
		}
		for _, remote := range []string{"192.0.2.1:1234", "[2001:db8::1]:443", "10.0.0.5:80", "[::ffff:192.0.2.1]:1", "", "garbage"} {
			t.Run(remote, func(t *testing.T) {
				wantRefusal(t, call(h, remote, "", "/_admin/config"), http.StatusForbidden, "forbidden", "loopback", "admin token", "Authorization: Bearer")
				wantRefusal(t, call(h, remote, "Bearer anything", "/_admin/requests?endpoint=nope"), http.StatusForbidden, "forbidden")
			})
		}
		if r := call(h, "192.0.2.1:1234", "", "/no-such-protocol-route"); r.StatusCode == http.StatusForbidden {
			t.Errorf("a protocol route is guarded: %d %s", r.StatusCode, r.Text)
		}
	})

	t.Run("no token: the party's own host names only", func(t *testing.T) {
		h := handler(t, "")
		for _, host := range []string{"localhost", "localhost:8080", "127.0.0.1:1", "[::1]:8080"} {
			if r := call(h, "127.0.0.1:50123", "", "/_admin/config", host); r.StatusCode != http.StatusOK {
				t.Errorf("Host %s: %d %s", host, r.StatusCode, r.Text)
			}
		}
		// A page of a rebound name (DNS rebinding) reaches loopback with its own Host.
		for _, host := range []string{"attacker.example", "attacker.example:8080", "localhost.attacker.example", ""} {
			t.Run(host, func(t *testing.T) {
				wantRefusal(t, call(h, "127.0.0.1:50123", "", "/_admin/config", host), http.StatusMisdirectedRequest, "misdirected_request", "Host")
			})
		}
		if r := call(h, "127.0.0.1:50123", "", "/no-such-protocol-route", "attacker.example"); r.StatusCode == http.StatusMisdirectedRequest {
			t.Errorf("a protocol route is guarded by Host: %d %s", r.StatusCode, r.Text)
		}
		// With a token, any name: the token proves the caller.
		ht := handler(t, token)
		if r := call(ht, "192.0.2.1:1234", "Bearer "+token, "/_admin/config", "mock.example:8080"); r.StatusCode != http.StatusOK {
			t.Errorf("with the token, Host mock.example: %d %s", r.StatusCode, r.Text)
		}
	})

	t.Run("token", func(t *testing.T) {
		h := handler(t, token)
		for _, remote := range []string{"127.0.0.1:50123", "192.0.2.1:1234"} {
			if r := call(h, remote, "Bearer "+token, "/_admin/config"); r.StatusCode != http.StatusOK {
				t.Errorf("right token from %s: %d %s", remote, r.StatusCode, r.Text)
			}
			if r := call(h, remote, "bearer "+token, "/_admin/config"); r.StatusCode != http.StatusOK {
				t.Errorf("right token, scheme in lower case, from %s: %d %s", remote, r.StatusCode, r.Text)
			}
		}
		for name, authz := range map[string]string{
			"none":         "",
			"wrong token":  "Bearer " + token + "x",
			"prefix":       "Bearer " + token[:4],
			"empty":        "Bearer ",
			"other scheme": "Basic " + token,
		} {
			t.Run(name, func(t *testing.T) {
				// loopback clients need the token too once there is one
				r := call(h, "127.0.0.1:50123", authz, "/_admin/config")
				wantRefusal(t, r, http.StatusUnauthorized, "unauthorized", "admin token")
				if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="mock-admin"` {
					t.Errorf("WWW-Authenticate = %q", got)
				}
				for _, s := range g.Secrets {
					if shows(r.Text, s) {
						t.Errorf("the refusal shows the secret %q", s)
					}
				}
			})
		}
		if r := call(h, "192.0.2.1:1234", "", "/no-such-protocol-route"); r.StatusCode == http.StatusUnauthorized {
			t.Errorf("a protocol route is guarded: %d %s", r.StatusCode, r.Text)
		}
	})

	t.Run("config redacts secrets", func(t *testing.T) {
		h := handler(t, "")
		full := call(h, "127.0.0.1:1", "", "/_admin/config?secrets=true")
		for _, target := range []string{"/_admin/config", "/_admin/config?secrets=false", "/_admin/config?secrets=1"} {
			r := call(h, "127.0.0.1:1", "", target)
			if r.StatusCode != http.StatusOK || !strings.Contains(r.Text, `"(redacted)"`) {
				t.Errorf("GET %s: %d %s", target, r.StatusCode, r.Text)
			}
			if want := redacted(t, full.Text, g.Secrets); !reflect.DeepEqual(r.JSON(t), want) {
				t.Errorf("GET %s = %s\nwant the config with only its secrets redacted: %v", target, r.Text, want)
			}
			for _, s := range g.Secrets {
				if shows(r.Text, s) {
					t.Errorf("GET %s shows the secret %q: %s", target, s, r.Text)
				}
			}
		}
		r := full
		if r.StatusCode != http.StatusOK || strings.Contains(r.Text, "(redacted)") {
			t.Errorf("GET ?secrets=true: %d %s", r.StatusCode, r.Text)
		}
		for _, s := range g.Secrets {
			if !shows(r.Text, s) {
				t.Errorf("GET ?secrets=true lacks the secret %q: %s", s, r.Text)
			}
		}
	})
}

// redacted decodes a config in JSON and replaces each of its strings that is one of secrets
// with (redacted).
func redacted(t *testing.T, config string, secrets []string) map[string]any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(config), &v); err != nil {
		t.Fatalf("config is not JSON: %v\n%s", err, config)
	}
	var walk func(any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				v[k] = walk(e)
			}
		case []any:
			for i, e := range v {
				v[i] = walk(e)
			}
		case string:
			if slices.Contains(secrets, v) {
				return "(redacted)"
			}
		}
		return v
	}
	m, _ := walk(v).(map[string]any)
	return m
}

// shows reports whether a JSON text holds s, as is or as a JSON string escapes it.
func shows(text, s string) bool {
	b, _ := json.Marshal(s) // a string always marshals
	return strings.Contains(text, s) || strings.Contains(text, string(b[1:len(b)-1]))
}

// signalling wraps h and reports each request it starts serving.
func signalling(h http.Handler, started chan<- struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		h.ServeHTTP(w, r)
	})
}

// CheckDelayCancelled sends method path to h, which must hold its answer back (a canned response
// with a long delay), cancels the request once h has it, and checks that the client sees
// context.Canceled and that the server's listener closes: the held response noticed.
func CheckDelayCancelled(t *testing.T, h http.Handler, method, path string) {
	t.Helper()
	started := make(chan struct{}, 1)
	ts := httptest.NewServer(signalling(h, started))
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("request error = %v, want context.Canceled", err)
	}
	ts.Close() // returns only once the held handler has ended
}

// DelayReleasedByClose sends method path to h, with body as JSON when not empty; h must hold its
// answer back (a canned response with a long delay). Once h has the request it calls
// closeServer twice (Close is idempotent), and returns the response, which closing must have
// released at once.
func DelayReleasedByClose(t *testing.T, h http.Handler, method, path, body string, closeServer func()) Response {
	t.Helper()
	started := make(chan struct{}, 1)
	ts := httptest.NewServer(signalling(h, started))
	defer ts.Close()
	type result struct {
		resp Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		if err != nil {
			done <- result{err: err}
			return
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		done <- result{Response{resp, string(b)}, err}
	}()
	<-started
	closeServer()
	closeServer()
	r := <-done
	if r.err != nil {
		t.Fatalf("%s %s after Close: %v", method, path, r.err)
	}
	return r.resp
}

// AdminCase is a request a mock's admin API must refuse with Status and a JSON error Code whose
// message mentions Mention. ContentType is the request's, application/json when empty.
type AdminCase struct {
	Method, Path, Body string
	Status             int
	Code, Mention      string
	ContentType        string
}

// CheckAdminErrors sends each case to the admin API of a fresh mock that client returns, and
// checks the answer: JSON {"error": Code, messageKey: a message mentioning Mention}.
func CheckAdminErrors(t *testing.T, client func(t *testing.T) *Client, messageKey string, cases ...AdminCase) {
	for _, tt := range cases {
		t.Run(tt.Method+" "+tt.Path+" "+tt.Body+" "+tt.ContentType, func(t *testing.T) {
			r := client(t).Call(tt.Method, tt.Path, cmp.Or(tt.ContentType, "application/json"), tt.Body)
			var m map[string]any
			if err := json.Unmarshal([]byte(r.Text), &m); err != nil {
				t.Fatalf("not JSON: %v\n%d %s", err, r.StatusCode, r.Text)
			}
			msg, _ := m[messageKey].(string)
			if r.StatusCode != tt.Status || m["error"] != tt.Code || msg == "" || !strings.Contains(msg, tt.Mention) {
				t.Errorf("want %d %s mentioning %q, got %d %s", tt.Status, tt.Code, tt.Mention, r.StatusCode, r.Text)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
		})
	}
}
