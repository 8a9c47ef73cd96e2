package rest

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/mocks/internal/jwks"
	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// Server is the mock REST API. It is safe for concurrent use; give each scenario its own or
// Reset it between scenarios.
type Server struct {
	base    *kit.Base
	client  *http.Client // fetches the JWKS of custom-claims routes
	keys    *jwks.Cache
	handler http.Handler

	initial []Route // the routes of the Config given to New, restored by Reset

	mu       sync.Mutex
	jwksURLs map[string]bool // the registered JWKS URLs (jwksurls.go)
	routes   []*routeState   // in the order they were added; a replaced route keeps its place
	router   *mux.Router     // built from routes, rebuilt when they change
	calls    []*Call         // the latest calls, within callLimits
	// callBytes is about how many bytes calls hold (Call.size).
	callBytes  int
	callLimits kit.Limits
	gen        uint64        // incremented by Reset: calls of older route states are not recorded
	changed    chan struct{} // closed and replaced whenever a call is recorded or forgotten
}

// Option configures a Server.
type Option func(*Server)

// setting makes a Setting of the Server's kit.Base an Option.
func setting(set kit.Setting) Option { return func(s *Server) { set(s.base) } }

// routeState is a route with its counters.
type routeState struct {
	gen      uint64 // the Server generation the route belongs to
	route    Route
	attempts int // calls received, for Call.Attempt
	served   int // position in route.Responses
}

// New returns a Server serving cfg's routes. It fails when cfg does not validate.
func New(cfg Config, opts ...Option) (*Server, error) {
	s, err := kit.New("rest", cfg, opts, func(base *kit.Base) *Server {
		s := &Server{base: base, changed: make(chan struct{}), jwksURLs: map[string]bool{}}
		for _, rt := range cfg.Routes {
			s.initial = append(s.initial, rt.normalize())
			if u := jwksURLOf(rt); u != "" {
				s.jwksURLs[u] = true
			}
		}
		return s
	})
	if err != nil {
		return nil, err
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	s.keys = jwks.New(s.client)
	s.resetLocked()
	s.handler = s.routesHandler()
	return s, nil
}

// Handler returns the HTTP handler serving the configured routes and the admin API.
func (s *Server) Handler() http.Handler { return s.handler }

// Close releases requests waiting on the Delay of a response, so that shutting down the HTTP
// server never waits for them: each is answered at once. Call it before closing the listener;
// it is idempotent, and the Server keeps serving afterwards.
func (s *Server) Close() { s.base.Close() }

// routesHandler builds the fixed outer router: the admin API, and everything else through the
// current route table (journaled when asked).
func (s *Server) routesHandler() http.Handler {
	return s.base.Handler(http.HandlerFunc(s.dispatch), kit.Admin{Fail: s.adminFail, Routes: []kit.Route{
		kit.Config(s.Config, "routes.*.auth.password", "routes.*.auth.token", "routes.*.auth.key"),
		kit.Apply(http.MethodPut, "/_admin/routes", s.addRouteFromAdmin),
		{Method: http.MethodPost, Path: "/_admin/responses", Serve: s.handleAdminResponses},
		kit.Captured("/_admin/calls", func(r *http.Request) ([]Call, error) { return s.Calls(r.URL.Query().Get("path")), nil }, s.redacted),
		{Method: http.MethodPost, Path: "/_admin/reset", Serve: func(w http.ResponseWriter, r *http.Request) error {
			s.Reset()
			w.WriteHeader(http.StatusNoContent)
			return nil
		}},
	}})
}

// dispatch serves a request with the route table of the moment.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	router := s.router
	s.mu.Unlock()
	router.ServeHTTP(w, r)
}

// buildRouterLocked rebuilds the route table from s.routes: routes with a method first, then
// routes for any method, each group in the order the routes were added. The caller holds s.mu.
func (s *Server) buildRouterLocked() {
	router := mux.NewRouter().SkipClean(true).UseEncodedPath()
	for _, anyMethod := range []bool{false, true} {
		for _, st := range s.routes {
			if (st.route.Method == "") != anyMethod {
				continue
			}
			mr := router.Handle(st.route.Path, s.routeHandler(st))
			if !anyMethod {
				mr.Methods(st.route.Method)
			}
		}
	}
	router.NotFoundHandler = s.unknownHandler(http.StatusNotFound)
	router.MethodNotAllowedHandler = s.unknownHandler(http.StatusMethodNotAllowed)
	s.router = router
}

// resetLocked restores the initial routes and forgets every call. The caller holds s.mu or is New.
func (s *Server) resetLocked() {
	s.gen++
	s.routes = s.routes[:0:0]
	for _, rt := range s.initial {
		s.routes = append(s.routes, &routeState{gen: s.gen, route: rt.clone()})
	}
	s.calls, s.callBytes = nil, 0
	s.buildRouterLocked()
	s.notifyLocked()
}

// notifyLocked wakes WaitCalls. The caller holds s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}
