// Package server is the emulator's HTTP front door, laid out as B2C's URLs:
//
//	GET|POST /{tenant}/{policy}/oauth2/v2.0/authorize      start a journey (OIDC authorization request)
//	POST     /{tenant}/{policy}/oauth2/v2.0/token          redeem an authorization code (code flow)
//	GET      /{tenant}/{policy}/oauth2/v2.0/logout         sign out
//	GET      /{tenant}/{policy}/v2.0/.well-known/openid-configuration
//	GET      /{tenant}/{policy}/discovery/v2.0/keys        JWKS
//	GET|POST /{tenant}/oauth2/authresp                     identity providers return here
//	GET|POST /{tenant}/{policy}/oauth2/authresp            ... or here with UsePolicyInRedirectUri
//	GET|POST /{tenant}/{policy}/oauth1/authresp            OAuth 1.0a identity providers return here
//	POST     /{tenant}/{policy}/api/selection              the claims-provider selection page's buttons
//	POST     /{tenant}/{policy}/api/selfasserted           a self-asserted page's Continue or Cancel
//	GET      /_signinlogs?correlationId=…                  custom claims provider calls (Entra's sign-in log)
//	GET      /healthz
//
// Paths are matched case-insensitively. Journey state lives server-side, keyed
// by a session cookie and by the state sent to identity providers. The registry
// from Protocol to technical-profile implementation is in registry.go.
package server

import (
	"crypto/sha1"
	"crypto/x509"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/extension"
	"github.com/iefconform/iefconform/engine/journey"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/restful"
)

// DefaultTenant is the tenant name used when Config.Tenant is empty.
const DefaultTenant = "iefconform.onmicrosoft.com"

// Config configures an emulator.
type Config struct {
	// Tenant is the tenant name in URLs, e.g. contoso.onmicrosoft.com.
	Tenant string
	// BaseURL is where browsers and parties reach the emulator, e.g. http://127.0.0.1:8080.
	BaseURL string
	// Policies is the loaded policy set; every relying-party policy in it is served.
	Policies *policy.Set
	// Keys is the policy key store. The token signing key is generated when absent.
	Keys *keys.Store
	// Applications lists the registered relying parties. A client that is not one
	// of them is refused (AADB2C90018), so a server with none accepts no sign-in:
	// like a B2C tenant with no app registrations.
	Applications []Application
	// HTTPClient makes the server-to-server calls to parties. Default: a client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives journey events. Default: discard.
	Logger *slog.Logger
	// SessionTTL bounds how long a journey may wait for the browser. Default 15 minutes.
	SessionTTL time.Duration
	// MaxSessions bounds the journeys in progress (each holds its request and
	// claims); past it the oldest is dropped. Default DefaultMaxSessions.
	MaxSessions int
	// RootCAs are the certificate authorities trusted for HTTPS to parties (REST
	// APIs); nil means the system's.
	RootCAs *x509.CertPool
	// RESTTimeout bounds one attempt of a RESTful call. Default 30 s, as in B2C.
	RESTTimeout time.Duration
	// Extensions configures Entra custom claims providers (custom
	// authentication extensions) called at token issuance; nil for none.
	Extensions *extension.Config
	// RequestTimeout bounds the work of one request: the journey's steps and
	// the parties they call, from the authorize request, a party's answer at
	// authresp or a post from one of the emulator's pages. Past it the journey
	// stops and the browser gets the error page (HTTP 504). Default
	// DefaultRequestTimeout, or more when RESTTimeout is long enough that one
	// RESTful call's attempts would not fit.
	RequestTimeout time.Duration
	// MaxBodyBytes bounds a request body; a larger one gets HTTP 413. Default
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxURLBytes bounds a request's path and query; a longer one gets HTTP
	// 414. Default DefaultMaxURLBytes.
	MaxURLBytes int
	// Directory holds the tenant's user accounts, which directory technical
	// profiles read and write. Default: a new empty in-memory directory per
	// Server (Server.Directory returns it).
	Directory directory.Store
	// Mailer delivers the verification codes of Verified.Email claims; nil
	// means no mail is sent and the page reports that it could not send one.
	Mailer profile.Mailer
	// HostMap sends what the policy addresses to a real host (an identity
	// provider's authorization, token and claims endpoints) to the party that
	// stands in for it: host name (www.facebook.com) → base URL
	// (http://127.0.0.1:4100). Browser redirects and the emulator's own
	// requests are both rewritten; the path and query are kept.
	HostMap map[string]string
}

