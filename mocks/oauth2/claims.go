package oauth2

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

func (s *Server) handleClaims(w http.ResponseWriter, r *http.Request) {
	in, readErr := s.record(EndpointClaims, r)
	if s.serveQueued(w, r, EndpointClaims) {
		return
	}
	body, err := s.claims(w, r, in, readErr)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	kit.WriteBody(w, http.StatusOK, "application/json; charset=utf-8", body)
}

// presentedToken is an access token as a claims request carried it.
type presentedToken struct {
	value string
	in    string // "header", "query" or "form"
	name  string // the parameter name, for query and form
}

func (p presentedToken) where() string {
	if p.in == "header" {
		return "an Authorization: Bearer header"
	}
	return "the " + p.name + " " + p.in + " parameter"
}

// claims authenticates the bearer token (RFC 6750 §2) the way the token's client is registered
// for, applies the client's required parameters and returns the user's claims as JSON.
func (s *Server) claims(w http.ResponseWriter, r *http.Request, in Request, readErr error) ([]byte, error) {
	bearerFail := func(code, desc string) error {
		return challengeError{err: oauthError(code, desc), scheme: "Bearer"}
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		if readErr != nil {
			return nil, bearerFail(CodeInvalidRequest, readErr.Error())
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		return nil, Error{Code: CodeInvalidRequest, Description: "the claims endpoint accepts GET and POST, got " + r.Method, Status: http.StatusMethodNotAllowed}
	}

	var tokens []presentedToken // one per transmission method used
	if scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		tokens = append(tokens, presentedToken{value: strings.TrimSpace(cred), in: "header"})
	}
	isForm := false
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && mt == "application/x-www-form-urlencoded" {
		isForm = true
	}
	for _, name := range s.claimsTokenParams() {
		if in.Query.Has(name) {
			tokens = append(tokens, presentedToken{value: in.Query.Get(name), in: "query", name: name})
		}
		if isForm && in.Form.Has(name) {
			tokens = append(tokens, presentedToken{value: in.Form.Get(name), in: "form", name: name})
		}
	}
	switch {
	case len(tokens) == 0 || tokens[0].value == "":
		return nil, bearerFail(CodeInvalidToken, "no access token: want the access_token query parameter or an Authorization: Bearer header")
	case len(tokens) > 1:
		return nil, challengeError{err: oauthError(CodeInvalidRequest, "access token sent by more than one method (RFC 6750 §2)"), scheme: "Bearer"}
	}
	tok := tokens[0]

	now := s.base.Now()
	s.mu.Lock()
	at, ok := s.tokens[tok.value]
	var user User
	var client Client
	var known bool
	if ok {
		user, known = s.users.Get(at.username)
		client, _ = s.clients.Get(at.clientID)
	}
	s.mu.Unlock()
	if !ok {
		return nil, bearerFail(CodeInvalidToken, "unknown access token")
	}
	fail := func(err error) error {
		if client.ErrorIn200 != "" {
			return in200Error{err: err, param: client.ErrorIn200}
		}
		return err
	}
	if err := checkTransmission(client, tok); err != nil {
		return nil, fail(err)
	}
	switch {
	case at.revoked:
		return nil, fail(bearerFail(CodeInvalidToken, "access token revoked"))
	case !now.Before(at.expires):
		return nil, fail(bearerFail(CodeInvalidToken, "access token expired"))
	case !known:
		return nil, fail(bearerFail(CodeInvalidToken, "the user of the access token no longer exists"))
	}
	if p := client.ClaimsFormatParam; p != "" {
		switch got, ok := in.Query[p]; {
		case !ok:
			return nil, fail(oauthError(CodeInvalidRequest, p+" is missing; want "+p+"="+client.ClaimsFormatValue))
		case len(got) != 1 || got[0] != client.ClaimsFormatValue:
			return nil, fail(oauthError(CodeInvalidRequest, p+"="+strings.Join(got, ",")+" is not supported; want "+p+"="+client.ClaimsFormatValue))
		}
	}
	for _, p := range client.ClaimsRequiredParams {
		want := at.extra[p]
		switch got, ok := in.Query[p]; {
		case !ok:
			return nil, fail(oauthError(CodeInvalidRequest, p+" is missing; want the "+p+" of the token response ("+want+")"))
		case len(got) != 1 || got[0] != want:
			return nil, fail(oauthError(CodeInvalidRequest, p+"="+strings.Join(got, ",")+" differs from the token response's "+want))
		}
	}

	claims := user.Claims
	if claims == nil {
		claims = map[string]any{}
	}
	if _, has := claims["sub"]; client.IssueIDToken && !has {
		// An OpenID Connect provider's userinfo always carries sub, the
		// id_token's subject (OIDC Core §5.3.2).
		withSub := make(map[string]any, len(claims)+1)
		for k, v := range claims {
			withSub[k] = v
		}
		withSub["sub"] = user.subject()
		claims = withSub
	}
	if f := in.Query.Get("fields"); f != "" {
		claims = selectFields(claims, f)
	}
	body, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("write claims of %q: %w", user.Username, err)
	}
	return append(body, '\n'), nil
}

