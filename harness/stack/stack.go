// Package stack starts one scenario's parties: the emulator and every mock, each
// on its own loopback listener (127.0.0.1:0), wired together through policy
// settings, all recording into one journal. A Stack is cheap: start one per
// scenario and close it afterwards.
package stack

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/mocks/journal"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
	"github.com/iefconform/iefconform/mocks/rp"
)

// Party names as they appear in the journal.
const (
	PartyEmulator = "b2c"
	PartyFacebook = "facebook"
	PartyRP       = "rp"
)

// Well-known values the stack configures and the policies' settings carry.
const (
	FacebookClientID     = "fb-app-1234567890"
	FacebookSecretKey    = "B2C_1A_FacebookSecret"
	TokenSigningKey      = "B2C_1A_TokenSigningKeyContainer"
	RelyingPartyClientID = "11111111-2222-3333-4444-555555555555"
)

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
	// A party's URL uses its listener's address, with 127.0.0.1 (or [::1]) in
	// place of an unspecified host such as 0.0.0.0.
	EmulatorAddr string
	FacebookAddr string
	RPAddr       string
}

// DefaultAddr is the listen address of a party when Options leave it empty.
const DefaultAddr = "127.0.0.1:0"

// Stack is one scenario's running parties.
type Stack struct {
	opts     Options
	Journal  *journal.Journal
	Keys     *keys.Store
	Facebook *mockoauth2.Server
	RP       *rp.Server

	emulator       atomic.Pointer[server.Server]
	emulatorURL    string
	facebookURL    string
	rpURL          string
	facebookSecret string

	mu      sync.Mutex
	parties map[string]*listener
}

// listener is one party's HTTP server on a loopback port.
type listener struct {
	srv *http.Server
	ln  net.Listener
	url string
}

func listen(addr string, h http.Handler) (*listener, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	l := &listener{ln: ln, url: "http://" + dialable(ln.Addr()), srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = l.srv.Serve(ln) }() // returns http.ErrServerClosed on Close
	return l, nil
}

// dialable is the host:port a browser on this machine uses to reach a
// listener: an unspecified host (0.0.0.0, ::) becomes the loopback address.
func dialable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	ip := net.IPv4(127, 0, 0, 1)
	if tcp.IP.To4() == nil {
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// Start starts the parties. The emulator serves no policy until UsePolicy.
func Start(opts Options) (*Stack, error) {
	if opts.Policies == nil {
		return nil, errors.New("start stack: Options.Policies is nil")
	}
	if opts.Tenant == "" {
		opts.Tenant = server.DefaultTenant
	}
	if opts.PartyTimeout <= 0 {
		opts.PartyTimeout = 5 * time.Second
	}
	s := &Stack{opts: opts, Journal: journal.New(), Keys: keys.NewStore(), parties: map[string]*listener{}}
	if opts.SigningKey != nil {
		if _, err := s.Keys.SetRSA(TokenSigningKey, opts.SigningKey, nil); err != nil {
			return nil, fmt.Errorf("start stack: %w", err)
		}
	}
	s.facebookSecret = randomSecret()
	s.Keys.SetSecret(FacebookSecretKey, []byte(s.facebookSecret))
	if opts.Keys != nil {
		if err := copyKeys(s.Keys, opts.Keys); err != nil {
			return nil, fmt.Errorf("start stack: %w", err)
		}
		if secret, err := s.Keys.Secret(FacebookSecretKey); err == nil {
			s.facebookSecret = string(secret)
		}
	}

	ok := false
	defer func() {
		if !ok {
			_ = s.Close()
		}
	}()

	// The emulator's listener comes first: parties need its callback URL.
	emu, err := listen(opts.EmulatorAddr, s.Journal.Wrap(PartyEmulator, http.HandlerFunc(s.serveEmulator)))
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	s.parties[PartyEmulator], s.emulatorURL = emu, emu.url

	var fb *listener
	var fbHandler atomic.Pointer[http.Handler]
	fb, err = listen(opts.FacebookAddr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*fbHandler.Load()).ServeHTTP(w, r) }))
	if err != nil {
		return nil, fmt.Errorf("start facebook: %w", err)
	}
	s.parties[PartyFacebook], s.facebookURL = fb, fb.url
	s.Facebook, err = mockoauth2.New(mockoauth2.Config{
		Clients: []mockoauth2.Client{{ID: FacebookClientID, Secret: s.facebookSecret}},
	}, mockoauth2.WithJournal(s.Journal, PartyFacebook))
	if err != nil {
		return nil, fmt.Errorf("start facebook: %w", err)
	}
	h := s.Facebook.Handler()
	fbHandler.Store(&h)

	var rpHandler atomic.Pointer[http.Handler]
	rpl, err := listen(opts.RPAddr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*rpHandler.Load()).ServeHTTP(w, r) }))
	if err != nil {
		return nil, fmt.Errorf("start relying party: %w", err)
	}
	s.parties[PartyRP], s.rpURL = rpl, rpl.url
	s.RP, err = rp.New(rp.Config{BaseURL: rpl.url, ClientID: RelyingPartyClientID})
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

// Settings are the {Settings:Name} values that point the built-in policies at
// this stack's parties.
func (s *Stack) Settings() policy.Settings {
	return policy.Settings{
		"Tenant":                        s.opts.Tenant,
		"FacebookAppId":                 FacebookClientID,
		"FacebookAuthorizationEndpoint": s.facebookURL + "/authorize",
		"FacebookAccessTokenEndpoint":   s.facebookURL + "/token",
		"FacebookClaimsEndpoint":        s.facebookURL + "/me",
		"FacebookEndSessionEndpoint":    s.facebookURL + "/logout",
	}
}

// UsePolicy loads the policy folder dir of Options.Policies with the stack's
// settings (overrides win) and serves it from the emulator.
func (s *Stack) UsePolicy(dir string, overrides policy.Settings) error {
	settings := s.Settings()
	for k, v := range overrides {
		settings[k] = v
	}
	set, err := policy.LoadFS(s.opts.Policies, dir, settings)
	if err != nil {
		return fmt.Errorf("load policies %s: %w", dir, err)
	}
	emu, err := server.New(server.Config{
		Tenant:       s.opts.Tenant,
		BaseURL:      s.emulatorURL,
		Policies:     set,
		Keys:         s.Keys,
		Applications: []server.Application{{ClientID: RelyingPartyClientID, RedirectURIs: []string{s.RP.RedirectURI()}}},
		HTTPClient:   &http.Client{Timeout: s.opts.PartyTimeout},
		Logger:       s.opts.Logger,
	})
	if err != nil {
		return fmt.Errorf("start emulator with %s: %w", dir, err)
	}
	s.emulator.Store(emu)
	return nil
}

// Emulator is the running emulator, or nil before UsePolicy.
func (s *Stack) Emulator() *server.Server { return s.emulator.Load() }

// EmulatorURL is the emulator's base URL.
func (s *Stack) EmulatorURL() string { return s.emulatorURL }

// FacebookURL is the Facebook mock's base URL.
func (s *Stack) FacebookURL() string { return s.facebookURL }

// RPURL is the relying party's base URL.
func (s *Stack) RPURL() string { return s.rpURL }

// FacebookSecret is the client secret the Facebook mock expects (and the key store holds).
func (s *Stack) FacebookSecret() string { return s.facebookSecret }

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
		return errors.Join(err, l.srv.Close())
	}
	return nil
}

// Close stops every party.
func (s *Stack) Close() error {
	if s.Facebook != nil {
		s.Facebook.Close() // releases delayed canned responses so shutdown does not wait on them
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