// Defaults of Config's limits.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxBodyBytes   = 1 << 20
	DefaultMaxURLBytes    = 16 << 10
	DefaultMaxSessions    = 10000
)

// requestTimeout is Config.RequestTimeout's default: DefaultRequestTimeout,
// or every attempt of one RESTful call and a margin when that is longer.
func requestTimeout(restTimeout time.Duration) time.Duration {
	return max(DefaultRequestTimeout, restful.MaxAttempts*restTimeout+5*time.Second)
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("baseURL is empty"))
	}
	if c.Policies == nil {
		errs = append(errs, errors.New("policies are not set"))
	}
	errs = append(errs, validateApplications(c.Applications))
	return errors.Join(errs...)
}

// relyingParty is one served policy: its merged policy and journey.
type relyingParty struct {
	policy  *policy.Policy
	journey *journey.Journey
}

// Server is the emulator.
type Server struct {
	cfg        Config
	tenant     string
	tenantGUID string
	rps        map[string]*relyingParty // by lowercase policy id
	apps       map[string]Application
	sessions   *sessions
	codes      *onceStore[issuedCode]
	sso        *onceStore[ssoRecord] // by cookie value
	refresh    *onceStore[refreshGrant]
	signins    *extension.SignInLog
	extHTTP    *http.Client
	pages      *template.Template
	log        *slog.Logger
	handler    http.Handler
	hosts      hostMap
}

