package oauth1

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
)

// handleRequestToken is the temporary credential request (RFC 5849 §2.1).
func (s *Server) handleRequestToken(w http.ResponseWriter, _ *http.Request, in received) error {
	token, secret, err := s.requestToken(in)
	if err == nil {
		writeForm(w, "oauth_token", token, "oauth_token_secret", secret, "oauth_callback_confirmed", "true")
	}
	return err
}

// requestToken authenticates the consumer, checks oauth_callback and issues a temporary credential.
func (s *Server) requestToken(in received) (token, secret string, err error) {
	auth, err := s.authenticate(in, requestTokenRule)
	if err != nil {
		return "", "", err
	}
	cb := auth.oauth.Get("oauth_callback")
	if cb != CallbackOOB {
		if err := checkCallbackURL(cb); err != nil {
			return "", "", problem(ProblemParameterRejected, "oauth_callback: "+err.Error()+` or "oob"`,
				ParamParametersRejected, "oauth_callback")
		}
	}
	if !auth.consumer.callbackAllowed(cb) {
		return "", "", problem(ProblemParameterRejected,
			"oauth_callback "+cb+" is not a callback URL registered for consumer "+auth.consumer.Key,
			ParamParametersRejected, "oauth_callback")
	}
	token, secret = rand.Text(), rand.Text()
	now := s.base.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.temps[token] = &tempCred{
		consumerKey: auth.consumer.Key,
		secret:      secret,
		callback:    cb,
		expires:     now.Add(s.tempTTL),
	}
	return token, secret, nil
}

// handleAccessToken is the token request (RFC 5849 §2.3).
func (s *Server) handleAccessToken(w http.ResponseWriter, _ *http.Request, in received) error {
	token, secret, user, err := s.accessToken(in)
	if err == nil {
		writeForm(w, "oauth_token", token, "oauth_token_secret", secret, "user_id", user.UserID, "screen_name", user.screenName())
	}
	return err
}

// accessToken authenticates the request, checks the verifier and trades the temporary
// credential, once, for a token credential. The state is checked again under the lock so that
// of two racing requests only one succeeds.
func (s *Server) accessToken(in received) (token, secret string, user User, err error) {
	auth, err := s.authenticate(in, accessTokenRule)
	if err != nil {
		return "", "", User{}, err
	}
	now := s.base.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.temps[auth.token]
	switch {
	case !ok || t.state == tempExchanged:
		return "", "", User{}, problem(ProblemTokenRejected, "the temporary credential was already exchanged; each is usable once")
	case t.state == tempRevoked:
		return "", "", User{}, problem(ProblemTokenRejected, "the temporary credential was revoked: the user denied access")
	case !now.Before(t.expires):
		return "", "", User{}, problem(ProblemTokenExpired, "the temporary credential expired")
	case t.state != tempAuthorized:
		return "", "", User{}, problem(ProblemVerifierInvalid, "the user has not authorized this temporary credential: no verifier was issued for it")
	case subtle.ConstantTimeCompare([]byte(t.verifier), []byte(auth.oauth.Get("oauth_verifier"))) != 1:
		return "", "", User{}, problem(ProblemVerifierInvalid, "oauth_verifier does not match the verifier issued with this temporary credential")
	}
	u, ok := s.users.Get(t.username)
	if !ok {
		return "", "", User{}, problem(ProblemTokenRejected, "the user who authorized the temporary credential no longer exists")
	}
	t.state = tempExchanged
	token, secret = u.UserID+"-"+rand.Text(), rand.Text() // Twitter's access tokens start with the user id
	s.access[token] = &accessCred{consumerKey: t.consumerKey, secret: secret, username: u.Username}
	return token, secret, u, nil
}
