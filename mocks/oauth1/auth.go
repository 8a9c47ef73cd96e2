package oauth1

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// tokenKind is the credential a request must be signed with.
type tokenKind int

const (
	noToken        tokenKind = iota // the consumer's credentials alone (temporary credential request)
	temporaryToken                  // a temporary credential (token request)
	accessToken                     // a token credential (protected resource)
)

// rule is what one endpoint requires of a signed request besides the common parameters.
type rule struct {
	token    tokenKind
	required []string // oauth_ parameters that must be present and non-empty
	allowed  []string // oauth_ parameters accepted besides commonParams
}

// commonParams are the protocol parameters of every signed request (RFC 5849 §3.1).
var commonParams = []string{"oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method", "oauth_timestamp", "oauth_version"}

var (
	// RFC 5849 §2.1: oauth_token may be sent empty; a value is refused below.
	requestTokenRule = rule{token: noToken, required: []string{"oauth_callback"}, allowed: []string{"oauth_callback", "oauth_token"}}
	accessTokenRule  = rule{token: temporaryToken, required: []string{"oauth_token", "oauth_verifier"}, allowed: []string{"oauth_token", "oauth_verifier"}}
	claimsRule       = rule{token: accessToken, required: []string{"oauth_token"}, allowed: []string{"oauth_token"}}
)

// authenticated is a signed request that passed every check of authenticate.
type authenticated struct {
	consumer Consumer
	token    string     // oauth_token, empty for a temporary credential request
	oauth    url.Values // the protocol parameters, one value each
}

// authenticate applies to a recorded request the checks every signed request goes through, in
// this order: readable parameters, no repeated oauth_ parameter, all of them in one place (RFC
// 5849 §3.5), none the endpoint does not take, oauth_version, required parameters present, a
// known consumer, a signature method accepted from it, oauth_timestamp within the window, a live
// token of the right kind issued to the consumer, the signature, and a nonce not seen before
// (remembered only once the signature verified).
func (s *Server) authenticate(in received, rl rule) (authenticated, error) {
	if in.readErr != nil {
		return authenticated{}, in.readErr
	}
	sr := in.signed
	if sr.err != nil {
		return authenticated{}, sr.err
	}
	if rep := repeated(sr.oauth); len(rep) > 0 {
		return authenticated{}, problem(ProblemParameterRejected,
			"protocol parameters must not be repeated: "+strings.Join(rep, ", "),
			ParamParametersRejected, strings.Join(rep, "&"))
	}
	if len(sr.in) > 1 {
		return authenticated{}, problem(ProblemParameterRejected,
			"protocol parameters were sent in "+strings.Join(sr.in, " and ")+"; send them all in one place, the Authorization header, the query or the form body (RFC 5849 §3.5)")
	}
	get := func(name string) string { return sr.oauth.Get(name) }
	var unexpected []string
	for name := range sr.oauth {
		if !slices.Contains(commonParams, name) && !slices.Contains(rl.allowed, name) {
			unexpected = append(unexpected, name)
		}
	}
	if rl.token == noToken && get("oauth_token") != "" {
		unexpected = append(unexpected, "oauth_token")
	}
	if len(unexpected) > 0 {
		slices.Sort(unexpected)
		return authenticated{}, problem(ProblemParameterRejected,
			"this endpoint does not take "+strings.Join(unexpected, ", "),
			ParamParametersRejected, strings.Join(unexpected, "&"))
	}
	if sr.oauth.Has("oauth_version") && get("oauth_version") != "1.0" {
		return authenticated{}, problem(ProblemVersionRejected,
			fmt.Sprintf("oauth_version must be 1.0 when present, got %q", get("oauth_version")),
			ParamAcceptableVersions, "1.0-1.0")
	}

	method := get("oauth_signature_method")
	required := []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature"}
	if method != PLAINTEXT { // RFC 5849 §3.1: PLAINTEXT may omit them
		required = append(required, "oauth_timestamp", "oauth_nonce")
	}
	var absent []string
	for _, name := range append(required, rl.required...) {
		if get(name) == "" {
			absent = append(absent, name)
		}
	}
	if len(absent) > 0 {
		slices.Sort(absent)
		return authenticated{}, problem(ProblemParameterAbsent,
			"missing or empty: "+strings.Join(absent, ", "),
			ParamParametersAbsent, strings.Join(absent, "&"))
	}

	now := s.base.Now()
	key := get("oauth_consumer_key")
	consumer, ok := s.consumers.Get(key)
	if !ok {
		return authenticated{}, problem(ProblemConsumerKeyUnknown, fmt.Sprintf("no consumer has the key %q", key))
	}
	if methods := consumer.signatureMethods(); !slices.Contains(methods, method) {
		return authenticated{}, problem(ProblemSignatureMethodRejected,
			fmt.Sprintf("consumer %s signs with %s; got oauth_signature_method %q", key, strings.Join(methods, " or "), method))
	}
	ts := get("oauth_timestamp")
	if ts != "" {
		if err := s.checkTimestamp(ts, now); err != nil {
			return authenticated{}, err
		}
	}

	token := get("oauth_token")
	tokenSecret, err := s.tokenSecret(rl.token, token, key, now)
	if err != nil {
		return authenticated{}, err
	}
	if err := verifySignature(method, get("oauth_signature"), sr.base, consumer, tokenSecret); err != nil {
		return authenticated{}, err
	}
	if nonce := get("oauth_nonce"); nonce != "" {
		if err := s.useNonce(nonceKey{key, token, nonce, ts}, ts, now); err != nil {
			return authenticated{}, err
		}
	}
	one := url.Values{}
	for name := range sr.oauth {
		one.Set(name, get(name))
	}
	return authenticated{consumer: consumer, token: token, oauth: one}, nil
}

