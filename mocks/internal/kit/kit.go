// Package kit is what every mock party shares, so that each mock package keeps only its
// protocol (its endpoints, its rules, its error codes and its pages):
//
//   - New and Base, the server lifecycle: the config validated, the Settings every mock's
//     options make (clock, logger, journal, admin token), journal wrapping of the protocol
//     routes, Close and the closed channel that ends delays, and the root handler;
//   - Registry, the configured clients, consumers and users of a mock, added, replaced and
//     read as copies;
//   - the admin API under /_admin/: routing, JSON in (with a body limit) and out, the admin
//     token and loopback guard, and the config and the captured requests with their secrets
//     redacted (Config, Captured, Request.Redacted);
//   - canned responses (Response) with delays and connection faults, a queue of them per
//     endpoint (Queue), and the record of raw requests (Request, Capture, Log: the latest
//     requests within Limits);
//   - the HTML page layout and login form (Pages), and the pieces of RFC-shaped error answers
//     (WriteJSON, ErrorBody, Challenge).
//
// Config files and config errors are in mocks/internal/cfgfile, public keys in
// mocks/internal/jwks.
package kit

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/journal"
)

// Base is the part of a mock server that every mock has. Build it with newBase, set it up with
// its Set methods before serving, and use it from any goroutine afterwards.
type Base struct {
	name       string
	now        func() time.Time
	logger     *slog.Logger
	journal    *journal.Journal
	party      string
	adminToken string

	closed    chan struct{}
	closeOnce sync.Once
}

// newBase validates cfg, the config of the mock called name (oauth2, oauth1, rest), and returns
// the mock's Base: the real clock, slog.Default(), no journal, no admin token. Its error says
// "new <name> server".
func newBase(name string, cfg cfgfile.Validator) (*Base, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new %s server: %w", name, err)
	}
	return &Base{name: name, now: time.Now, logger: slog.Default(), party: name, closed: make(chan struct{})}, nil
}

// Setting is a change to a Base, made by one of a mock's With... options before it serves.
type Setting func(*Base)

// Journal records every request to the protocol routes in j under party, or under the mock's
// name when party is empty.
func Journal(j *journal.Journal, party string) Setting {
	return func(b *Base) {
		b.journal, b.party = j, cmp.Or(party, b.name)
	}
}

// Clock replaces time.Now; nil keeps the clock. Delays always run on the real clock.
func Clock(now func() time.Time) Setting {
	return func(b *Base) {
		if now != nil {
			b.now = now
		}
	}
}

// Logger sets where unexpected failures are logged; nil keeps the logger.
func Logger(l *slog.Logger) Setting {
	return func(b *Base) { b.logger = cmp.Or(l, b.logger) }
}

// AdminToken makes every admin request need Authorization: Bearer token; empty leaves the admin
// API to loopback clients (see Admin).
func AdminToken(token string) Setting {
	return func(b *Base) { b.adminToken = token }
}

// Now is the time by the mock's clock.
func (b *Base) Now() time.Time { return b.now() }

// Close ends every delay in progress, so that shutting down the HTTP server never waits for
// them. It is idempotent; the mock keeps serving afterwards.
func (b *Base) Close() {
	b.closeOnce.Do(func() { close(b.closed) })
}

// Wait holds a response back for d. It reports false when the client went away first (the
// request context ended: nobody reads the answer) and true when d passed or the mock was closed.
func (b *Base) Wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-b.closed:
		return true
	}
}

// Unexpected logs a failure that is not one of the mock's own answers; such failures are the
// only ones a mock logs.
func (b *Base) Unexpected(r *http.Request, err error) {
	b.logger.Error(b.name+" mock: unexpected failure", "method", r.Method, "path", r.URL.Path, "err", err)
}

// Handler is the mock's root handler: the admin API under /_admin/, guarded and never
// journaled, and proto for everything else, journaled when the Journal setting (each mock's WithJournal) is given.
func (b *Base) Handler(proto http.Handler, admin Admin) http.Handler {
	proto = abortWhenGone(proto)
	if b.journal != nil {
		proto = b.journal.Wrap(b.party, proto)
	}
	root := mux.NewRouter()
	root.PathPrefix("/_admin/").Handler(b.adminHandler(admin))
	root.PathPrefix("/").Handler(proto)
	return root
}

// New is the start of every mock's New: it validates cfg, the config of the mock called name,
// builds the mock's server around its Base with build, and applies opts to it. Errors say "new
// <name> server".
func New[S any, O ~func(*S)](name string, cfg cfgfile.Validator, opts []O, build func(*Base) *S) (*S, error) {
	base, err := newBase(name, cfg)
	if err != nil {
		return nil, err
	}
	s := build(base)
	for _, opt := range opts {
		opt(s)
	}
	return s, nil
}
