package rest_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/rest"
)

func TestLoadConfig(t *testing.T) {
	kittest.EachFile(t, rest.LoadConfig, func(t *testing.T, cfg rest.Config) {
		if len(cfg.Routes) != 3 {
			t.Fatalf("routes = %d, want 3: %+v", len(cfg.Routes), cfg.Routes)
		}
		r0, r1 := cfg.Routes[0], cfg.Routes[1]
		if r0.Auth != (rest.Auth{Type: "basic", Username: "b2c", Password: "s3cret"}) || r0.Behaviour != rest.BehaviourEmailExists || len(r0.Known) != 1 {
			t.Errorf("routes[0] = %+v", r0)
		}
		if len(r1.Responses) != 2 || r1.Responses[0].Delay != 10*time.Millisecond || r1.Responses[0].Status != 500 || r1.Responses[1].Header["X-Mock"] != "yes" {
			t.Errorf("routes[1].responses = %+v", r1.Responses)
		}

		// the server answers as configured, the big number exactly
		e := newEnv(t, cfg)
		wantStatus(t, e.get("/users/1", "x-functions-key", "k3y"), 500)
		r := e.get("/users/1", "x-functions-key", "k3y")
		wantStatus(t, r, 200)
		if !strings.Contains(r.Text, `"loyaltyNumber":12345678901234567890`) || r.Header.Get("X-Mock") != "yes" {
			t.Errorf("second answer: %s %v", r.Text, r.Header)
		}
		// a lower-case method in the file is a method all the same
		wantStatus(t, e.postJSON("/validate-email", `{"email":"new@contoso.com"}`, "Authorization", basic("b2c", "s3cret")), 200)
	}, "testdata/config.yaml", "testdata/config.json")
}

