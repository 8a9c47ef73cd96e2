package pki_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/pki"
)

func newCA(t *testing.T, name string) *pki.CA {
	t.Helper()
	ca, err := pki.NewCA(name)
	if err != nil {
		t.Fatalf("NewCA: %v", err)
	}
	return ca
}

func TestNewCA(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	ca, err := pki.NewCA("test CA", pki.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	c := ca.Cert()
	if !c.IsCA || c.Subject.CommonName != "test CA" {
		t.Errorf("IsCA=%v CN=%q, want a CA named %q", c.IsCA, c.Subject.CommonName, "test CA")
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if got := c.NotAfter.Sub(c.NotBefore); got != pki.Validity {
		t.Errorf("validity = %s, want %s", got, pki.Validity)
	}
	if !c.NotBefore.Before(now) || !c.NotAfter.After(now.Add(23*time.Hour)) {
		t.Errorf("validity %s..%s does not cover %s + 23h", c.NotBefore, c.NotAfter, now)
	}
	block, rest := pem.Decode(ca.PEM())
	if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 || !slices.Equal(block.Bytes, c.Raw) {
		t.Errorf("PEM does not hold exactly the CA certificate:\n%s", ca.PEM())
	}
	if _, err := pki.NewCA(" "); err == nil {
		t.Error("NewCA with an empty name: want an error")
	}
}

func TestIssueServerSANs(t *testing.T) {
	ca := newCA(t, "CA")
	tests := []struct {
		name    string
		hosts   []string
		wantIPs []string
		wantDNS []string
		wantErr bool
	}{
		{name: "default loopback", wantIPs: []string{"127.0.0.1", "::1"}, wantDNS: []string{"localhost"}},
		{name: "ip and name", hosts: []string{"127.0.0.1", "api.contoso.test"}, wantIPs: []string{"127.0.0.1"}, wantDNS: []string{"api.contoso.test"}},
		{name: "host with port", hosts: []string{"127.0.0.1:8443", "[::1]:443"}, wantIPs: []string{"127.0.0.1", "::1"}},
		{name: "empty host", hosts: []string{""}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, err := ca.IssueServer(tt.hosts...)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ips []string
			for _, ip := range cert.Leaf.IPAddresses {
				ips = append(ips, ip.String())
			}
			if !slices.Equal(ips, tt.wantIPs) || !slices.Equal(cert.Leaf.DNSNames, tt.wantDNS) {
				t.Errorf("SANs: IPs %v DNS %v, want IPs %v DNS %v", ips, cert.Leaf.DNSNames, tt.wantIPs, tt.wantDNS)
			}
			if !slices.Equal(cert.Leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
				t.Errorf("ExtKeyUsage = %v, want server auth", cert.Leaf.ExtKeyUsage)
			}
			if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool()}); err != nil {
				t.Errorf("does not verify against the CA: %v", err)
			}
		})
	}
}

func TestIssueClient(t *testing.T) {
	ca := newCA(t, "CA")
	cert, key, leaf, err := ca.IssueClient("b2c-client")
	if err != nil {
		t.Fatal(err)
	}
	if key.N.BitLen() != pki.ClientKeyBits {
		t.Errorf("key size = %d, want %d", key.N.BitLen(), pki.ClientKeyBits)
	}
	if leaf.Subject.CommonName != "b2c-client" || cert.Leaf != leaf || cert.PrivateKey != key {
		t.Errorf("CN %q, leaf and key returned apart must be the tls.Certificate's", leaf.Subject.CommonName)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("does not verify as a client certificate: %v", err)
	}
	if _, _, _, err := ca.IssueClient(""); err == nil {
		t.Error("IssueClient with an empty common name: want an error")
	}
}

// handshake is the outcome of one TLS handshake on a loopback listener.
type handshake struct {
	clientErr error
	serverErr error
	peers     []*x509.Certificate // the client certificates the server saw
}

// shake runs one handshake between a server using serverCfg and a client using clientCfg and
// exchanges one byte, so that a client certificate the server refuses surfaces on the client
// under TLS 1.3 too.
func shake(t *testing.T, serverCfg, clientCfg *tls.Config) handshake {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		err   error
		peers []*x509.Certificate
	}
	done := make(chan result, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer conn.Close()
		tc := conn.(*tls.Conn)
		if err := tc.Handshake(); err != nil {
			done <- result{err: err}
			return
		}
		_, err = tc.Write([]byte{'k'})
		done <- result{err: err, peers: tc.ConnectionState().PeerCertificates}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := tls.Dialer{Config: clientCfg}
	var h handshake
	conn, err := d.DialContext(ctx, "tcp", ln.Addr().String())
	if err == nil {
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = io.ReadFull(conn, make([]byte, 1))
		conn.Close()
	}
	h.clientErr = err
	r := <-done
	h.serverErr, h.peers = r.err, r.peers
	return h
}

