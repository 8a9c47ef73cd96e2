package oauth2

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/journal"
)

// Server is the mock identity provider. It is safe for concurrent use; give each scenario its own.
type Server struct {
	now    func() time.Time
	logger *slog.Logger
	jrnl   *journal.Journal
	party  string
	pages  *template.Template

	handler   http.Handler
	closed    chan struct{}
	closeOnce sync.Once

	issuer  string // Config.Issuer; empty means the base URL of each request
	keyOnce sync.Once
	sig     signer // the id_token signing key

	mu            sync.Mutex
	clients       []Client
	users         []User
	codeTTL       time.Duration
	tokenTTL      time.Duration
	allowTokenGET bool
	codes         map[string]*grant
	tokens        map[string]*accessToken
	jtis          map[string]map[string]bool // client id → client_assertion jti values seen
	queue         map[Endpoint][]Response
	requests      map[Endpoint][]Request
}

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

// Option configures a Server.
type Option func(*Server)

// WithJournal records every request to the protocol routes in j under the given party name
// ("oauth2" when empty).
func WithJournal(j *journal.Journal, party string) Option {
	return func(s *Server) {
		if party == "" {
			party = "oauth2"
		}
		s.jrnl = j
		s.party = party
	}
}

// WithClock replaces time.Now for code and token lifetimes and request times. Delays of queued
// responses always run on the real clock.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// WithLogger sets where unexpected (server_error) failures are logged; the default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) {
		if l != nil {
			s.logger = l
		}
	}
}

// WithSigningKey sets the RSA key that signs id_tokens, for tests with fixed keys; by default
// the server generates a 2048-bit key when it first needs one.
func WithSigningKey(k *rsa.PrivateKey) Option {
	return func(s *Server) {
		if k != nil {
			s.sig.key = k
		}
	}
}

// New returns a Server holding cfg's clients and users. It fails when cfg does not validate
// or the signing key given WithSigningKey is not a valid RSA key.
func New(cfg Config, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new oauth2 server: %w", err)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("new oauth2 server: %w", err)
	}
	s := &Server{
		now:           time.Now,
		logger:        slog.Default(),
		pages:         pages,
		closed:        make(chan struct{}),
		codeTTL:       time.Duration(cfg.CodeTTL),
		tokenTTL:      time.Duration(cfg.TokenTTL),
		allowTokenGET: cfg.AllowTokenGET,
		issuer:        cfg.Issuer,
		codes:         map[string]*grant{},
		tokens:        map[string]*accessToken{},
		jtis:          map[string]map[string]bool{},
		queue:         map[Endpoint][]Response{},
		requests:      map[Endpoint][]Request{},
	}
	if s.codeTTL == 0 {
		s.codeTTL = DefaultCodeTTL
	}
	if s.tokenTTL == 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	for _, c := range cfg.Clients {
		s.clients = append(s.clients, c.clone())
	}
	for _, u := range cfg.Users {
		s.users = append(s.users, u.clone())
	}
	for _, opt := range opts {
		opt(s)
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
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

// routes builds the router: protocol routes (journaled when asked) and the admin API.
func (s *Server) routes() http.Handler {
	proto := mux.NewRouter()
	proto.HandleFunc("/authorize", s.handleAuthorize)
	proto.HandleFunc("/token", s.handleToken)
	proto.HandleFunc("/me", s.handleClaims)
	proto.HandleFunc("/logout", s.handleLogout)
	proto.HandleFunc("/.well-known/jwks.json", s.handleJWKS)
	proto.HandleFunc("/.well-known/openid-configuration", s.handleDiscovery)
	proto.NotFoundHandler = http.HandlerFunc(s.handleNotFound)

	admin := mux.NewRouter()
	admin.HandleFunc("/_admin/config", s.handleAdminConfig).Methods(http.MethodGet)
	admin.HandleFunc("/_admin/users", s.handleAdminUsers).Methods(http.MethodPut)
	admin.HandleFunc("/_admin/clients", s.handleAdminClients).Methods(http.MethodPut)
	admin.HandleFunc("/_admin/enqueue", s.handleAdminEnqueue).Methods(http.MethodPost)
	admin.HandleFunc("/_admin/requests", s.handleAdminRequests).Methods(http.MethodGet)
	admin.NotFoundHandler = http.HandlerFunc(s.handleNotFound)
	admin.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, Error{Code: CodeInvalidRequest, Description: r.Method + " is not allowed on " + r.URL.Path, Status: http.StatusMethodNotAllowed})
	})

	var protoHandler http.Handler = proto
	if s.jrnl != nil {
		protoHandler = s.jrnl.Wrap(s.party, proto)
	}
	root := mux.NewRouter()
	root.PathPrefix("/_admin/").Handler(admin)
	root.PathPrefix("/").Handler(protoHandler)
	return root
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, Error{Code: CodeInvalidRequest, Description: "no route " + r.URL.Path, Status: http.StatusNotFound})
}

