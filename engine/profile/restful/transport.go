package restful

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/profile"
)

// maxClients bounds the clients a profile keeps; past it they are dropped.
const maxClients = 16

// clientKey is the shape of a call that needs its own transport: the
// environment's transport, the trusted roots and the client certificate.
type clientKey struct {
	base  *http.Transport
	roots *x509.CertPool
	cert  *keys.RSAKey
}

// client returns the HTTP client of a call. It uses env.HTTP's transport; when
// the call needs TLS settings of its own (env.RootCAs, a client certificate) and
// that transport is an *http.Transport, a clone of it with those settings, kept
// for the next call of the same shape. Another RoundTripper is used as it is,
// trusted to handle RootCAs itself, except for a client certificate, which
// needs a transport of the profile's own. env.HTTP's Timeout is not used:
// RESTTimeout bounds each attempt.
func (p *Profile) client(env *profile.Env, cert *keys.RSAKey) (*http.Client, error) {
	var base http.RoundTripper = http.DefaultTransport
	var checkRedirect func(*http.Request, []*http.Request) error
	if env.HTTP != nil {
		if env.HTTP.Transport != nil {
			base = env.HTTP.Transport
		}
		checkRedirect = env.HTTP.CheckRedirect
	}
	if env.RootCAs == nil && cert == nil {
		return &http.Client{Transport: base, CheckRedirect: checkRedirect}, nil
	}
	// A transport in front of an *http.Transport (the emulator's host map)
	// stays in front of the clone with the call's TLS settings.
	rewrap := func(rt http.RoundTripper) http.RoundTripper { return rt }
	if w, ok := base.(profile.WrappingTransport); ok {
		base, rewrap = w.Unwrap(), w.Rewrap
	}
	t, ok := base.(*http.Transport)
	if !ok {
		if cert == nil {
			return &http.Client{Transport: rewrap(base), CheckRedirect: checkRedirect}, nil
		}
		t, ok = http.DefaultTransport.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("call %s: the default HTTP transport is a %T, not an *http.Transport", p.cfg.ID, http.DefaultTransport)
		}
	}
	key := clientKey{base: t, roots: env.RootCAs, cert: cert}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[key]; ok {
		return c, nil
	}
	if p.clients == nil || len(p.clients) >= maxClients {
		for _, c := range p.clients {
			c.CloseIdleConnections()
		}
		p.clients = map[clientKey]*http.Client{}
	}
	clone := t.Clone()
	if clone.TLSClientConfig == nil {
		clone.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if env.RootCAs != nil {
		clone.TLSClientConfig.RootCAs = env.RootCAs
	}
	if cert != nil {
		tc := tls.Certificate{Certificate: [][]byte{cert.Certificate.Raw}, PrivateKey: cert.Private, Leaf: cert.Certificate}
		// Always present the certificate, as B2C does, whatever CAs the server names.
		clone.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &tc, nil }
	}
	c := &http.Client{Transport: rewrap(clone), CheckRedirect: checkRedirect}
	p.clients[key] = c
	return c, nil
}

// result is a complete HTTP response.
type result struct {
	status   int
	reason   string
	header   http.Header
	body     []byte
	attempts int
}

// failure is an attempt that got no complete response.
type failure struct {
	kind error // ErrTimeout, ErrDNS, ErrUnreachable, ErrConnection, ErrCertificateRejected
	err  error
}

func (f *failure) Error() string { return f.kind.Error() + ": " + f.err.Error() }

func (f *failure) Unwrap() []error { return []error{f.kind, f.err} }

// exchange sends the request, at most MaxAttempts times: again after a timeout,
// a failure before a complete response, or an HTTP 5xx (REST-12, REST-13). A
// refused client certificate is not retried. It returns the last response, or
// the *profile.Error of the last failure.
func (p *Profile) exchange(ctx context.Context, c *http.Client, s *spec, timeout time.Duration) (*result, error) {
	for attempt := 1; ; attempt++ {
		res, err := p.attempt(ctx, c, s, timeout)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("call %s: %w", p.cfg.ID, context.Cause(ctx))
		}
		if err != nil {
			var f *failure
			if !errors.As(err, &f) {
				return nil, p.failed(fmt.Errorf("%w: %w", ErrRequest, err))
			}
			if errors.Is(f.kind, ErrCertificateRejected) || attempt == MaxAttempts {
				return nil, p.connectionError(f, attempt, timeout)
			}
			continue
		}
		res.attempts = attempt
		if res.status >= 500 && attempt < MaxAttempts {
			continue
		}
		return res, nil
	}
}

// attempt makes one request bounded by timeout and reads the whole response.
func (p *Profile) attempt(ctx context.Context, c *http.Client, s *spec, timeout time.Duration) (*result, error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := s.new(actx)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, p.classify(actx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, p.classify(actx, fmt.Errorf("read response: %w", err))
	}
	reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	if reason == "" {
		reason = http.StatusText(resp.StatusCode)
	}
	return &result{status: resp.StatusCode, reason: reason, header: resp.Header, body: body}, nil
}

// classify names the failure of an attempt.
func (p *Profile) classify(actx context.Context, err error) *failure {
	var (
		ne  net.Error
		dns *net.DNSError
		op  *net.OpError
	)
	switch {
	case errors.Is(actx.Err(), context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &failure{ErrTimeout, err}
	case errors.As(err, &dns):
		return &failure{ErrDNS, err}
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return &failure{ErrUnreachable, err}
	case p.cfg.AuthenticationType == AuthClientCertificate && errors.As(err, &op) && op.Op == "remote error":
		// A TLS alert from the server: it refused the client certificate.
		return &failure{ErrCertificateRejected, err}
	}
	return &failure{ErrConnection, err}
}