// checkTransmission applies the client's ClaimsTokenIn and ClaimsTokenParam to where the token was.
func checkTransmission(c Client, tok presentedToken) error {
	want := c.claimsTokenParam()
	switch c.ClaimsTokenIn {
	case ClaimsTokenInHeader:
		if tok.in != "header" {
			return challengeError{err: oauthError(CodeInvalidRequest, "the access token must be sent in an Authorization: Bearer header, not in "+tok.where()+" (RFC 6750 §2)"), scheme: "Bearer"}
		}
		return nil
	case ClaimsTokenInQuery:
		if tok.in != "query" || tok.name != want {
			return challengeError{err: oauthError(CodeInvalidToken, "no access token in the "+want+" query parameter, where client "+c.ID+" sends it; got one in "+tok.where()), scheme: "Bearer"}
		}
		return nil
	default:
		if tok.in != "header" && tok.name != want {
			return challengeError{err: oauthError(CodeInvalidToken, "no access token in the "+want+" parameter or an Authorization: Bearer header; got one in "+tok.where()), scheme: "Bearer"}
		}
		return nil
	}
}

// claimsTokenParams are the parameter names that may carry an access token: access_token and
// every client's ClaimsTokenParam, sorted.
func (s *Server) claimsTokenParams() []string {
	names := []string{"access_token"}
	for _, c := range s.clients.All() {
		if p := c.claimsTokenParam(); !slices.Contains(names, p) {
			names = append(names, p)
		}
	}
	slices.Sort(names)
	return names
}

// selectFields keeps the top-level members named in a Graph API fields list
// ("id,name,picture.type(large),friends{name}"): each item's name ends at '.', '{' or '('.
// As Facebook does, id is always returned when the user has one.
func selectFields(claims map[string]any, list string) map[string]any {
	out := map[string]any{}
	if v, ok := claims["id"]; ok {
		out["id"] = v
	}
	depth := 0
	start := 0
	take := func(item string) {
		name := strings.TrimSpace(item)
		if i := strings.IndexAny(name, ".{("); i >= 0 {
			name = strings.TrimSpace(name[:i])
		}
		if v, ok := claims[name]; ok {
			out[name] = v
		}
	}
	for i, c := range list {
		switch c {
		case '{', '(':
			depth++
		case '}', ')':
			depth = max(depth-1, 0)
		case ',':
			if depth == 0 {
				take(list[start:i])
				start = i + 1
			}
		}
	}
	take(list[start:])
	return out
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	in, _ := s.record(EndpointLogout, r)
	if s.serveQueued(w, r, EndpointLogout) {
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodPost: // the sign-out iframe GETs; front-channel forms POST
	default:
		w.Header().Set("Allow", "GET, POST")
		s.writeError(w, r, Error{Code: CodeInvalidRequest, Description: "the end-session endpoint accepts GET and POST, got " + r.Method, Status: http.StatusMethodNotAllowed})
		return
	}
	ret := in.Query.Get("post_logout_redirect_uri")
	if ret == "" {
		ret = in.Form.Get("post_logout_redirect_uri")
	}
	if ret != "" && checkRedirectURI(ret) != nil {
		ret = "" // not an absolute URI: show the page without a link
	}
	if err := s.pages.Render(w, http.StatusOK, "logout", map[string]any{"Return": ret}); err != nil {
		s.writeError(w, r, err)
	}
}