// AddClient adds a client or replaces the one with the same ID.
func (s *Server) AddClient(c Client) error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("add client: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c = c.clone()
	if i := slices.IndexFunc(s.clients, func(x Client) bool { return x.ID == c.ID }); i >= 0 {
		s.clients[i] = c
	} else {
		s.clients = append(s.clients, c)
	}
	return nil
}

// AddUser adds a user or replaces the one with the same Username. Tokens already issued to the
// user see the new claims.
func (s *Server) AddUser(u User) error {
	if err := u.validate(); err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u = u.clone()
	if i := slices.IndexFunc(s.users, func(x User) bool { return x.Username == u.Username }); i >= 0 {
		s.users[i] = u
	} else {
		s.users = append(s.users, u)
	}
	return nil
}

// SetUserClaims replaces the claims of an existing user; it wraps ErrUnknownUser otherwise.
func (s *Server) SetUserClaims(username string, claims map[string]any) error {
	if _, err := json.Marshal(claims); err != nil {
		return fmt.Errorf("set claims of %q: claims cannot be written as JSON: %w", username, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.users, func(x User) bool { return x.Username == username })
	if i < 0 {
		return fmt.Errorf("set claims of %q: %w", username, ErrUnknownUser)
	}
	s.users[i].Claims = cfgfile.CloneClaims(claims)
	return nil
}

// Users returns a copy of every user, in the order they were added.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = u.clone()
	}
	return out
}

// Clients returns a copy of every client, in the order they were added.
func (s *Server) Clients() []Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Client, len(s.clients))
	for i, c := range s.clients {
		out[i] = c.clone()
	}
	return out
}

// Config returns the server's current configuration: clients, users, lifetimes and switches.
func (s *Server) Config() Config {
	clients, users := s.Clients(), s.Users()
	s.mu.Lock()
	defer s.mu.Unlock()
	return Config{
		Clients:       clients,
		Users:         users,
		CodeTTL:       Duration(s.codeTTL),
		TokenTTL:      Duration(s.tokenTTL),
		AllowTokenGET: s.allowTokenGET,
		Issuer:        s.issuer,
	}
}

// clientLocked returns the client with the given id. The caller holds s.mu.
func (s *Server) clientLocked(id string) (Client, bool) {
	i := slices.IndexFunc(s.clients, func(x Client) bool { return x.ID == id })
	if i < 0 {
		return Client{}, false
	}
	return s.clients[i], true
}

// client returns a copy of the client with the given id.
func (s *Server) client(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clientLocked(id)
	return c.clone(), ok
}

// userLocked returns the user with the given username. The caller holds s.mu.
func (s *Server) userLocked(name string) (User, bool) {
	i := slices.IndexFunc(s.users, func(x User) bool { return x.Username == name })
	if i < 0 {
		return User{}, false
	}
	return s.users[i], true
}
