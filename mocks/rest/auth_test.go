package rest_test

import (
	"crypto/tls"
	"encoding/base64"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/pki"
	"github.com/iefconform/iefconform/mocks/rest"
)

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func authConfig() rest.Config {
	return rest.Config{Routes: []rest.Route{
		{Method: "POST", Path: "/none"},
		{Method: "POST", Path: "/basic", Auth: rest.Auth{Type: rest.AuthBasic, Username: "b2c", Password: "p@ss:word"}},
		{Method: "POST", Path: "/bearer", Auth: rest.Auth{Type: rest.AuthBearer, Token: "tok-123"}},
		{Method: "POST", Path: "/apikey", Auth: rest.Auth{Type: rest.AuthAPIKey, Header: "x-functions-key", Key: "fn-key"}},
	}}
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		header    []string
		status    int
		challenge string // WWW-Authenticate prefix of a 401
		authType  string // Call.AuthType
	}{
		{name: "none accepts anything", path: "/none", header: []string{"Authorization", "Bearer x"}, status: 200, authType: rest.AuthBearer},
		{name: "none without credentials", path: "/none", status: 200, authType: rest.AuthNone},
		{name: "basic right", path: "/basic", header: []string{"Authorization", basic("b2c", "p@ss:word")}, status: 200, authType: rest.AuthBasic},
		{name: "basic missing", path: "/basic", status: 401, challenge: `Basic realm="mock-rest"`, authType: rest.AuthNone},
		{name: "basic wrong password", path: "/basic", header: []string{"Authorization", basic("b2c", "nope")}, status: 401, challenge: "Basic ", authType: rest.AuthBasic},
		{name: "basic wrong user", path: "/basic", header: []string{"Authorization", basic("B2C", "p@ss:word")}, status: 401, challenge: "Basic ", authType: rest.AuthBasic},
		{name: "basic given a bearer", path: "/basic", header: []string{"Authorization", "Bearer tok-123"}, status: 401, challenge: "Basic ", authType: rest.AuthBearer},
		{name: "bearer right", path: "/bearer", header: []string{"Authorization", "Bearer tok-123"}, status: 200, authType: rest.AuthBearer},
		{name: "bearer scheme in lower case", path: "/bearer", header: []string{"Authorization", "bearer tok-123"}, status: 200, authType: rest.AuthBearer},
		{name: "bearer missing", path: "/bearer", status: 401, challenge: `Bearer realm="mock-rest"`, authType: rest.AuthNone},
		{name: "bearer wrong", path: "/bearer", header: []string{"Authorization", "Bearer tok-124"}, status: 401, challenge: `Bearer realm="mock-rest", error="invalid_token"`, authType: rest.AuthBearer},
		{name: "apiKey right", path: "/apikey", header: []string{"X-Functions-Key", "fn-key"}, status: 200, authType: rest.AuthAPIKey},
		{name: "apiKey missing", path: "/apikey", status: 401, authType: rest.AuthNone},
		{name: "apiKey wrong", path: "/apikey", header: []string{"x-functions-key", "other"}, status: 401, authType: rest.AuthAPIKey},
		{name: "apiKey in another header", path: "/apikey", header: []string{"x-api-key", "fn-key"}, status: 401, authType: rest.AuthAPIKey},
	}
	e := newEnv(t, authConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.postJSON(tt.path, `{"email":"a@contoso.com"}`, tt.header...)
			if tt.status == 401 {
				wantMockError(t, r, 401, rest.CodeUnauthorized)
			} else {
				wantStatus(t, r, tt.status)
			}
			if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, tt.challenge) || (tt.challenge == "") != (got == "") {
				t.Errorf("WWW-Authenticate = %q, want prefix %q", got, tt.challenge)
			}
			c := e.lastCall(tt.path)
			if c.AuthType != tt.authType || c.Status != tt.status {
				t.Errorf("call: authType %q status %d, want %q %d", c.AuthType, c.Status, tt.authType, tt.status)
			}
		})
	}
	if calls := e.Srv.Calls("/basic"); calls[0].BasicUser != "b2c" || calls[3].BasicUser != "B2C" {
		t.Errorf("BasicUser = %q, %q, want b2c, B2C", calls[0].BasicUser, calls[3].BasicUser)
	}
	if c := e.lastCall("/bearer"); c.BearerToken != "tok-124" {
		t.Errorf("BearerToken = %q, want tok-124", c.BearerToken)
	}
}

// tlsEnv is a mock REST API over HTTPS that verifies client certificates from ca.
type tlsEnv struct {
	srv *rest.Server
	ts  *httptest.Server
	ca  *pki.CA
}

