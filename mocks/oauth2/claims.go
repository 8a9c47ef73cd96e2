package oauth2

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
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
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// claims authenticates the bearer token (RFC 6750 §2) and returns the user's claims as JSON.
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

	var tokens []string // one per transmission method used
	if scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		tokens = append(tokens, strings.TrimSpace(cred))
	}
	if in.Query.Has("access_token") {
		tokens = append(tokens, in.Query.Get("access_token"))
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && mt == "application/x-www-form-urlencoded" && in.Form.Has("access_token") {
		tokens = append(tokens, in.Form.Get("access_token"))
	}
	switch {
	case len(tokens) == 0 || tokens[0] == "":
		return nil, bearerFail(CodeInvalidToken, "no access token: want the access_token query parameter or an Authorization: Bearer header")
	case len(tokens) > 1:
		return nil, challengeError{err: oauthError(CodeInvalidRequest, "access token sent by more than one method (RFC 6750 §2)"), scheme: "Bearer"}
	}

	now := s.now()
	s.mu.Lock()
	at, ok := s.tokens[tokens[0]]
	var user User
	var known bool
	if ok {
		user, known = s.userLocked(at.username)
		user = user.clone()
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, bearerFail(CodeInvalidToken, "unknown access token")
	case at.revoked:
		return nil, bearerFail(CodeInvalidToken, "access token revoked")
	case !now.Before(at.expires):
		return nil, bearerFail(CodeInvalidToken, "access token expired")
	case !known:
		return nil, bearerFail(CodeInvalidToken, "the user of the access token no longer exists")
	}

	claims := user.Claims
	if claims == nil {
		claims = map[string]any{}
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
	ret := in.Query.Get("post_logout_redirect_uri")
	if ret != "" && checkRedirectURI(ret) != nil {
		ret = "" // not an absolute URI: show the page without a link
	}
	if err := s.renderPage(w, http.StatusOK, "logout", map[string]any{"Style": pageStyleCSS(), "Return": ret}); err != nil {
		s.writeError(w, r, err)
	}
}
