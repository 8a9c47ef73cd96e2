package rest_test

import (
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/iefconform/iefconform/mocks/rest"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func behaviourConfig() rest.Config {
	return rest.Config{Routes: []rest.Route{
		{Method: "POST", Path: "/email-exists", Behaviour: rest.BehaviourEmailExists, Known: []string{"taken@contoso.com"}},
		{Path: "/loyalty", Behaviour: rest.BehaviourLoyaltyNumber, Known: []string{"member@contoso.com"}},
		{Path: "/contacts", Behaviour: rest.BehaviourContacts},
	}}
}

func TestEmailExists(t *testing.T) {
	e := newEnv(t, behaviourConfig())
	tests := []struct {
		name   string
		body   string
		status int
		want   map[string]any // members of the answer; requestId is checked apart
	}{
		{name: "new email", body: `{"email":"new@contoso.com"}`, status: 200, want: map[string]any{"email": "new@contoso.com"}},
		{name: "known email", body: `{"email":"taken@contoso.com","language":"en"}`, status: 409, want: map[string]any{
			"version": "1.0.0", "status": float64(409), "code": "API12345",
			"userMessage":      "The email address is already registered.",
			"developerMessage": "The provided email address is already registered.",
			"moreInfo":         "https://example.com/errors/API12345",
		}},
		{name: "known email in another case", body: `{"email":"Taken@Contoso.com"}`, status: 409},
		{name: "no email", body: `{"language":"en"}`, status: 400, want: map[string]any{"status": float64(409), "userMessage": rest.EmailMissingMessage}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.postJSON("/email-exists", tt.body)
			wantStatus(t, r, tt.status)
			got := r.JSON(t)
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %#v, want %#v\n%s", k, got[k], v, r.Text)
				}
			}
			if tt.status != 200 && !uuidRE.MatchString(got["requestId"].(string)) {
				t.Errorf("requestId = %v, want a UUID", got["requestId"])
			}
		})
	}
	// each error has its own request id
	a := e.postJSON("/email-exists", `{"email":"taken@contoso.com"}`).JSON(t)["requestId"]
	b := e.postJSON("/email-exists", `{"email":"taken@contoso.com"}`).JSON(t)["requestId"]
	if a == b {
		t.Errorf("two errors share requestId %v", a)
	}
}

func TestLoyaltyNumber(t *testing.T) {
	e := newEnv(t, behaviourConfig())
	n := rest.LoyaltyNumber("a@contoso.com")
	if len(n) != 8 || n != rest.LoyaltyNumber(" A@Contoso.COM ") || n == rest.LoyaltyNumber("b@contoso.com") {
		t.Errorf("LoyaltyNumber: %q, want 8 digits, stable across case and spaces, distinct per email", n)
	}
	tests := []struct {
		name, method, path, contentType, body string
		email                                 string
		isNew                                 bool
	}{
		{name: "JSON body", method: "POST", path: "/loyalty", contentType: "application/json", body: `{"email":"a@contoso.com","language":"en"}`, email: "a@contoso.com", isNew: true},
		{name: "form", method: "POST", path: "/loyalty", contentType: "application/x-www-form-urlencoded", body: "email=member%40contoso.com", email: "member@contoso.com"},
		{name: "query", method: "GET", path: "/loyalty?email=" + url.QueryEscape("b@contoso.com"), email: "b@contoso.com", isNew: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Call(tt.method, tt.path, tt.contentType, tt.body)
			wantStatus(t, r, 200)
			want, _ := json.Marshal(map[string]any{"email": tt.email, "loyaltyNumber": rest.LoyaltyNumber(tt.email), "loyaltyNumberIsNew": tt.isNew})
			var got, wantV any
			_ = json.Unmarshal([]byte(r.Text), &got)
			_ = json.Unmarshal(want, &wantV)
			if !jsonEqual(got, wantV) {
				t.Errorf("answer = %s, want %s", r.Text, want)
			}
		})
	}
	wantStatus(t, e.get("/loyalty"), 400)
}

