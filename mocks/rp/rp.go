// Package rp is a relying party in the manner of jwt.ms. It starts OpenID Connect
// sign-ins against an authorize endpoint, captures whatever comes back to its
// redirect URI in any response mode (fragment, query, form_post), redeems codes,
// verifies id_tokens against a JWKS and shows the outcome on an HTML page.
//
// One Server handles many concurrent sign-ins: each is registered by Begin under
// its state, and Wait, Result and Results return what arrived for it.
package rp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/iefconform/iefconform/mocks/internal/jwks"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config says where the relying party is served and which client it is.
type Config struct {
	// BaseURL is where this RP is served, e.g. http://127.0.0.1:4321. Its path,
	// if any, prefixes every route. The redirect URI is BaseURL + "/callback".
	BaseURL string
	// ClientID is the application (client) id sent as client_id and expected as aud.
	ClientID string
	// ClientSecret is optional; when set it is sent when redeeming a code.
	ClientSecret string
}

// Validate reports every problem of the config at once.
func (c Config) Validate() error {
	errs := []error{urlField("baseURL", c.BaseURL, "baseURL is required")}
	if c.ClientID == "" {
		errs = append(errs, errors.New("clientID is required"))
	}
	return errors.Join(errs...)
}

// Option configures a Server.
type Option func(*Server)

// WithHTTPClient sets the client used for server-to-server calls (JWKS and token endpoint).
func WithHTTPClient(c *http.Client) Option {
	return func(s *Server) {
		if c != nil {
			s.client = c
		}
	}
}

// WithClock sets the clock used to check exp and nbf and to stamp results.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// AuthorizeRequest describes one sign-in started by Begin.
type AuthorizeRequest struct {
	// AuthorizeEndpoint is the OpenID Connect authorize URL; it may carry a query (e.g. ?p=B2C_1A_signin).
	AuthorizeEndpoint string
	// TokenEndpoint is where a code is redeemed; required when ResponseType is "code".
	TokenEndpoint string
	// JWKSURL is where the keys that sign the id_token are published.
	JWKSURL string
	// Issuer is optional: when set, the id_token's iss must equal it.
	Issuer string
	// ResponseType is "id_token" (default) or "code" (or another combination of code, id_token, token).
	ResponseType string
	// ResponseMode is "fragment" (default for id_token), "query" (default for code) or "form_post".
	ResponseMode string
	// Scope defaults to "openid".
	Scope string
	// PKCE sends an S256 code_challenge (RFC 7636) and the code_verifier when
	// the code is redeemed.
	PKCE bool
	// CodeVerifier is generated when PKCE is set and it is empty.
	CodeVerifier string
	// TamperVerifier sends a code_verifier other than the one the challenge was
	// made from, to check that the token endpoint refuses it.
	TamperVerifier bool
	// NoState sends no state parameter (as the jwt.ms links of B2C's docs do);
	// the answer is then found under the empty state.
	NoState bool
	// State is generated when empty.
	State string
	// Nonce is generated when empty.
	Nonce string
	// Extra parameters are added to the authorize URL; a key also set above is replaced.
	Extra url.Values
	// ClientID, when set, signs in as another application registered for
	// this RP's redirect URI: it is sent as client_id, at the token
	// endpoint too, and expected as the id_token's aud.
	ClientID string
	// ClientSecret, when set, is sent at the token endpoint instead of the
	// Config's; NoClientSecret sends none.
	ClientSecret   string
	NoClientSecret bool
}

// clientID is the client id of a sign-in.
func (s *Server) clientID(req *AuthorizeRequest) string {
	if req != nil && req.ClientID != "" {
		return req.ClientID
	}
	return s.cfg.ClientID
}

