// Package pki is a tiny certificate authority for loopback HTTPS in tests: a self-signed CA
// that issues server certificates (for a mock REST API served over TLS) and RSA client
// certificates (the kind Azure AD B2C's key store holds for AuthenticationType
// ClientCertificate), plus the tls.Config that verifies such client certificates.
//
//	ca, err := pki.NewCA("iefconform test CA")
//	serverCert, err := ca.IssueServer("127.0.0.1", "localhost")
//	clientCert, key, leaf, err := ca.IssueClient("b2c-client")
//	srv.TLS = pki.ServerTLSConfig(serverCert, ca.Pool())
//	client := &http.Client{Transport: &http.Transport{TLSClientConfig: pki.ClientTLSConfig(ca.Pool(), clientCert)}}
//
// Every certificate is valid for 24 hours from its CA's creation (a minute earlier, for clock
// skew). Keys live only in memory. A CA is safe for concurrent use.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// Validity is how long the CA and every certificate it issues are valid.
const Validity = 24 * time.Hour

// skew is how far before the CA's creation its certificates start being valid.
const skew = time.Minute

// ClientKeyBits is the size of the RSA keys of client certificates.
const ClientKeyBits = 2048

// CA is a self-signed certificate authority with an ECDSA P-256 key.
type CA struct {
	key  crypto.Signer
	cert *x509.Certificate
	pem  []byte
}

// Option configures a CA.
type Option func(*options)

type options struct {
	now      func() time.Time
	validity time.Duration
}

// WithValidity replaces Validity as how long the CA and its certificates are
// valid: a CA kept across restarts (OpenCA) lives longer.
func WithValidity(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.validity = d
		}
	}
}

// WithClock replaces time.Now as the start of the validity of the CA and its certificates.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// NewCA creates a CA whose certificate has name as its subject common name and organization.
func NewCA(name string, opts ...Option) (*CA, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("new CA: want a name, got an empty string")
	}
	o := options{now: time.Now, validity: Validity}
	for _, opt := range opts {
		opt(&o)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new CA: generate key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, fmt.Errorf("new CA: %w", err)
	}
	start := o.now().Add(-skew).UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{name}},
		NotBefore:             start,
		NotAfter:              start.Add(o.validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("new CA: create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("new CA: parse certificate: %w", err)
	}
	return &CA{
		key:  key,
		cert: cert,
		pem:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}, nil
}

// KeyPEM returns the CA's private key PEM-encoded ("EC PRIVATE KEY"), to keep
// the CA across restarts (LoadCA). Keep it secret.
func (ca *CA) KeyPEM() ([]byte, error) {
	k, ok := ca.key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("CA key: a %T cannot be encoded", ca.key)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("CA key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// LoadCA reads a CA saved with PEM and KeyPEM: its certificate must be a CA
// certificate, still valid at now, whose public key is the key's.
func LoadCA(certPEM, keyPEM []byte, now time.Time) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, errors.New("load CA: no CERTIFICATE block")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("load CA: %w", err)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil || kb.Type != "EC PRIVATE KEY" {
		return nil, errors.New("load CA: no EC PRIVATE KEY block")
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("load CA: %w", err)
	}
	switch {
	case !cert.IsCA:
		return nil, errors.New("load CA: the certificate is not a CA's")
	case !key.PublicKey.Equal(cert.PublicKey):
		return nil, errors.New("load CA: the key is not the certificate's")
	case now.Before(cert.NotBefore) || now.After(cert.NotAfter):
		return nil, fmt.Errorf("load CA: the certificate is valid from %s to %s, not now", cert.NotBefore.Format(time.RFC3339), cert.NotAfter.Format(time.RFC3339))
	}
	return &CA{key: key, cert: cert, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})}, nil
}

// Cert returns the CA's certificate. Callers must not modify it.
func (ca *CA) Cert() *x509.Certificate { return ca.cert }

