package oauth1

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// The fixed protocol routes.
const (
	PathRequestToken = "/oauth/request_token"
	PathAuthorize    = "/oauth/authorize"
	PathAuthenticate = "/oauth/authenticate"
	PathAccessToken  = "/oauth/access_token"
)

// fixedPaths are the routes the claims path may not take.
var fixedPaths = []string{PathRequestToken, PathAuthorize, PathAuthenticate, PathAccessToken}

// Server is the mock identity provider. It is safe for concurrent use; give each scenario its own.
type Server struct {
	base    *kit.Base
	pages   *kit.Pages
	handler http.Handler

	// settings of the Config and options, defaults filled in; read-only after New
	trustProto bool
	claimsPath string
	window     time.Duration
	tempTTL    time.Duration

	mu        sync.Mutex
	temps     map[string]*tempCred   // temporary credentials by oauth_token
	access    map[string]*accessCred // token credentials by oauth_token
	nonces    map[nonceKey]time.Time // nonces seen, until when they are remembered
	nextPrune time.Time              // when stale nonces are next dropped

	// these lock themselves
	queue     kit.Queue[Endpoint]
	requests  *kit.Log[Endpoint, Request]
	consumers *kit.Registry[Consumer]
	users     *kit.Registry[User]
}

// Option configures a Server.
type Option func(*Server)

// setting makes a Setting of the Server's kit.Base an Option.
func setting(set kit.Setting) Option { return func(s *Server) { set(s.base) } }

// tempState is where a temporary credential is in its single life.
type tempState int

const (
	tempIssued     tempState = iota // waiting for the user
	tempAuthorized                  // the user signed in: a verifier is out
	tempExchanged                   // traded for token credentials
	tempRevoked                     // the user denied access
)

// tempCred is an issued temporary credential (request token).
type tempCred struct {
	consumerKey string
	secret      string
	callback    string
	expires     time.Time
	state       tempState
	verifier    string
	username    string
}

// accessCred is an issued token credential (access token).
type accessCred struct {
	consumerKey string
	secret      string
	username    string
}

// nonceKey identifies a request for replay detection (RFC 5849 §3.3).
type nonceKey struct {
	consumerKey, token, nonce, timestamp string
}

// New returns a Server holding cfg's consumers and users. It fails when cfg does not validate.
func New(cfg Config, opts ...Option) (*Server, error) {
	s, err := kit.New("oauth1", cfg, opts, func(base *kit.Base) *Server {
		return &Server{
			claimsPath: cmp.Or(cfg.ClaimsPath, DefaultClaimsPath),
			window:     cmp.Or(time.Duration(cfg.TimestampWindow), DefaultTimestampWindow),
			tempTTL:    cmp.Or(time.Duration(cfg.TemporaryCredentialTTL), DefaultTemporaryCredentialTTL),
			temps:      map[string]*tempCred{},
			access:     map[string]*accessCred{},
			nonces:     map[nonceKey]time.Time{},
			base:       base,
			pages:      parsedPages,
			requests:   kit.NewLog[Endpoint](Request.clone),
			consumers:  kit.NewRegistry("consumer", Consumer.key, Consumer.clone, Consumer.validate, cfg.Consumers),
			users:      kit.NewRegistry("user", User.key, User.clone, User.validate, cfg.Users),
		}
	})
	if err == nil {
		s.handler = s.routes()
	}
	return s, err
}

// Handler returns the HTTP handler serving every route of the package documentation.
func (s *Server) Handler() http.Handler { return s.handler }

// ClaimsPath returns the path of the claims endpoint.
func (s *Server) ClaimsPath() string { return s.claimsPath }

// Close releases requests waiting on the Delay of a queued response, so that shutting down the
// HTTP server never waits for them. Call it before closing the listener; it is idempotent.
func (s *Server) Close() { s.base.Close() }

// routes builds the router: protocol routes (journaled when asked) and the admin API. Handlers
// check the method themselves so that every request to a protocol route is recorded.
func (s *Server) routes() http.Handler {
	proto := mux.NewRouter()
	authorize := s.endpoint(EndpointAuthorize, s.handleAuthorize, http.MethodGet, http.MethodPost)
	proto.HandleFunc(PathRequestToken, s.endpoint(EndpointRequestToken, s.handleRequestToken, http.MethodPost))
	proto.HandleFunc(PathAuthorize, authorize)
	proto.HandleFunc(PathAuthenticate, authorize)
	proto.HandleFunc(PathAccessToken, s.endpoint(EndpointAccessToken, s.handleAccessToken, http.MethodPost))
	proto.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool { return r.URL.Path == s.claimsPath }).
		HandlerFunc(s.endpoint(EndpointClaims, s.handleClaims, http.MethodGet))
	proto.NotFoundHandler = http.HandlerFunc(s.handleNotFound)

	return s.base.Handler(proto, kit.Admin{Fail: s.adminFail, Routes: []kit.Route{
		kit.Config(s.Config, "consumers.*.secret", "users.*.password"),
		kit.Apply(http.MethodPut, "/_admin/consumers", s.AddConsumer),
		kit.Apply(http.MethodPut, "/_admin/users", s.AddUser),
		kit.Apply(http.MethodPut, "/_admin/tokens", s.AddAccessToken),
		kit.Enqueue(endpoints, 100, s.Enqueue),
		kit.Requests(endpoints, s.Requests, redacted),
	}})
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, requestError{Status: http.StatusNotFound, Code: "not_found", Description: "no route " + r.URL.Path})
}

