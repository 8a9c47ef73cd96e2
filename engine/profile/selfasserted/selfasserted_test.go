package selfasserted

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

func newProfile(t *testing.T, vtps []policy.ValidationTechnicalProfile) *Profile {
	t.Helper()
	p := &policy.Policy{ClaimTypes: map[string]*policy.ClaimType{
		"email": {ID: "email", DisplayName: "Email", UserInputType: "EmailBox",
			Restriction: &policy.Restriction{Pattern: &policy.Pattern{RegularExpression: `[^@]+@[^@]+`, HelpText: "Please enter a valid email address."}}},
		"displayName": {ID: "displayName", DisplayName: "Display name"},
		"language": {ID: "language", UserInputType: "DropdownSingleSelect",
			Restriction: &policy.Restriction{Enumerations: []policy.Enumeration{{Text: "English", Value: "en"}, {Text: "Deutsch", Value: "de"}}}},
		"password": {ID: "password", UserInputType: "Password"},
	}}
	tp := &policy.TechnicalProfile{ID: "SA", DisplayName: "Your details",
		OutputClaims: []policy.ClaimRef{{ClaimTypeReferenceID: "email", Required: true}, {ClaimTypeReferenceID: "displayName", Required: true},
			{ClaimTypeReferenceID: "language"}, {ClaimTypeReferenceID: "password"}},
		ValidationTechnicalProfiles: vtps}
	sp, probs := New(p, tp)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return sp
}

func TestSubmitFieldErrors(t *testing.T) {
	tests := []struct {
		name   string
		values url.Values
		want   map[string]string
	}{
		{"required fields empty", url.Values{"email": {""}, "displayName": {" "}}, map[string]string{"email": MsgRequired, "displayName": MsgRequired}},
		{"pattern with its help text", url.Values{"email": {"not-an-email"}, "displayName": {"A"}}, map[string]string{"email": "Please enter a valid email address."}},
		{"a value over MaxValueLength (#18: no megabyte claim)", url.Values{"email": {"a@b.c"}, "displayName": {strings.Repeat("é", MaxValueLength+1)}}, map[string]string{"displayName": MsgTooLong}},
		{"an option that is not offered", url.Values{"email": {"a@b.c"}, "displayName": {"A"}, "language": {"xx"}}, map[string]string{"language": MsgOption}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			sp := newProfile(t, []policy.ValidationTechnicalProfile{{ReferenceID: "V1"}})
			err := sp.Submit(context.Background(), &profile.Env{Claims: claims.NewBag()}, tt.values, func(context.Context, string) error { called = true; return nil })
			var fe *profile.FormError
			if !errors.As(err, &fe) {
				t.Fatalf("want a FormError, got %v", err)
			}
			for k, v := range tt.want {
				if fe.Fields[k] != v {
					t.Errorf("field %s: want %q, got %q", k, v, fe.Fields[k])
				}
			}
			if called {
				t.Error("validation profiles must not run when fields are wrong")
			}
		})
	}
}

func TestValidationOrder(t *testing.T) {
	yes, no := true, false
	userErr := &profile.UserError{UserMessage: "taken"}
	tests := []struct {
		name    string
		vtps    []policy.ValidationTechnicalProfile
		fail    map[string]bool
		want    []string
		wantErr bool
	}{
		{"all run in order", []policy.ValidationTechnicalProfile{{ReferenceID: "A"}, {ReferenceID: "B"}}, nil, []string{"A", "B"}, false},
		{"a failure stops the rest (REST-08)", []policy.ValidationTechnicalProfile{{ReferenceID: "A"}, {ReferenceID: "B"}}, map[string]bool{"A": true}, []string{"A"}, true},
		{"ContinueOnError goes on (REST-09)", []policy.ValidationTechnicalProfile{{ReferenceID: "A", ContinueOnError: &yes}, {ReferenceID: "B"}}, map[string]bool{"A": true}, []string{"A", "B"}, false},
		{"ContinueOnSuccess false stops after a success", []policy.ValidationTechnicalProfile{{ReferenceID: "A", ContinueOnSuccess: &no}, {ReferenceID: "B"}}, nil, []string{"A"}, false},
		{"a precondition skips one", []policy.ValidationTechnicalProfile{{ReferenceID: "A", Preconditions: []policy.Precondition{{Type: "ClaimsExist", ExecuteActionsIf: true, Values: []string{"email"}, Action: claims.ActionSkipValidationProfile}}}, {ReferenceID: "B"}}, nil, []string{"B"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran []string
			sp := newProfile(t, tt.vtps)
			env := &profile.Env{Claims: claims.NewBag()}
			err := sp.Submit(context.Background(), env, url.Values{"email": {"a@b.c"}, "displayName": {"A"}, "password": {" p w "}}, func(_ context.Context, id string) error {
				ran = append(ran, id)
				if tt.fail[id] {
					return userErr
				}
				return nil
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if len(ran) != len(tt.want) {
				t.Fatalf("ran %v, want %v", ran, tt.want)
			}
			for i := range ran {
				if ran[i] != tt.want[i] {
					t.Fatalf("ran %v, want %v", ran, tt.want)
				}
			}
			if v, _ := env.Claims.Get("password"); v != " p w " {
				t.Errorf("a password is kept as typed, got %q", v)
			}
		})
	}
}

func TestFormKeepsInputButNotPasswords(t *testing.T) {
	sp := newProfile(t, nil)
	bag := claims.NewBag()
	bag.Set("displayName", "From the bag")
	f, err := sp.Form(&profile.Env{Claims: bag}, url.Values{"email": {"typed@example.com"}, "password": {"secret"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]profile.Field{}
	for _, fl := range f.Fields {
		got[fl.ID] = fl
	}
	if got["email"].Value != "typed@example.com" || got["displayName"].Value != "From the bag" || got["password"].Value != "" {
		t.Errorf("fields %+v", got)
	}
	if got["email"].Type != "EmailBox" || len(got["language"].Options) != 2 || !got["email"].Required {
		t.Errorf("field shapes %+v", got)
	}
}
