package oauth2

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// issued is what a redeemed code gave: an access token and what the id_token needs.
type issued struct {
	accessToken string
	expiresIn   int64
	user        User
	nonce       string
	extra       map[string]string
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	in, readErr := s.record(EndpointToken, r)
	if s.serveQueued(w, r, EndpointToken) {
		return
	}
	client, iss, err := s.token(w, r, in, readErr)
	if err == nil {
		err = s.writeToken(w, r, client, iss)
	}
	if err != nil {
		s.writeError(w, r, err)
	}
}

// token checks the method for the client the request names, then exchanges the code. Errors
// after the method check follow that client's ErrorIn200.
func (s *Server) token(w http.ResponseWriter, r *http.Request, in Request, readErr error) (Client, issued, error) {
	params := in.Form
	if r.Method == http.MethodGet {
		params = in.Query
	}
	named, known := s.clients.Get(claimedClientID(r, params))
	if methods := s.tokenMethods(named, known); !slices.Contains(methods, r.Method) {
		allow := strings.Join(methods, ", ")
		w.Header().Set("Allow", allow)
		desc := "the token endpoint accepts " + allow + ", got " + r.Method
		if known && len(methods) == 1 {
			desc = "the token endpoint accepts only " + allow + " from client " + named.ID + ", got " + r.Method
		}
		return Client{}, issued{}, Error{Code: CodeInvalidRequest, Description: desc, Status: http.StatusMethodNotAllowed}
	}
	client, iss, err := s.exchange(r, in, readErr, params)
	if err != nil && known && named.ErrorIn200 != "" {
		err = in200Error{err: err, param: named.ErrorIn200}
	}
	return client, iss, err
}

// exchange applies RFC 6749 §4.1.3 and issues an access token.
func (s *Server) exchange(r *http.Request, in Request, readErr error, params url.Values) (Client, issued, error) {
	if readErr != nil {
		return Client{}, issued{}, oauthError(CodeInvalidRequest, readErr.Error())
	}
	switch r.Method {
	case http.MethodPost:
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return Client{}, issued{}, oauthError(CodeInvalidRequest, "the token request body must be application/x-www-form-urlencoded, got Content-Type "+quoteOrNone(r.Header.Get("Content-Type")))
		}
	case http.MethodGet:
		if in.Body != "" {
			return Client{}, issued{}, oauthError(CodeInvalidRequest, "a GET token request carries its parameters in the query; the body must be empty")
		}
	}
	for k, vs := range params {
		if len(vs) > 1 {
			return Client{}, issued{}, oauthError(CodeInvalidRequest, k+" is repeated") // RFC 6749 §3.2
		}
	}

	client, err := s.authenticateClient(r, params)
	if err != nil {
		return Client{}, issued{}, err
	}
	switch gt := params.Get("grant_type"); gt {
	case "":
		return Client{}, issued{}, oauthError(CodeInvalidRequest, "grant_type is missing")
	case "authorization_code":
	default:
		return Client{}, issued{}, oauthError(CodeUnsupportedGrantType, "grant_type "+gt+" is not supported; want authorization_code")
	}
	code := params.Get("code")
	if code == "" {
		return Client{}, issued{}, oauthError(CodeInvalidRequest, "code is missing")
	}
	iss, err := s.redeem(client, code, params.Get("redirect_uri"))
	return client, iss, err
}

// redeem turns a code into an access token: the code must exist, be unused and unexpired, have
// been issued to the client, and redirectURI must equal the authorization request's.
func (s *Server) redeem(client Client, code, redirectURI string) (issued, error) {
	now := s.base.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[code]
	switch {
	case !ok:
		return issued{}, oauthError(CodeInvalidGrant, "unknown authorization code")
	case g.used:
		for _, t := range g.tokens { // RFC 6749 §4.1.2: a replayed code revokes what it gave
			if at, ok := s.tokens[t]; ok {
				at.revoked = true
			}
		}
		return issued{}, oauthError(CodeInvalidGrant, "authorization code already used; the tokens issued from it are revoked")
	case !now.Before(g.expires):
		return issued{}, oauthError(CodeInvalidGrant, "authorization code expired")
	case g.clientID != client.ID:
		return issued{}, oauthError(CodeInvalidGrant, "authorization code was issued to another client")
	case redirectURI == "":
		return issued{}, oauthError(CodeInvalidGrant, "redirect_uri is missing but the authorization request had one")
	case redirectURI != g.redirectURI:
		return issued{}, oauthError(CodeInvalidGrant, "redirect_uri "+redirectURI+" differs from the authorization request's "+g.redirectURI)
	}
	g.used = true
	tok := rand.Text()
	extra := maps.Clone(client.TokenExtraParams)
	s.tokens[tok] = &accessToken{
		clientID: client.ID,
		username: g.username,
		scope:    g.scope,
		expires:  now.Add(s.tokenTTL),
		extra:    extra,
	}
	g.tokens = append(g.tokens, tok)
	u, _ := s.users.Get(g.username)
	return issued{
		accessToken: tok,
		expiresIn:   int64(s.tokenTTL.Seconds()),
		user:        u,
		nonce:       g.nonce,
		extra:       extra,
	}, nil
}

