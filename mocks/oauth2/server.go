package oauth2

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// Server is the mock identity provider. It is safe for concurrent use; give each scenario its own.
type Server struct {
	base    *kit.Base
	pages   *kit.Pages
	handler http.Handler

	// settings of the Config, defaults filled in; read-only after New
	codeTTL       time.Duration
	tokenTTL      time.Duration
	allowTokenGET bool
	issuer        string // empty means the base URL of each request
	baseURL       string // Config.BaseURL without a trailing slash; empty: see Config.BaseURL

	keyOnce sync.Once
	sig     signer // the id_token signing key

	queue    kit.Queue[Endpoint]
	requests *kit.Log[Endpoint, Request]

	clients *kit.Registry[Client]
	users   *kit.Registry[User]

	mu     sync.Mutex
	codes  map[string]*grant
	tokens map[string]*accessToken
	jtis   map[string]map[string]bool // client id → client_assertion jti values seen
}

// Option configures a Server.
type Option func(*Server)

// setting makes a Setting of the Server's kit.Base an Option.
func setting(set kit.Setting) Option { return func(s *Server) { set(s.base) } }

// grant is an issued authorization code.
type grant struct {
	clientID    string
	redirectURI string
	username    string
	scope       string
	nonce       string // of the authorization request, for the id_token
	expires     time.Time
	used        bool
	tokens      []string // access tokens issued from this code, revoked if the code is replayed
}

// accessToken is an issued access token.
type accessToken struct {
	clientID string
	username string
	scope    string
	expires  time.Time
	revoked  bool
	extra    map[string]string // the token response's extra parameters, required by the claims endpoint
}

// New returns a Server holding cfg's clients and users. It fails when cfg does not validate
// or the signing key given WithSigningKey is not a valid RSA key.
func New(cfg Config, opts ...Option) (*Server, error) {
	s, err := kit.New("oauth2", cfg, opts, func(base *kit.Base) *Server {
		return &Server{
			codeTTL:       cmp.Or(time.Duration(cfg.CodeTTL), DefaultCodeTTL),
			tokenTTL:      cmp.Or(time.Duration(cfg.TokenTTL), DefaultTokenTTL),
			allowTokenGET: cfg.AllowTokenGET,
			issuer:        cfg.Issuer,
			baseURL:       strings.TrimSuffix(cfg.BaseURL, "/"),
			codes:         map[string]*grant{},
			tokens:        map[string]*accessToken{},
			jtis:          map[string]map[string]bool{},
			base:          base,
			pages:         parsedPages,
			requests:      kit.NewLog[Endpoint](Request.clone),
			clients:       kit.NewRegistry("client", Client.key, Client.clone, Client.validate, cfg.Clients),
			users:         kit.NewRegistry("user", User.key, User.clone, User.validate, cfg.Users),
		}
	})
	if err != nil {
		return nil, err
	}
	if s.sig.key != nil {
		if err := s.sig.key.Validate(); err != nil {
			return nil, fmt.Errorf("new oauth2 server: signing key: %w", err)
		}
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the HTTP handler serving every route of the package documentation.
func (s *Server) Handler() http.Handler { return s.handler }

// Close releases requests waiting on the Delay of a queued response, so that shutting down the
// HTTP server never waits for them. Call it before closing the listener; it is idempotent.
func (s *Server) Close() { s.base.Close() }

// routes builds the router: protocol routes (journaled when asked) and the admin API.
func (s *Server) routes() http.Handler {
	proto := mux.NewRouter()
	proto.HandleFunc("/authorize", s.handleAuthorize)
	proto.HandleFunc("/token", s.handleToken)
	proto.HandleFunc("/me", s.handleClaims)
	proto.HandleFunc("/logout", s.handleLogout)
	proto.HandleFunc("/.well-known/jwks.json", s.handleJWKS)
	proto.HandleFunc("/.well-known/openid-configuration", s.handleDiscovery)
	// Facebook's own paths, optionally versioned (/v19.0/dialog/oauth), so that
	// an unmodified policy whose hosts are mapped to this mock reaches it.
	for _, prefix := range []string{"", "/{version:v[0-9.]+}"} {
		proto.HandleFunc(prefix+"/dialog/oauth", s.handleAuthorize)
		proto.HandleFunc(prefix+"/oauth/access_token", s.handleToken)
		if prefix != "" {
			proto.HandleFunc(prefix+"/me", s.handleClaims)
		}
	}
	proto.NotFoundHandler = http.HandlerFunc(s.handleNotFound)

	return s.base.Handler(proto, kit.Admin{Fail: s.adminFail, Routes: []kit.Route{
		kit.Config(s.Config, "clients.*.secret", "users.*.password"),
		kit.Apply(http.MethodPut, "/_admin/users", s.AddUser),
		kit.Apply(http.MethodPut, "/_admin/clients", s.AddClient),
		kit.Enqueue(endpoints, 100, s.Enqueue),
		kit.Requests(endpoints, s.Requests, s.redacted),
	}})
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, Error{Code: CodeInvalidRequest, Description: "no route " + r.URL.Path, Status: http.StatusNotFound})
}

// adminFail answers a refusal of the admin API as an RFC 6749 §5.2 error: invalid_request with
// the refusal's status, or the admin guard's unauthorized, forbidden and misdirected_request.
func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, err error) {
	var ke *kit.Error
	if errors.As(err, &ke) {
		code := CodeInvalidRequest
		if ke.Code == kit.CodeUnauthorized || ke.Code == kit.CodeForbidden || ke.Code == kit.CodeMisdirected {
			code = ke.Code
		}
		err = Error{Code: code, Description: ke.Message, Status: ke.Status}
	}
	s.writeError(w, r, err)
}

// AddClient adds a client or replaces the one with the same ID.
func (s *Server) AddClient(c Client) error { return s.clients.Add(c) }

// AddUser adds a user or replaces the one with the same Username. Tokens already issued to the
// user see the new claims.
func (s *Server) AddUser(u User) error { return s.users.Add(u) }

// SetUserClaims replaces the claims of an existing user; it wraps ErrUnknownUser otherwise.
func (s *Server) SetUserClaims(username string, claims map[string]any) error {
	if _, err := json.Marshal(claims); err != nil {
		return fmt.Errorf("set claims of %q: claims cannot be written as JSON: %w", username, err)
	}
	if !s.users.Update(username, func(u *User) { u.Claims = cfgfile.CloneClaims(claims) }) {
		return fmt.Errorf("set claims of %q: %w", username, ErrUnknownUser)
	}
	return nil
}

// Users returns a copy of every user, in the order they were added.
func (s *Server) Users() []User { return s.users.All() }

// Clients returns a copy of every client, in the order they were added.
func (s *Server) Clients() []Client { return s.clients.All() }

// Config returns the server's current configuration: clients, users, lifetimes and switches.
func (s *Server) Config() Config {
	return Config{
		Clients: s.Clients(), Users: s.Users(), CodeTTL: Duration(s.codeTTL), TokenTTL: Duration(s.tokenTTL),
		AllowTokenGET: s.allowTokenGET, Issuer: s.issuer, BaseURL: s.baseURL,
	}
}
