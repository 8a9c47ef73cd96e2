package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/iefconform/iefconform/harness/stack"
	"github.com/iefconform/iefconform/mocks/journal"
	mockoauth1 "github.com/iefconform/iefconform/mocks/oauth1"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
	mockrest "github.com/iefconform/iefconform/mocks/rest"
	"github.com/iefconform/iefconform/mocks/rp"
)

const mockLong = `Run one mock party alone, without the emulator: an identity provider or
API for your own application or your own B2C tenant to talk to, with the same
strict checks the conformance suite uses (registered redirect URIs, client
secrets, signatures) and its admin API under /_admin/ (users, clients, canned
responses, the requests it received).

Kinds:
  oauth2   a Facebook-like OAuth2 / OpenID Connect identity provider:
           /authorize, /token, /me, /.well-known/openid-configuration, /jwks
  oauth1   a Twitter-like OAuth 1.0a identity provider (RFC 5849):
           /oauth/request_token, /oauth/authenticate, /oauth/access_token,
           /1.1/account/verify_credentials.json
  rest     a REST claims API with fault injection (routes, behaviours,
           custom claims provider)
  rp       a relying party (an application) for your B2C tenant or the
           emulator: POST /_admin/signin begins a sign-in (its body names the
           authorize endpoint, the JWKS URL, the response type and mode),
           GET /_admin/results/{state} shows what came back, verified
           (--client-id, --client-secret; its redirect URI is URL/callback)

--config names the mock's configuration file (YAML or JSON, unknown keys
refused, every problem listed at once): clients and users (oauth2),
consumers and users (oauth1), routes (rest); the Go packages mocks/oauth2,
mocks/oauth1 and mocks/rest document each field. Without it the mock starts
empty; add clients and users through its admin API. The rp takes flags only.

Admin API: without --admin-token it answers loopback clients only; with it
(or IEFCONFORM_ADMIN_TOKEN) every admin request needs
"Authorization: Bearer TOKEN". A mock in a container needs one.`

const mockExample = `  # A Facebook-like IdP on a fixed port, its clients and users in a file:
  iefconform mock oauth2 --config facebook.yaml --addr 127.0.0.1:8081

  # A Twitter-like OAuth 1.0a provider for a container network:
  iefconform mock oauth1 --config twitter.yaml --addr 0.0.0.0:8083 --admin-token "$TOKEN"`

// mockKinds are the kinds iefconform mock runs.
var mockKinds = []string{"oauth2", "oauth1", "rest", "rp"}

type mockOptions struct {
	config, addr, adminToken, baseURL string
	clientID, clientSecret            string // rp
	verbose                           bool

	// ready, when set, is called with the mock's URL once it is printed. Tests use it.
	ready func(url string)
}

func newMockCmd() *cobra.Command {
	var o mockOptions
	cmd := &cobra.Command{
		Use:     "mock KIND [flags]",
		Short:   "Run one mock party alone (oauth2, oauth1, rest, rp)",
		Long:    mockLong,
		Example: mockExample,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMock(cmd.Context(), args[0], o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.config, "config", "", "the mock's configuration `FILE` (YAML or JSON)")
	f.StringVar(&o.addr, "addr", stack.DefaultAddr, "the listen address `HOST:PORT`; the default picks a random loopback port")
	f.StringVar(&o.adminToken, "admin-token", "", "guard the admin API with `TOKEN` (sent as a Bearer token); default $"+envAdminToken)
	f.StringVar(&o.baseURL, "base-url", "", "oauth2: the `URL` clients reach the mock at (issuer, discovery, the aud of client assertions), when it is not the listen address")
	f.StringVar(&o.clientID, "client-id", "", "rp: the application's client `ID` at the authorization server (required)")
	f.StringVar(&o.clientSecret, "client-secret", "", "rp: the application's client `SECRET`, sent when it redeems a code")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "log every request the mock answers to stderr")
	return cmd
}

