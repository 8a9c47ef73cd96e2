// Package stack starts one scenario's parties: the emulator and every mock, each
// on its own loopback listener (127.0.0.1:0), wired together through policy
// settings, all recording into one journal. A Stack is cheap: start one per
// scenario and close it afterwards.
package stack

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/extension"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/mocks/journal"
	"github.com/iefconform/iefconform/mocks/mailbox"
	mockoauth1 "github.com/iefconform/iefconform/mocks/oauth1"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
	"github.com/iefconform/iefconform/mocks/pki"
	mockrest "github.com/iefconform/iefconform/mocks/rest"
	"github.com/iefconform/iefconform/mocks/rp"
)

// Parties are the names of the stack's parties, each on its own listener, in
// the order they start.
var Parties = []string{PartyEmulator, PartyFacebook, PartyLinkedIn, PartyContoso, PartyTwitter, PartyREST, PartyRESTUntrusted, PartyMailbox, PartyRP}

// PartyRESTUntrusted is the REST API's second listener, whose certificate
// the emulator does not trust.
const PartyRESTUntrusted = PartyREST + "-untrusted"

// Party names as they appear in the journal.
const (
	PartyEmulator = "b2c"
	PartyFacebook = "facebook"
	PartyLinkedIn = "linkedin"
	PartyContoso  = "contoso"
	PartyTwitter  = "twitter"
	PartyREST     = "rest"
	PartyRP       = "rp"
	PartyMailbox  = "mailbox"
)

// Well-known values the stack configures and the policies' settings carry.
const (
	FacebookClientID    = "fb-app-1234567890"
	FacebookSecretKey   = "B2C_1A_FacebookSecret"
	LinkedInClientID    = "86linkedin0app"
	LinkedInSecretKey   = "B2C_1A_LinkedInSecret"
	ContosoClientID     = "contoso-b2c-federation"
	ContosoSecretKey    = "B2C_1A_ContosoSecret"
	ContosoAssertionKey = "B2C_1A_ContosoAssertionKey"
	TwitterConsumerKey  = "tw-consumer-0b2c1a"
	TwitterSecretKey    = "B2C_1A_TwitterSecret"
	TokenSigningKey     = "B2C_1A_TokenSigningKeyContainer"
	// The REST API's credentials, one policy key per AuthenticationType.
	RESTUsernameKey      = "B2C_1A_RestApiUsername"
	RESTPasswordKey      = "B2C_1A_RestApiPassword"
	RESTBearerTokenKey   = "B2C_1A_RestApiBearerToken"
	RESTAPIKeyKey        = "B2C_1A_RestApiKey"
	RESTClientCertKey    = "B2C_1A_RestApiClientCertificate"
	RESTUsername         = "b2c-rest-client"
	RESTClientCertCN     = "b2c-rest-client"
	RelyingPartyClientID = "11111111-2222-3333-4444-555555555555"
)

// IdP is one OAuth2 identity provider mock of the stack. Each runs on its own
// listener and records under its own party name.
type IdP struct {
	// Name is the journal party name (facebook, linkedin, contoso).
	Name string
	// Title prefixes its policy settings: {Title}AuthorizationEndpoint,
	// {Title}AccessTokenEndpoint, {Title}ClaimsEndpoint, {Title}EndSessionEndpoint,
	// {Title}ClientId.
	Title string
	// ClientID is the B2C application registered at the IdP.
	ClientID string
	// SecretKey is the policy key holding the client secret.
	SecretKey string
	// Mock is the running identity provider.
	Mock   *mockoauth2.Server
	URL    string
	Secret string
}

// idpSpecs are the identity providers every stack runs: a Facebook-like IdP
// (which, like Facebook, takes token requests by GET or POST), a LinkedIn-like
// one and a generic enterprise IdP whose client steps reconfigure per scenario.
var idpSpecs = []struct {
	name, title, clientID, secretKey string
	allowTokenGET                    bool
}{
	{PartyFacebook, "Facebook", FacebookClientID, FacebookSecretKey, true},
	{PartyLinkedIn, "LinkedIn", LinkedInClientID, LinkedInSecretKey, false},
	{PartyContoso, "Contoso", ContosoClientID, ContosoSecretKey, false},
}

