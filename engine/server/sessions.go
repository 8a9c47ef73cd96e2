package server

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/journey"
)

// cookieName is B2C's transaction cookie.
const cookieName = "x-ms-cpim-trans"

// cookie is one of the emulator's cookies, scoped to the tenant: HttpOnly;
// under HTTPS SameSite=None and Secure, as B2C's are, so that a cross-site
// identity provider's form_post answer carries it; under HTTP (no Secure
// possible) SameSite=Lax. maxAge < 0 deletes it.
func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/" + s.tenant, HttpOnly: true, MaxAge: maxAge, SameSite: http.SameSiteLaxMode}
	if strings.HasPrefix(s.cfg.BaseURL, "https://") {
		c.Secure, c.SameSite = true, http.SameSiteNoneMode
	}
	return c
}

// rpRequest is the relying party's authorization request.
type rpRequest struct {
	ClientID string
	// RedirectURI is the redirect_uri as the relying party sent it (and, with
	// applications, as registered), without a fragment: responses go to
	// exactly this URI.
	RedirectURI  string
	ResponseType string
	ResponseMode string
	State        string
	Nonce        string
	Scope        string
	// CodeChallenge and CodeChallengeMethod are the RP's PKCE parameters (RFC 7636).
	CodeChallenge       string
	CodeChallengeMethod string
	Params              url.Values
}

// session is one journey in progress. Its mutex serialises the browser's requests.
type session struct {
	mu            sync.Mutex
	id            string // the cookie value
	state         string // sent to parties
	csrf          string
	rp            *relyingParty
	req           rpRequest
	correlationID string
	st            journey.State
	bag           *claims.Bag
	data          map[string]string // technical profiles' private values between Start and Complete
	keys          []string          // extra lookup keys bound by profiles (e.g. oauth1:<token>)
	created       time.Time
	authTime      time.Time
	// grant is what the request's scope asks for (access and refresh tokens).
	grant scopeGrant
	// chosen is the last selection-page button that sent the browser to an
	// identity provider, answered again when clicked twice.
	chosen chosenExchange
	// pages counts the forms rendered that post to /api/selfasserted, and
	// shown is the latest such page. A post must name the latest: a double
	// click's second post gets that page again instead of being applied to a
	// page the user never saw.
	pages int
	shown shownPage
}

// shownPage is a rendered page: its template and data.
type shownPage struct {
	name string
	data any
}

// chosenExchange is a selection and where it redirected.
type chosenExchange struct {
	exchange, profile, url string
}

// extensionCall is the session's custom claims provider call.
func (ss *session) extensionCall() extensionCall {
	return extensionCall{clientID: ss.req.ClientID, correlationID: ss.correlationID, user: extensionUser(ss.bag)}
}

// sessions is the server-side journey store, indexed by cookie and by state.
type sessions struct {
	mu      sync.Mutex
	byID    map[string]*session
	byState map[string]*session
	ttl     time.Duration
	max     int // journeys in progress at most; the oldest gives way
	now     func() time.Time
}

func newSessions(ttl time.Duration, max int, now func() time.Time) *sessions {
	return &sessions{byID: map[string]*session{}, byState: map[string]*session{}, ttl: ttl, max: max, now: now}
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) add(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	for s.max > 0 && len(s.byID) >= s.max {
		s.drop(s.oldest())
	}
	s.byID[ss.id] = ss
	s.byState[ss.state] = ss
}

func (s *sessions) byCookie(id string) (*session, bool) { return s.find(s.byID, id) }

func (s *sessions) byStateValue(state string) (*session, bool) { return s.find(s.byState, state) }

// find returns the session m holds under key, unless it has expired.
func (s *sessions) find(m map[string]*session, key string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := m[key]
	if !ok || s.now().Sub(ss.created) > s.ttl {
		return nil, false
	}
	return ss, true
}

func (s *sessions) remove(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop(ss)
}