func TestLoadConfigErrors(t *testing.T) {
	kittest.CheckLoadErrors(t, rest.LoadConfig,
		kittest.LoadError{File: "testdata/invalid.yaml", Invalid: true, Want: []string{
			`routes[0]: path: want a path starting with /, got "users"`,
			"routes[0]: auth: basic needs username and password",
			`routes[1]: method: want an HTTP method such as POST, got "PO ST"`,
			`routes[1]: behaviour: want one of email-exists, loyalty-number, contacts, custom-claims, got "loyalty"`,
			"routes[1]: responses[0]: status: want 200-599, got 42",
			`routes[1]: responses[0]: fault: want reset or close, got "explode"`,
			"routes[2]: duplicate route PO ST /a (first at routes[1])",
		}},
		kittest.LoadError{File: "testdata/unknown-key.yaml", Want: []string{"behavior"}},
		kittest.LoadError{File: "testdata/unknown-response-key.yaml", Want: []string{`unknown key "jsno"`}},
		kittest.LoadError{File: "testdata/bad-delay.json", Want: []string{"delay"}},
	)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  rest.Config
		want []string // every problem, in order
	}{
		{name: "empty config", cfg: rest.Config{}},
		{name: "good routes", cfg: rest.Config{Routes: []rest.Route{
			{Path: "/a"},
			{Method: "GET", Path: "/a"},
			{Method: "POST", Path: "/users/{id:[0-9]+}", Auth: rest.Auth{Type: rest.AuthClientCert, CommonName: "b2c"}, Behaviour: rest.BehaviourLoyaltyNumber, Known: []string{"a@b"}},
			{Path: "/e", Responses: []rest.Response{rest.ErrorContract(409, "no"), {Fault: rest.FaultClose, Delay: time.Second}}},
		}}},
		{name: "every problem at once", cfg: rest.Config{Routes: []rest.Route{
			{},
			{Path: "/_admin/x", Auth: rest.Auth{Type: "oauth"}},
			{Path: "/u/{id", Auth: rest.Auth{Type: rest.AuthBearer, Username: "u"}},
			{Path: "/k", Auth: rest.Auth{Type: rest.AuthAPIKey, Header: "x key"}, Behaviour: rest.BehaviourContacts, Known: []string{"a"}},
			{Path: "/n", Auth: rest.Auth{Password: "p"}, Known: []string{"a"}},
			{Path: "/r", Responses: []rest.Response{
				{Status: 99, Header: map[string]string{"Bad Name": "v", "X-Ok": "a\nb"}, ContentType: "json;;", Delay: -time.Second},
				{Body: "{}", JSON: map[string]any{}},
				{JSON: math.Inf(1)},
				{Fault: rest.FaultReset, Status: 500},
			}},
			{Method: "get", Path: "/r2"},
			{Method: "GET", Path: "/r2"},
			{Path: "/q?code=1"},
		}}, want: []string{
			"routes[0]: path is empty",
			`routes[1]: path: "/_admin/x" is under /_admin, which the admin API owns`,
			`routes[1]: auth: type: want none, basic, bearer, apiKey or clientCert, got "oauth"`,
			`routes[2]: path: want a gorilla/mux template such as /users/{id}, got "/u/{id": `,
			"routes[2]: auth: bearer needs a token",
			"routes[2]: auth: username is set but type bearer does not use it",
			"routes[3]: auth: apiKey needs header and key",
			`routes[3]: auth: header: want an HTTP header name such as x-functions-key, got "x key"`,
			"routes[3]: known is used by email-exists and loyalty-number only, not by contacts",
			"routes[4]: auth: password is set but type none does not use it",
			"routes[4]: known is set without a behaviour that uses it (email-exists or loyalty-number)",
			"routes[5]: responses[0]: status: want 200-599, got 99",
			`routes[5]: responses[0]: header: want a header name, got "Bad Name"`,
			`routes[5]: responses[0]: header X-Ok: value "a\nb" cannot be sent`,
			`routes[5]: responses[0]: contentType: want a media type such as application/json, got "json;;"`,
			"routes[5]: responses[0]: delay: want zero or positive, got -1s",
			"routes[5]: responses[1]: body and json are both set; set one",
			"routes[5]: responses[2]: json cannot be marshalled: ",
			"routes[5]: responses[3]: fault reset sends no response: status, header, contentType, body and json would be ignored",
			"routes[7]: duplicate route GET /r2 (first at routes[6])",
			`routes[8]: path: want a path without query or fragment (a route matches any query), got "/q?code=1"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kittest.CheckValidate(t, tt.cfg, tt.want, kittest.WantProblems, rest.New)
		})
	}
}

func TestResponseWireForms(t *testing.T) {
	r := rest.Response{
		Status: 409, Header: map[string]string{"X-A": "1"}, ContentType: "application/problem+json",
		JSON: map[string]any{"userMessage": "no"}, Delay: 1500 * time.Millisecond,
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"status":409,"header":{"X-A":"1"},"contentType":"application/problem+json","json":{"userMessage":"no"},"delay":"1.5s"}`; string(b) != want {
		t.Errorf("JSON:\n got  %s\n want %s", b, want)
	}
	var back rest.Response
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("JSON round trip: %+v (%v), want %+v", back, err, r)
	}
	if err := json.Unmarshal([]byte(`{"stauts":200}`), &back); err == nil {
		t.Error("unknown JSON key: want an error")
	}

	y, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(y), "delay: 1.5s") || !strings.Contains(string(y), "contentType: application/problem+json") {
		t.Errorf("YAML:\n%s", y)
	}
	var backY rest.Response
	if err := yaml.Unmarshal(y, &backY); err != nil || !reflect.DeepEqual(backY, r) {
		t.Errorf("YAML round trip: %+v (%v), want %+v", backY, err, r)
	}
}

func TestConfigIsCopied(t *testing.T) {
	body := map[string]any{"name": "Emily"}
	known := []string{"a@contoso.com"}
	cfg := rest.Config{Routes: []rest.Route{
		{Path: "/j", Responses: []rest.Response{{JSON: body}}},
		{Path: "/e", Behaviour: rest.BehaviourEmailExists, Known: known},
	}}
	e := newEnv(t, cfg)
	body["name"] = "changed"
	known[0] = "b@contoso.com"
	cfg.Routes[0].Responses[0].Status = 500

	if r := e.get("/j"); r.StatusCode != 200 || r.JSON(t)["name"] != "Emily" {
		t.Errorf("the server saw the caller's later changes: %d %s", r.StatusCode, r.Text)
	}
	wantStatus(t, e.postJSON("/e", `{"email":"a@contoso.com"}`), 409)

	got := e.Srv.Config()
	got.Routes[0].Responses[0].JSON.(map[string]any)["name"] = "mutated"
	if r := e.get("/j"); r.JSON(t)["name"] != "Emily" {
		t.Errorf("Config returned the server's own maps: %s", r.Text)
	}
}