// Options configure a Stack.
type Options struct {
	// Policies is where policy folders live (features/policies): each folder is one policy set.
	Policies fs.FS
	// Tenant is the emulator's tenant name. Default server.DefaultTenant.
	Tenant string
	// SigningKey is the token signing key; share one across scenarios to avoid
	// generating a key per scenario. Generated when nil.
	SigningKey *rsa.PrivateKey
	// PartyTimeout bounds the emulator's calls to parties. Default 5 s.
	PartyTimeout time.Duration
	// Logger receives the emulator's journey log. Default: discard.
	Logger *slog.Logger
	// Keys holds policy keys copied over the stack's own once those exist (the
	// Facebook secret, and the signing key when SigningKey is set): a container
	// here replaces the stack's container of the same name. A secret in
	// FacebookSecretKey also becomes the Facebook mock's client secret, so the
	// two still agree. Optional.
	Keys *keys.Store
	// EmulatorAddr, FacebookAddr and RPAddr are the TCP addresses the parties
	// listen on, host:port. Default DefaultAddr: a random loopback port each.
	// A party's URL uses its listener's address, with 127.0.0.1 in place of an
	// unspecified host such as 0.0.0.0.
	EmulatorAddr string
	FacebookAddr string
	RPAddr       string
	// Addrs are the listen addresses of any party by name (Parties lists
	// them: b2c, facebook, linkedin, contoso, twitter, rest, rest-untrusted,
	// mailbox, rp), for a stack whose every port is fixed (a container). An
	// address here wins over EmulatorAddr, FacebookAddr and RPAddr; a name
	// that is no party is an error.
	Addrs map[string]string
	// AdminToken, when set, guards the mocks' admin APIs (/_admin/...): every
	// admin request needs "Authorization: Bearer <AdminToken>". Without it the
	// mocks answer admin requests from loopback clients only.
	AdminToken string
	// DirectoryFile, when set, keeps the directory's accounts in that JSON
	// file: read at start (see directory.Open), every change written back,
	// so accounts outlive a restart. Empty: in memory only.
	DirectoryFile string
	// TLS serves the emulator and every party over HTTPS with certificates of
	// the stack's CA (PKI.CA) for the loopback names and the listen address;
	// Client trusts it.
	TLS bool
	// PublicURL, when set, is the emulator's base URL in everything it
	// writes (issuer, discovery, redirects): where browsers and apps reach it
	// behind a proxy or in a container.
	PublicURL string
	// Applications are registered with the emulator beside the mock relying
	// party's.
	Applications []server.Application
	// AssertionKey is the private_key_jwt signing key (policy key
	// B2C_1A_ContosoAssertionKey); share one across scenarios. Generated when nil.
	AssertionKey *rsa.PrivateKey
	// PKI is the test CA the emulator trusts for HTTPS to the REST API, with
	// the REST client certificate; share one across scenarios. Made when nil.
	PKI *PKI
	// RESTTimeout bounds one attempt of the emulator's REST calls. Default 2 s
	// (B2C's 30 s would make a failing scenario slow).
	RESTTimeout time.Duration
	// JournalMaxEntries and JournalMaxBytes bound the journal to its latest
	// entries (journal.WithLimits); zero: journal.DefaultMaxEntries (10000)
	// and journal.DefaultMaxBytes (64 MiB). The mocks' own request records
	// keep their defaults (1000 requests and 32 MiB per endpoint).
	JournalMaxEntries int
	JournalMaxBytes   int
}

// PKI is the test CA and the REST client certificate it issued.
type PKI struct {
	CA         *pki.CA
	ClientKey  *rsa.PrivateKey
	ClientCert *x509.Certificate
}

// NewPKI makes a test CA and a client certificate for the REST API.
func NewPKI() (*PKI, error) {
	ca, err := pki.NewCA("iefconform test CA")
	if err != nil {
		return nil, fmt.Errorf("new pki: %w", err)
	}
	return PKIFor(ca)
}

// CA file names in a state directory (OpenPKI).
const (
	CACertFile = "ca.pem"
	CAKeyFile  = "ca-key.pem"
)

// CAValidity is how long a CA kept in a state directory is valid.
const CAValidity = 365 * 24 * time.Hour

// OpenPKI is the PKI of the CA kept in dir (CACertFile, CAKeyFile): read
// when it is there, else made and written (the key readable by its owner
// only), so that a CA users trusted once stays the same across restarts.
func OpenPKI(dir string) (*PKI, error) {
	certPath, keyPath := filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile)
	certPEM, cerr := os.ReadFile(certPath)
	keyPEM, kerr := os.ReadFile(keyPath)
	if cerr == nil && kerr == nil {
		ca, err := pki.LoadCA(certPEM, keyPEM, time.Now())
		if err != nil {
			return nil, fmt.Errorf("open pki %s: %w", dir, err)
		}
		return PKIFor(ca)
	}
	if !errors.Is(cerr, os.ErrNotExist) || !errors.Is(kerr, os.ErrNotExist) {
		return nil, fmt.Errorf("open pki %s: want both %s and %s, or neither: %w", dir, CACertFile, CAKeyFile, errors.Join(cerr, kerr))
	}
	ca, err := pki.NewCA("iefconform local CA", pki.WithValidity(CAValidity))
	if err != nil {
		return nil, fmt.Errorf("open pki: %w", err)
	}
	keyPEM, err = ca.KeyPEM()
	if err != nil {
		return nil, fmt.Errorf("open pki: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open pki: %w", err)
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("open pki: %w", err)
	}
	if err := os.WriteFile(certPath, ca.PEM(), 0o644); err != nil {
		return nil, fmt.Errorf("open pki: %w", err)
	}
	return PKIFor(ca)
}

// PKIFor is the PKI of ca with a REST client certificate it issues.
func PKIFor(ca *pki.CA) (*PKI, error) {
	_, key, cert, err := ca.IssueClient(RESTClientCertCN)
	if err != nil {
		return nil, fmt.Errorf("new pki: %w", err)
	}
	return &PKI{CA: ca, ClientKey: key, ClientCert: cert}, nil
}