func newTLSEnv(t *testing.T, cfg rest.Config) *tlsEnv {
	t.Helper()
	ca, err := pki.NewCA("rest test CA")
	if err != nil {
		t.Fatal(err)
	}
	serverCert, err := ca.IssueServer("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.TLS = pki.ServerTLSConfig(serverCert, ca.Pool())
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	ts.StartTLS()
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return &tlsEnv{srv: srv, ts: ts, ca: ca}
}

// client returns an HTTPS client trusting the env's CA and presenting certs.
func (e *tlsEnv) client(certs ...tls.Certificate) *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: pki.ClientTLSConfig(e.ca.Pool(), certs...)}}
}

func TestClientCertAuth(t *testing.T) {
	e := newTLSEnv(t, rest.Config{Routes: []rest.Route{
		{Path: "/any-cert", Auth: rest.Auth{Type: rest.AuthClientCert}},
		{Path: "/b2c-cert", Auth: rest.Auth{Type: rest.AuthClientCert, CommonName: "b2c-client"}},
	}})
	b2c, _, _, err := e.ca.IssueClient("b2c-client")
	if err != nil {
		t.Fatal(err)
	}
	other, _, _, err := e.ca.IssueClient("someone-else")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		certs  []tls.Certificate
		status int
		cn     string
	}{
		{name: "any verified certificate", path: "/any-cert", certs: []tls.Certificate{other}, status: 200, cn: "someone-else"},
		{name: "no certificate", path: "/any-cert", status: 401},
		{name: "required CN", path: "/b2c-cert", certs: []tls.Certificate{b2c}, status: 200, cn: "b2c-client"},
		{name: "other CN", path: "/b2c-cert", certs: []tls.Certificate{other}, status: 401, cn: "someone-else"},
		{name: "no certificate for a CN", path: "/b2c-cert", status: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.ts.URL+tt.path, strings.NewReader(`{}`))
			r := kittest.Do(t, e.client(tt.certs...), req)
			if tt.status == 401 {
				wantMockError(t, r, 401, rest.CodeUnauthorized)
			} else {
				wantStatus(t, r, tt.status)
			}
			c, _ := e.srv.LastCall(tt.path)
			wantType := rest.AuthNone
			if tt.cn != "" {
				wantType = rest.AuthClientCert
			}
			if c.ClientCertCN != tt.cn || c.AuthType != wantType {
				t.Errorf("call: CN %q authType %q, want %q %q", c.ClientCertCN, c.AuthType, tt.cn, wantType)
			}
		})
	}

	t.Run("certificate from an untrusted CA", func(t *testing.T) {
		stranger, err := pki.NewCA("stranger CA")
		if err != nil {
			t.Fatal(err)
		}
		cert, _, _, err := stranger.IssueClient("b2c-client")
		if err != nil {
			t.Fatal(err)
		}
		cfg := pki.ClientTLSConfig(e.ca.Pool())
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: cfg}}
		before := len(e.srv.Calls("/b2c-cert"))
		if _, err := client.Post(e.ts.URL+"/b2c-cert", "application/json", strings.NewReader(`{}`)); err == nil {
			t.Fatal("the TLS layer accepted a certificate from an untrusted CA")
		}
		if got := len(e.srv.Calls("/b2c-cert")); got != before {
			t.Errorf("a refused handshake reached the API: %d calls, want %d", got, before)
		}
	})

	t.Run("plain HTTP", func(t *testing.T) {
		plain := httptest.NewServer(e.srv.Handler())
		defer plain.Close()
		resp, err := http.Post(plain.URL+"/any-cert", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("status = %d, want 401 without TLS", resp.StatusCode)
		}
	})
}

func TestClientCertNotVerifiedByTLS(t *testing.T) {
	// a server that asks for certificates without verifying them must not let any through
	ca, err := pki.NewCA("CA")
	if err != nil {
		t.Fatal(err)
	}
	serverCert, _ := ca.IssueServer("127.0.0.1")
	cert, _, _, _ := ca.IssueClient("b2c-client")
	srv, err := rest.New(rest.Config{Routes: []rest.Route{{Path: "/c", Auth: rest.Auth{Type: rest.AuthClientCert}}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequestClientCert}
	ts.StartTLS()
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: pki.ClientTLSConfig(ca.Pool(), cert)}}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/c", nil)
	r := kittest.Do(t, client, req)
	wantMockError(t, r, 401, rest.CodeUnauthorized)
	if !strings.Contains(r.Text, "did not verify") {
		t.Errorf("message does not say why: %s", r.Text)
	}
}
