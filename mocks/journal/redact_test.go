package journal_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/iefconform/iefconform/mocks/journal"
)

func TestRedactSecretNames(t *testing.T) {
	for _, k := range []string{"newPassword", "reenterPassword", "oauth_verifier", "my_access_token_name", "X-My-Api-Key", "client_secret", "userSecret"} {
		if !journal.Redact(k) {
			t.Errorf("%s is not redacted", k)
		}
	}
	for _, k := range []string{"oauth_token", "token_type", "email", "state", "displayName"} {
		if journal.Redact(k) {
			t.Errorf("%s is redacted", k)
		}
	}
}

func TestRule(t *testing.T) {
	r := journal.Rule{Mask: "(hidden)", Extra: []string{"X-Contoso-Auth", "tkn"}}
	for _, k := range []string{"x-contoso-auth", "TKN", "password", "Authorization"} {
		if !r.Secret(k) {
			t.Errorf("%s is not secret", k)
		}
	}
	if r.Secret("email") || r.Secret("tkn2") {
		t.Error("email or tkn2 is secret")
	}
	v := url.Values{"tkn": {"a", "b"}, "email": {"e"}}
	got := r.Values(v)
	if !slices.Equal(got["tkn"], []string{"(hidden)", "(hidden)"}) || got["email"][0] != "e" || v["tkn"][0] != "a" {
		t.Errorf("Values = %v (input now %v)", got, v)
	}
	if r.Values(nil) != nil {
		t.Error("Values(nil) is not nil")
	}
	if got := r.URL("/p?tkn=a%20b&x=%2F&password"); got != "/p?tkn=(hidden)&x=%2F&password" {
		t.Errorf("URL = %s", got)
	}
	for _, tt := range []struct{ body, want string }{
		{`{"password":"p","n":12345678901234567890,"a":[{"client_secret":"s"}],"nil":null,"token":null, "h":"<&>"}`,
			`{"a":[{"client_secret":"(hidden)"}],"h":"<&>","n":12345678901234567890,"nil":null,"password":"(hidden)","token":null}`},
		{` {"email":"e"} `, ` {"email":"e"} `}, // nothing secret: as sent
		{`{"password":`, `{"password":`},       // not JSON: as sent
		{`password=p`, `password=p`},           // not a form by its content type
	} {
		if got := r.Body(tt.body, false); got != tt.want {
			t.Errorf("Body(%s) = %s, want %s", tt.body, got, tt.want)
		}
	}
	if got := r.Body("a=1&password=p", true); got != "a=1&password=(hidden)" {
		t.Errorf("Body of a form = %s", got)
	}
}
