package restful

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

const testFile = "TrustFrameworkExtensions.xml"

// restTP builds a RESTful technical profile from key/value metadata pairs; item
// i sits on line 10+i, the profile on line 5.
func restTP(id string, meta ...string) *policy.TechnicalProfile {
	tp := &policy.TechnicalProfile{
		ID:       id,
		Protocol: &policy.Protocol{Name: ProtocolName, Handler: Handler},
		Pos:      policy.Pos{File: testFile, Line: 5},
	}
	for i := 0; i+1 < len(meta); i += 2 {
		tp.Metadata = append(tp.Metadata, policy.Item{Key: meta[i], Value: meta[i+1], Pos: policy.Pos{File: testFile, Line: 10 + i/2}})
	}
	return tp
}

// withKeys adds cryptographic keys (id, container pairs) on lines 30, 31, ….
func withKeys(tp *policy.TechnicalProfile, pairs ...string) *policy.TechnicalProfile {
	for i := 0; i+1 < len(pairs); i += 2 {
		tp.CryptographicKeys = append(tp.CryptographicKeys, policy.Key{ID: pairs[i], StorageReferenceID: pairs[i+1], Pos: policy.Pos{File: testFile, Line: 30 + i/2}})
	}
	return tp
}

func withInputs(tp *policy.TechnicalProfile, refs ...policy.ClaimRef) *policy.TechnicalProfile {
	tp.InputClaims = append(tp.InputClaims, refs...)
	return tp
}

func withOutputs(tp *policy.TechnicalProfile, refs ...policy.ClaimRef) *policy.TechnicalProfile {
	tp.OutputClaims = append(tp.OutputClaims, refs...)
	return tp
}

// claim is a ClaimRef; partner may be empty.
func claim(id, partner string) policy.ClaimRef {
	return policy.ClaimRef{ClaimTypeReferenceID: id, PartnerClaimType: partner, Pos: policy.Pos{File: testFile, Line: 40}}
}

func withDefault(ref policy.ClaimRef, v string, always bool) policy.ClaimRef {
	ref.DefaultValue = &v
	ref.AlwaysUseDefaultValue = always
	return ref
}

// mustNew parses a profile of a Development policy and fails on any problem.
func mustNew(t *testing.T, tp *policy.TechnicalProfile) *Profile {
	t.Helper()
	p, probs := New(tp, "Development")
	if len(probs) > 0 {
		t.Fatalf("New(%s): unexpected problems:\n%v", tp.ID, probs)
	}
	return p
}

// newEnv returns an environment with the claims given as id/value pairs.
func newEnv(pairs ...any) *profile.Env {
	bag := claims.NewBag()
	for i := 0; i+1 < len(pairs); i += 2 {
		bag.Set(pairs[i].(string), pairs[i+1])
	}
	return &profile.Env{
		Tenant:      "contoso.onmicrosoft.com",
		PolicyID:    "B2C_1A_signup_signin",
		Claims:      bag,
		Keys:        keys.NewStore(),
		RESTTimeout: 5 * time.Second,
		Resolver: &claims.Context{
			PolicyID:      "B2C_1A_signup_signin",
			CorrelationID: "11111111-2222-3333-4444-555555555555",
			Culture:       "en-US",
		},
	}
}

// seen is one request as the fake REST API received it.
type seen struct {
	Method     string
	RequestURI string
	Path       string
	RawQuery   string
	Header     http.Header
	Body       string
	TLS        *tls.ConnectionState
}

// fakeAPI is a REST API that records every request and answers with answer,
// given the 1-based attempt number.
type fakeAPI struct {
	attempts atomic.Int32
	mu       sync.Mutex
	requests []seen
	answer   func(w http.ResponseWriter, r *http.Request, attempt int)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.attempts.Add(1))
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, seen{Method: r.Method, RequestURI: r.RequestURI, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body), TLS: r.TLS})
	f.mu.Unlock()
	if f.answer == nil {
		writeJSON(w, http.StatusOK, `{}`)
		return
	}
	f.answer(w, r, n)
}

// last returns the last request; the test fails when there is none.
func (f *fakeAPI) last(t *testing.T) seen {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("want a request to the REST API, got none")
	}
	return f.requests[len(f.requests)-1]
}

// serve starts the fake on a loopback port.
func serve(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, attempt int)) (*fakeAPI, *httptest.Server) {
	t.Helper()
	f := &fakeAPI{answer: answer}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// always answers every attempt with status and a JSON body.
func always(status int, body string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, status, body) }
}

// block holds every attempt until the client gives up.
func block(_ http.ResponseWriter, r *http.Request, _ int) { <-r.Context().Done() }

// asError returns err as a *profile.Error or fails.
func asError(t *testing.T, err error) *profile.Error {
	t.Helper()
	var pe *profile.Error
	if !errors.As(err, &pe) {
		t.Fatalf("want a *profile.Error, got %T: %v", err, err)
	}
	return pe
}

// wantServerError checks that err is a *profile.Error with code server_error
// and message want that wraps cause (unless cause is nil).
func wantServerError(t *testing.T, err error, want string, cause error) {
	t.Helper()
	pe := asError(t, err)
	if pe.Code != profile.CodeServerError || pe.Message != want {
		t.Errorf("got %s %q (%v), want server_error %q", pe.Code, pe.Message, err, want)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Errorf("want errors.Is(err, %v), got %v", cause, err)
	}
}

// wantAttempts checks how many requests reached the REST API.
func (f *fakeAPI) wantAttempts(t *testing.T, want int32) {
	t.Helper()
	if n := f.attempts.Load(); n != want {
		t.Errorf("requests to the REST API: got %d, want %d", n, want)
	}
}

// countingDialer is an HTTP client whose transport counts connection attempts.
func countingDialer(dials *atomic.Int32, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Client {
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dial(ctx, network, addr)
		},
	}}
}

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

var serial atomic.Int64

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue signs a certificate for pub.
func (ca *testCA) issue(t *testing.T, cn string, pub any, usage x509.ExtKeyUsage, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	if usage == x509.ExtKeyUsageServerAuth {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		tmpl.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// serverCert is a TLS certificate for 127.0.0.1 signed by the CA.
func (ca *testCA) serverCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert := ca.issue(t, "rest.test", &key.PublicKey, x509.ExtKeyUsageServerAuth, time.Now().Add(time.Hour))
	return tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}
}

// clientCert is an RSA client certificate signed by the CA, as the
// ClientCertificate policy key holds it.
func (ca *testCA) clientCert(t *testing.T, key *rsa.PrivateKey, notAfter time.Time) *x509.Certificate {
	t.Helper()
	return ca.issue(t, "b2c-client", &key.PublicKey, x509.ExtKeyUsageClientAuth, notAfter)
}

// serveTLS starts the fake over TLS with the CA's server certificate; with
// clientCAs, it requires a client certificate signed by one of them.
func serveTLS(t *testing.T, ca *testCA, clientCAs *x509.CertPool, answer func(http.ResponseWriter, *http.Request, int)) (*fakeAPI, *httptest.Server) {
	t.Helper()
	f := &fakeAPI{answer: answer}
	srv := httptest.NewUnstartedServer(f)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.serverCert(t)}, MinVersion: tls.VersionTLS12}
	if clientCAs != nil {
		srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
		srv.TLS.ClientCAs = clientCAs
	}
	srv.Config.ErrorLog = discardLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return f, srv
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// discardLog silences the TLS handshake errors a test provokes on purpose.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