func TestContacts(t *testing.T) {
	e := newEnv(t, behaviourConfig())
	tests := []struct {
		name, body  string
		wantName    string
		wantEmail   string
		contentType string
	}{
		{name: "defaults", body: `{}`, wantName: "Emily Smith", wantEmail: "email@domain.com"},
		{name: "from the request", body: `{"email":"a@contoso.com","name":"Alice Adams"}`, wantName: "Alice Adams", wantEmail: "a@contoso.com"},
		{name: "displayName", body: `{"displayName":"Bob"}`, wantName: "Bob", wantEmail: "email@domain.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.postJSON("/contacts", tt.body)
			wantStatus(t, r, 200)
			// the paths of B2C's ResolveJsonPathsInJsonTokens example
			for path, want := range map[string]string{
				"contacts.0.id":                    "MAINCONTACT_1",
				"contacts.0.person.name":           tt.wantName,
				"contacts.0.person.loyaltyNumber":  "1234",
				"contacts.0.person.emails.0.id":    "EMAIL_1",
				"contacts.0.person.emails.0.type":  "WORK",
				"contacts.0.person.emails.0.email": tt.wantEmail,
			} {
				if got := gjson.Get(r.Text, path); got.String() != want {
					t.Errorf("%s = %q, want %q\n%s", path, got.String(), want, r.Text)
				}
			}
			if gjson.Get(r.Text, "contacts.0.person.loyaltyNumber").Type != gjson.Number {
				t.Errorf("loyaltyNumber is not a JSON number: %s", r.Text)
			}
		})
	}
}

func TestBehaviourAfterResponses(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{{
		Method: "POST", Path: "/email-exists", Behaviour: rest.BehaviourEmailExists,
		Responses: []rest.Response{{Status: 503, Body: "busy", ContentType: "text/plain"}},
	}}})
	wantStatus(t, e.postJSON("/email-exists", `{"email":"a@contoso.com"}`), 503)
	for range 2 {
		if r := e.postJSON("/email-exists", `{"email":"a@contoso.com"}`); r.StatusCode != 200 || r.JSON(t)["email"] != "a@contoso.com" {
			t.Errorf("after the responses, the behaviour answers: %d %s", r.StatusCode, r.Text)
		}
	}
}

func TestErrorContract(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		code        []string
		wantMembers []string
		wantDev     string
	}{
		{name: "message only", status: 409, wantMembers: []string{"requestId", "status", "userMessage", "version"}},
		{name: "with code", status: 400, code: []string{"API0001"}, wantMembers: []string{"code", "developerMessage", "moreInfo", "requestId", "status", "userMessage", "version"}, wantDev: "Try again."},
		{name: "with developer message", status: 409, code: []string{"API0002", "dev details"}, wantMembers: []string{"code", "developerMessage", "moreInfo", "requestId", "status", "userMessage", "version"}, wantDev: "dev details"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rest.ErrorContract(tt.status, "Try again.", tt.code...)
			if r.Status != tt.status || !strings.HasPrefix(r.ContentType, "application/json") {
				t.Errorf("status %d content type %q", r.Status, r.ContentType)
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				t.Fatal(err)
			}
			if keys := slices.Sorted(maps.Keys(body)); !slices.Equal(keys, tt.wantMembers) {
				t.Errorf("members = %v, want %v", keys, tt.wantMembers)
			}
			if body["status"] != float64(409) || body["version"] != "1.0.0" || body["userMessage"] != "Try again." {
				t.Errorf("body = %s: want status 409 whatever the HTTP status", r.Body)
			}
			if tt.wantDev != "" && body["developerMessage"] != tt.wantDev {
				t.Errorf("developerMessage = %v, want %q", body["developerMessage"], tt.wantDev)
			}
			if len(tt.code) > 0 && body["moreInfo"] != "https://example.com/errors/"+tt.code[0] {
				t.Errorf("moreInfo = %v", body["moreInfo"])
			}
		})
	}
	custom := rest.ErrorBody{Version: "2.0", Status: 400, UserMessage: "bad"}.Response(400)
	if custom.Body != `{"version":"2.0","status":400,"userMessage":"bad"}` || custom.Status != 400 {
		t.Errorf("ErrorBody.Response = %+v", custom)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