// repeated lists, sorted, the names that have more than one value.
func repeated(v url.Values) []string {
	var out []string
	for name, vs := range v {
		if len(vs) > 1 {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// checkTimestamp requires a decimal number of seconds within the window around now.
func (s *Server) checkTimestamp(ts string, now time.Time) error {
	if strings.Trim(ts, "0123456789") != "" {
		return problem(ProblemParameterRejected,
			fmt.Sprintf("oauth_timestamp must be a positive integer of seconds since 1970-01-01T00:00:00Z, got %q", ts),
			ParamParametersRejected, "oauth_timestamp")
	}
	window := int64(s.window / time.Second)
	lo, hi := now.Unix()-window, now.Unix()+window
	v, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || v < lo || v > hi {
		return problem(ProblemTimestampRefused,
			fmt.Sprintf("oauth_timestamp %s is more than %ds from the server's clock (%d)", ts, window, now.Unix()),
			ParamAcceptableTimestamps, fmt.Sprintf("%d-%d", lo, hi))
	}
	return nil
}

// tokenSecret finds the token a request is signed with and returns its secret, or the problem
// with it: unknown, of the wrong kind, another consumer's, used, revoked or expired.
func (s *Server) tokenSecret(kind tokenKind, token, consumerKey string, now time.Time) (string, error) {
	rejected := func(why string) error { return problem(ProblemTokenRejected, why) }
	// owned rejects a token that is not of the kind wanted (name) but of the other (wrongKind
	// says why), unknown, or that another consumer holds; holder is read only for a known token.
	owned := func(ok, other bool, name, wrongKind string, holder func() string) error {
		switch {
		case !ok && other:
			return rejected(wrongKind)
		case !ok:
			return rejected("unknown " + name + " " + token)
		case holder() != consumerKey:
			return rejected("the " + name + " was issued to another consumer")
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch kind {
	case temporaryToken:
		t, ok := s.temps[token]
		if err := owned(ok, s.access[token] != nil, "temporary credential",
			"oauth_token is an access token; the token request is signed with the temporary credential", func() string { return t.consumerKey }); err != nil {
			return "", err
		}
		switch {
		case t.state == tempExchanged:
			return "", rejected("the temporary credential was already exchanged; each is usable once")
		case t.state == tempRevoked:
			return "", rejected("the temporary credential was revoked: the user denied access")
		case !now.Before(t.expires):
			return "", problem(ProblemTokenExpired, "the temporary credential expired at "+t.expires.UTC().Format(time.RFC3339))
		}
		return t.secret, nil
	case accessToken:
		a, ok := s.access[token]
		if err := owned(ok, s.temps[token] != nil, "access token",
			"oauth_token is a temporary credential; protected resources need the access token", func() string { return a.consumerKey }); err != nil {
			return "", err
		}
		return a.secret, nil
	}
	return "", nil
}

// useNonce remembers a nonce until its timestamp leaves the window, refusing one seen before.
// Without a timestamp (PLAINTEXT) the nonce is remembered for a window from now.
func (s *Server) useNonce(k nonceKey, ts string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	if until, seen := s.nonces[k]; seen && !until.Before(now) {
		return problem(ProblemNonceUsed, fmt.Sprintf("oauth_nonce %q was already used with this timestamp, consumer and token", k.nonce))
	}
	base := now
	if v, err := strconv.ParseInt(ts, 10, 64); err == nil {
		base = time.Unix(v, 0)
	}
	s.nonces[k] = base.Add(s.window)
	return nil
}