// DefaultAddr is the listen address of a party when Options leave it empty.
const DefaultAddr = "127.0.0.1:0"

// Stack is one scenario's running parties.
type Stack struct {
	opts    Options
	Journal *journal.Journal
	Keys    *keys.Store
	// Facebook is the Facebook-like identity provider (also IdP("facebook").Mock).
	Facebook *mockoauth2.Server
	// Twitter is the Twitter-like OAuth 1.0a identity provider.
	Twitter *mockoauth1.Server
	// REST is the REST claims API, served over HTTPS by a certificate of the
	// stack's CA (RestApiUrl) and of an untrusted CA (RestApiUntrustedUrl).
	REST *mockrest.Server
	RP   *rp.Server
	// Mailbox receives the emails the emulator sends (verification codes).
	Mailbox *mailbox.Server
	// Directory is the tenant's user accounts. It outlives policy reloads: every
	// emulator the stack starts for the scenario shares it.
	Directory directory.Store

	emulator    atomic.Pointer[server.Server]
	emulatorURL string
	rpURL       string
	rpSecret    string // the mock relying party's client secret
	idps        map[string]*IdP
	twitterURL  string
	twitterKey  string
	restURL     string
	untrustURL  string

	mu      sync.Mutex
	parties map[string]*listener
}

// listener is one party's HTTP server on a loopback port.
type listener struct {
	srv *http.Server
	ln  net.Listener
	url string
}

// Bounds of every party's HTTP server (the emulator's and each mock's), so
// that a client that opens a connection and then sends its headers or its
// body slowly, or never, does not hold the connection and its goroutine
// forever. WriteTimeout is longer than the emulator's own request budget
// (server.Config.RequestTimeout, 30 s by default) so that the emulator
// answers a slow journey with its own error page before the server cuts the
// connection.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
	MaxHeaderBytes    = 64 << 10
)

// serverBounds are the timeouts and header limit of a party's http.Server.
type serverBounds struct {
	readHeader, read, write, idle time.Duration
	maxHeaderBytes                int
}

// partyBounds are the bounds every party's server gets (tests shorten them).
var partyBounds = serverBounds{readHeader: ReadHeaderTimeout, read: ReadTimeout, write: WriteTimeout, idle: IdleTimeout, maxHeaderBytes: MaxHeaderBytes}

// httpServer is a party's server for h with the bounds b.
func httpServer(h http.Handler, b serverBounds, cfg *tls.Config) *http.Server {
	return &http.Server{
		Handler:           h,
		TLSConfig:         cfg,
		ReadHeaderTimeout: b.readHeader,
		ReadTimeout:       b.read,
		WriteTimeout:      b.write,
		IdleTimeout:       b.idle,
		MaxHeaderBytes:    b.maxHeaderBytes,
	}
}

func listen(addr string, h http.Handler) (*listener, error) {
	return listenWith(addr, h, partyBounds)
}

func listenWith(addr string, h http.Handler, b serverBounds) (*listener, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	l := &listener{ln: ln, url: "http://" + dialable(ln.Addr()), srv: httpServer(h, b, nil)}
	go func() { _ = l.srv.Serve(ln) }() // returns http.ErrServerClosed on Close
	return l, nil
}

// dialable is the host:port a browser on this machine uses to reach a
// listener: an unspecified host (0.0.0.0, ::) becomes 127.0.0.1, which the
// dual-stack listener Go opens for them accepts.
func dialable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

