package server

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/engine/profile"
)

// useSSO gives a new journey the browser's single sign-on records (cookie
// x-ms-cpim-sso), unless the relying party asks for prompt=login. prompt=none
// without a session is AADB2C90077; an unknown prompt value AADB2C90043
// (spec local-accounts §5.4).
func (s *Server) useSSO(r *http.Request, ss *session) *profile.Error {
	prompt := strings.TrimSpace(ss.req.Params.Get("prompt"))
	var rec ssoRecord
	found := false
	if c, err := r.Cookie(ssoCookieName); err == nil {
		rec, found = s.sso.get(c.Value)
	}
	switch prompt {
	case "", "consent", "select_account":
	case "login":
		return nil
	case "none":
		if !found || len(rec.sessions) == 0 {
			return &profile.Error{Code: profile.CodeInteractionRequired,
				Message: fmt.Sprintf("AADB2C90077: User does not have an existing session and request prompt parameter has a value of '%s'.", prompt)}
		}
	default:
		return &profile.Error{Code: profile.CodeInvalidRequest,
			Message: "AADB2C90043: The prompt included in the request contains invalid values. Expected 'none', 'login', 'consent' or 'select_account'."}
	}
	if found {
		ss.st.SSO = maps.Clone(rec.sessions)
		if rec.policy == strings.ToLower(ss.rp.policy.PolicyID) {
			ss.st.Federated = slices.Clone(rec.federated) // single sign-out still reaches them
		}
	}
	return nil
}

// saveSSO records the completed journey in the browser's single sign-on
// record: a new cookie value for the journey's session records and
// federations, the old one forgotten.
func (s *Server) saveSSO(w http.ResponseWriter, r *http.Request, ss *session) {
	sessions := ss.rp.journey.SSORecords(ss.bag, &ss.st)
	if len(ss.st.Federated) == 0 && len(sessions) == 0 {
		return
	}
	if c, err := r.Cookie(ssoCookieName); err == nil {
		s.sso.take(c.Value)
	}
	id := s.sso.put(ssoRecord{policy: strings.ToLower(ss.rp.policy.PolicyID), federated: slices.Clone(ss.st.Federated), sessions: sessions})
	http.SetCookie(w, s.cookie(ssoCookieName, id, 0))
}
