package oauth1

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// handleClaims is the protected resource: the signed-in user's account as JSON, like Twitter's
// GET account/verify_credentials.
func (s *Server) handleClaims(w http.ResponseWriter, _ *http.Request, in received) error {
	body, err := s.claims(in)
	if err == nil {
		kit.WriteBody(w, http.StatusOK, "application/json; charset=utf-8", body)
	}
	return err
}

// claims authenticates the request with an access token and writes the user's claims: id (a
// number), id_str, screen_name, name, the user's extra Claims, and email when the query asks
// with include_email=true.
func (s *Server) claims(in received) ([]byte, error) {
	auth, err := s.authenticate(in, claimsRule)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	a := s.access[auth.token]
	s.mu.Unlock()
	var u User
	ok := false
	if a != nil {
		u, ok = s.users.Get(a.username)
	}
	if !ok {
		return nil, problem(ProblemTokenRejected, "the user of the access token no longer exists")
	}
	out := u.Claims
	if out == nil {
		out = map[string]any{}
	}
	out["id"] = json.Number(u.UserID)
	out["id_str"] = u.UserID
	out["screen_name"] = u.screenName()
	if _, ok := out["name"]; !ok {
		out["name"] = u.screenName()
	}
	if in.Query.Get("include_email") == "true" && u.Email != "" {
		out["email"] = u.Email
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("write claims of %q: %w", u.Username, err)
	}
	return append(body, '\n'), nil
}