// Start starts the parties. The emulator serves no policy until UsePolicy.
func Start(opts Options) (*Stack, error) {
	if opts.Policies == nil {
		return nil, errors.New("start stack: Options.Policies is nil")
	}
	for name := range opts.Addrs {
		if !slices.Contains(Parties, name) {
			return nil, fmt.Errorf("start stack: Options.Addrs: %q is no party; want one of %s", name, strings.Join(Parties, ", "))
		}
	}
	if opts.Tenant == "" {
		opts.Tenant = server.DefaultTenant
	}
	if opts.PartyTimeout <= 0 {
		opts.PartyTimeout = 5 * time.Second
	}
	if opts.RESTTimeout <= 0 {
		opts.RESTTimeout = 2 * time.Second
	}
	s := &Stack{opts: opts, Journal: journal.New(journal.WithLimits(opts.JournalMaxEntries, opts.JournalMaxBytes)), Keys: keys.NewStore(), Directory: directory.New(), parties: map[string]*listener{}, idps: map[string]*IdP{}}
	if opts.DirectoryFile != "" {
		d, err := directory.Open(opts.DirectoryFile)
		if err != nil {
			return nil, fmt.Errorf("start stack: %w", err)
		}
		s.Directory = d
	}
	var err error
	if opts.SigningKey != nil {
		if _, err := s.Keys.SetRSA(TokenSigningKey, opts.SigningKey, nil); err != nil {
			return nil, fmt.Errorf("start stack: %w", err)
		}
	}
	if s.opts.AssertionKey == nil {
		if s.opts.AssertionKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("start stack: assertion key: %w", err)
		}
	}
	if _, err := s.Keys.SetRSA(ContosoAssertionKey, s.opts.AssertionKey, nil); err != nil {
		return nil, fmt.Errorf("start stack: %w", err)
	}
	for _, spec := range idpSpecs {
		s.Keys.SetSecret(spec.secretKey, []byte(randomSecret()))
	}
	s.Keys.SetSecret(TwitterSecretKey, []byte(randomSecret()))
	if s.opts.PKI == nil {
		if s.opts.PKI, err = NewPKI(); err != nil {
			return nil, fmt.Errorf("start stack: %w", err)
		}
	}
	s.Keys.SetSecret(RESTUsernameKey, []byte(RESTUsername))
	s.Keys.SetSecret(RESTPasswordKey, []byte(randomSecret()))
	s.Keys.SetSecret(RESTBearerTokenKey, []byte(randomSecret()))
	s.Keys.SetSecret(RESTAPIKeyKey, []byte(randomSecret()))
	if _, err := s.Keys.SetRSA(RESTClientCertKey, s.opts.PKI.ClientKey, s.opts.PKI.ClientCert); err != nil {
		return nil, fmt.Errorf("start stack: %w", err)
	}
	if opts.Keys != nil {
		if err := copyKeys(s.Keys, opts.Keys); err != nil {
			return nil, fmt.Errorf("start stack: %w", err)
		}
	}

	ok := false
	defer func() {
		if !ok {
			_ = s.Close()
		}
	}()

	// The emulator's listener comes first: parties need its callback URL.
	emu, err := s.listen(s.addrOf(PartyEmulator), s.emulatorHandler())
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	s.parties[PartyEmulator], s.emulatorURL = emu, emu.url

	for _, spec := range idpSpecs {
		idp, err := s.startIdP(s.addrOf(spec.name), spec.name, spec.title, spec.clientID, spec.secretKey, spec.allowTokenGET)
		if err != nil {
			return nil, err
		}
		s.idps[spec.name] = idp
	}
	s.Facebook = s.idps[PartyFacebook].Mock
	if err := s.startTwitter(); err != nil {
		return nil, err
	}
	if err := s.startREST(); err != nil {
		return nil, err
	}
	s.Mailbox = mailbox.New(mailbox.WithJournal(s.Journal, PartyMailbox), mailbox.WithAdminToken(s.opts.AdminToken))
	mbl, err := s.listen(s.addrOf(PartyMailbox), s.Mailbox.Handler())
	if err != nil {
		return nil, fmt.Errorf("start mailbox: %w", err)
	}
	s.parties[PartyMailbox] = mbl

	var rpHandler atomic.Pointer[http.Handler]
	rpl, err := s.listen(s.addrOf(PartyRP), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*rpHandler.Load()).ServeHTTP(w, r) }))
	if err != nil {
		return nil, fmt.Errorf("start relying party: %w", err)
	}
	s.parties[PartyRP], s.rpURL = rpl, rpl.url
	s.rpSecret = randomSecret()
	s.RP, err = rp.New(rp.Config{BaseURL: rpl.url, ClientID: RelyingPartyClientID, ClientSecret: s.rpSecret}, rp.WithHTTPClient(s.Client()))
	if err != nil {
		return nil, fmt.Errorf("start relying party: %w", err)
	}
	rh := s.Journal.Wrap(PartyRP, s.RP.Handler())
	rpHandler.Store(&rh)
	ok = true
	return s, nil
}

func (s *Stack) serveEmulator(w http.ResponseWriter, r *http.Request) {
	emu := s.emulator.Load()
	if emu == nil {
		http.Error(w, "iefconform: no policy loaded (call UsePolicy)", http.StatusServiceUnavailable)
		return
	}
	emu.Handler().ServeHTTP(w, r)
}

// startIdP starts one OAuth2 identity provider mock whose client secret is
// the stack's policy key, so the two agree.
func (s *Stack) startIdP(addr, name, title, clientID, secretKey string, allowTokenGET bool) (*IdP, error) {
	secret, err := s.Keys.Secret(secretKey)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	var h atomic.Pointer[http.Handler]
	l, err := s.listen(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*h.Load()).ServeHTTP(w, r) }))
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s.parties[name] = l
	opts := []mockoauth2.Option{mockoauth2.WithJournal(s.Journal, name), mockoauth2.WithAdminToken(s.opts.AdminToken)}
	if s.opts.AssertionKey != nil {
		// The mock signs its id_tokens with a key shared by the run, instead of
		// generating one inside a scenario's token request.
		opts = append(opts, mockoauth2.WithSigningKey(s.opts.AssertionKey))
	}
	mock, err := mockoauth2.New(mockoauth2.Config{
		Clients:       []mockoauth2.Client{{ID: clientID, Secret: string(secret), RedirectURIs: []string{s.authrespURI("")}}},
		AllowTokenGET: allowTokenGET,
		// The URL the policies' settings name (AccessTokenEndpoint): the aud of
		// private_key_jwt assertions, never the Host a request carries.
		BaseURL: l.url,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	mh := mock.Handler()
	h.Store(&mh)
	return &IdP{Name: name, Title: title, ClientID: clientID, SecretKey: secretKey, Mock: mock, URL: l.url, Secret: string(secret)}, nil
}

// startTwitter starts the OAuth 1.0a identity provider whose consumer secret
// is the stack's policy key.
func (s *Stack) startTwitter() error {
	secret, err := s.Keys.Secret(TwitterSecretKey)
	if err != nil {
		return fmt.Errorf("start twitter: %w", err)
	}
	var h atomic.Pointer[http.Handler]
	l, err := s.listen(s.addrOf(PartyTwitter), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*h.Load()).ServeHTTP(w, r) }))
	if err != nil {
		return fmt.Errorf("start twitter: %w", err)
	}
	s.parties[PartyTwitter], s.twitterURL, s.twitterKey = l, l.url, string(secret)
	s.Twitter, err = mockoauth1.New(mockoauth1.Config{
		Consumers: []mockoauth1.Consumer{{Key: TwitterConsumerKey, Secret: string(secret)}},
	}, mockoauth1.WithJournal(s.Journal, PartyTwitter), mockoauth1.WithAdminToken(s.opts.AdminToken))
	if err != nil {
		return fmt.Errorf("start twitter: %w", err)
	}
	th := s.Twitter.Handler()
	h.Store(&th)
	return nil
}

