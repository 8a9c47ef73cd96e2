package oauth1

import (
	"crypto/rand"
	"crypto/subtle"
	"mime"
	"net/http"
	"strings"
)

// Values of the login form's action button.
const (
	ActionAllow = "allow"
	ActionDeny  = "deny"
)

// handleAuthorize is resource owner authorization (RFC 5849 §2.2): GET shows the login page for
// a live temporary credential, POST takes the login form.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request, in received) error {
	if r.Method == http.MethodGet {
		return s.showLogin(w, in)
	}
	return s.login(w, r, in)
}

// showLogin renders the login page for the temporary credential in the query.
func (s *Server) showLogin(w http.ResponseWriter, in received) error {
	token := in.Query.Get("oauth_token")
	t, err := s.pendingTemp(token)
	if err != nil {
		return err
	}
	return s.renderLogin(w, token, t.consumerKey, "", "")
}

// login handles the login form: deny, bad credentials, or sign-in and a verifier.
func (s *Server) login(w http.ResponseWriter, r *http.Request, in received) error {
	if in.readErr != nil {
		return pageError{Status: http.StatusBadRequest, Message: "the login form could not be read: " + in.readErr.Error()}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != formContentType {
		return pageError{Status: http.StatusBadRequest, Message: "the login form must be posted as " + formContentType}
	}
	token := in.Form.Get("oauth_token")
	t, err := s.pendingTemp(token)
	if err != nil {
		return err
	}
	switch action := in.Form.Get("action"); action {
	case ActionDeny:
		cb, err := s.decide(token, func(t *tempCred) { t.state = tempRevoked })
		if err != nil {
			return err
		}
		if cb == CallbackOOB {
			return s.pages.Render(w, http.StatusOK, "denied", map[string]any{"ConsumerKey": t.consumerKey})
		}
		redirect(w, cb, "denied", token)
		return nil
	case ActionAllow, "":
	default:
		return pageError{Status: http.StatusBadRequest, Message: "unknown login action " + action + "; want allow or deny"}
	}

	username, password := in.Form.Get("username"), in.Form.Get("password")
	u, ok := s.users.Get(username)
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return s.renderLogin(w, token, t.consumerKey, username, "Incorrect username or password")
	}
	verifier := rand.Text()
	cb, err := s.decide(token, func(t *tempCred) {
		t.state = tempAuthorized
		t.verifier = verifier
		t.username = u.Username
	})
	if err != nil {
		return err
	}
	if cb == CallbackOOB {
		return s.pages.Render(w, http.StatusOK, "verifier", map[string]any{"ConsumerKey": t.consumerKey, "Verifier": verifier})
	}
	redirect(w, cb, "oauth_token", token, "oauth_verifier", verifier)
	return nil
}

// pendingTemp returns a copy of a temporary credential still waiting for the user, or the error
// page saying why it is not.
func (s *Server) pendingTemp(token string) (tempCred, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.pendingLocked(token)
	if err != nil {
		return tempCred{}, err
	}
	return *t, nil
}

// pendingLocked finds a temporary credential waiting for the user. The caller holds s.mu.
func (s *Server) pendingLocked(token string) (*tempCred, error) {
	bad := func(msg string) error { return pageError{Status: http.StatusBadRequest, Message: msg} }
	if token == "" {
		return nil, bad("The request has no oauth_token.")
	}
	t, ok := s.temps[token]
	switch {
	case !ok:
		return nil, bad("This request token is unknown: oauth_token " + token + " was never issued, or has been forgotten.")
	case !s.base.Now().Before(t.expires):
		return nil, bad("This request token has expired.")
	case t.state == tempAuthorized || t.state == tempExchanged:
		return nil, bad("This request token has already been authorized.")
	case t.state == tempRevoked:
		return nil, bad("This request token was denied.")
	}
	return t, nil
}

// decide applies the user's decision to a temporary credential still pending, checked again
// under the lock, and returns its callback.
func (s *Server) decide(token string, apply func(*tempCred)) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.pendingLocked(token)
	if err != nil {
		return "", err
	}
	apply(t)
	return t.callback, nil
}

// redirect sends the browser to the callback with pairs added to its query, in the given order,
// keeping a query the callback already has.
func redirect(w http.ResponseWriter, callback string, pairs ...string) {
	sep := "?"
	switch {
	case strings.HasSuffix(callback, "?") || strings.HasSuffix(callback, "&"):
		sep = ""
	case strings.Contains(callback, "?"):
		sep = "&"
	}
	w.Header().Set("Location", callback+sep+encodePairs(pairs...))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusFound)
}
