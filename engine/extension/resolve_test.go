package extension_test

import (
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/extension"
)

func TestResolve(t *testing.T) {
	setSP := func(c *extension.Config, appID string, enabled bool) {
		for i := range c.Directory.ServicePrincipals {
			if c.Directory.ServicePrincipals[i].AppID == appID {
				c.Directory.ServicePrincipals[i].Enabled = enabled
			}
		}
	}
	dropSP := func(c *extension.Config, appID string) {
		var keep []extension.ServicePrincipal
		for _, sp := range c.Directory.ServicePrincipals {
			if sp.AppID != appID {
				keep = append(keep, sp)
			}
		}
		c.Directory.ServicePrincipals = keep
	}
	rid := func(c *extension.Config, v string) { c.Extensions[0].AuthenticationConfiguration.ResourceID = v }
	target := func(c *extension.Config, v string) { c.Extensions[0].TargetURL = v }
	tests := []struct {
		name   string
		mutate func(*extension.Config)
		want   int // 0: a binding
	}{
		{name: "ok", mutate: func(*extension.Config) {}},
		{name: "ok with a DNS name, a port and mixed case", mutate: func(c *extension.Config) {
			target(c, "HTTPS://Claims.Contoso.Example:8443/api")
			rid(c, "api://claims.contoso.example/"+resourceAppID)
		}},
		{name: "1003011 listener names a missing extension", mutate: func(c *extension.Config) { c.Listeners[0].ExtensionID = "nope" }, want: 1003011},
		{name: "1003020 http", mutate: func(c *extension.Config) { target(c, "http://127.0.0.1/api") }, want: 1003020},
		{name: "1003020 empty", mutate: func(c *extension.Config) { target(c, "") }, want: 1003020},
		{name: "1003020 relative", mutate: func(c *extension.Config) { target(c, "/api/claims") }, want: 1003020},
		{name: "1003020 unparseable", mutate: func(c *extension.Config) { target(c, "https://exa mple.com/%zz") }, want: 1003020},
		{name: "1003020 no host", mutate: func(c *extension.Config) { target(c, "https:///api") }, want: 1003020},
		{name: "1003020 before 1003014", mutate: func(c *extension.Config) { target(c, "ftp://x"); rid(c, "nope") }, want: 1003020},
		{name: "1003014 no api:// prefix", mutate: func(c *extension.Config) { rid(c, "https://127.0.0.1/"+resourceAppID) }, want: 1003014},
		{name: "1003014 empty", mutate: func(c *extension.Config) { rid(c, "") }, want: 1003014},
		{name: "1003014 no appId", mutate: func(c *extension.Config) { rid(c, "api://127.0.0.1/") }, want: 1003014},
		{name: "1003014 bare appId", mutate: func(c *extension.Config) { rid(c, "api://"+resourceAppID) }, want: 1003014},
		{name: "1003014 extra segment", mutate: func(c *extension.Config) { rid(c, "api://127.0.0.1/x/"+resourceAppID) }, want: 1003014},
		{name: "1003014 bad domain", mutate: func(c *extension.Config) { rid(c, "api://bad_host!/"+resourceAppID) }, want: 1003014},
		{name: "1003014 port in domain", mutate: func(c *extension.Config) { rid(c, "api://127.0.0.1:443/"+resourceAppID) }, want: 1003014},
		{name: "1003014 before 1003015", mutate: func(c *extension.Config) { target(c, "https://other.example/"); rid(c, "api:/x") }, want: 1003014},
		{name: "1003015 domain differs", mutate: func(c *extension.Config) { rid(c, "api://contoso.example/"+resourceAppID) }, want: 1003015},
		{name: "1003015 subdomain differs", mutate: func(c *extension.Config) {
			target(c, "https://api.contoso.example/x")
			rid(c, "api://contoso.example/"+resourceAppID)
		}, want: 1003015},
		{name: "1003016 resource SP not found", mutate: func(c *extension.Config) { dropSP(c, resourceAppID) }, want: 1003016},
		{name: "1003016 before 1003017", mutate: func(c *extension.Config) { c.Directory.ServicePrincipals = nil }, want: 1003016},
		{name: "1003019 resource SP disabled", mutate: func(c *extension.Config) { setSP(c, resourceAppID, false) }, want: 1003019},
		{name: "1003019 before 1003018", mutate: func(c *extension.Config) { setSP(c, resourceAppID, false); setSP(c, clientAppID, false) }, want: 1003019},
		{name: "1003017 client SP not found", mutate: func(c *extension.Config) { dropSP(c, clientAppID) }, want: 1003017},
		{name: "1003018 client SP disabled", mutate: func(c *extension.Config) { setSP(c, clientAppID, false) }, want: 1003018},
		{name: "1003018 before 1003021", mutate: func(c *extension.Config) {
			setSP(c, clientAppID, false)
			c.Directory.ConsentGranted = map[string]bool{resourceAppID: false}
		}, want: 1003018},
		{name: "1003021 consent not granted", mutate: func(c *extension.Config) {
			c.Directory.ConsentGranted = map[string]bool{resourceAppID: false, clientAppID: true}
		}, want: 1003021},
		{name: "consent of another app does not matter", mutate: func(c *extension.Config) {
			c.Directory.ConsentGranted = map[string]bool{clientAppID: false}
		}},
		{name: "1003021 before 1003022", mutate: func(c *extension.Config) {
			c.Directory.ConsentGranted = map[string]bool{resourceAppID: false}
			c.Directory.GraphServicePrincipalEnabled = boolp(false)
		}, want: 1003021},
		{name: "1003022 Graph SP disabled", mutate: func(c *extension.Config) { c.Directory.GraphServicePrincipalEnabled = boolp(false) }, want: 1003022},
		{name: "Graph SP explicitly enabled", mutate: func(c *extension.Config) { c.Directory.GraphServicePrincipalEnabled = boolp(true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig("https://127.0.0.1:8443/api/claims")
			tt.mutate(cfg)
			b, f := cfg.Resolve(clientAppID)
			if tt.want == 0 {
				if f != nil {
					t.Fatalf("want a binding, got %v", f)
				}
				if b == nil || b.Listener.ID != listenerID || b.Extension.ID != extensionID || b.ResourceAppID != resourceAppID {
					t.Fatalf("want the listener, extension and resource app, got %+v", b)
				}
				if b.ResourceID != cfg.Extensions[0].AuthenticationConfiguration.ResourceID {
					t.Errorf("ResourceID: got %q", b.ResourceID)
				}
				return
			}
			if f == nil {
				t.Fatalf("want failure %d, got binding %+v", tt.want, b)
			}
			if b != nil {
				t.Errorf("want no binding with a failure, got %+v", b)
			}
			if f.Code != tt.want || f.Name != extension.Name(tt.want) {
				t.Errorf("want %d %s, got %d %s (%v)", tt.want, extension.Name(tt.want), f.Code, f.Name, f.Err)
			}
			if f.Err == nil || !contains(f.Error(), f.Name) {
				t.Errorf("want a message naming the failure, got %q", f.Error())
			}
		})
	}
}

func TestResolveNoListener(t *testing.T) {
	cfg := baseConfig("https://127.0.0.1/api")
	cfg.Extensions = nil // a broken extension does not matter to other apps
	b, f := cfg.Resolve("99999999-9999-4999-8999-999999999999")
	if b != nil || f != nil {
		t.Fatalf("want nil, nil for an app without a listener, got %+v, %v", b, f)
	}
}

func TestResolveTimeouts(t *testing.T) {
	tests := []struct {
		name        string
		cc          extension.ClientConfiguration
		wantTimeout time.Duration
		wantRetries int
	}{
		{"defaults", extension.ClientConfiguration{}, time.Second, 1},
		{"explicit", extension.ClientConfiguration{TimeoutInMilliseconds: intp(2000), MaximumRetries: intp(0)}, 2 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig("https://127.0.0.1/api")
			cfg.Extensions[0].ClientConfiguration = tt.cc
			b := mustResolve(t, cfg)
			if b.Timeout != tt.wantTimeout || b.MaximumRetries != tt.wantRetries {
				t.Errorf("want %v and %d retries, got %v and %d", tt.wantTimeout, tt.wantRetries, b.Timeout, b.MaximumRetries)
			}
		})
	}
}