// Result is what arrived at the redirect URI for one state. Treat its maps as read-only.
type Result struct {
	// Mode is "query", "fragment" or "form_post".
	Mode string
	// Raw is the raw query string, fragment (without '#') or form body, byte for byte as received.
	Raw string
	// Params are the decoded parameters of Raw.
	Params url.Values
	// State is the state parameter that came back ("" when missing).
	State string
	// Error and ErrorDescription are the OAuth2 error parameters, decoded. For the code flow
	// they are also set from an error answer of the token endpoint.
	Error            string
	ErrorDescription string
	// IDToken is the raw id_token, from the redirect or, in the code flow, from the token endpoint.
	IDToken string
	// Code is the authorization code, in the code flow.
	Code string
	// FrontIDToken is the id_token of a hybrid (code id_token) answer's front
	// channel; IDToken is then the token endpoint's.
	FrontIDToken string
	// AccessToken and RefreshToken are the token endpoint's, when it sent
	// them; AccessClaims are the access token's claims, verified for the
	// response's resource (its aud).
	AccessToken  string
	RefreshToken string
	AccessClaims map[string]any
	// Claims are the id_token's claims, set only when the token verified. Numbers are json.Number.
	Claims map[string]any
	// Header is the id_token's JOSE header, set whenever the token could be decoded.
	Header map[string]any
	// VerifyError says why the response could not be verified; empty when it is OK
	// (a verified id_token, or an error response with nothing to verify).
	VerifyError string
	// Received is when the RP captured the response, by the Server's clock.
	Received time.Time
}

// Server is the relying party. It is safe for concurrent use.
type Server struct {
	cfg      Config
	prefix   string
	client   *http.Client
	now      func() time.Time
	keys     *jwks.Cache
	pages    *template.Template
	handler  http.Handler
	mu       sync.Mutex
	sessions map[string]*session
	results  []Result
}

// session is one pending or completed sign-in, keyed by state.
type session struct {
	req    *AuthorizeRequest // nil when results arrived for a state Begin never issued
	done   chan struct{}     // closed when the first result arrives
	result *Result           // the latest result
}

// New returns a relying party for cfg.
func New(cfg Config, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new rp: %w: %w", ErrInvalidConfig, err)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new rp: %w: baseURL: %w", ErrInvalidConfig, err)
	}
	s := &Server{
		cfg:      cfg,
		prefix:   strings.TrimRight(base.Path, "/"),
		client:   &http.Client{Timeout: 10 * time.Second},
		now:      time.Now,
		sessions: map[string]*session{},
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("new rp: %w", err)
	}
	s.keys = jwks.New(s.client)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the HTTP handler that serves the redirect URI.
func (s *Server) Handler() http.Handler { return s.handler }

// RedirectURI is BaseURL + "/callback", sent as redirect_uri.
func (s *Server) RedirectURI() string { return s.cfg.BaseURL + "/callback" }

// ClientID returns the configured client id.
func (s *Server) ClientID() string { return s.cfg.ClientID }