// runMock serves one mock of kind until ctx ends.
func runMock(ctx context.Context, kind string, o mockOptions, stdout, stderr io.Writer) error {
	if o.adminToken == "" {
		o.adminToken = os.Getenv(envAdminToken)
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if !slices.Contains(mockKinds, kind) {
		return usagef("unknown mock kind %q: want one of %s", kind, strings.Join(mockKinds, ", "))
	}
	if kind == "rp" && (o.clientID == "" || o.config != "") {
		return usagef("mock rp takes --client-id (required) and --client-secret, not --config")
	}
	// Listen first: the relying party's redirect URI is its own URL.
	var handler atomic.Pointer[http.Handler]
	p, err := stack.ServeParty(o.addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*handler.Load()).ServeHTTP(w, r) }))
	if err != nil {
		return usagef("--addr %s: %w", o.addr, err)
	}
	defer func() {
		if err := p.Close(); err != nil {
			fmt.Fprintf(stderr, "warning: stop the mock: %v\n", err)
		}
	}()
	base := strings.TrimRight(o.baseURL, "/")
	if base == "" {
		base = p.URL()
	}
	j := journal.New()
	var srv mockServer
	var describe func() []string
	switch kind {
	case "oauth2":
		m, err := newMock(o.config, mockoauth2.LoadConfig, func(cfg mockoauth2.Config) (*mockoauth2.Server, error) {
			if o.baseURL != "" {
				cfg.BaseURL = strings.TrimRight(o.baseURL, "/")
			}
			return mockoauth2.New(cfg, mockoauth2.WithJournal(j, kind), mockoauth2.WithAdminToken(o.adminToken), mockoauth2.WithLogger(logger))
		})
		if err != nil {
			return err
		}
		srv, describe = m, func() []string {
			var out []string
			for _, c := range m.Config().Clients {
				out = append(out, fmt.Sprintf("client %s, redirect URIs %s", c.ID, strings.Join(c.RedirectURIs, " ")))
			}
			for _, u := range m.Users() {
				out = append(out, "user "+u.Username)
			}
			return out
		}
	case "oauth1":
		m, err := newMock(o.config, mockoauth1.LoadConfig, func(cfg mockoauth1.Config) (*mockoauth1.Server, error) {
			return mockoauth1.New(cfg, mockoauth1.WithJournal(j, kind), mockoauth1.WithAdminToken(o.adminToken), mockoauth1.WithLogger(logger))
		})
		if err != nil {
			return err
		}
		srv, describe = m, func() []string {
			var out []string
			for _, c := range m.Config().Consumers {
				out = append(out, "consumer "+c.Key)
			}
			for _, u := range m.Users() {
				out = append(out, "user "+u.Username)
			}
			return out
		}
	case "rest":
		m, err := newMock(o.config, mockrest.LoadConfig, func(cfg mockrest.Config) (*mockrest.Server, error) {
			return mockrest.New(cfg, mockrest.WithJournal(j, kind), mockrest.WithAdminToken(o.adminToken), mockrest.WithLogger(logger))
		})
		if err != nil {
			return err
		}
		srv, describe = m, func() []string {
			var out []string
			for _, r := range m.Config().Routes {
				out = append(out, fmt.Sprintf("route %s %s", orAny(r.Method), r.Path))
			}
			return out
		}
	case "rp":
		m, err := rp.New(rp.Config{BaseURL: base, ClientID: o.clientID, ClientSecret: o.clientSecret})
		if err != nil {
			return usagef("mock rp: %w", err)
		}
		srv = rpServer{m, m.AdminHandler(o.adminToken, j.Wrap(kind, m.Handler()))}
		describe = func() []string {
			return []string{"client " + m.ClientID() + ", redirect URI " + m.RedirectURI(),
				"begin a sign-in: POST /_admin/signin {\"AuthorizeEndpoint\", \"JWKSURL\", ...}; its result: GET /_admin/results/{state}"}
		}
	}
	defer srv.Close()
	h := srv.Handler()
	handler.Store(&h)
	if o.adminToken == "" && !isLoopbackAddr(o.addr) {
		fmt.Fprintf(stderr, "warning: --addr %s listens beyond loopback and no --admin-token is set: the admin API answers only loopback clients that name this machine\n", o.addr)
	}
	fmt.Fprintf(stdout, "iefconform mock %s: listening at %s\n", kind, p.URL())
	for _, l := range describe() {
		fmt.Fprintf(stdout, "  %s\n", l)
	}
	fmt.Fprintf(stdout, "  admin API: %s/_admin/\n", p.URL())
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	if o.ready != nil {
		o.ready(p.URL())
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return nil
}

// rpServer is the relying party with its admin API in front.
type rpServer struct {
	*rp.Server
	h http.Handler
}

func (s rpServer) Handler() http.Handler { return s.h }
func (rpServer) Close()                  {}

// mockServer is what runMock needs of a mock.
type mockServer interface {
	Handler() http.Handler
	Close()
}

// newMock reads a mock's config file (none: the empty config) with load and
// builds the mock from it with build; either failing is a usage error.
func newMock[C any, S mockServer](path string, load func(string) (C, error), build func(C) (S, error)) (S, error) {
	var cfg C
	var zero S
	if path != "" {
		var err error
		if cfg, err = load(path); err != nil {
			return zero, usagef("--config: %w", err)
		}
	}
	m, err := build(cfg)
	if err != nil {
		return zero, usagef("--config: %w", err)
	}
	return m, nil
}

func orAny(method string) string {
	if method == "" {
		return "*"
	}
	return strings.ToUpper(method)
}
