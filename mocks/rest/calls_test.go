package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/rest"
)

func claimsConfig() rest.Config {
	return rest.Config{Routes: []rest.Route{
		{Method: "POST", Path: "/claims"},
		{Method: "GET", Path: "/claims"},
		{Method: "GET", Path: "/users/{id}/orders/{order}"},
		{Method: "GET", Path: "/keyed", Auth: rest.Auth{Type: rest.AuthAPIKey, Header: "x-functions-key", Key: "k"}},
	}}
}

func TestClaimsIn(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		header      []string
		route       string
		want        rest.Call // the fields checked below
	}{
		{
			name: "JSON body", method: "POST", path: "/claims", contentType: "application/json",
			body:  `{"email":"a@contoso.com","lang":"en-US","age":42,"big":12345678901234567890,"ok":true}`,
			route: "/claims",
			want: rest.Call{ClaimsIn: rest.ClaimsInBody, JSON: map[string]any{
				"email": "a@contoso.com", "lang": "en-US", "age": json.Number("42"), "big": json.Number("12345678901234567890"), "ok": true,
			}},
		},
		{
			name: "raw payload body", method: "POST", path: "/claims", contentType: "text/plain",
			body: `hello`, route: "/claims",
			want: rest.Call{ClaimsIn: rest.ClaimsInBody},
		},
		{
			name: "JSON sent as text", method: "POST", path: "/claims", contentType: "text/plain",
			body: `{"a":"b"}`, route: "/claims",
			want: rest.Call{ClaimsIn: rest.ClaimsInBody, JSON: map[string]any{"a": "b"}},
		},
		{
			name: "form", method: "POST", path: "/claims", contentType: "application/x-www-form-urlencoded; charset=utf-8",
			body: "email=a%40contoso.com&name=Emily+Smith", route: "/claims",
			want: rest.Call{ClaimsIn: rest.ClaimsInForm, Form: map[string][]string{"email": {"a@contoso.com"}, "name": {"Emily Smith"}}},
		},
		{
			name: "headers", method: "GET", path: "/claims", header: []string{"email", "a@contoso.com", "userLanguage", "en"},
			route: "/claims",
			want:  rest.Call{ClaimsIn: rest.ClaimsInHeader},
		},
		{
			name: "query", method: "GET", path: "/claims?code=fixed&email=a%40contoso.com", route: "/claims",
			want: rest.Call{ClaimsIn: rest.ClaimsInQuery, Query: map[string][]string{"code": {"fixed"}, "email": {"a@contoso.com"}}},
		},
		{
			name: "path", method: "GET", path: "/users/a%40contoso.com/orders/x%2Fy%20z", route: "/users/{id}/orders/{order}",
			want: rest.Call{ClaimsIn: rest.ClaimsInPath, PathVars: map[string]string{"id": "a@contoso.com", "order": "x/y z"}},
		},
		{
			name: "nothing", method: "GET", path: "/claims", route: "/claims",
			want: rest.Call{ClaimsIn: rest.ClaimsInNone},
		},
		{
			name: "API key header is not a claim", method: "GET", path: "/keyed", header: []string{"x-functions-key", "k"}, route: "/keyed",
			want: rest.Call{ClaimsIn: rest.ClaimsInNone},
		},
	}
	e := newEnv(t, claimsConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Call(tt.method, tt.path, tt.contentType, tt.body, tt.header...)
			wantStatus(t, r, 200)
			c := e.lastCall(tt.route)
			if c.Route != tt.route || c.Method != tt.method || c.Body != tt.body || c.URL != tt.path || !c.Time.Equal(testTime) {
				t.Errorf("call: route %q method %s body %q url %q time %s", c.Route, c.Method, c.Body, c.URL, c.Time)
			}
			if c.ClaimsIn != tt.want.ClaimsIn {
				t.Errorf("ClaimsIn = %q, want %q", c.ClaimsIn, tt.want.ClaimsIn)
			}
			if !reflect.DeepEqual(c.JSON, tt.want.JSON) {
				t.Errorf("JSON = %#v, want %#v", c.JSON, tt.want.JSON)
			}
			if tt.want.Form != nil && !reflect.DeepEqual(c.Form, tt.want.Form) {
				t.Errorf("Form = %v, want %v", c.Form, tt.want.Form)
			}
			if tt.want.Query != nil && !reflect.DeepEqual(c.Query, tt.want.Query) {
				t.Errorf("Query = %v, want %v", c.Query, tt.want.Query)
			}
			if !reflect.DeepEqual(c.PathVars, tt.want.PathVars) {
				t.Errorf("PathVars = %v, want %v", c.PathVars, tt.want.PathVars)
			}
			for i := 0; i+1 < len(tt.header); i += 2 {
				if got := c.Header.Get(tt.header[i]); got != tt.header[i+1] {
					t.Errorf("header %s = %q, want %q (unredacted)", tt.header[i], got, tt.header[i+1])
				}
			}
		})
	}
}

