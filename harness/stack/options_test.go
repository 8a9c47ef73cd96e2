package stack_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/stack"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
)

func TestStartDefaultAddrs(t *testing.T) {
	st, err := stack.Start(stack.Options{Policies: features.FS})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, raw := range map[string]string{"emulator": st.EmulatorURL(), "facebook": st.FacebookURL(), "rp": st.RPURL()} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%s URL %q: %v", name, raw, err)
		}
		if u.Hostname() != "127.0.0.1" || u.Port() == "0" || u.Port() == "" {
			t.Errorf("%s URL %q: want 127.0.0.1 and the port the listener got", name, raw)
		}
	}
}

func TestStartAddrsAndKeys(t *testing.T) {
	// A free port for the emulator, chosen ahead as a user does with serve --addr.
	free, err := harness.UnreachableURL("")
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(free, "http://")

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	user := keys.NewStore()
	user.SetSecret(stack.FacebookSecretKey, []byte("from-the-key-store"))
	user.SetSecret("B2C_1A_Other", []byte("x"))
	if _, err := user.SetRSA(stack.TokenSigningKey, key, nil); err != nil {
		t.Fatal(err)
	}

	st, err := stack.Start(stack.Options{Policies: features.FS, EmulatorAddr: addr, FacebookAddr: "0.0.0.0:0", Keys: user})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if want := "http://" + addr; st.EmulatorURL() != want {
		t.Errorf("EmulatorURL() = %q, want %q", st.EmulatorURL(), want)
	}
	if !strings.HasPrefix(st.FacebookURL(), "http://127.0.0.1:") {
		t.Errorf("FacebookURL() = %q: an unspecified listen host should become 127.0.0.1", st.FacebookURL())
	}
	if got := st.FacebookSecret(); got != "from-the-key-store" {
		t.Errorf("FacebookSecret() = %q, want the key store's secret", got)
	}
	if cs := st.Facebook.Clients(); len(cs) != 1 || cs[0].Secret != "from-the-key-store" {
		t.Errorf("Facebook mock clients = %+v, want one whose secret is the key store's", cs)
	}
	if s, err := st.Keys.Secret("B2C_1A_Other"); err != nil || string(s) != "x" {
		t.Errorf("Keys.Secret(B2C_1A_Other) = %q, %v; want the key store's container", s, err)
	}
	if k, err := st.Keys.RSA(stack.TokenSigningKey); err != nil || !k.Private.Equal(key) {
		t.Errorf("Keys.RSA(%s): %v; want the key store's key", stack.TokenSigningKey, err)
	}

	// The port is taken now: a second stack on it fails and names the address.
	if _, err := stack.Start(stack.Options{Policies: features.FS, EmulatorAddr: addr}); err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("second Start on %s: err = %v, want a listen error naming the address", addr, err)
	}
}

// TestAdminToken: Options.AdminToken reaches every mock of the stack, whose
// admin APIs then refuse requests without it.
func TestAdminToken(t *testing.T) {
	signingKey(t)
	st, err := stack.Start(stack.Options{Policies: features.FS, PKI: testPKI, AdminToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: testPKI.CA.Pool()}}}
	defer client.CloseIdleConnections()
	for name, base := range map[string]string{"facebook": st.FacebookURL(), "twitter": st.TwitterURL(), "rest": st.RESTURL()} {
		for token, want := range map[string]int{"": http.StatusUnauthorized, "tok": http.StatusOK} {
			req, err := http.NewRequest(http.MethodGet, base+"/_admin/config", nil)
			if err != nil {
				t.Fatal(err)
			}
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s /_admin/config with token %q: status %d, want %d", name, token, resp.StatusCode, want)
			}
		}
	}
}

