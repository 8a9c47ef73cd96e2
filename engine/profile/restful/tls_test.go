package restful

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/profile"
)

const certContainer = "B2C_1A_RestClientCertificate"

// invalidCert is the message of a client certificate the service refuses.
const invalidCert = "AADB2C90028: Client certificate specified for 'REST-mTLS' is invalid. Check that the certificate is correct, contains a private key and that access has been granted by the resource."

func certProfile(t *testing.T, url string) *Profile {
	t.Helper()
	return mustNew(t, withOutputs(withKeys(restTP("REST-mTLS", KeyServiceURL, url, KeyAuthenticationType, "ClientCertificate"), KeyClientCertificate, certContainer), claim("result", "")))
}

func TestClientCertificate(t *testing.T) {
	ca := newCA(t, "Contoso Test CA")
	otherCA := newCA(t, "Another CA")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	clientCert := ca.clientCert(t, key, time.Now().Add(time.Hour))

	envWithCert := func(t *testing.T) *profile.Env {
		t.Helper()
		env := newEnv()
		env.RootCAs = ca.pool
		if _, err := env.Keys.SetRSA(certContainer, key, clientCert); err != nil {
			t.Fatal(err)
		}
		return env
	}

	t.Run("mutual TLS", func(t *testing.T) {
		f, srv := serveTLS(t, ca, ca.pool, always(http.StatusOK, `{"result":"ok"}`))
		env := envWithCert(t)
		if err := certProfile(t, srv.URL).Call(context.Background(), env); err != nil {
			t.Fatalf("Call: %v", err)
		}
		got := f.last(t)
		if got.TLS == nil || len(got.TLS.PeerCertificates) == 0 || got.TLS.PeerCertificates[0].Subject.CommonName != "b2c-client" {
			t.Errorf("want the client certificate b2c-client presented, got %+v", got.TLS)
		}
		if a := got.Header.Get("Authorization"); a != "" {
			t.Errorf("ClientCertificate: want no Authorization header, got %q", a)
		}
		if v, _ := env.Claims.Get("result"); v != "ok" {
			t.Errorf("claim result: got %q, want ok", v)
		}
	})

	t.Run("transport settings of env.HTTP are kept", func(t *testing.T) {
		_, srv := serveTLS(t, ca, ca.pool, always(http.StatusOK, `{"result":"ok"}`))
		env := envWithCert(t)
		var dials atomic.Int32
		env.HTTP = countingDialer(&dials, nil)
		p := certProfile(t, srv.URL)
		for range 2 {
			if err := p.Call(context.Background(), env); err != nil {
				t.Fatalf("Call: %v", err)
			}
		}
		if n := dials.Load(); n != 1 {
			t.Errorf("want env.HTTP's dialer used, and its connection reused by the next call of the same shape: got %d dials, want 1", n)
		}
	})

	t.Run("untrusted server certificate", func(t *testing.T) {
		f := &fakeAPI{}
		srv := httptest.NewUnstartedServer(f)
		srv.Config.ErrorLog = discardLog()
		srv.StartTLS() // httptest's own certificate, not signed by ca
		t.Cleanup(srv.Close)
		for _, roots := range []string{"RootCAs", "system roots"} {
			t.Run(roots, func(t *testing.T) {
				env := envWithCert(t)
				if roots == "system roots" {
					env.RootCAs = nil
				}
				var dials atomic.Int32
				env.HTTP = countingDialer(&dials, nil)
				err := certProfile(t, srv.URL).Call(context.Background(), env)
				wantServerError(t, err, "Failed to establish connection to restful service end point. Restful service URL: "+srv.URL, ErrConnection)
				if n := dials.Load(); n != MaxAttempts {
					t.Errorf("connection attempts: got %d, want %d", n, MaxAttempts)
				}
				f.wantAttempts(t, 0)
			})
		}
	})

	t.Run("server rejects the client certificate", func(t *testing.T) {
		f, srv := serveTLS(t, ca, otherCA.pool, always(http.StatusOK, `{}`))
		env := envWithCert(t)
		var dials atomic.Int32
		env.HTTP = countingDialer(&dials, nil)
		err := certProfile(t, srv.URL).Call(context.Background(), env)
		wantServerError(t, err, invalidCert, ErrCertificateRejected)
		if n := dials.Load(); n != 1 {
			t.Errorf("a rejected certificate is not retried: got %d connection attempts, want 1", n)
		}
		f.wantAttempts(t, 0)
	})

	t.Run("403", func(t *testing.T) {
		f, srv := serveTLS(t, ca, ca.pool, always(http.StatusForbidden, `{"error":"forbidden"}`))
		wantServerError(t, certProfile(t, srv.URL).Call(context.Background(), envWithCert(t)), invalidCert, nil)
		f.wantAttempts(t, 1)
	})

	t.Run("container problems", func(t *testing.T) {
		const noCert = "AADB2C90220: The key container in tenant 'contoso.onmicrosoft.com' with storage identifier '" + certContainer +
			"' exists but does not contain a valid certificate. The certificate might be expired or your certificate might become active in the future (nbf)."
		tests := []struct {
			name    string
			setup   func(*profile.Env)
			want    string
			wantErr error
		}{
			{name: "no certificate", setup: func(e *profile.Env) { _, _ = e.Keys.SetRSA(certContainer, key, nil) }, want: noCert, wantErr: ErrNoCertificate},
			{name: "expired certificate", setup: func(e *profile.Env) { e.Now = func() time.Time { return time.Now().Add(2 * time.Hour) } }, want: noCert, wantErr: ErrNoCertificate},
			{name: "a secret", setup: func(e *profile.Env) { e.Keys.SetSecret(certContainer, []byte("x")) }, want: noCert},
			{name: "absent", setup: func(e *profile.Env) { e.Keys = nil },
				want: "AADB2C90130: The key container in tenant 'contoso.onmicrosoft.com' with storageReferenceId '" + certContainer + "' does not exist.", wantErr: ErrNoKeyStore},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f, srv := serveTLS(t, ca, ca.pool, always(http.StatusOK, `{}`))
				env := envWithCert(t)
				tt.setup(env)
				wantServerError(t, certProfile(t, srv.URL).Call(context.Background(), env), tt.want, tt.wantErr)
				f.wantAttempts(t, 0)
			})
		}
	})
}

func TestRootCAsWithoutClientCertificate(t *testing.T) {
	ca := newCA(t, "Contoso Test CA")
	f, srv := serveTLS(t, ca, nil, always(http.StatusOK, `{}`))
	p := mustNew(t, restTP("REST-TLS", KeyServiceURL, srv.URL, KeyAuthenticationType, "None"))
	env := newEnv()
	env.RootCAs = ca.pool
	if err := p.Call(context.Background(), env); err != nil {
		t.Fatalf("Call with the CA in RootCAs: %v", err)
	}
	env.RootCAs = nil
	if err := p.Call(context.Background(), env); !errors.Is(err, ErrConnection) {
		t.Errorf("without the CA: want ErrConnection, got %v", err)
	}
	f.wantAttempts(t, 1)
}