func TestCallsByPatternAndPath(t *testing.T) {
	e := newEnv(t, claimsConfig())
	e.get("/users/1/orders/a")
	e.get("/users/2/orders/b")
	e.get("/nowhere")
	if got := len(e.Srv.Calls("/users/{id}/orders/{order}")); got != 2 {
		t.Errorf("calls by pattern = %d, want 2", got)
	}
	if got := e.Srv.Calls("/users/2/orders/b"); len(got) != 1 || got[0].PathVars["id"] != "2" || got[0].Attempt != 2 {
		t.Errorf("calls by request path = %+v, want the second call", got)
	}
	if got := e.Srv.Calls("/nowhere"); len(got) != 1 || got[0].Route != "" || got[0].Attempt != 0 || got[0].Status != 404 {
		t.Errorf("unrouted call = %+v, want recorded with status 404 and no route", got)
	}
	if got := len(e.Srv.AllCalls()); got != 3 {
		t.Errorf("all calls = %d, want 3", got)
	}
	if got := e.Srv.Calls("/claims"); got == nil || len(got) != 0 {
		t.Errorf("no calls: want an empty, non-nil list, got %#v", got)
	}
	if _, ok := e.Srv.LastCall("/claims"); ok {
		t.Error("LastCall of a route never called: want false")
	}

	// calls are copies
	c := e.lastCall("/users/{id}/orders/{order}")
	c.PathVars["id"] = "changed"
	c.Header.Set("X", "y")
	if again := e.lastCall("/users/{id}/orders/{order}"); again.PathVars["id"] != "2" || again.Header.Get("X") != "" {
		t.Errorf("LastCall returned the server's own maps: %+v", again)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, claimsConfig())
	wantMockError(t, e.get("/missing"), 404, rest.CodeNotFound)
	wantMockError(t, e.Call("DELETE", "/claims", "", ""), 405, rest.CodeMethodNotAllowed)
	// paths are not cleaned: an empty path variable is not silently redirected away
	wantMockError(t, e.get("/users//orders/1"), 404, rest.CodeNotFound)
	if calls := e.Srv.AllCalls(); len(calls) != 3 || calls[1].Status != 405 || calls[1].Method != "DELETE" {
		t.Errorf("unknown calls = %+v", calls)
	}
}

func TestRequestTooLarge(t *testing.T) {
	e := newEnv(t, claimsConfig())
	r := e.postJSON("/claims", `{"a":"`+strings.Repeat("x", 1<<20)+`"}`)
	wantMockError(t, r, 413, rest.CodeTooLarge)
	if c := e.lastCall("/claims"); c.Status != 413 || len(c.Body) != 1<<20 {
		t.Errorf("call: status %d body %d bytes", c.Status, len(c.Body))
	}
}

func TestWaitCalls(t *testing.T) {
	e := newEnv(t, claimsConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		calls, err := e.Srv.WaitCalls(ctx, "/claims", 2)
		if err == nil && len(calls) != 2 {
			err = errors.New("wrong number of calls")
		}
		done <- err
	}()
	e.get("/claims")
	e.postJSON("/claims", `{}`)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	short, cancelShort := context.WithCancel(context.Background())
	cancelShort()
	calls, err := e.Srv.WaitCalls(short, "/claims", 3)
	if !errors.Is(err, context.Canceled) || len(calls) != 2 || !strings.Contains(err.Error(), "got 2") {
		t.Errorf("WaitCalls past its context: %d calls, %v", len(calls), err)
	}
}

func TestJournal(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{
		{Path: "/k", Auth: rest.Auth{Type: rest.AuthBearer, Token: "secret-token"}, Responses: []rest.Response{rest.ErrorContract(409, "no")}},
	}})
	e.Call("POST", "/k", "application/x-www-form-urlencoded", "email=a%40contoso.com", "Authorization", "Bearer secret-token")
	e.get("/_admin/calls")
	entries := e.Journal.Party("rest")
	if len(entries) != 1 {
		t.Fatalf("journal = %+v, want one entry (the admin API is not journaled)", entries)
	}
	en := entries[0]
	if en.Path != "/k" || en.Status != 409 || en.Form.Get("email") != "a@contoso.com" {
		t.Errorf("entry = %+v", en)
	}
	if strings.Contains(e.Journal.String()+strings.Join(en.Header["Authorization"], ""), "secret-token") {
		t.Error("the journal holds the bearer token")
	}
	if c := e.lastCall("/k"); c.Header.Get("Authorization") != "Bearer secret-token" {
		t.Errorf("the call is not unredacted: %v", c.Header)
	}
}

