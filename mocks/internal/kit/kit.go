// Package kit is what every mock party shares, so that each mock package keeps only its
// protocol (its endpoints, its rules, its error codes and its pages):
//
//   - Base, the server lifecycle: clock, logger, journal wrapping of the protocol routes, Close
//     and the closed channel that ends delays, and the root handler;
//   - the admin API under /_admin/: routing, JSON in (with a body limit) and out, the admin
//     token and loopback guard, and the config with its secrets redacted;
//   - canned responses (Response) with delays and connection faults, a queue of them per
//     endpoint (Queue), and the record of raw requests (Request, Capture, Log);
//   - the HTML page layout and login form (Pages), and the pieces of RFC-shaped error answers
//     (WriteJSON, ErrorBody, Challenge).
//
// Config files and config errors are in mocks/internal/cfgfile, public keys in
// mocks/internal/jwks.
package kit

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/mocks/journal"
)

// Base is the part of a mock server that every mock has. Build it with NewBase, set it up with
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

// NewBase returns the Base of the mock called name (oauth2, oauth1, rest): the real clock,
// slog.Default(), no journal, no admin token.
func NewBase(name string) *Base {
	return &Base{name: name, now: time.Now, logger: slog.Default(), party: name, closed: make(chan struct{})}
}

// SetJournal records every request to the protocol routes in j under party, or under the
// mock's name when party is empty.
func (b *Base) SetJournal(j *journal.Journal, party string) {
	if party == "" {
		party = b.name
	}
	b.journal, b.party = j, party
}

// SetClock replaces time.Now; nil keeps the clock. Delays always run on the real clock.
func (b *Base) SetClock(now func() time.Time) {
	if now != nil {
		b.now = now
	}
}

// SetLogger sets where unexpected failures are logged; nil keeps the logger.
func (b *Base) SetLogger(l *slog.Logger) {
	if l != nil {
		b.logger = l
	}
}

// SetAdminToken makes every admin request need Authorization: Bearer token; empty leaves the
// admin API to loopback clients (see Admin).
func (b *Base) SetAdminToken(token string) { b.adminToken = token }

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
// journaled, and proto for everything else, journaled when SetJournal was called.
func (b *Base) Handler(proto http.Handler, admin Admin) http.Handler {
	if b.journal != nil {
		proto = b.journal.Wrap(b.party, proto)
	}
	root := mux.NewRouter()
	root.PathPrefix("/_admin/").Handler(b.adminHandler(admin))
	root.PathPrefix("/").Handler(proto)
	return root
}