// bind makes key find ss as its state does; profiles whose party's answer
// carries no state bind what it does carry. Called with ss.mu held.
func (s *sessions) bind(key string, ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byState[key] = ss
	ss.keys = append(ss.keys, key)
}

// unbind forgets a key that bind added, once the party's answer that carried
// it has been taken: an answer is used once. It reports whether key was still
// bound to ss (false when a concurrent request took it first). Called with
// ss.mu held.
func (s *sessions) unbind(key string, ss *session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(ss.keys, key)
	if i < 0 {
		return false
	}
	ss.keys = slices.Delete(ss.keys, i, i+1)
	if s.byState[key] == ss {
		delete(s.byState, key)
	}
	return true
}

// expire drops sessions older than the TTL; called with mu held.
func (s *sessions) expire() {
	now := s.now()
	for _, ss := range s.byID {
		if now.Sub(ss.created) > s.ttl {
			s.drop(ss)
		}
	}
}

// oldest is the session started first; called with mu held and a session held.
func (s *sessions) oldest() *session {
	var first *session
	for _, ss := range s.byID {
		if first == nil || ss.created.Before(first.created) {
			first = ss
		}
	}
	return first
}

// drop forgets ss under its id, its state and the keys bound to it; called
// with mu held.
func (s *sessions) drop(ss *session) {
	delete(s.byID, ss.id)
	delete(s.byState, ss.state)
	for _, k := range ss.keys {
		delete(s.byState, k)
	}
}

// issuedCode is an authorization code issued to a relying party.
type issuedCode struct {
	challenge string // PKCE S256 code_challenge, "" without PKCE
	// rp is the policy that issued the code; only its token endpoint redeems it.
	rp          *relyingParty
	clientID    string
	redirectURI string
	idToken     string
	// accessToken is set when the scope asked for one; tokens is what a
	// refresh token issued with this code renews.
	accessToken string
	tokens      tokenSeed
}

// ssoCookieName is the cookie of the emulator's single-sign-on record: which
// identity providers the browser signed in with, for single sign-out.
const ssoCookieName = "x-ms-cpim-sso"

// ssoRecord remembers a completed sign-in's federations.
type ssoRecord struct {
	policy    string   // lowercase relying-party policy id
	federated []string // technical profile ids, in order
	// sessions are the session-management profiles' records (single sign-on).
	sessions map[string]journey.SSORecord
}

// onceStore holds single-use values under random keys for a time: the
// relying parties' authorization codes, the single-sign-on records by cookie.
type onceStore[V any] struct {
	mu      sync.Mutex
	m       map[string]onceEntry[V]
	keySize int // random bytes in a key
	ttl     time.Duration
	now     func() time.Time
}

type onceEntry[V any] struct {
	v       V
	expires time.Time
}

func newOnceStore[V any](keySize int, ttl time.Duration, now func() time.Time) *onceStore[V] {
	return &onceStore[V]{m: map[string]onceEntry[V]{}, keySize: keySize, ttl: ttl, now: now}
}

// put stores v for the TTL under a new key, dropping the values that have
// expired, and returns the key.
func (s *onceStore[V]) put(v V) string {
	key := randomString(s.keySize)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, e := range s.m {
		if now.After(e.expires) {
			delete(s.m, k)
		}
	}
	s.m[key] = onceEntry[V]{v: v, expires: now.Add(s.ttl)}
	return key
}

// get returns a value that has not expired and keeps it.
func (s *onceStore[V]) get(key string) (V, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok || s.now().After(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// putAs stores v for the TTL under key, which the caller made with
// randomString (a code that had to be known before its value).
func (s *onceStore[V]) putAs(key string, v V) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = onceEntry[V]{v: v, expires: s.now().Add(s.ttl)}
}

// take returns and forgets a value that has not expired.
func (s *onceStore[V]) take(key string) (V, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	delete(s.m, key)
	if !ok || s.now().After(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}