// writeToken writes the token response in the client's format: RFC 6749 §5.1 JSON, or the old
// Facebook form encoding.
func (s *Server) writeToken(w http.ResponseWriter, r *http.Request, c Client, iss issued) error {
	var idToken string
	if c.IssueIDToken {
		var err error
		if idToken, err = s.idToken(r, c, iss.user, iss.nonce); err != nil {
			return err
		}
	}
	if c.TokenResponseFormat == TokenFormatForm {
		// fixed order for the registered members, then the extras by name
		b := "access_token=" + url.QueryEscape(iss.accessToken) + "&token_type=bearer&expires=" + strconv.FormatInt(iss.expiresIn, 10)
		for _, k := range slices.Sorted(maps.Keys(iss.extra)) {
			b += "&" + url.QueryEscape(k) + "=" + url.QueryEscape(iss.extra[k])
		}
		if idToken != "" {
			b += "&id_token=" + idToken
		}
		kit.WriteBody(w, http.StatusOK, "text/plain; charset=utf-8", []byte(b))
		return nil
	}
	body := map[string]any{}
	for k, v := range iss.extra {
		body[k] = v
	}
	body["access_token"] = iss.accessToken
	body["token_type"] = "Bearer"
	body["expires_in"] = iss.expiresIn
	if idToken != "" {
		body["id_token"] = idToken
	}
	kit.WriteJSON(w, http.StatusOK, body)
	return nil
}

// tokenMethods lists the methods the token endpoint accepts from c (known) or from a caller
// that names no known client (then any method some client uses, so that it gets invalid_client).
func (s *Server) tokenMethods(c Client, known bool) []string {
	if s.allowTokenGET {
		return []string{http.MethodGet, http.MethodPost}
	}
	if known {
		return []string{c.tokenMethod()}
	}
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if slices.ContainsFunc(s.clients.All(), func(x Client) bool { return x.tokenMethod() == m }) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		out = []string{http.MethodPost}
	}
	return out
}

// claimedClientID is the client a token request says it comes from, before authentication: the
// Basic user, else client_id, else the iss of the client_assertion.
func claimedClientID(r *http.Request, params url.Values) string {
	if authz := r.Header.Get("Authorization"); authz != "" {
		if id, _, err := parseBasic(authz); err == nil {
			return id
		}
	}
	if id := params.Get("client_id"); id != "" {
		return id
	}
	if a := params.Get("client_assertion"); a != "" {
		if _, claims, err := decodeJWT(a); err == nil {
			iss, _ := claims["iss"].(string)
			return iss
		}
	}
	return ""
}

// authenticateClient applies RFC 6749 §2.3.1 and RFC 7523 §2.2: client_secret_basic (an
// Authorization: Basic header whose id and secret are form-encoded), client_secret_post
// (client_id and client_secret in the body) or private_key_jwt (a client_assertion), never
// more than one, and the one the client is registered for.
func (s *Server) authenticateClient(r *http.Request, params url.Values) (Client, error) {
	hasAssertion := params.Has("client_assertion") || params.Has("client_assertion_type")
	if authz := r.Header.Get("Authorization"); authz != "" {
		id, secret, err := parseBasic(authz)
		if err != nil {
			return Client{}, err
		}
		if params.Has("client_secret") || hasAssertion {
			return Client{}, oauthError(CodeInvalidRequest, "more than one client authentication method: Authorization: Basic and credentials in the request")
		}
		if params.Has("client_id") && params.Get("client_id") != id {
			return Client{}, oauthError(CodeInvalidRequest, "client_id in the request differs from the Basic credentials")
		}
		c, err := s.verifyClient(id, secret, AuthClientSecretBasic)
		var oe Error
		if errors.As(err, &oe) {
			return Client{}, challengeError{err: oe, scheme: "Basic"} // RFC 6749 §5.2: 401 with a challenge
		}
		return c, err
	}
	if hasAssertion {
		if params.Has("client_secret") {
			return Client{}, oauthError(CodeInvalidRequest, "more than one client authentication method: client_assertion and client_secret")
		}
		return s.verifyAssertion(r, params)
	}
	id := params.Get("client_id")
	if id == "" {
		return Client{}, oauthError(CodeInvalidClient, "no client authentication: want client_id and client_secret in the body or an Authorization: Basic header")
	}
	if !params.Has("client_secret") {
		if c, ok := s.clients.Get(id); ok && c.AuthMethod != "" && c.AuthMethod != AuthClientSecretPost {
			return Client{}, authMismatch(c, "none")
		}
		return Client{}, oauthError(CodeInvalidClient, "client_secret is missing")
	}
	return s.verifyClient(id, params.Get("client_secret"), AuthClientSecretPost)
}

// parseBasic reads the client id and secret of an Authorization: Basic header, form-decoded as
// RFC 6749 §2.3.1 asks. Its errors carry the Basic challenge.
func parseBasic(authz string) (id, secret string, err error) {
	basicFail := func(desc string) error {
		return challengeError{err: oauthError(CodeInvalidClient, desc), scheme: "Basic"}
	}
	scheme, cred, _ := strings.Cut(authz, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", basicFail("unsupported authentication scheme " + scheme + "; want Basic")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", "", basicFail("malformed Basic credentials: not base64")
	}
	rawID, rawSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", basicFail("malformed Basic credentials: want id:secret")
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if err1 != nil || err2 != nil {
		return "", "", basicFail("malformed Basic credentials: id and secret must be form-encoded (RFC 6749 §2.3.1)")
	}
	return id, secret, nil
}

// verifyClient checks that the client authenticates with method and its secret matches. It
// returns an error holding an Error on failure.
func (s *Server) verifyClient(id, secret, method string) (Client, error) {
	c, ok := s.clients.Get(id)
	if !ok {
		return Client{}, oauthError(CodeInvalidClient, "unknown client "+id)
	}
	if c.AuthMethod != "" && c.AuthMethod != method {
		return Client{}, authMismatch(c, method)
	}
	if c.Secret == "" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return Client{}, oauthError(CodeInvalidClient, "wrong client secret for client "+id)
	}
	return c, nil
}

func quoteOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return `"` + s + `"`
}
