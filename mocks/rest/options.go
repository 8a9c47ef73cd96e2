package rest

import (
	"cmp"
	"log/slog"
	"net/http"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kit"
	"github.com/iefconform/iefconform/mocks/journal"
)

// WithHTTPClient sets the client that fetches the JWKS of custom-claims routes
// (CustomClaims.JWKSURL), for example one that trusts the emulator's test CA. The default is a
// client with a 10 s timeout.
func WithHTTPClient(c *http.Client) Option {
	return func(s *Server) { s.client = cmp.Or(c, s.client) }
}

// WithJournal records every request to the API's routes (not the admin API) in j under the
// given party name ("rest" when empty).
func WithJournal(j *journal.Journal, party string) Option { return setting(kit.Journal(j, party)) }

// WithClock replaces time.Now for Call.Time. Response delays always run on the real clock.
func WithClock(now func() time.Time) Option { return setting(kit.Clock(now)) }

// WithLogger sets where unexpected (500) failures are logged; the default is slog.Default().
func WithLogger(l *slog.Logger) Option { return setting(kit.Logger(l)) }

// WithAdminToken makes every request to the admin API need Authorization: Bearer token. Without
// it the admin API answers loopback clients only (see the package documentation).
func WithAdminToken(token string) Option { return setting(kit.AdminToken(token)) }

// WithRequestLog bounds the record of calls (Calls, GET /_admin/calls): it keeps the latest
// count calls and about bytes bytes of them (bodies, URLs, headers, parameters), the oldest
// dropped first. Zero keeps a default: kit.DefaultLogCount (1000) calls and kit.DefaultLogBytes
// (32 MiB).
func WithRequestLog(count, bytes int) Option {
	return func(s *Server) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.callLimits = kit.Limits{Count: count, Bytes: bytes}
		s.calls, s.callBytes = kit.Trim(s.calls, s.callBytes, s.callLimits, (*Call).size)
	}
}