// startREST starts the REST claims API on two HTTPS listeners: one with a
// certificate of the stack's CA (client certificates of that CA verified), one
// with a certificate of a CA nobody trusts.
func (s *Stack) startREST() error {
	var err error
	s.REST, err = mockrest.New(mockrest.Config{}, mockrest.WithJournal(s.Journal, PartyREST), mockrest.WithAdminToken(s.opts.AdminToken))
	if err != nil {
		return fmt.Errorf("start rest: %w", err)
	}
	cert, err := s.opts.PKI.CA.IssueServer("127.0.0.1", "localhost")
	if err != nil {
		return fmt.Errorf("start rest: %w", err)
	}
	l, err := listenTLS(s.addrOf(PartyREST), s.REST.Handler(), pki.ServerTLSConfig(cert, s.opts.PKI.CA.Pool()))
	if err != nil {
		return fmt.Errorf("start rest: %w", err)
	}
	s.parties[PartyREST], s.restURL = l, l.url
	other, err := pki.NewCA("an untrusted CA")
	if err != nil {
		return fmt.Errorf("start rest: %w", err)
	}
	ucert, err := other.IssueServer("127.0.0.1", "localhost")
	if err != nil {
		return fmt.Errorf("start rest: %w", err)
	}
	ul, err := listenTLS(s.addrOf(PartyRESTUntrusted), s.REST.Handler(), pki.ServerTLSConfig(ucert, nil))
	if err != nil {
		return fmt.Errorf("start rest: %w", err)
	}
	s.parties[PartyRESTUntrusted], s.untrustURL = ul, ul.url
	return nil
}

// addrOf is the listen address of party: Options.Addrs, then the named
// address fields, else "" (a random loopback port).
func (s *Stack) addrOf(party string) string {
	if a, ok := s.opts.Addrs[party]; ok {
		return a
	}
	switch party {
	case PartyEmulator:
		return s.opts.EmulatorAddr
	case PartyFacebook:
		return s.opts.FacebookAddr
	case PartyRP:
		return s.opts.RPAddr
	}
	return ""
}

// URLs are the base URLs of the running parties by name (Parties).
func (s *Stack) URLs() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]string, len(s.parties))
	for name, l := range s.parties {
		m[name] = l.url
	}
	return m
}

// listen serves a party on addr: over HTTPS with a certificate of the
// stack's CA when Options.TLS is set (for the loopback names and the
// address's own host), else over HTTP.
func (s *Stack) listen(addr string, h http.Handler) (*listener, error) {
	if !s.opts.TLS {
		return listen(addr, h)
	}
	hosts := []string{"127.0.0.1", "localhost", "::1"}
	if host, _, err := net.SplitHostPort(addr); err == nil && host != "" && !slices.Contains(hosts, host) {
		if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
			hosts = append(hosts, host) // the name or address the party is reached by
		}
	}
	cert, err := s.opts.PKI.CA.IssueServer(hosts...)
	if err != nil {
		return nil, err
	}
	return listenTLS(addr, h, pki.ServerTLSConfig(cert, nil))
}

// listenTLS serves h over HTTPS on addr, or a random loopback port when empty.
func listenTLS(addr string, h http.Handler, cfg *tls.Config) (*listener, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	l := &listener{ln: ln, url: "https://" + dialable(ln.Addr()), srv: httpServer(h, partyBounds, cfg)}
	go func() { _ = l.srv.Serve(tls.NewListener(ln, cfg)) }() // returns http.ErrServerClosed on Close
	return l, nil
}

// RESTURL is the REST API's base URL (trusted certificate).
func (s *Stack) RESTURL() string { return s.restURL }

// RESTCredential returns the secret of one of the REST API's policy keys.
func (s *Stack) RESTCredential(container string) string {
	v, _ := s.Keys.Secret(container)
	return string(v)
}

// TwitterURL is the Twitter mock's base URL.
func (s *Stack) TwitterURL() string { return s.twitterURL }

// TwitterSecret is the consumer secret the Twitter mock expects.
func (s *Stack) TwitterSecret() string { return s.twitterKey }

