package profile

import "testing"

func TestCallbackURLIsLowercase(t *testing.T) {
	env := &Env{BaseURL: "http://LocalHost:8080", Tenant: "Contoso.onmicrosoft.com", PolicyID: "B2C_1A_SignUp_SignIn"}
	tests := []struct {
		name       string
		protocol   string
		withPolicy bool
		want       string
	}{
		{"oauth2 without policy", "oauth2", false, "http://localhost:8080/contoso.onmicrosoft.com/oauth2/authresp"},
		{"oauth2 with policy", "oauth2", true, "http://localhost:8080/contoso.onmicrosoft.com/b2c_1a_signup_signin/oauth2/authresp"},
		{"oauth1 always with policy", "oauth1", true, "http://localhost:8080/contoso.onmicrosoft.com/b2c_1a_signup_signin/oauth1/authresp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := env.CallbackURL(tt.protocol, tt.withPolicy); got != tt.want {
				t.Errorf("CallbackURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAsError(t *testing.T) {
	pe := Errorf(CodeAccessDenied, nil, "AADB2C90091: %s", "cancelled")
	if got := AsError(pe); got != pe {
		t.Errorf("AsError must return a *Error unchanged")
	}
	other := AsError(errTest("boom"))
	if other.Code != CodeServerError || other.Err == nil {
		t.Errorf("AsError of a plain error = %+v, want server_error wrapping it", other)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

func TestAppendQuery(t *testing.T) {
	tests := []struct {
		name, raw, encoded, want string
	}{
		{name: "no query", encoded: "a=1", want: "a=1"},
		{name: "nothing to add", raw: "x=1", want: "x=1"},
		{name: "both empty"},
		{name: "after the endpoint's own query", raw: "x=1", encoded: "a=1&b=2", want: "x=1&a=1&b=2"},
		{name: "trailing ampersands dropped", raw: "x=1&&", encoded: "a=1", want: "x=1&a=1"},
		{name: "the endpoint's query kept as written", raw: "fields=a;b&debug&z=%zz", encoded: "a=1", want: "fields=a;b&debug&z=%zz&a=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AppendQuery(tt.raw, tt.encoded); got != tt.want {
				t.Errorf("AppendQuery(%q, %q) = %q, want %q", tt.raw, tt.encoded, got, tt.want)
			}
		})
	}
}
