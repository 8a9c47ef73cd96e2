package rest_test

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/mocks/rest"
)

// claimsRouteJSON is PUT /_admin/routes's body for a custom-claims route at path checking tokens
// against jwksURL.
func claimsRouteJSON(path, jwksURL string) string {
	return fmt.Sprintf(`{"method":"POST","path":%q,"behaviour":"custom-claims","customClaims":{"jwksURL":%q,"audience":%q}}`, path, jwksURL, testAudience)
}

// TestAdminRoutesRefuseUnregisteredJWKSURL is security issue #18: PUT /_admin/routes took any
// customClaims.jwksURL and the mock fetched it on the next call, so whoever reached the admin API
// could make the mock request an internal address (SSRF). A route given over the admin API may
// now name only a JWKS URL of the start-up config or one the program registered; any other is
// refused with 400, and the internal server hears nothing.
func TestAdminRoutesRefuseUnregisteredJWKSURL(t *testing.T) {
	var hits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	t.Cleanup(internal.Close)
	secret := internal.URL + "/secret"

	e := newEnv(t, rest.Config{})
	r := e.Admin("PUT", "/_admin/routes", claimsRouteJSON("/api/claims", secret))
	wantMockError(t, r, http.StatusBadRequest, rest.CodeBadRequest)
	for _, want := range []string{`customClaims.jwksURL \"` + secret + `\" is not registered`, "rest.WithJWKSURLs", "Server.AllowJWKS"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("400 %s\nwant it to say %s", r.Text, want)
		}
	}
	// the route is not there: a call with a token finds no route and fetches nothing
	entra := keyFile(t, "entra-key.pem")
	tok := mint(t, entra, jwt.SigningMethodRS256, testKid, entraClaims())
	wantMockError(t, e.postJSON("/api/claims", entraRequest, "Authorization", "Bearer "+tok), http.StatusNotFound, rest.CodeNotFound)
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal server got %d requests, want 0", n)
	}
	if got := e.Srv.JWKSURLs(); len(got) != 0 {
		t.Errorf("JWKSURLs() = %v after a refused route, want none", got)
	}
}

// TestRegisteredJWKSURLs: the URLs the admin API accepts are those of the start-up config, of
// WithJWKSURLs and AllowJWKS, and of routes the program added with AddRoute.
func TestRegisteredJWKSURLs(t *testing.T) {
	entra := keyFile(t, "entra-key.pem")
	keys := newJWKS(t, map[string]*rsa.PublicKey{testKid: &entra.PublicKey})
	fromConfig, fromOption, fromAllow, fromGo := keys.ts.URL+"/config", keys.ts.URL+"/option", keys.ts.URL+"/allow", keys.ts.URL+"/go"

	e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(&rest.CustomClaims{JWKSURL: fromConfig, Audience: testAudience})}},
		rest.WithJWKSURLs(fromOption))
	e.Srv.AllowJWKS(fromAllow)
	if err := e.Srv.AddRoute(rest.Route{Method: "POST", Path: "/go", Behaviour: rest.BehaviourCustomClaims,
		CustomClaims: &rest.CustomClaims{JWKSURL: fromGo, Audience: testAudience}}); err != nil {
		t.Fatalf("AddRoute from Go: %v", err)
	}
	want := []string{fromAllow, fromConfig, fromGo, fromOption}
	if got := e.Srv.JWKSURLs(); !slices.Equal(got, want) {
		t.Errorf("JWKSURLs() = %v, want %v", got, want)
	}
	tok := mint(t, entra, jwt.SigningMethodRS256, testKid, entraClaims())
	for i, u := range want {
		path := fmt.Sprintf("/claims/%d", i)
		wantStatus(t, e.Admin("PUT", "/_admin/routes", claimsRouteJSON(path, u)), http.StatusNoContent)
		if r := e.postJSON(path, entraRequest, "Authorization", "Bearer "+tok); r.StatusCode != http.StatusOK {
			t.Errorf("a route with the registered %s: %d %s", u, r.StatusCode, r.Text)
		}
	}
	// registration is exact: another path on the same host is not registered
	wantMockError(t, e.Admin("PUT", "/_admin/routes", claimsRouteJSON("/other", keys.ts.URL+"/config/")), http.StatusBadRequest, rest.CodeBadRequest)
	// Reset restores the routes, not the registrations' absence: what was registered stays
	e.Srv.Reset()
	wantStatus(t, e.Admin("PUT", "/_admin/routes", claimsRouteJSON("/again", fromGo)), http.StatusNoContent)
}
