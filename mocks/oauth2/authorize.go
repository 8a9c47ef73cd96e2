package oauth2

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// Response modes of the authorization response (OAuth 2.0 Multiple Response Type Encoding
// Practices and Form Post Response Mode).
const (
	ResponseModeQuery    = "query"
	ResponseModeFragment = "fragment"
	ResponseModeFormPost = "form_post"
)

// authRequest is a validated authorization request: a known client and a redirect URI it may use.
type authRequest struct {
	client       Client
	clientID     string
	redirectURI  string
	responseType string
	responseMode string
	scope        string
	state        string
	hasState     bool
	params       url.Values // every parameter of the request, replayed through the login form
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	in, readErr := s.record(EndpointAuthorize, r)
	if s.serveQueued(w, r, EndpointAuthorize) {
		return
	}
	var err error
	switch r.Method {
	case http.MethodGet:
		err = s.showLogin(w, r, in)
	case http.MethodPost:
		if readErr != nil {
			err = authorizeError{err: oauthError(CodeInvalidRequest, readErr.Error())}
			break
		}
		err = s.login(w, r, in)
	default:
		w.Header().Set("Allow", "GET, POST")
		err = authorizeError{err: Error{Code: CodeInvalidRequest, Description: "the authorization endpoint accepts GET and POST, got " + r.Method, Status: http.StatusMethodNotAllowed}}
	}
	if err != nil {
		s.writeError(w, r, err)
	}
}

// showLogin validates the authorization request and renders the login page.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, in Request) error {
	ar, err := s.parseAuthorize(in.Query)
	if err != nil {
		return err
	}
	return s.renderLogin(w, ar, "", "")
}

// login handles the login form: cancel, bad credentials, or a successful sign-in.
func (s *Server) login(w http.ResponseWriter, r *http.Request, in Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return authorizeError{err: oauthError(CodeInvalidRequest, "the login form must be posted as application/x-www-form-urlencoded")}
	}
	params := kit.CloneValues(in.Form)
	for _, f := range [...]string{"username", "password", "action"} { // the login form's own fields
		params.Del(f)
	}
	ar, err := s.parseAuthorize(params)
	if err != nil {
		return err
	}
	switch action := in.Form.Get("action"); action {
	case "cancel":
		return authorizeError{err: oauthError(CodeAccessDenied, "Permissions error"), redirect: ar}
	case "", "signin":
	default:
		return authorizeError{err: oauthError(CodeInvalidRequest, "unknown login action "+action)}
	}

	username, password := in.Form.Get("username"), in.Form.Get("password")
	u, ok := s.users.Get(username)
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return s.renderLogin(w, ar, username, "Incorrect username or password")
	}
	now := s.base.Now()
	s.mu.Lock()
	out := url.Values{}
	if ar.responseType == "code" {
		code := rand.Text()
		s.codes[code] = &grant{
			clientID:    ar.clientID,
			redirectURI: ar.redirectURI,
			username:    u.Username,
			scope:       ar.scope,
			nonce:       ar.params.Get("nonce"),
			expires:     now.Add(s.codeTTL),
		}
		out.Set("code", code)
	}
	s.mu.Unlock()

	if ar.responseType == "id_token" {
		idToken, err := s.idToken(r, ar.client, u, ar.params.Get("nonce"))
		if err != nil {
			return err
		}
		out.Set("id_token", idToken)
	}
	if ar.hasState {
		out.Set("state", ar.state)
	}
	return s.deliver(w, ar, out)
}