// Begin registers a pending sign-in under its state and returns the URL a browser
// should open: AuthorizeEndpoint with client_id, redirect_uri, response_type,
// response_mode, scope, state, nonce and the Extra parameters.
func (s *Server) Begin(req AuthorizeRequest) (authorizeURL string, state string, err error) {
	req, err = withDefaults(req)
	if err != nil {
		return "", "", fmt.Errorf("begin sign-in: %w", err)
	}
	u, err := url.Parse(req.AuthorizeEndpoint)
	if err != nil {
		return "", "", fmt.Errorf("begin sign-in: %w: authorizeEndpoint: %w", ErrInvalidRequest, err)
	}
	q := url.Values{}
	q.Set("client_id", s.clientID(&req))
	q.Set("redirect_uri", s.RedirectURI())
	q.Set("response_type", req.ResponseType)
	q.Set("response_mode", req.ResponseMode)
	q.Set("scope", req.Scope)
	if !req.NoState {
		q.Set("state", req.State)
	}
	if req.PKCE {
		sum := sha256.Sum256([]byte(req.CodeVerifier))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
	}
	q.Set("nonce", req.Nonce)
	for k, vs := range req.Extra {
		q[k] = slices.Clone(vs)
	}
	if u.RawQuery != "" {
		u.RawQuery += "&" + q.Encode()
	} else {
		u.RawQuery = q.Encode()
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[req.State]
	if !ok || sess.result != nil {
		sess = &session{done: make(chan struct{})}
		s.sessions[req.State] = sess
	}
	sess.req = &req
	return u.String(), req.State, nil
}

// withDefaults fills the defaults of req and checks it.
func withDefaults(req AuthorizeRequest) (AuthorizeRequest, error) {
	if req.ResponseType == "" {
		req.ResponseType = "id_token"
	}
	if req.Scope == "" {
		req.Scope = "openid"
	}
	if req.PKCE && req.CodeVerifier == "" {
		req.CodeVerifier = rand.Text() + rand.Text()
	}
	if req.State == "" && !req.NoState {
		req.State = rand.Text()
	}
	if req.Nonce == "" {
		req.Nonce = rand.Text()
	}
	var errs []error
	frontChannelToken := false
	for _, word := range strings.Fields(req.ResponseType) {
		switch word {
		case "id_token", "token":
			frontChannelToken = true
		case "code":
		default:
			errs = append(errs, fmt.Errorf("responseType: want id_token, code or token, got %q", word))
		}
	}
	if req.ResponseMode == "" {
		req.ResponseMode = "query"
		if frontChannelToken {
			req.ResponseMode = "fragment"
		}
	}
	switch req.ResponseMode {
	case "fragment", "query", "form_post":
	default:
		errs = append(errs, fmt.Errorf("responseMode: want fragment, query or form_post, got %q", req.ResponseMode))
	}
	errs = append(errs,
		urlField("authorizeEndpoint", req.AuthorizeEndpoint, "authorizeEndpoint is required"),
		urlField("jwksURL", req.JWKSURL, "jwksURL is required to verify the id_token"))
	if !frontChannelToken {
		errs = append(errs, urlField("tokenEndpoint", req.TokenEndpoint, fmt.Sprintf("tokenEndpoint is required for response_type %q", req.ResponseType)))
	}
	if err := errors.Join(errs...); err != nil {
		return req, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	return req, nil
}

// urlField checks a field that must hold an absolute http or https URL: the error says missing
// when it is empty. It returns nil for a good URL, which errors.Join leaves out.
func urlField(name, raw, missing string) error {
	if raw == "" {
		return errors.New(missing)
	}
	if err := checkAbsURL(raw); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// checkAbsURL checks that raw is an absolute http or https URL.
func checkAbsURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("want an absolute http(s) URL, got %q", raw)
	}
	return nil
}

// Wait blocks until a result for state arrives or ctx ends.
func (s *Server) Wait(ctx context.Context, state string) (Result, error) {
	s.mu.Lock()
	sess := s.sessionLocked(state)
	s.mu.Unlock()
	select {
	case <-sess.done:
		s.mu.Lock()
		defer s.mu.Unlock()
		return *sess.result, nil
	case <-ctx.Done():
		return Result{}, fmt.Errorf("wait for state %q: %w at %s: %w", state, ErrNoResult, s.RedirectURI(), ctx.Err())
	}
}

// Result returns the latest result for state without blocking.
func (s *Server) Result(state string) (Result, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[state]
	if !ok || sess.result == nil {
		return Result{}, false
	}
	return *sess.result, true
}

// Began reports whether Begin issued state (or a result came for it), without
// recording anything: a wait for a state nobody began can end at once.
func (s *Server) Began(state string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sessions[state]
	return ok
}

// Results returns every result in the order they arrived.
func (s *Server) Results() []Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.results)
}

// sessionLocked returns the session for state, creating it. s.mu must be held.
func (s *Server) sessionLocked(state string) *session {
	sess, ok := s.sessions[state]
	if !ok {
		sess = &session{done: make(chan struct{})}
		s.sessions[state] = sess
	}
	return sess
}

// request returns a copy of the authorize request begun under state, or nil.
func (s *Server) request(state string) *AuthorizeRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[state]
	if !ok || sess.req == nil {
		return nil
	}
	req := *sess.req
	return &req
}

// store records res under its state and wakes its waiters.
func (s *Server) store(res Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.results = append(s.results, res)
	sess := s.sessionLocked(res.State)
	first := sess.result == nil
	sess.result = &res
	if first {
		close(sess.done)
	}
}
