package claims

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func resolverContext() *Context {
	bag := NewBag()
	bag.Set("email", "alice@contoso.com")
	bag.Set("groups", []string{"a", "b"})
	return &Context{
		PolicyID:       "B2C_1A_signup_signin",
		TenantID:       "contoso.onmicrosoft.com",
		TenantObjectID: "11111111-1111-1111-1111-111111111111",
		DeploymentMode: "Development",
		CorrelationID:  "22222222-2222-2222-2222-222222222222",
		HostName:       "contoso.b2clogin.com",
		IPAddress:      "203.0.113.7",
		BuildNumber:    "1.0.507.0",
		KMSI:           true,
		Now:            fixedClock(time.Date(2021, 10, 10, 12, 0, 0, 0, time.UTC)),
		Request: url.Values{
			"client_id":    {"rp-client"},
			"login_hint":   {"bob@contoso.com"},
			"domain_hint":  {"facebook.com"},
			"acr_values":   {"b2c_1a_mfa"},
			"max_age":      {"3600"},
			"nonce":        {"n-0S6_WzA2Mj"},
			"prompt":       {"login"},
			"redirect_uri": {"https://jwt.ms"},
			"scope":        {"openid offline_access"},
			"campaignId":   {"spring-2024"},
			"ui_locales":   {"fr-FR"},
		},
		Claims: bag,
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func(c *Context) // changes to resolverContext()
		in      string
		want    string
		wantErr error
	}{
		{"no resolver", nil, "plain text", "plain text", nil},
		{"braces without resolver", nil, `{"a": 1}`, `{"a": 1}`, nil},

		// Culture: UJ-10 {Culture:LCID} is 1033 for en-US.
		{"UJ-10 Culture:LCID en-US", func(c *Context) { c.Culture = "en-US" }, "{Culture:LCID}", "1033", nil},
		{"Culture:LCID defaults to en-US", func(c *Context) { c.Request = nil }, "{Culture:LCID}", "1033", nil},
		{"Culture:LCID from ui_locales", nil, "{Culture:LCID}", "1036", nil},
		{"Culture:LCID from the first of several ui_locales", func(c *Context) { c.Request.Set("ui_locales", "es-MX en-US") }, "{Culture:LCID}", "2058", nil},
		{"Culture:LCID ui_locales case-insensitive", func(c *Context) { c.Request.Set("ui_locales", "de-de") }, "{Culture:LCID}", "1031", nil},
		{"Culture field wins over ui_locales", func(c *Context) { c.Culture = "ja-JP" }, "{Culture:LCID}", "1041", nil},
		{"blank ui_locales falls back to en-US", func(c *Context) { c.Request.Set("ui_locales", "  ") }, "{Culture:RFC5646}", "en-US", nil},
		{"Culture:RFC5646 default", func(c *Context) { c.Request = nil }, "{Culture:RFC5646}", "en-US", nil},
		{"Culture:RFC5646 from ui_locales", nil, "{Culture:RFC5646}", "fr-FR", nil},
		{"Culture:LanguageName", nil, "{Culture:LanguageName}", "fr", nil},
		{"Culture:LanguageName en-US", func(c *Context) { c.Culture = "en-US" }, "{Culture:LanguageName}", "en", nil},
		{"Culture:RegionName", nil, "{Culture:RegionName}", "FR", nil},
		{"Culture:RegionName en-US", func(c *Context) { c.Culture = "en-US" }, "{Culture:RegionName}", "US", nil},
		{"Culture:RegionName without region", func(c *Context) { c.Culture = "fr" }, "{Culture:RegionName}", "", nil},

		// Policy.
		{"UJ-10 Policy:PolicyId", nil, "{Policy:PolicyId}", "B2C_1A_signup_signin", nil},
		{"Policy:TenantObjectId", nil, "{Policy:TenantObjectId}", "11111111-1111-1111-1111-111111111111", nil},
		{"Policy:RelyingPartyTenantId", nil, "{Policy:RelyingPartyTenantId}", "contoso.onmicrosoft.com", nil},
		{"Policy:TrustFrameworkTenantId", nil, "{Policy:TrustFrameworkTenantId}", "contoso.onmicrosoft.com", nil},

		// Context.
		{"UJ-10 Context:CorrelationId", nil, "{Context:CorrelationId}", "22222222-2222-2222-2222-222222222222", nil},
		{"Context:DateTimeInUtc noon", nil, "{Context:DateTimeInUtc}", "10/10/2021 12:00:00 PM", nil},
		{
			"Context:DateTimeInUtc converts to UTC",
			func(c *Context) {
				c.Now = fixedClock(time.Date(2021, 3, 4, 11, 5, 9, 0, time.FixedZone("CEST", 2*3600)))
			},
			"{Context:DateTimeInUtc}", "3/4/2021 9:05:09 AM", nil,
		},
		{"Context:BuildNumber", nil, "{Context:BuildNumber}", "1.0.507.0", nil},
		{"Context:DeploymentMode", nil, "{Context:DeploymentMode}", "Development", nil},
		{"Context:HostName", nil, "{Context:HostName}", "contoso.b2clogin.com", nil},
		{"Context:IPAddress", nil, "{Context:IPAddress}", "203.0.113.7", nil},
		{"Context:KMSI true", nil, "{Context:KMSI}", "true", nil},
		{"Context:KMSI false", func(c *Context) { c.KMSI = false }, "{Context:KMSI}", "false", nil},

		// OIDC: the RP's authorization request.
		{"OIDC:ClientId", nil, "{OIDC:ClientId}", "rp-client", nil},
		{"OIDC:LoginHint", nil, "{OIDC:LoginHint}", "bob@contoso.com", nil},
		{"OIDC:DomainHint", nil, "{OIDC:DomainHint}", "facebook.com", nil},
		{"OIDC:AuthenticationContextReferences", nil, "{OIDC:AuthenticationContextReferences}", "b2c_1a_mfa", nil},
		{"OIDC:MaxAge", nil, "{OIDC:MaxAge}", "3600", nil},
		{"OIDC:Nonce", nil, "{OIDC:Nonce}", "n-0S6_WzA2Mj", nil},
		{"OIDC:Prompt", nil, "{OIDC:Prompt}", "login", nil},
		{"OIDC:RedirectUri", nil, "{OIDC:RedirectUri}", "https://jwt.ms", nil},
		{"OIDC:Scope", nil, "{OIDC:Scope}", "openid offline_access", nil},
		{"OIDC:Resource absent is empty", nil, "{OIDC:Resource}", "", nil},
		{"OIDC without request is empty", func(c *Context) { c.Request = nil }, "{OIDC:LoginHint}", "", nil},

		// OAUTH-KV: any query parameter of the RP request.
		{"UJ-10 OAUTH-KV:campaignId", nil, "{OAUTH-KV:campaignId}", "spring-2024", nil},
		{"OAUTH-KV absent parameter is empty", nil, "{OAUTH-KV:other}", "", nil},

		// Claim.
		{"Claim:email", nil, "{Claim:email}", "alice@contoso.com", nil},
		{"Claim collection joined", nil, "{Claim:groups}", "a,b", nil},
		{"Claim absent is empty", nil, "{Claim:surname}", "", nil},
		{"Claim without bag is empty", func(c *Context) { c.Claims = nil }, "{Claim:email}", "", nil},

		// Unknown resolvers.
		{"unknown family stays literal", nil, "{Foo:Bar}", "{Foo:Bar}", nil},
		{"oauth2 family is PartnerClaimType only: literal", nil, "{oauth2:access_token}", "{oauth2:access_token}", nil},
		{"family is case-sensitive", nil, "{policy:PolicyId}", "{policy:PolicyId}", nil},
		{"AADB2C90044 unknown Culture name", nil, "{Culture:Nope}", "{Culture:Nope}", ErrUnsupportedResolver},
		{"AADB2C90044 unknown Policy name", nil, "{Policy:Nope}", "{Policy:Nope}", ErrUnsupportedResolver},
		{"AADB2C90044 unknown Context name", nil, "{Context:Nope}", "{Context:Nope}", ErrUnsupportedResolver},
		{"AADB2C90044 unknown OIDC name", nil, "{OIDC:Nope}", "{OIDC:Nope}", ErrUnsupportedResolver},

		// Several resolvers in one string.
		{
			"several resolvers",
			nil,
			"https://contoso.com/{Culture:RFC5646}/page?policy={Policy:PolicyId}&campaign={OAUTH-KV:campaignId}&x={Foo:Bar}",
			"https://contoso.com/fr-FR/page?policy=B2C_1A_signup_signin&campaign=spring-2024&x={Foo:Bar}",
			nil,
		},
		{"adjacent resolvers", nil, "{Culture:LanguageName}{Culture:RegionName}", "frFR", nil},
		{"nested braces", nil, "{{Policy:PolicyId}}", "{B2C_1A_signup_signin}", nil},
		{
			"an unsupported resolver among good ones",
			nil,
			"{Policy:PolicyId}/{Context:Nope}/{Culture:LCID}",
			"B2C_1A_signup_signin/{Context:Nope}/1036",
			ErrUnsupportedResolver,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := resolverContext()
			if tt.ctx != nil {
				tt.ctx(c)
			}
			got, err := c.Resolve(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Resolve(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Resolve(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLookupUnsupportedNamesResolver(t *testing.T) {
	_, ok, err := resolverContext().Lookup("Context", "Nope")
	if !ok || !errors.Is(err, ErrUnsupportedResolver) {
		t.Fatalf("Lookup(Context, Nope) = ok %v, err %v; want ok true, ErrUnsupportedResolver", ok, err)
	}
	if !strings.Contains(err.Error(), "{Context:Nope}") || !strings.Contains(err.Error(), "AADB2C90044") {
		t.Errorf("error %q does not name the resolver and AADB2C90044", err)
	}
}

func TestResolveDefaultClock(t *testing.T) {
	// Without Now the wall clock is used: the result parses back to a time near now.
	c := &Context{}
	before := time.Now().UTC().Truncate(time.Second)
	got, err := c.Resolve("{Context:DateTimeInUtc}")
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC()
	ts, err := time.Parse("1/2/2006 3:04:05 PM", got)
	if err != nil {
		t.Fatalf("Resolve({Context:DateTimeInUtc}) = %q: %v", got, err)
	}
	if ts.Before(before) || ts.After(after) {
		t.Errorf("Resolve({Context:DateTimeInUtc}) = %s, want between %s and %s", ts, before, after)
	}
}

// resolverFamilyRE is the syntax of a resolver family name.
var resolverFamilyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// FuzzResolve checks Resolve's contract: no panic; an error is
// ErrUnsupportedResolver naming a resolver written in the input; text without
// '{' is returned as is; the same input gives the same output; one resolver
// between literal text is replaced by what Lookup gives, or kept as written
// when its family is unknown or its name unsupported; and a resolved value
// is not resolved again (a claim or query parameter holding "{Policy:PolicyId}"
// comes out as written).
func FuzzResolve(f *testing.F) {
	for _, s := range []struct{ in, uiLocales, family, name, value string }{
		{"{Culture:LCID}", "en-US", "Culture", "LCID", "1033"},
		{"{Culture:RegionName}", " ", "Culture", "RegionName", ""},
		{"{Culture:LanguageName}", "-", "Culture", "LanguageName", "fr"},
		{"{OAUTH-KV:campaignId}", "", "OAUTH-KV", "campaignId", "spring-2024"},
		{"{Claim:email}/{Policy:PolicyId}", "fr", "Claim", "email", "alice@contoso.com"},
		{"{{Context:DateTimeInUtc}}", "\t", "Context", "DateTimeInUtc", "{Context:DateTimeInUtc}"},
		{"{Context:Nope}", "zz-ZZ", "Context", "Nope", "{Policy:PolicyId}"},
		{"{Foo:Bar}{", "en-US fr-FR", "Foo", "Bar", "{"},
		{"{:}", "", "", "", ""},
		{"{Context:CorrelationId}", "en-US", "Context", "CorrelationId", "22222222-2222-2222-2222-222222222222"},
		{"{Policy:TenantObjectId}", "", "Policy", "TenantObjectId", "11111111-1111-1111-1111-111111111111"},
		{"{OIDC:LoginHint}", "", "OIDC", "LoginHint", "bob@contoso.com"},
		{"{oauth2:access_token}", "", "oauth2", "access_token", ""},
		{"{Settings:Tenant}", "", "Settings", "Tenant", "contoso.onmicrosoft.com"},
		{"https://contoso.com/{Culture:RFC5646}/page?policy={Policy:PolicyId}&campaign={OAUTH-KV:campaignId}&x={Foo:Bar}", "fr-FR", "OAUTH-KV", "ui_locales", "fr-FR"},
	} {
		f.Add(s.in, s.uiLocales, s.family, s.name, s.value)
	}
	f.Fuzz(func(t *testing.T, in, uiLocales, family, name, value string) {
		c := resolverContext()
		c.Request.Set("ui_locales", uiLocales)
		c.Request.Set("fuzz", value)
		c.Claims.Set("fuzz", value)

		got, err := c.Resolve(in)
		var re *ResolverError
		switch {
		case err == nil:
		case !errors.Is(err, ErrUnsupportedResolver) || !errors.As(err, &re):
			t.Fatalf("Resolve(%q) error = %T %v, want nil or a *ResolverError", in, err, err)
		case !strings.Contains(in, "{"+re.Family+":"+re.Name+"}"):
			t.Errorf("Resolve(%q) error names {%s:%s}, which the input does not hold", in, re.Family, re.Name)
		}
		if !strings.Contains(in, "{") && got != in {
			t.Errorf("Resolve(%q) = %q, want the input unchanged", in, got)
		}
		if again, err2 := c.Resolve(in); again != got || (err2 == nil) != (err == nil) {
			t.Errorf("Resolve(%q) = %q, %v, then %q, %v", in, got, err, again, err2)
		}

		// A value is not resolved again.
		for _, r := range []string{"{Claim:fuzz}", "{OAUTH-KV:fuzz}"} {
			if got, err := c.Resolve(r); got != value || err != nil {
				t.Errorf("Resolve(%q) with %q = %q, %v; want %q, nil", r, value, got, err, value)
			}
		}

		// One resolver between literal text.
		if !resolverFamilyRE.MatchString(family) || strings.ContainsAny(name, "{}") {
			return
		}
		resolver := "{" + family + ":" + name + "}"
		s := "<" + resolver + ">"
		v, known, lerr := c.Lookup(family, name)
		want := s
		if known && lerr == nil {
			want = "<" + v + ">"
		}
		got, err = c.Resolve(s)
		if got != want || (err == nil) != (lerr == nil) || err != nil && err.Error() != lerr.Error() {
			t.Errorf("Resolve(%q) = %q, %v; want %q, %v", s, got, err, want, lerr)
		}
		if !known && got != s {
			t.Errorf("Resolve(%q) = %q; an unknown family stays as written", s, got)
		}
	})
}
