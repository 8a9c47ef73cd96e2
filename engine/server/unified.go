package server

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/iefconform/iefconform/engine/journey"
	"github.com/iefconform/iefconform/engine/profile"
)

// unifiedPage is the template data of a selection page: identity-provider
// buttons and, on a CombinedSignInAndSignUp step with a local account, B2C's
// unified sign-in form (spec DIR §3.8.3: form#localAccountForm, #signInName,
// #password, a#forgotPassword, button#next, a#createAccount).
type unifiedPage struct {
	selectionPage
	// Local is the sign-in form, posted to SelfAsserted; nil without one.
	Local       *profile.Form
	LocalAction string
	// SignUpURL and ForgotURL are the links' GET URLs ("" hides a link).
	SignUpURL string
	ForgotURL string
}

// renderSelection shows a selection step: its buttons, and its local sign-in
// form when the step has one.
func (s *Server) renderSelection(w http.ResponseWriter, ss *session, a journey.Select) {
	base := s.policyURL(ss.rp.policy.PolicyID)
	ss.pages++
	page := unifiedPage{selectionPage: selectionPage{
		Page:     ss.pages,
		Action:   base + "/api/selection",
		Tx:       ss.state,
		CSRF:     ss.csrf,
		PolicyID: ss.rp.policy.PolicyID,
		Combined: a.Combined,
	}}
	for _, o := range a.Options {
		page.Options = append(page.Options, selectionOption{ID: o.ExchangeID, Label: o.Label})
	}
	if a.Local != nil {
		page.Local = a.Local.Form
		page.LocalAction = base + "/api/selfasserted"
		link := func(path string, extra url.Values) string {
			q := url.Values{"csrf_token": {ss.csrf}, "tx": {ss.state}, "p": {ss.rp.policy.PolicyID}}
			for k, v := range extra {
				q[k] = v
			}
			return base + "/api/CombinedSigninAndSignup/" + path + "?" + q.Encode()
		}
		if a.SignUp != "" {
			page.SignUpURL = link("unified", url.Values{"local": {"signup"}})
		}
		if !a.HideForgotPassword {
			page.ForgotURL = link("forgotPassword", nil)
		}
	}
	s.show(w, ss, "selection.html", page)
}

// handleUnifiedLink follows a link of the unified page: local=signup selects
// the sign-in profile's SignUpTarget exchange, claimsexchange={id} an
// exchange of the next step (an identity-provider button or the
// forgot-password override).
func (s *Server) handleUnifiedLink(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.pageSession(w, r)
	if !ok {
		return
	}
	defer ss.mu.Unlock()
	exchange := r.Form.Get("claimsexchange")
	if r.Form.Get("local") == "signup" {
		exchange = ""
		if tp, ok := ss.rp.policy.TechnicalProfiles[ss.st.Pending]; ok {
			exchange = profile.MetadataValue(tp, "SignUpTarget")
		}
	}
	s.choose(w, r, ss, exchange)
}

// handleForgotPassword follows the unified page's "Forgot your password?"
// link: the profile's setting.forgotPasswordLinkOverride exchange, or the end
// of the journey with AADB2C90118 for the relying party.
func (s *Server) handleForgotPassword(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.pageSession(w, r)
	if !ok {
		return
	}
	defer ss.mu.Unlock()
	if err := ss.rp.journey.ForgotPassword(&ss.st); err != nil {
		if errors.Is(err, journey.ErrNotWaiting) {
			s.writeError(w, r, ss, httpError(http.StatusBadRequest, "", "The journey is not showing a sign-in page."))
			return
		}
		if errors.Is(err, journey.ErrUnknownExchange) {
			s.writeError(w, r, ss, httpError(http.StatusBadRequest, "", "The forgot-password exchange is not in the next orchestration step: "+err.Error()))
			return
		}
		s.fail(w, r, ss, err)
		return
	}
	s.advance(w, r, ss)
}