// IdP returns an identity provider by party name (facebook, linkedin, contoso).
func (s *Stack) IdP(name string) (*IdP, bool) {
	idp, ok := s.idps[strings.ToLower(name)]
	return idp, ok
}

// AssertionKey is the private key of the policy key B2C_1A_ContosoAssertionKey.
func (s *Stack) AssertionKey() *rsa.PrivateKey { return s.opts.AssertionKey }

// Settings are the {Settings:Name} values that point the built-in policies at
// this stack's parties: Tenant, and for each identity provider (Facebook,
// LinkedIn, Contoso) {Title}AuthorizationEndpoint, {Title}AccessTokenEndpoint,
// {Title}ClaimsEndpoint, {Title}EndSessionEndpoint and {Title}ClientId
// (FacebookAppId too, the starter pack's name).
func (s *Stack) Settings() policy.Settings {
	out := policy.Settings{"Tenant": s.opts.Tenant, "FacebookAppId": FacebookClientID}
	for _, idp := range s.idps {
		out[idp.Title+"AuthorizationEndpoint"] = idp.URL + "/authorize"
		out[idp.Title+"AccessTokenEndpoint"] = idp.URL + "/token"
		out[idp.Title+"ClaimsEndpoint"] = idp.URL + "/me"
		out[idp.Title+"EndSessionEndpoint"] = idp.URL + "/logout"
		out[idp.Title+"ClientId"] = idp.ClientID
	}
	out["TwitterConsumerKey"] = TwitterConsumerKey
	out["TwitterRequestTokenEndpoint"] = s.twitterURL + mockoauth1.PathRequestToken
	out["TwitterAuthorizationEndpoint"] = s.twitterURL + mockoauth1.PathAuthenticate
	out["TwitterAccessTokenEndpoint"] = s.twitterURL + mockoauth1.PathAccessToken
	out["TwitterClaimsEndpoint"] = s.twitterURL + s.Twitter.ClaimsPath()
	out["RestApiUrl"] = s.restURL
	out["RestApiUntrustedUrl"] = s.untrustURL
	return out
}

// PolicyOptions vary how a policy folder is served.
type PolicyOptions struct {
	// Settings override the stack's {Settings:Name} values.
	Settings policy.Settings
	// Patches restate technical-profile fragments in the relying-party files
	// (see policy.Set.Patch), e.g. one metadata item.
	Patches []policy.TechnicalProfile
	// PartyTimeout, when set, replaces Options.PartyTimeout for the emulator's calls.
	PartyTimeout time.Duration
	// RESTTimeout, when set, replaces Options.RESTTimeout.
	RESTTimeout time.Duration
	// Extensions configures Entra custom claims providers (engine/extension).
	Extensions *extension.Config
	// FS, when set, is where dir is read instead of Options.Policies: a
	// user's policy files on disk (os.DirFS), the starter pack for one.
	FS fs.FS
	// HostMap sends a real host the policy names to one of the stack's
	// parties: host name → party (PartyFacebook, ...). Nil means
	// DefaultHostMap; an empty map maps nothing.
	HostMap map[string]string
	// Applications are registered for this load beside Options.Applications.
	Applications []server.Application
}

// DefaultHostMap is the host map of PolicyOptions: Facebook's hosts go to the
// Facebook mock, which serves Facebook's paths (/dialog/oauth,
// /oauth/access_token, /me, versioned or not).
var DefaultHostMap = map[string]string{
	"www.facebook.com":   PartyFacebook,
	"m.facebook.com":     PartyFacebook,
	"graph.facebook.com": PartyFacebook,
}

// hostTargets turns a host map of party names into the emulator's host map
// of base URLs.
func (s *Stack) hostTargets(m map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for host, party := range m {
		l, ok := s.parties[strings.ToLower(party)]
		if !ok {
			return nil, fmt.Errorf("host map: %s: no party %q (want one of %s)", host, party, strings.Join(s.partyNames(), ", "))
		}
		out[host] = l.url
	}
	return out, nil
}