// adminFail answers a refusal of the admin API as a requestError with the refusal's status and
// code; an oversized body is an invalid_request, as everywhere else.
func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, err error) {
	var ke *kit.Error
	if errors.As(err, &ke) {
		code := ke.Code
		if code == kit.CodeTooLarge {
			code = "invalid_request"
		}
		err = requestError{Status: ke.Status, Code: code, Description: ke.Message}
	}
	s.writeError(w, r, err)
}

// endpoint serves a protocol endpoint: it records every request, answers with a queued
// response when one waits, refuses methods other than methods with 405, and otherwise lets
// handle answer; the error handle returns is answered by writeError.
func (s *Server) endpoint(ep Endpoint, handle func(http.ResponseWriter, *http.Request, received) error, methods ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in := s.record(ep, r)
		if s.serveQueued(w, r, ep) || s.allowOnly(w, r, methods...) {
			return
		}
		if err := handle(w, r, in); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// allowOnly answers a request whose method is not method with 405 and reports whether it did.
func (s *Server) allowOnly(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return false
	}
	allow := methods[0]
	for _, m := range methods[1:] {
		allow += ", " + m
	}
	w.Header().Set("Allow", allow)
	s.writeError(w, r, methodNotAllowed(r.URL.Path+" accepts "+allow+", got "+r.Method))
	return true
}

// AddConsumer adds a consumer or replaces the one with the same Key. Credentials already issued
// to the consumer stay valid.
func (s *Server) AddConsumer(c Consumer) error { return s.consumers.Add(c) }

// AddUser adds a user or replaces the one with the same Username. Access tokens already issued
// to the user see the new fields. Another user's UserID is refused.
func (s *Server) AddUser(u User) error {
	return s.users.Add(u, func(held []User) error {
		if j := slices.IndexFunc(held, func(x User) bool { return x.UserID == u.UserID && x.Username != u.Username }); j >= 0 {
			return cfgfile.Check("oauth1", []string{fmt.Sprintf("userID %q already belongs to %q", u.UserID, held[j].Username)})
		}
		return nil
	})
}

// AddAccessToken makes the server accept t at the claims endpoint as a token credential it
// issued to t.ConsumerKey for t.Username, replacing any token with the same value. The consumer
// and user must exist (ErrUnknownConsumer, ErrUnknownUser).
func (s *Server) AddAccessToken(t AccessToken) error {
	var problems []string
	if t.Token == "" {
		problems = append(problems, "token is empty")
	}
	if t.Secret == "" {
		problems = append(problems, "secret is empty")
	}
	if len(problems) > 0 {
		return fmt.Errorf("add access token: %w", cfgfile.Check("oauth1", problems))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.consumers.Get(t.ConsumerKey); !ok {
		return fmt.Errorf("add access token: consumer %q: %w", t.ConsumerKey, ErrUnknownConsumer)
	}
	if _, ok := s.users.Get(t.Username); !ok {
		return fmt.Errorf("add access token: user %q: %w", t.Username, ErrUnknownUser)
	}
	delete(s.temps, t.Token)
	s.access[t.Token] = &accessCred{consumerKey: t.ConsumerKey, secret: t.Secret, username: t.Username}
	return nil
}

// Consumers returns a copy of every consumer, in the order they were added.
func (s *Server) Consumers() []Consumer { return s.consumers.All() }

// Users returns a copy of every user, in the order they were added.
func (s *Server) Users() []User { return s.users.All() }

// Config returns the server's current configuration: consumers, users and durations.
func (s *Server) Config() Config {
	return Config{
		Consumers: s.Consumers(), Users: s.Users(), ClaimsPath: s.claimsPath,
		TimestampWindow: Duration(s.window), TemporaryCredentialTTL: Duration(s.tempTTL),
	}
}

// pruneLocked drops the nonces whose timestamps have left the window, at most once a window;
// requests carrying them are refused as stale anyway. Credentials are kept, so that an old
// temporary credential is still told apart as expired or used. The caller holds s.mu.
func (s *Server) pruneLocked(now time.Time) {
	if now.Before(s.nextPrune) {
		return
	}
	s.nextPrune = now.Add(s.window)
	for k, until := range s.nonces {
		if until.Before(now) {
			delete(s.nonces, k)
		}
	}
}
