package claims

import (
	"errors"
	"reflect"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func ptr(s string) *string { return &s }

func testResolver() *Context {
	return &Context{PolicyID: "B2C_1A_signup_signin", CorrelationID: "00000000-0000-0000-0000-000000000001"}
}

func mapSource(m map[string]any) Source {
	return SourceFunc(func(name string) (any, bool) {
		v, ok := m[name]
		return v, ok
	})
}

func TestMapOutput(t *testing.T) {
	idp := mapSource(map[string]any{
		"id":         "1234",
		"first_name": "Alice",
		"email":      "",
		"groups":     []string{"a", "b"},
		"idp":        "from-idp.com",
	})
	tests := []struct {
		name    string
		refs    []policy.ClaimRef
		src     Source
		before  map[string]any // bag content before mapping
		opts    Options
		want    map[string]any // bag content after mapping
		wantErr error
	}{
		{
			name: "PartnerClaimType maps partner names to claim types",
			refs: []policy.ClaimRef{
				{ClaimTypeReferenceID: "issuerUserId", PartnerClaimType: "id"},
				{ClaimTypeReferenceID: "givenName", PartnerClaimType: "first_name"},
			},
			src:  idp,
			want: map[string]any{"issuerUserId": "1234", "givenName": "Alice"},
		},
		{
			name: "without PartnerClaimType the claim type id is the partner name",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "email"}, {ClaimTypeReferenceID: "groups"}},
			src:  idp,
			want: map[string]any{"email": "", "groups": []string{"a", "b"}},
		},
		{
			name: "a claim the partner omits without default leaves the bag untouched",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "surname", PartnerClaimType: "last_name"}},
			src:  idp,
			before: map[string]any{
				"surname": "Earlier",
			},
			want: map[string]any{"surname": "Earlier"},
		},
		{
			name: "OA2-12 DefaultValue fills a claim the partner omits",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "authenticationSource", DefaultValue: ptr("socialIdpAuthentication")}},
			src:  idp,
			want: map[string]any{"authenticationSource": "socialIdpAuthentication"},
		},
		{
			name: "OA2-12 DefaultValue is not used when the partner returns the claim",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "identityProvider", PartnerClaimType: "idp", DefaultValue: ptr("default.com")}},
			src:  idp,
			want: map[string]any{"identityProvider": "from-idp.com"},
		},
		{
			name: "OA2-12 AlwaysUseDefaultValue forces the default over the partner's value",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "identityProvider", PartnerClaimType: "idp", DefaultValue: ptr("default.com"), AlwaysUseDefaultValue: true}},
			src:  idp,
			want: map[string]any{"identityProvider": "default.com"},
		},
		{
			name: "AlwaysUseDefaultValue without DefaultValue maps the partner's value",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "identityProvider", PartnerClaimType: "idp", AlwaysUseDefaultValue: true}},
			src:  idp,
			want: map[string]any{"identityProvider": "from-idp.com"},
		},
		{
			name: "nil source: defaults only",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "givenName", PartnerClaimType: "first_name"}, {ClaimTypeReferenceID: "loyaltyNumberIsNew", DefaultValue: ptr("true")}},
			want: map[string]any{"loyaltyNumberIsNew": "true"},
		},
		{
			name: "UJ-11 resolver in DefaultValue resolved with ResolveDefaults and AlwaysUseDefaultValue",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "policy", DefaultValue: ptr("{Policy:PolicyId}"), AlwaysUseDefaultValue: true}},
			src:  idp,
			opts: Options{ResolveDefaults: true, Resolver: testResolver()},
			want: map[string]any{"policy": "B2C_1A_signup_signin"},
		},
		{
			name: "UJ-11 resolver stays literal without AlwaysUseDefaultValue",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "policy", DefaultValue: ptr("{Policy:PolicyId}")}},
			src:  idp,
			opts: Options{ResolveDefaults: true, Resolver: testResolver()},
			want: map[string]any{"policy": "{Policy:PolicyId}"},
		},
		{
			name: "UJ-11 resolver stays literal without ResolveDefaults",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "policy", DefaultValue: ptr("{Policy:PolicyId}"), AlwaysUseDefaultValue: true}},
			src:  idp,
			opts: Options{Resolver: testResolver()},
			want: map[string]any{"policy": "{Policy:PolicyId}"},
		},
		{
			name: "resolver stays literal without a Resolver",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "policy", DefaultValue: ptr("{Policy:PolicyId}"), AlwaysUseDefaultValue: true}},
			src:  idp,
			opts: Options{ResolveDefaults: true},
			want: map[string]any{"policy": "{Policy:PolicyId}"},
		},
		{
			name:    "AADB2C90044 unsupported resolver in a resolved default",
			refs:    []policy.ClaimRef{{ClaimTypeReferenceID: "policy", DefaultValue: ptr("{Policy:Nope}"), AlwaysUseDefaultValue: true}},
			src:     idp,
			opts:    Options{ResolveDefaults: true, Resolver: testResolver()},
			want:    map[string]any{},
			wantErr: ErrUnsupportedResolver,
		},
		{
			name: "Sources: the first source that has the claim wins",
			refs: []policy.ClaimRef{
				{ClaimTypeReferenceID: "accessToken", PartnerClaimType: "{oauth2:access_token}"},
				{ClaimTypeReferenceID: "issuerUserId", PartnerClaimType: "id"},
			},
			src: Sources{
				nil,
				mapSource(map[string]any{"{oauth2:access_token}": "tok", "id": "from-token-response"}),
				idp,
			},
			want: map[string]any{"accessToken": "tok", "issuerUserId": "from-token-response"},
		},
		{
			name: "Sources: later sources fill what earlier ones lack",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "givenName", PartnerClaimType: "first_name"}},
			src:  Sources{mapSource(map[string]any{"id": "x"}), idp},
			want: map[string]any{"givenName": "Alice"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bag := NewBag()
			for k, v := range tt.before {
				bag.Set(k, v)
			}
			err := MapOutput(tt.refs, tt.src, bag, tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("MapOutput() error = %v, want %v", err, tt.wantErr)
			}
			if got := bagMap(bag); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("bag after MapOutput() = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestMapOutputFromJSON(t *testing.T) {
	// REST-07 end to end: a nested answer mapped with paths, a missing key filled by DefaultValue.
	src, err := ParseJSON([]byte(`{"contacts":[{"person":{"name":"Emily Smith","loyaltyNumber":1234}}]}`), true)
	if err != nil {
		t.Fatal(err)
	}
	refs := []policy.ClaimRef{
		{ClaimTypeReferenceID: "displayName", PartnerClaimType: "contacts.0.person.name"},
		{ClaimTypeReferenceID: "loyaltyNumber", PartnerClaimType: "contacts[0].person.loyaltyNumber"},
		{ClaimTypeReferenceID: "loyaltyNumberIsNew", DefaultValue: ptr("true")},
		{ClaimTypeReferenceID: "email", PartnerClaimType: "contacts.0.person.email"},
	}
	bag := NewBag()
	if err := MapOutput(refs, src, bag, Options{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"displayName": "Emily Smith", "loyaltyNumber": "1234", "loyaltyNumberIsNew": "true"}
	if got := bagMap(bag); !reflect.DeepEqual(got, want) {
		t.Errorf("bag = %#v, want %#v", got, want)
	}
}

func TestMapInput(t *testing.T) {
	bag := NewBag()
	bag.Set("email", "alice@contoso.com")
	bag.Set("domain", "contoso.com")
	bag.Set("empty", "")
	bag.Set("groups", []string{"a", "b"})

	tests := []struct {
		name    string
		refs    []policy.ClaimRef
		opts    Options
		want    []Param
		wantErr error
	}{
		{
			name: "claim type id as partner name",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "email"}},
			want: []Param{{Name: "email", Value: "alice@contoso.com"}},
		},
		{
			name: "PartnerClaimType renames, order kept",
			refs: []policy.ClaimRef{
				{ClaimTypeReferenceID: "domain", PartnerClaimType: "domain_hint"},
				{ClaimTypeReferenceID: "email", PartnerClaimType: "login_hint"},
			},
			want: []Param{{Name: "domain_hint", Value: "contoso.com"}, {Name: "login_hint", Value: "alice@contoso.com"}},
		},
		{
			name: "collections are passed as they are",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "groups"}},
			want: []Param{{Name: "groups", Value: []string{"a", "b"}}},
		},
		{
			name: "REST-01 claims with neither value nor default are left out",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "surname"}, {ClaimTypeReferenceID: "email"}},
			want: []Param{{Name: "email", Value: "alice@contoso.com"}},
		},
		{
			name: "a claim set to \"\" without default is left out",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "empty"}},
			want: nil,
		},
		{
			name: "OA2-02 absent claim sends its DefaultValue",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "authType", PartnerClaimType: "auth_type", DefaultValue: ptr("reauthenticate")}},
			want: []Param{{Name: "auth_type", Value: "reauthenticate"}},
		},
		{
			name: "a claim set to \"\" counts as absent: its DefaultValue is sent",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "empty", DefaultValue: ptr("fallback")}},
			want: []Param{{Name: "empty", Value: "fallback"}},
		},
		{
			name: "present claim wins over DefaultValue",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "domain", PartnerClaimType: "domain_hint", DefaultValue: ptr("fabrikam.com")}},
			want: []Param{{Name: "domain_hint", Value: "contoso.com"}},
		},
		{
			name: "AlwaysUseDefaultValue forces the default",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "domain", PartnerClaimType: "domain_hint", DefaultValue: ptr("fabrikam.com"), AlwaysUseDefaultValue: true}},
			want: []Param{{Name: "domain_hint", Value: "fabrikam.com"}},
		},
		{
			name: "UJ-11 resolver resolved with ResolveDefaults and AlwaysUseDefaultValue",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "correlationId", DefaultValue: ptr("{Context:CorrelationId}"), AlwaysUseDefaultValue: true}},
			opts: Options{ResolveDefaults: true, Resolver: testResolver()},
			want: []Param{{Name: "correlationId", Value: "00000000-0000-0000-0000-000000000001"}},
		},
		{
			name: "UJ-11 resolver literal without AlwaysUseDefaultValue",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "correlationId", DefaultValue: ptr("{Context:CorrelationId}")}},
			opts: Options{ResolveDefaults: true, Resolver: testResolver()},
			want: []Param{{Name: "correlationId", Value: "{Context:CorrelationId}"}},
		},
		{
			name: "UJ-11 resolver literal without ResolveDefaults (IncludeClaimResolvingInClaimsHandling=false)",
			refs: []policy.ClaimRef{{ClaimTypeReferenceID: "correlationId", DefaultValue: ptr("{Context:CorrelationId}"), AlwaysUseDefaultValue: true}},
			opts: Options{Resolver: testResolver()},
			want: []Param{{Name: "correlationId", Value: "{Context:CorrelationId}"}},
		},
		{
			name:    "AADB2C90044 unsupported resolver",
			refs:    []policy.ClaimRef{{ClaimTypeReferenceID: "x", DefaultValue: ptr("{Context:Nope}"), AlwaysUseDefaultValue: true}},
			opts:    Options{ResolveDefaults: true, Resolver: testResolver()},
			wantErr: ErrUnsupportedResolver,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MapInput(tt.refs, bag, tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("MapInput() error = %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MapInput() = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func bagMap(b *Bag) map[string]any {
	m := map[string]any{}
	for _, k := range b.Keys() {
		m[k], _ = b.Value(k)
	}
	return m
}

// TestMapDefaultPartnerClaimTypes: with Options.Policy, a claim without
// PartnerClaimType crosses the wire under its claim type's default for
// Options.Protocol, both ways.
func TestMapDefaultPartnerClaimTypes(t *testing.T) {
	p := &policy.Policy{ClaimTypes: map[string]*policy.ClaimType{
		"givenName": {ID: "givenName", DefaultPartnerClaimTypes: []policy.DefaultPartnerClaimType{
			{Name: "OAuth2", PartnerClaimType: "given_name"}, {Name: "OpenIdConnect", PartnerClaimType: "given_name"}}},
		"displayName": {ID: "displayName", DefaultPartnerClaimTypes: []policy.DefaultPartnerClaimType{
			{Name: "OpenIdConnect", PartnerClaimType: "name"}}},
	}}
	refs := []policy.ClaimRef{
		{ClaimTypeReferenceID: "givenName"},
		{ClaimTypeReferenceID: "displayName"},
		{ClaimTypeReferenceID: "email", PartnerClaimType: "mail"},
	}
	src := mapSource(map[string]any{"given_name": "Alice", "givenName": "wrong", "displayName": "Alice Smith", "name": "wrong", "mail": "a@example.com"})
	tests := []struct {
		name       string
		opts       Options
		wantOutput map[string]any
		wantInput  []Param
	}{
		{
			name:       "OAuth2 defaults; OpenIdConnect's ignored",
			opts:       Options{Policy: p, Protocol: "oauth2"},
			wantOutput: map[string]any{"givenName": "Alice", "displayName": "Alice Smith", "email": "a@example.com"},
			wantInput:  []Param{{Name: "given_name", Value: "Alice"}, {Name: "displayName", Value: "Alice Smith"}, {Name: "mail", Value: "a@example.com"}},
		},
		{
			name:       "no policy: ids and PartnerClaimType only",
			opts:       Options{Protocol: "OAuth2"},
			wantOutput: map[string]any{"givenName": "wrong", "displayName": "Alice Smith", "email": "a@example.com"},
			wantInput:  []Param{{Name: "givenName", Value: "Alice"}, {Name: "displayName", Value: "Alice Smith"}, {Name: "mail", Value: "a@example.com"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bag := NewBag()
			if err := MapOutput(refs, src, bag, tt.opts); err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.wantOutput {
				if got, _ := bag.Value(k); !reflect.DeepEqual(got, want) {
					t.Errorf("MapOutput: claim %s = %#v, want %#v", k, got, want)
				}
			}
			in := NewBag()
			in.Set("givenName", "Alice")
			in.Set("displayName", "Alice Smith")
			in.Set("email", "a@example.com")
			got, err := MapInput(refs, in, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.wantInput) {
				t.Errorf("MapInput = %#v, want %#v", got, tt.wantInput)
			}
		})
	}
}