// parseAuthorize applies RFC 6749 §4.1.1 and §4.1.2.1. Problems with the client or the redirect
// URI give an error page; the rest go back to the client.
func (s *Server) parseAuthorize(p url.Values) (*authRequest, error) {
	page := func(desc string) error {
		return authorizeError{err: oauthError(CodeInvalidRequest, desc)}
	}
	for _, k := range []string{"client_id", "redirect_uri"} {
		if len(p[k]) > 1 {
			return nil, page(k + " is repeated")
		}
	}
	clientID, redirectURI := p.Get("client_id"), p.Get("redirect_uri")
	if clientID == "" {
		return nil, page("client_id is missing")
	}
	client, ok := s.clients.Get(clientID)
	if !ok {
		return nil, page("unknown client_id " + clientID)
	}
	if redirectURI == "" {
		return nil, page("redirect_uri is missing")
	}
	if err := checkRedirectURI(redirectURI); err != nil {
		return nil, page("redirect_uri: " + err.Error())
	}
	if len(client.RedirectURIs) > 0 && !slices.Contains(client.RedirectURIs, redirectURI) {
		return nil, page("redirect_uri " + redirectURI + " is not registered for client " + clientID)
	}

	ar := &authRequest{
		client:       client,
		clientID:     clientID,
		redirectURI:  redirectURI,
		responseType: p.Get("response_type"),
		responseMode: p.Get("response_mode"),
		scope:        p.Get("scope"),
		state:        p.Get("state"),
		hasState:     p.Has("state"),
		params:       kit.CloneValues(p),
	}
	back := func(code, desc string) error {
		return authorizeError{err: oauthError(code, desc), redirect: ar}
	}
	idTokenFlow := ar.responseType == "id_token" && client.IssueIDToken
	defaultMode := ResponseModeQuery // RFC 6749 default for response_type=code
	if idTokenFlow {
		defaultMode = ResponseModeFragment // OAuth 2.0 Multiple Response Type Encoding Practices §5
	}
	switch ar.responseMode {
	case "":
		ar.responseMode = defaultMode
	case ResponseModeQuery, ResponseModeFragment, ResponseModeFormPost:
	default:
		bad := ar.responseMode
		ar.responseMode = defaultMode
		return nil, back(CodeInvalidRequest, "unsupported response_mode "+bad+"; want query, fragment or form_post")
	}
	for k, vs := range p {
		if len(vs) > 1 {
			return nil, back(CodeInvalidRequest, k+" is repeated")
		}
	}
	switch {
	case ar.responseType == "":
		return nil, back(CodeInvalidRequest, "response_type is missing")
	case ar.responseType == "code":
	case idTokenFlow:
		if ar.responseMode == ResponseModeQuery { // a token never travels in the query
			ar.responseMode = ResponseModeFragment
			return nil, back(CodeInvalidRequest, "response_mode query is not allowed with response_type id_token; want fragment or form_post")
		}
	default:
		want := "code"
		if client.IssueIDToken {
			want = "code or id_token"
		}
		return nil, back(CodeUnsupportedResponseType, "response_type "+ar.responseType+" is not supported; want "+want)
	}
	return ar, nil
}

// deliver returns the authorization response params to the client through its response mode.
func (s *Server) deliver(w http.ResponseWriter, ar *authRequest, params url.Values) error {
	w.Header().Set("Cache-Control", "no-store")
	switch ar.responseMode {
	case ResponseModeFormPost:
		return s.renderFormPost(w, ar.redirectURI, params)
	case ResponseModeFragment:
		base, _, _ := strings.Cut(ar.redirectURI, "#")
		w.Header().Set("Location", base+"#"+params.Encode())
	default:
		loc := ar.redirectURI
		if strings.Contains(loc, "?") {
			loc += "&" + params.Encode() // keep the registered query (RFC 6749 §3.1.2)
		} else {
			loc += "?" + params.Encode()
		}
		w.Header().Set("Location", loc)
	}
	w.WriteHeader(http.StatusFound)
	return nil
}

// errorParams are the authorization error response parameters of RFC 6749 §4.1.2.1.
func errorParams(e Error, ar *authRequest) url.Values {
	out := url.Values{"error": {e.Code}}
	if e.Description != "" {
		out.Set("error_description", e.Description)
	}
	if ar.hasState {
		out.Set("state", ar.state)
	}
	return out
}

// isAuthorizeError reports whether err is answered by the authorization endpoint's rules.
func isAuthorizeError(err error) (authorizeError, bool) {
	var ae authorizeError
	ok := errors.As(err, &ae)
	return ae, ok
}
