package oauth1

import (
	"log/slog"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kit"
	"github.com/iefconform/iefconform/mocks/journal"
)

// WithForwardedProto makes the base string URI take its scheme from the X-Forwarded-Proto
// header (http or https), for a server behind a TLS-terminating proxy. Without it the scheme is
// https exactly when the request arrived over TLS.
func WithForwardedProto() Option {
	return func(s *Server) { s.trustProto = true }
}

// WithJournal records every request to the protocol routes in j under the given party name
// ("oauth1" when empty).
func WithJournal(j *journal.Journal, party string) Option { return setting(kit.Journal(j, party)) }

// WithClock replaces time.Now for timestamps, nonces, credential lifetimes and request times.
// Delays of queued responses always run on the real clock.
func WithClock(now func() time.Time) Option { return setting(kit.Clock(now)) }

// WithLogger sets where unexpected failures are logged; the default is slog.Default().
func WithLogger(l *slog.Logger) Option { return setting(kit.Logger(l)) }

// WithAdminToken makes every request to the admin API need Authorization: Bearer token. Without
// it the admin API answers loopback clients only (see the package documentation).
func WithAdminToken(token string) Option { return setting(kit.AdminToken(token)) }

// WithRequestLog bounds the record of raw requests (Requests, GET /_admin/requests): per
// endpoint it keeps the latest count requests and about bytes bytes of them (bodies, URLs,
// headers, parameters), the oldest dropped first. Zero keeps a default: kit.DefaultLogCount
// (1000) requests and kit.DefaultLogBytes (32 MiB).
func WithRequestLog(count, bytes int) Option {
	return func(s *Server) { s.requests.SetLimits(kit.Limits{Count: count, Bytes: bytes}) }
}