// New validates the policy set, builds every relying-party journey and returns
// the emulator. A policy problem is returned as policy.Problems.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("emulator config: %w", err)
	}
	if cfg.Tenant == "" {
		cfg.Tenant = DefaultTenant
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Keys == nil {
		cfg.Keys = keys.NewStore()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 15 * time.Minute
	}
	if cfg.RESTTimeout <= 0 {
		cfg.RESTTimeout = 30 * time.Second
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = requestTimeout(cfg.RESTTimeout)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxURLBytes <= 0 {
		cfg.MaxURLBytes = DefaultMaxURLBytes
	}
	if cfg.Directory == nil {
		cfg.Directory = directory.New(directory.WithClock(cfg.Now))
	}
	if probs := Validate(cfg.Policies); len(probs) > 0 {
		return nil, probs
	}
	hosts, err := newHostMap(cfg.HostMap)
	if err != nil {
		return nil, fmt.Errorf("emulator config: %w", err)
	}
	cfg.HTTPClient = hosts.mapClient(noRedirects(cfg.HTTPClient))
	s := &Server{
		hosts:    hosts,
		cfg:      cfg,
		tenant:   strings.ToLower(cfg.Tenant),
		rps:      map[string]*relyingParty{},
		apps:     map[string]Application{},
		sessions: newSessions(cfg.SessionTTL, cfg.MaxSessions, cfg.Now),
		codes:    newOnceStore[issuedCode](32, codeTTL, cfg.Now),
		sso:      newOnceStore[ssoRecord](24, 24*time.Hour, cfg.Now),
		refresh:  newOnceStore[refreshGrant](48, maxRefreshLifetime, cfg.Now),
		signins:  &extension.SignInLog{},
		extHTTP:  newExtensionClient(cfg),
		log:      cfg.Logger,
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("parse pages: %w", err)
	}
	var probs policy.Problems
	for _, id := range cfg.Policies.RelyingParties() {
		p, err := cfg.Policies.Resolve(id)
		if err != nil {
			return nil, err
		}
		uj, ok := p.Journey()
		if !ok {
			continue // reported by Validate
		}
		profiles, err := build(p, uj)
		if err != nil {
			var pp policy.Problems
			if errors.As(err, &pp) {
				probs = append(probs, pp...)
				continue
			}
			return nil, err
		}
		s.rps[strings.ToLower(p.PolicyID)] = &relyingParty{policy: p, journey: &journey.Journey{Policy: p, Journey: uj, Profiles: profiles}}
		if s.tenantGUID == "" && p.TenantObjectID != "" {
			s.tenantGUID = p.TenantObjectID
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	if s.tenantGUID == "" {
		// A stable GUID derived from the tenant name, for token issuers.
		s.tenantGUID = uuid.NewHash(sha1.New(), uuid.NameSpaceDNS, []byte(s.tenant), 5).String()
	}
	for _, a := range cfg.Applications {
		s.apps[a.ClientID] = a
	}
	s.handler = s.routes()
	return s, nil
}

// Handler serves the emulator.
func (s *Server) Handler() http.Handler { return s.handler }

// Tenant is the tenant name in URLs.
func (s *Server) Tenant() string { return s.tenant }

// noRedirects is c, or a copy of it that follows no redirect, when c follows
// them: a token or claims endpoint that answers 307 elsewhere would otherwise
// receive the client secret or the access token again at another origin
// (issue #18). The redirect answer itself is then the party's answer.
func noRedirects(c *http.Client) *http.Client {
	if c.CheckRedirect != nil {
		return c
	}
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// Applications lists the registered applications, in their configured order.
func (s *Server) Applications() []Application { return slices.Clone(s.cfg.Applications) }

// Directory returns the tenant's user accounts (Config.Directory).
func (s *Server) Directory() directory.Store { return s.cfg.Directory }

// Policies lists the relying-party policy ids served, sorted.
func (s *Server) Policies() []string {
	var out []string
	for _, rp := range s.rps {
		out = append(out, rp.policy.PolicyID)
	}
	sort.Strings(out)
	return out
}

// AuthorizeURL is the authorization endpoint of a policy.
func (s *Server) AuthorizeURL(policyID string) string {
	return s.policyURL(policyID) + "/oauth2/v2.0/authorize"
}

// TokenURL is the token endpoint of a policy.
func (s *Server) TokenURL(policyID string) string {
	return s.policyURL(policyID) + "/oauth2/v2.0/token"
}

// JWKSURL is the key set endpoint of a policy.
func (s *Server) JWKSURL(policyID string) string {
	return s.policyURL(policyID) + "/discovery/v2.0/keys"
}

// MetadataURL is the OpenID discovery document of a policy.
func (s *Server) MetadataURL(policyID string) string {
	return s.policyURL(policyID) + "/v2.0/.well-known/openid-configuration"
}

// LogoutURL is the sign-out endpoint of a policy.
func (s *Server) LogoutURL(policyID string) string {
	return s.policyURL(policyID) + "/oauth2/v2.0/logout"
}

func (s *Server) policyURL(policyID string) string {
	return s.cfg.BaseURL + "/" + s.tenant + "/" + strings.ToLower(policyID)
}

func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	r.Handle("/_signinlogs", s.signins.Handler())
	r.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) }).Methods(http.MethodGet)
	// The protocol endpoints answer in B2C's three URL forms (spec apps
	// §2.1): /{tenant}/{policy}/..., MSAL.NET's /tfp/{tenant}/{policy}/...,
	// and /{tenant}/...?p={policy}.
	for _, prefix := range []string{"/{tenant}/{policy}", "/tfp/{tenant}/{policy}", "/{tenant}"} {
		r.HandleFunc(prefix+"/oauth2/v2.0/authorize", s.handleAuthorize).Methods(http.MethodGet, http.MethodPost)
		r.HandleFunc(prefix+"/oauth2/v2.0/token", s.handleToken).Methods(http.MethodPost)
		r.HandleFunc(prefix+"/oauth2/v2.0/logout", s.handleLogout).Methods(http.MethodGet)
		r.HandleFunc(prefix+"/v2.0/.well-known/openid-configuration", s.handleDiscovery).Methods(http.MethodGet)
		r.HandleFunc(prefix+"/discovery/v2.0/keys", s.handleJWKS).Methods(http.MethodGet)
	}
	r.HandleFunc("/{tenant}/oauth2/authresp", s.handleAuthresp).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc("/{tenant}/{policy}/oauth2/authresp", s.handleAuthresp).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc("/{tenant}/{policy}/oauth1/authresp", s.handleAuthresp).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc("/{tenant}/{policy}/api/selection", s.handleSelection).Methods(http.MethodPost)
	r.HandleFunc("/{tenant}/{policy}/api/combinedsigninandsignup/unified", s.handleUnifiedLink).Methods(http.MethodGet)
	r.HandleFunc("/{tenant}/{policy}/api/combinedsigninandsignup/forgotpassword", s.handleForgotPassword).Methods(http.MethodGet)
	r.HandleFunc("/{tenant}/{policy}/api/selfasserted", s.handleSelfAsserted).Methods(http.MethodPost)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, nil, httpError(http.StatusNotFound, "", "The page you requested does not exist: "+r.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, nil, httpError(http.StatusMethodNotAllowed, "", "Method "+r.Method+" is not allowed on "+r.URL.Path))
	})
	// B2C's paths are case-insensitive.
	return s.limit(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		req.URL.Path = strings.ToLower(req.URL.Path)
		req.URL.RawPath = ""
		r.ServeHTTP(w, req)
	}))
}