func (s *Stack) partyNames() []string {
	var names []string
	for n := range s.parties {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// authrespURI is the emulator's OAuth2 callback as the emulator writes it to
// identity providers (engine/profile Env.CallbackURL, all in lowercase):
// {base}/{tenant}/oauth2/authresp, or with a policy id (the technical
// profile's UsePolicyInRedirectUri) {base}/{tenant}/{policy}/oauth2/authresp.
func (s *Stack) authrespURI(policyID string) string {
	p := strings.TrimRight(cmp.Or(s.opts.PublicURL, s.emulatorURL), "/") + "/" + s.opts.Tenant
	if policyID != "" {
		p += "/" + policyID
	}
	return strings.ToLower(p + "/oauth2/authresp")
}

// authrespURIs are the callbacks of a policy set: the tenant's and, for
// UsePolicyInRedirectUri, each relying-party policy's.
func (s *Stack) authrespURIs(set *policy.Set) []string {
	uris := []string{s.authrespURI("")}
	for _, id := range set.RelyingParties() {
		uris = append(uris, s.authrespURI(id))
	}
	return uris
}

// registerCallbacks adds the callbacks of a policy set to the redirect URIs
// of every client of the stack's OAuth2 mocks that still has the stack's own
// registration (the tenant's authresp URI), so that the mocks check
// redirect_uri exactly (a client with no redirect URIs accepts any) and
// still accept the emulator's callback of every policy it serves, with or
// without UsePolicyInRedirectUri. A client a scenario gave other redirect
// URIs keeps them alone.
func (s *Stack) registerCallbacks(set *policy.Set) error {
	base, uris := s.authrespURI(""), s.authrespURIs(set)
	for _, idp := range s.idps {
		for _, c := range idp.Mock.Clients() {
			if !slices.Contains(c.RedirectURIs, base) {
				continue
			}
			n := len(c.RedirectURIs)
			for _, u := range uris {
				if !slices.Contains(c.RedirectURIs, u) {
					c.RedirectURIs = append(c.RedirectURIs, u)
				}
			}
			if len(c.RedirectURIs) == n {
				continue
			}
			if err := idp.Mock.AddClient(c); err != nil {
				return fmt.Errorf("register the callbacks with %s's client %s: %w", idp.Name, c.ID, err)
			}
		}
	}
	return nil
}

// registerMappedClients makes each OAuth2 mock that stands in for a mapped
// host accept the client_id the policy's technical profiles send it, with
// the mock's secret (the policy key of the stack), so that a policy runs
// with the client ids it was written with (facebook_clientid in the starter
// pack).
func (s *Stack) registerMappedClients(set *policy.Set, hostMap map[string]string) error {
	for _, id := range set.RelyingParties() {
		p, err := set.Resolve(id)
		if err != nil {
			continue // server.New reports it
		}
		for _, tp := range p.TechnicalProfiles {
			endpoint, _ := tp.Metadata.Get("authorization_endpoint")
			clientID, _ := tp.Metadata.Get("client_id")
			u, err := url.Parse(strings.TrimSpace(endpoint))
			if err != nil || strings.TrimSpace(clientID) == "" {
				continue
			}
			idp, ok := s.idps[strings.ToLower(hostMap[strings.ToLower(u.Hostname())])]
			if !ok {
				continue
			}
			if err := idp.Mock.AddClient(mockoauth2.Client{ID: strings.TrimSpace(clientID), Secret: idp.Secret, RedirectURIs: s.authrespURIs(set)}); err != nil {
				return fmt.Errorf("register client %s with %s: %w", clientID, idp.Name, err)
			}
		}
	}
	return nil
}

// UsePolicy loads the policy folder dir of Options.Policies with the stack's
// settings (overrides win) and serves it from the emulator.
func (s *Stack) UsePolicy(dir string, overrides policy.Settings) error {
	return s.Load(dir, PolicyOptions{Settings: overrides})
}

// Load serves the policy folder dir with the given options.
func (s *Stack) Load(dir string, o PolicyOptions) error {
	settings := s.Settings()
	for k, v := range o.Settings {
		settings[k] = v
	}
	fsys := s.opts.Policies
	if o.FS != nil {
		fsys = o.FS
	}
	set, err := policy.LoadFS(fsys, dir, settings)
	if err != nil {
		return fmt.Errorf("load policies %s: %w", dir, err)
	}
	hostMap := o.HostMap
	if hostMap == nil {
		hostMap = DefaultHostMap
	}
	hosts, err := s.hostTargets(hostMap)
	if err != nil {
		return err
	}
	if err := s.registerMappedClients(set, hostMap); err != nil {
		return err
	}
	if err := s.registerCallbacks(set); err != nil {
		return err
	}
	if len(o.Patches) > 0 {
		set = set.Patch(o.Patches...)
	}
	timeout := s.opts.PartyTimeout
	if o.PartyTimeout > 0 {
		timeout = o.PartyTimeout
	}
	restTimeout := s.opts.RESTTimeout
	if o.RESTTimeout > 0 {
		restTimeout = o.RESTTimeout
	}
	emu, err := server.New(server.Config{
		Tenant:   s.opts.Tenant,
		BaseURL:  cmp.Or(s.opts.PublicURL, s.emulatorURL),
		Policies: set,
		Keys:     s.Keys,
		Applications: append([]server.Application{{ClientID: RelyingPartyClientID, DisplayName: "iefconform relying party", AllowImplicitFlow: true,
			Secret: s.rpSecret, RedirectURIs: []string{s.RP.RedirectURI(), s.SignedOutURL()}}}, append(slices.Clone(s.opts.Applications), o.Applications...)...),
		HTTPClient:  &http.Client{Timeout: timeout, Transport: &http.Transport{TLSClientConfig: pki.ClientTLSConfig(s.opts.PKI.CA.Pool())}},
		Logger:      s.opts.Logger,
		RootCAs:     s.opts.PKI.CA.Pool(),
		RESTTimeout: restTimeout,
		Extensions:  o.Extensions,
		Directory:   s.Directory,
		Mailer:      s.Mailbox,
		HostMap:     hosts,
	})
	if err != nil {
		return fmt.Errorf("start emulator with %s: %w", dir, err)
	}
	s.allowEmulatorJWKS(emu, set)
	s.emulator.Store(emu)
	return nil
}

// allowEmulatorJWKS registers the key set URL of every relying-party policy
// the emulator serves with the REST mock, as the emulator writes it and as
// the harness names it ({emulator}/{tenant}/{policy}/discovery/v2.0/keys),
// so that a custom claims provider configured over the REST mock's admin
// API may check the emulator's bearer tokens against it. The mock fetches no
// JWKS URL a remote admin names that is not registered (security issue #18).
func (s *Stack) allowEmulatorJWKS(emu *server.Server, set *policy.Set) {
	var urls []string
	for _, id := range set.RelyingParties() {
		urls = append(urls, emu.JWKSURL(id),
			s.emulatorURL+"/"+strings.ToLower(s.opts.Tenant)+"/"+strings.ToLower(id)+"/discovery/v2.0/keys")
	}
	s.REST.AllowJWKS(urls...)
}

// SignedOutURL is where sign-outs return: a page of the relying party
// registered as a post_logout_redirect_uri.
func (s *Stack) SignedOutURL() string { return s.rpURL + "/signed-out" }

// Emulator is the running emulator, or nil before UsePolicy.
func (s *Stack) Emulator() *server.Server { return s.emulator.Load() }

// Client is an HTTP client that trusts the stack's CA (the emulator with
// TLS, the REST API), for applications' server-side calls.
func (s *Stack) Client() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: pki.ClientTLSConfig(s.opts.PKI.CA.Pool())}}
}