// Pool returns a new pool holding only the CA's certificate: the RootCAs of a client that
// trusts the CA, or the ClientCAs of a server that accepts its client certificates.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// PEM returns the CA's certificate PEM-encoded.
func (ca *CA) PEM() []byte { return append([]byte(nil), ca.pem...) }

// IssueServer issues a certificate with an ECDSA P-256 key for TLS servers (ExtKeyUsageServerAuth).
// Each host becomes a subject alternative name: an IP address when it parses as one (127.0.0.1,
// ::1), a DNS name otherwise; a port (127.0.0.1:8443) is dropped. With no hosts the certificate
// names the loopback: localhost, 127.0.0.1 and ::1. The first host is also the common name.
func (ca *CA) IssueServer(hosts ...string) (tls.Certificate, error) {
	if len(hosts) == 0 {
		hosts = []string{"localhost", "127.0.0.1", "::1"}
	}
	tmpl := &x509.Certificate{
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for i, h := range hosts {
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		h = strings.Trim(h, "[]")
		if h == "" {
			return tls.Certificate{}, fmt.Errorf("issue server certificate: hosts[%d]: want a host name or IP address, got %q", i, hosts[i])
		}
		if i == 0 {
			tmpl.Subject = pkix.Name{CommonName: h}
		}
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("issue server certificate: generate key: %w", err)
	}
	leaf, err := ca.sign(tmpl, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("issue server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// IssueClient issues a client certificate (ExtKeyUsageClientAuth) with subject commonName and a
// new RSA 2048 key. It returns the certificate ready for a tls.Config, and the key and
// certificate apart for a policy key store.
func (ca *CA) IssueClient(commonName string) (tls.Certificate, *rsa.PrivateKey, *x509.Certificate, error) {
	if strings.TrimSpace(commonName) == "" {
		return tls.Certificate{}, nil, nil, errors.New("issue client certificate: want a common name, got an empty string")
	}
	key, err := rsa.GenerateKey(rand.Reader, ClientKeyBits)
	if err != nil {
		return tls.Certificate{}, nil, nil, fmt.Errorf("issue client certificate: generate key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	leaf, err := ca.sign(tmpl, key)
	if err != nil {
		return tls.Certificate{}, nil, nil, fmt.Errorf("issue client certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}, key, leaf, nil
}

// sign completes tmpl with a serial number and the CA's validity, signs it for key's public
// half and parses the result.
func (ca *CA) sign(tmpl *x509.Certificate, key crypto.Signer) (*x509.Certificate, error) {
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = ca.cert.NotBefore
	tmpl.NotAfter = ca.cert.NotAfter
	tmpl.BasicConstraintsValid = true
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, fmt.Errorf("create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	return cert, nil
}

// serialNumber returns a random positive 128-bit serial number.
func serialNumber() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// ServerTLSConfig returns the TLS configuration of a server presenting serverCert that verifies
// client certificates against clientCAs when a client sends one (tls.VerifyClientCertIfGiven):
// a handler then knows that any r.TLS.PeerCertificates were issued by a trusted CA, and decides
// itself whether a certificate is required. With clientCAs nil no client certificate is asked for.
func ServerTLSConfig(serverCert tls.Certificate, clientCAs *x509.CertPool) *tls.Config {
	cfg := &tls.Config{
		Certificates: []tls.Certificate{serverCert},
		MinVersion:   tls.VersionTLS12,
		ClientAuth:   tls.NoClientCert,
	}
	if clientCAs != nil {
		cfg.ClientCAs = clientCAs
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg
}

// ClientTLSConfig returns the TLS configuration of a client that trusts roots and presents
// clientCerts, if any, when the server asks for one.
func ClientTLSConfig(roots *x509.CertPool, clientCerts ...tls.Certificate) *tls.Config {
	return &tls.Config{
		RootCAs:      roots,
		Certificates: clientCerts,
		MinVersion:   tls.VersionTLS12,
	}
}