func TestHandshake(t *testing.T) {
	ca := newCA(t, "trusted CA")
	other := newCA(t, "other CA")
	serverCert, err := ca.IssueServer("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	clientCert, _, _, err := ca.IssueClient("b2c-client")
	if err != nil {
		t.Fatal(err)
	}
	strangerCert, _, _, err := other.IssueClient("stranger")
	if err != nil {
		t.Fatal(err)
	}
	serverCfg := pki.ServerTLSConfig(serverCert, ca.Pool())

	tests := []struct {
		name       string
		client     *tls.Config
		wantOK     bool
		wantPeerCN string
		wantErr    string // in the client's error
	}{
		{name: "no client certificate", client: pki.ClientTLSConfig(ca.Pool()), wantOK: true},
		{name: "client certificate", client: pki.ClientTLSConfig(ca.Pool(), clientCert), wantOK: true, wantPeerCN: "b2c-client"},
		{name: "server from an untrusted CA", client: pki.ClientTLSConfig(other.Pool()), wantErr: "certificate signed by unknown authority"},
		{name: "client certificate from an untrusted CA", client: forceCert(pki.ClientTLSConfig(ca.Pool()), strangerCert), wantErr: "unknown certificate authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := shake(t, serverCfg, tt.client)
			if tt.wantOK {
				if h.clientErr != nil || h.serverErr != nil {
					t.Fatalf("handshake failed: client %v, server %v", h.clientErr, h.serverErr)
				}
				var cn string
				if len(h.peers) > 0 {
					cn = h.peers[0].Subject.CommonName
				}
				if cn != tt.wantPeerCN {
					t.Errorf("server saw client certificate %q, want %q", cn, tt.wantPeerCN)
				}
				return
			}
			if h.clientErr == nil || !strings.Contains(h.clientErr.Error(), tt.wantErr) {
				t.Errorf("client error = %v, want one mentioning %q", h.clientErr, tt.wantErr)
			}
			if h.serverErr == nil {
				t.Error("server accepted the handshake, want it refused")
			}
		})
	}
}

// forceCert makes cfg present cert whatever CAs the server names; Go's client would otherwise
// send no certificate at all to a server that does not list cert's issuer.
func forceCert(cfg *tls.Config, cert tls.Certificate) *tls.Config {
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	return cfg
}

func TestHTTPSOnLoopback(t *testing.T) {
	ca := newCA(t, "CA")
	serverCert, err := ca.IssueServer()
	if err != nil {
		t.Fatal(err)
	}
	clientCert, _, _, err := ca.IssueClient("b2c-client")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := "none"
		if len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		_, _ = io.WriteString(w, cn)
	}))
	ts.TLS = pki.ServerTLSConfig(serverCert, ca.Pool())
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below is expected
	ts.StartTLS()
	defer ts.Close()

	for _, tc := range []struct {
		certs []tls.Certificate
		want  string
	}{{nil, "none"}, {[]tls.Certificate{clientCert}, "b2c-client"}} {
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: pki.ClientTLSConfig(ca.Pool(), tc.certs...)}}
		resp, err := client.Get(ts.URL)
		if err != nil {
			t.Fatalf("GET over TLS: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		client.CloseIdleConnections()
		if string(body) != tc.want {
			t.Errorf("server saw client %q, want %q", body, tc.want)
		}
	}

	// a client that trusts only the system roots refuses the server
	_, err = http.Get(ts.URL)
	var uaErr x509.UnknownAuthorityError
	if !errors.As(err, &uaErr) {
		t.Errorf("GET without trusting the CA: err = %v, want x509.UnknownAuthorityError", err)
	}
}

func TestKeepCA(t *testing.T) {
	now := time.Now()
	ca, err := pki.NewCA("kept", pki.WithValidity(365*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if d := ca.Cert().NotAfter.Sub(ca.Cert().NotBefore); d != 365*24*time.Hour {
		t.Errorf("validity %s", d)
	}
	keyPEM, err := ca.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	again, err := pki.LoadCA(ca.PEM(), keyPEM, now)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := again.IssueServer("localhost")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "localhost"}); err != nil {
		t.Errorf("a certificate of the loaded CA does not verify with the original: %v", err)
	}
	other, _ := pki.NewCA("other")
	otherKey, _ := other.KeyPEM()
	for name, args := range map[string][2][]byte{
		"garbage":       {[]byte("x"), keyPEM},
		"no key":        {ca.PEM(), []byte("x")},
		"another's key": {ca.PEM(), otherKey},
	} {
		if _, err := pki.LoadCA(args[0], args[1], now); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := pki.LoadCA(ca.PEM(), keyPEM, now.Add(400*24*time.Hour)); err == nil {
		t.Error("an expired CA loaded")
	}
}
