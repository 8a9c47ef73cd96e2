package oauth2

import (
	"cmp"
	"crypto/rsa"
	"log/slog"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kit"
	"github.com/iefconform/iefconform/mocks/journal"
)

// WithSigningKey sets the RSA key that signs id_tokens, for tests with fixed keys; by default
// the server generates a 2048-bit key when it first needs one.
func WithSigningKey(k *rsa.PrivateKey) Option {
	return func(s *Server) { s.sig.key = cmp.Or(k, s.sig.key) }
}

// WithJournal records every request to the protocol routes in j under the given party name
// ("oauth2" when empty).
func WithJournal(j *journal.Journal, party string) Option { return setting(kit.Journal(j, party)) }

// WithClock replaces time.Now for code and token lifetimes and request times. Delays of queued
// responses always run on the real clock.
func WithClock(now func() time.Time) Option { return setting(kit.Clock(now)) }

// WithLogger sets where unexpected (server_error) failures are logged; the default is slog.Default().
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
