package stack_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/harness/stack"
)

// TestIdPMocksKnowTheirURL: each OAuth2 mock is told the URL the policies name it by
// (mockoauth2.Config.BaseURL), so that it checks a private_key_jwt assertion's aud against that
// URL and never against the Host header a client writes (security issue #18).
func TestIdPMocksKnowTheirURL(t *testing.T) {
	s := start(t)
	for _, name := range []string{stack.PartyFacebook, stack.PartyLinkedIn, stack.PartyContoso} {
		idp, _ := s.IdP(name)
		if got := idp.Mock.Config().BaseURL; got != idp.URL {
			t.Errorf("%s mock's BaseURL = %q, want its URL %s", name, got, idp.URL)
		}
	}
}

// TestRESTMockFetchesOnlyRegisteredJWKS is security issue #18 at the stack: the REST mock's
// admin API accepts a custom-claims route checking tokens against the emulator's key set of a
// loaded policy (the stack registers those URLs), and refuses an internal URL, which then hears
// nothing.
func TestRESTMockFetchesOnlyRegisteredJWKS(t *testing.T) {
	var hits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(internal.Close)

	s := start(t)
	putRoute := func(path, jwksURL string) (int, string) {
		t.Helper()
		body := fmt.Sprintf(`{"method":"POST","path":%q,"behaviour":"custom-claims","customClaims":{"jwksURL":%q,"audience":"api://127.0.0.1/app"}}`, path, jwksURL)
		req, err := http.NewRequest(http.MethodPut, s.RESTURL()+"/_admin/routes", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	policies := s.Emulator().Policies()
	if len(policies) == 0 {
		t.Fatal("no policy loaded")
	}
	for i, id := range policies {
		for _, u := range []string{s.Emulator().JWKSURL(id), s.EmulatorURL() + "/" + strings.ToLower(server.DefaultTenant) + "/" + strings.ToLower(id) + "/discovery/v2.0/keys"} {
			if code, body := putRoute(fmt.Sprintf("/claims/%d", i), u); code != http.StatusNoContent {
				t.Errorf("a route checking tokens against the emulator's %s: %d %s", u, code, body)
			}
		}
	}
	if code, body := putRoute("/internal", internal.URL+"/secret"); code != http.StatusBadRequest || !strings.Contains(body, internal.URL+"/secret") {
		t.Errorf("a route naming an internal URL: %d %s, want 400 naming it", code, body)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal server got %d requests, want 0", n)
	}
}