// TestBodyIsReadEvenWithoutRoute makes sure a request with a body to an unknown route does not
// leave the connection in a bad state for the next request on it.
func TestBodyIsReadEvenWithoutRoute(t *testing.T) {
	e := newEnv(t, claimsConfig())
	client := &http.Client{} // keep-alive: both requests share a connection
	defer client.CloseIdleConnections()
	for _, path := range []string{"/missing", "/claims"} {
		req := e.Request("POST", path, "application/json", `{"email":"a@contoso.com"}`)
		r := kittest.Do(t, client, req)
		if path == "/claims" && r.StatusCode != 200 {
			t.Errorf("second request: %d %s", r.StatusCode, r.Text)
		}
	}
	if c, _ := e.Srv.LastCall("/missing"); c.JSON["email"] != "a@contoso.com" {
		t.Errorf("unrouted call body not recorded: %+v", c)
	}
}

// TestConcurrentCalls sends many calls to one server while the Go API changes routes and reads
// calls; run it with -race. Every call gets a distinct attempt number.
func TestConcurrentCalls(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{
		{Method: "POST", Path: "/loyalty", Behaviour: rest.BehaviourLoyaltyNumber},
		{Method: "GET", Path: "/seq", Responses: []rest.Response{{Status: 500}, {Status: 200}}},
	}})
	client := &http.Client{} // connections shared between goroutines
	defer client.CloseIdleConnections()
	const n = 32
	kittest.Concurrently(t, n,
		func(i int) error {
			email := fmt.Sprintf("user%d@contoso.com", i)
			resp, err := client.Post(e.TS.URL+"/loyalty", "application/json", strings.NewReader(`{"email":"`+email+`"}`))
			if err != nil {
				return err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), rest.LoyaltyNumber(email)) {
				return fmt.Errorf("%s: %d %s %v", email, resp.StatusCode, body, err)
			}
			return nil
		},
		func(int) error {
			resp, err := client.Get(e.TS.URL + "/seq")
			if err == nil {
				resp.Body.Close()
			}
			return err
		},
		func(i int) error { // the control plane, at the same time
			_ = e.Srv.AddRoute(rest.Route{Path: fmt.Sprintf("/extra/%d", i)})
			_ = e.Srv.SetResponses("GET", "/seq", rest.Response{Status: 500}, rest.Response{Status: 200})
			_ = e.Srv.Calls("/loyalty")
			_, _ = e.Srv.LastCall("/seq")
			_ = e.Srv.Config()
			_ = e.Journal.String()
			return nil
		})
	calls := e.Srv.Calls("/loyalty")
	if len(calls) != n {
		t.Fatalf("loyalty calls = %d, want %d", len(calls), n)
	}
	seen := map[int]bool{}
	for _, c := range calls {
		if seen[c.Attempt] || c.Attempt < 1 || c.Attempt > n {
			t.Errorf("attempt %d repeated or out of range", c.Attempt)
		}
		seen[c.Attempt] = true
	}
	if got := len(e.Srv.Routes()); got != 2+n {
		t.Errorf("routes = %d, want %d", got, 2+n)
	}
}

// TestCallLogIsBounded: WithRequestLog bounds the calls kept, by count and by bytes; the latest
// stay, and Reset empties the record.
func TestCallLogIsBounded(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/v"}}}, rest.WithRequestLog(2, 0))
	for i := range 5 {
		wantStatus(t, e.postJSON("/v", fmt.Sprintf(`{"n":%d}`, i)), 200)
	}
	cs := e.Srv.Calls("")
	if len(cs) != 2 || cs[0].Body != `{"n":3}` || cs[1].Body != `{"n":4}` {
		t.Errorf("5 calls with a limit of 2: kept %d: %+v", len(cs), cs)
	}

	e = newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/v"}}}, rest.WithRequestLog(0, 10<<10))
	big := `{"s":"` + strings.Repeat("x", 2<<10) + `"}`
	for range 10 {
		wantStatus(t, e.postJSON("/v", big), 200)
	}
	if n := len(e.Srv.Calls("")); n < 1 || n > 3 {
		t.Errorf("calls of 2 KiB bodies (counted twice) under 10 KiB: %d kept", n)
	}
	e.Srv.Reset()
	if n := len(e.Srv.Calls("")); n != 0 {
		t.Errorf("after Reset: %d calls", n)
	}
}