// MailboxURL is the mock mailbox's base URL.
func (s *Stack) MailboxURL() string { return s.parties[PartyMailbox].url }

// EmulatorURL is the emulator's base URL.
func (s *Stack) EmulatorURL() string { return s.emulatorURL }

// FacebookURL is the Facebook mock's base URL.
func (s *Stack) FacebookURL() string { return s.idps[PartyFacebook].URL }

// RPURL is the relying party's base URL.
func (s *Stack) RPURL() string { return s.rpURL }

// FacebookSecret is the client secret the Facebook mock expects (and the key store holds).
func (s *Stack) FacebookSecret() string { return s.idps[PartyFacebook].Secret }

// BeginSignIn starts a sign-in at the relying party against policyID and
// returns the URL the browser opens and the state that identifies the result.
func (s *Stack) BeginSignIn(policyID string, req rp.AuthorizeRequest) (string, string, error) {
	emu := s.emulator.Load()
	if emu == nil {
		return "", "", errors.New("begin sign-in: no policy loaded")
	}
	req.AuthorizeEndpoint = emu.AuthorizeURL(policyID)
	req.TokenEndpoint = emu.TokenURL(policyID)
	req.JWKSURL = emu.JWKSURL(policyID)
	return s.RP.Begin(req)
}

// Stop takes a party off the network (connections are then refused): "the IdP is down".
func (s *Stack) Stop(party string) error {
	s.mu.Lock()
	l, ok := s.parties[party]
	delete(s.parties, party)
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("stop %s: no such running party", party)
	}
	return l.close()
}

func (l *listener) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := l.srv.Shutdown(ctx); err != nil {
		// Shutdown waits up to 5 s for connections a client opened but never
		// used; past our bound, close them. Only a failure to do that is an error.
		if cerr := l.srv.Close(); cerr != nil {
			return fmt.Errorf("%w (after %v)", cerr, err)
		}
	}
	return nil
}

// Close stops every party.
func (s *Stack) Close() error {
	for _, idp := range s.idps {
		idp.Mock.Close() // releases delayed canned responses so shutdown does not wait on them
	}
	if s.Twitter != nil {
		s.Twitter.Close()
	}
	if s.REST != nil {
		s.REST.Close()
	}
	s.mu.Lock()
	ps := s.parties
	s.parties = map[string]*listener{}
	s.mu.Unlock()
	var errs []error
	for name, l := range ps {
		if err := l.close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// copyKeys copies every container of src into dst, replacing dst's container
// of the same name.
func copyKeys(dst, src *keys.Store) error {
	for _, name := range src.Containers() {
		if secret, err := src.Secret(name); err == nil {
			dst.SetSecret(name, secret)
			continue
		}
		k, err := src.RSA(name)
		if err != nil {
			return fmt.Errorf("copy policy key %s: %w", name, err)
		}
		if _, err := dst.SetRSA(name, k.Private, k.Certificate); err != nil {
			return fmt.Errorf("copy policy key %s: %w", name, err)
		}
	}
	return nil
}

// Party is one party served alone (iefconform mock): its listener with the
// bounds of every party of a stack.
type Party struct{ l *listener }

// ServeParty serves h on addr ("" or DefaultAddr: a random loopback port)
// with the read, write and idle timeouts and header limit of a stack's
// parties.
func ServeParty(addr string, h http.Handler) (*Party, error) {
	l, err := listen(addr, h)
	if err != nil {
		return nil, err
	}
	return &Party{l: l}, nil
}

// URL is the party's base URL (127.0.0.1 for an unspecified listen host).
func (p *Party) URL() string { return p.l.url }

// Close stops the party.
func (p *Party) Close() error { return p.l.close() }
