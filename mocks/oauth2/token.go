package oauth2

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// tokenResponse is the successful token response of RFC 6749 §5.1.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	in, readErr := s.record(EndpointToken, r)
	if s.serveQueued(w, r, EndpointToken) {
		return
	}
	resp, err := s.exchange(w, r, in, readErr)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// exchange applies RFC 6749 §4.1.3 and issues an access token.
func (s *Server) exchange(w http.ResponseWriter, r *http.Request, in Request, readErr error) (tokenResponse, error) {
	var params url.Values
	switch {
	case r.Method == http.MethodPost:
		if readErr != nil {
			return tokenResponse{}, oauthError(CodeInvalidRequest, readErr.Error())
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return tokenResponse{}, oauthError(CodeInvalidRequest, "the token request body must be application/x-www-form-urlencoded, got Content-Type "+quoteOrNone(r.Header.Get("Content-Type")))
		}
		params = in.Form
	case r.Method == http.MethodGet && s.allowsTokenGET():
		params = in.Query
	default:
		allow := "POST"
		if s.allowsTokenGET() {
			allow = "GET, POST"
		}
		w.Header().Set("Allow", allow)
		return tokenResponse{}, Error{Code: CodeInvalidRequest, Description: "the token endpoint accepts " + allow + ", got " + r.Method, Status: http.StatusMethodNotAllowed}
	}
	for k, vs := range params {
		if len(vs) > 1 {
			return tokenResponse{}, oauthError(CodeInvalidRequest, k+" is repeated") // RFC 6749 §3.2
		}
	}

	client, err := s.authenticateClient(r, params)
	if err != nil {
		return tokenResponse{}, err
	}
	switch gt := params.Get("grant_type"); gt {
	case "":
		return tokenResponse{}, oauthError(CodeInvalidRequest, "grant_type is missing")
	case "authorization_code":
	default:
		return tokenResponse{}, oauthError(CodeUnsupportedGrantType, "grant_type "+gt+" is not supported; want authorization_code")
	}
	code := params.Get("code")
	if code == "" {
		return tokenResponse{}, oauthError(CodeInvalidRequest, "code is missing")
	}
	return s.redeem(client.ID, code, params.Get("redirect_uri"))
}

// redeem turns a code into an access token: the code must exist, be unused and unexpired, have
// been issued to clientID, and redirectURI must equal the authorization request's.
func (s *Server) redeem(clientID, code, redirectURI string) (tokenResponse, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[code]
	switch {
	case !ok:
		return tokenResponse{}, oauthError(CodeInvalidGrant, "unknown authorization code")
	case g.used:
		for _, t := range g.tokens { // RFC 6749 §4.1.2: a replayed code revokes what it gave
			if at, ok := s.tokens[t]; ok {
				at.revoked = true
			}
		}
		return tokenResponse{}, oauthError(CodeInvalidGrant, "authorization code already used; the tokens issued from it are revoked")
	case !now.Before(g.expires):
		return tokenResponse{}, oauthError(CodeInvalidGrant, "authorization code expired")
	case g.clientID != clientID:
		return tokenResponse{}, oauthError(CodeInvalidGrant, "authorization code was issued to another client")
	case redirectURI == "":
		return tokenResponse{}, oauthError(CodeInvalidGrant, "redirect_uri is missing but the authorization request had one")
	case redirectURI != g.redirectURI:
		return tokenResponse{}, oauthError(CodeInvalidGrant, "redirect_uri "+redirectURI+" differs from the authorization request's "+g.redirectURI)
	}
	g.used = true
	tok := rand.Text()
	s.tokens[tok] = &accessToken{
		clientID: clientID,
		username: g.username,
		scope:    g.scope,
		expires:  now.Add(s.tokenTTL),
	}
	g.tokens = append(g.tokens, tok)
	return tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(s.tokenTTL.Seconds())}, nil
}

// authenticateClient applies RFC 6749 §2.3.1: client_secret_basic (an Authorization: Basic
// header whose id and secret are form-encoded) or client_secret_post (client_id and
// client_secret in the body), never both.
func (s *Server) authenticateClient(r *http.Request, params url.Values) (Client, error) {
	if authz := r.Header.Get("Authorization"); authz != "" {
		basicFail := func(desc string) error {
			return challengeError{err: oauthError(CodeInvalidClient, desc), scheme: "Basic"}
		}
		scheme, cred, _ := strings.Cut(authz, " ")
		if !strings.EqualFold(scheme, "Basic") {
			return Client{}, basicFail("unsupported authentication scheme " + scheme + "; want Basic")
		}
		if params.Has("client_secret") || params.Has("client_assertion") {
			return Client{}, oauthError(CodeInvalidRequest, "more than one client authentication method: Authorization: Basic and credentials in the request")
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err != nil {
			return Client{}, basicFail("malformed Basic credentials: not base64")
		}
		rawID, rawSecret, ok := strings.Cut(string(raw), ":")
		if !ok {
			return Client{}, basicFail("malformed Basic credentials: want id:secret")
		}
		id, err1 := url.QueryUnescape(rawID)
		secret, err2 := url.QueryUnescape(rawSecret)
		if err1 != nil || err2 != nil {
			return Client{}, basicFail("malformed Basic credentials: id and secret must be form-encoded (RFC 6749 §2.3.1)")
		}
		if params.Has("client_id") && params.Get("client_id") != id {
			return Client{}, oauthError(CodeInvalidRequest, "client_id in the request differs from the Basic credentials")
		}
		c, err := s.verifyClient(id, secret)
		var oe Error
		if errors.As(err, &oe) {
			return Client{}, challengeError{err: oe, scheme: "Basic"} // RFC 6749 §5.2: 401 with a challenge
		}
		return c, err
	}
	if params.Has("client_assertion") || params.Has("client_assertion_type") {
		return Client{}, oauthError(CodeInvalidClient, "private_key_jwt client authentication is not supported by this mock")
	}
	id := params.Get("client_id")
	if id == "" {
		return Client{}, oauthError(CodeInvalidClient, "no client authentication: want client_id and client_secret in the body or an Authorization: Basic header")
	}
	if !params.Has("client_secret") {
		return Client{}, oauthError(CodeInvalidClient, "client_secret is missing")
	}
	return s.verifyClient(id, params.Get("client_secret"))
}

// verifyClient checks a client's id and secret. It returns an Error on failure.
func (s *Server) verifyClient(id, secret string) (Client, error) {
	c, ok := s.client(id)
	if !ok {
		return Client{}, oauthError(CodeInvalidClient, "unknown client "+id)
	}
	if subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return Client{}, oauthError(CodeInvalidClient, "wrong client secret for client "+id)
	}
	return c, nil
}

func (s *Server) allowsTokenGET() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allowTokenGET
}

func quoteOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return `"` + s + `"`
}