// TestDirectoryOutlivesPolicyReloads: the stack's directory is every emulator's
// it starts for the scenario, so accounts survive a policy reload.
func TestDirectoryOutlivesPolicyReloads(t *testing.T) {
	s := start(t)
	u := directory.User{AccountEnabled: true, Attributes: map[string]any{"displayName": "Alice"}}
	u.SetIdentity(directory.Identity{SignInType: "emailAddress", IssuerAssignedID: "alice@example.com"})
	created, err := s.Directory.Create(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UsePolicy("facebook", nil); err != nil { // a second emulator
		t.Fatal(err)
	}
	if s.Emulator().Directory() != s.Directory {
		t.Fatal("the reloaded emulator has a directory of its own")
	}
	key, err := directory.KeyFor("objectId", created.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Emulator().Directory().Find(context.Background(), key); err != nil {
		t.Fatalf("the account written before the reload is gone: %v", err)
	}
}

// TestIdPClientsCarryTheAuthrespURIs: the stack registers the emulator's
// callbacks with its OAuth2 mocks' clients, so that they check redirect_uri
// exactly: the tenant's authresp URI from the start, each loaded policy's
// (UsePolicyInRedirectUri) once it is loaded; another redirect_uri gets the
// mock's error page. A client a scenario gave other redirect URIs keeps them.
func TestIdPClientsCarryTheAuthrespURIs(t *testing.T) {
	st, err := stack.Start(stack.Options{Policies: features.FS})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tenantURI := strings.ToLower(st.EmulatorURL() + "/" + server.DefaultTenant + "/oauth2/authresp")
	policyURI := strings.ToLower(st.EmulatorURL() + "/" + server.DefaultTenant + "/B2C_1A_OAuth2_SignIn/oauth2/authresp")
	redirectURIs := func(idp string) []string {
		t.Helper()
		info, _ := st.IdP(idp)
		for _, c := range info.Mock.Clients() {
			if c.ID == info.ClientID {
				return c.RedirectURIs
			}
		}
		t.Fatalf("%s has no client %s", idp, info.ClientID)
		return nil
	}
	for _, idp := range []string{stack.PartyFacebook, stack.PartyLinkedIn, stack.PartyContoso} {
		if got := redirectURIs(idp); !slices.Equal(got, []string{tenantURI}) {
			t.Errorf("%s's client at start: redirect URIs %q, want %q", idp, got, tenantURI)
		}
	}
	// A scenario gives LinkedIn's client a redirect URI of its own.
	linkedIn, _ := st.IdP(stack.PartyLinkedIn)
	if err := linkedIn.Mock.AddClient(mockoauth2.Client{ID: linkedIn.ClientID, Secret: linkedIn.Secret, RedirectURIs: []string{"https://elsewhere.example/cb"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Load("policies/oauth2", stack.PolicyOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := redirectURIs(stack.PartyContoso); !slices.Contains(got, tenantURI) || !slices.Contains(got, policyURI) {
		t.Errorf("Contoso's client after loading oauth2: redirect URIs %q, want %s and %s", got, tenantURI, policyURI)
	}
	if got := redirectURIs(stack.PartyLinkedIn); !slices.Equal(got, []string{"https://elsewhere.example/cb"}) {
		t.Errorf("LinkedIn's client with a scenario's redirect URI after a load: %q, want it alone", got)
	}

	contoso, _ := st.IdP(stack.PartyContoso)
	authorize := func(redirectURI string) (int, string) {
		t.Helper()
		q := url.Values{"client_id": {stack.ContosoClientID}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "state": {"s"}, "scope": {"openid"}}
		resp, err := http.Get(contoso.URL + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, uri := range []string{tenantURI, policyURI} {
		if code, body := authorize(uri); code != http.StatusOK || strings.Contains(body, "is not registered") {
			t.Errorf("authorize with redirect_uri %s: %d %s", uri, code, body)
		}
	}
	for _, uri := range []string{"https://evil.example/cb", tenantURI + "x", st.EmulatorURL() + "/other/oauth2/authresp"} {
		if code, body := authorize(uri); code == http.StatusOK || !strings.Contains(body, "is not registered") {
			t.Errorf("authorize with redirect_uri %s: %d, want the mock's error page saying it is not registered:\n%s", uri, code, body)
		}
	}
}
