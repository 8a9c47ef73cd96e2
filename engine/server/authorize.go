package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/journey"
	"github.com/iefconform/iefconform/engine/profile"
)

// checkTenant checks the tenant named by the request path.
func (s *Server) checkTenant(r *http.Request) error {
	if t := mux.Vars(r)["tenant"]; t != s.tenant && t != strings.ToLower(s.tenantGUID) {
		return httpError(http.StatusNotFound, "", fmt.Sprintf("The tenant '%s' does not exist; this emulator serves '%s'.", t, s.tenant))
	}
	return nil
}

// relyingParty finds the policy named by the request path.
func (s *Server) relyingParty(r *http.Request) (*relyingParty, error) {
	if err := s.checkTenant(r); err != nil {
		return nil, err
	}
	id := requestPolicy(r)
	rp, ok := s.rps[id]
	if !ok {
		return nil, httpError(http.StatusNotFound, "AADB2C90007", fmt.Sprintf("The policy '%s' does not exist in tenant '%s'.", id, s.tenant))
	}
	return rp, nil
}

// requestPolicy is the lowercase policy id a request names: in its path, or
// in its query's p parameter (the query URL form; the path wins).
func requestPolicy(r *http.Request) string {
	if id := mux.Vars(r)["policy"]; id != "" {
		return id
	}
	return strings.ToLower(r.URL.Query().Get("p"))
}

// pageRequest finds the policy named by the path of a request from the
// browser and parses the request's form; on failure it answers with the
// emulator's error page and reports false.
func (s *Server) pageRequest(w http.ResponseWriter, r *http.Request) (*relyingParty, bool) {
	rp, err := s.relyingParty(r)
	if err == nil {
		err = parseForm(r, "The request")
	}
	if err != nil {
		s.writeError(w, r, nil, err)
		return nil, false
	}
	return rp, true
}

// parseRequest checks the relying party's authorization request. Errors before
// the redirect URI is trusted are shown on the emulator's page; later ones are
// redirected to the relying party (redirectable is then true).
func (s *Server) parseRequest(q url.Values) (req rpRequest, redirectable bool, err error) {
	req = rpRequest{
		ClientID:            q.Get("client_id"),
		ResponseType:        q.Get("response_type"),
		ResponseMode:        q.Get("response_mode"),
		State:               q.Get("state"),
		Nonce:               q.Get("nonce"),
		Scope:               q.Get("scope"),
		Params:              q,
		CodeChallenge:       q.Get("code_challenge"),
		CodeChallengeMethod: q.Get("code_challenge_method"),
	}
	if req.ClientID == "" {
		return req, false, httpError(http.StatusBadRequest, "AADB2C90008", "The request does not contain a client id parameter.")
	}
	app, known := s.apps[req.ClientID]
	if !known {
		return req, false, httpError(http.StatusBadRequest, "AADB2C90018", fmt.Sprintf("The client id '%s' specified in the request is not registered in tenant '%s'.", req.ClientID, s.tenant))
	}
	raw := q.Get("redirect_uri")
	u, perr := url.Parse(raw)
	if raw == "" || perr != nil || !u.IsAbs() || u.Host == "" || scriptScheme(u) {
		return req, false, httpError(http.StatusBadRequest, "", fmt.Sprintf("The request does not contain a valid redirect_uri parameter: '%s'.", raw))
	}
	if !slices.Contains(app.RedirectURIs, raw) {
		return req, false, httpError(http.StatusBadRequest, "AADB2C90006", fmt.Sprintf("The redirect URI '%s' provided in the request is not registered for the client id '%s'.", raw, req.ClientID))
	}
	req.RedirectURI, _, _ = strings.Cut(raw, "#")
	req.ResponseType = normalizeResponseType(req.ResponseType)
	switch req.ResponseType {
	case "id_token", "code", "code id_token":
	case "token", "id_token token", "code token", "code id_token token":
		return req, false, httpError(http.StatusNotImplemented, "", fmt.Sprintf(
			"The response type '%s' (the implicit grant of access tokens) is not implemented by the emulator yet; use code, id_token or code id_token.", req.ResponseType))
	default:
		req.ResponseMode = defaultMode(req.ResponseMode, "fragment")
		return req, true, &profile.Error{Code: "unsupported_response_type",
			Message: fmt.Sprintf("AADB2C90013: The requested response type '%s' provided in the request is not supported.", q.Get("response_type"))}
	}
	if _, withID := responseTypes(req.ResponseType); withID && !app.AllowImplicitFlow {
		req.ResponseMode = defaultMode(req.ResponseMode, "fragment")
		return req, true, &profile.Error{Code: "unauthorized_client", Message: "AADB2C90057: The provided application is not configured to allow the 'OAuth' Implicit flow."}
	}
	if withCode, _ := responseTypes(req.ResponseType); withCode && app.Public && req.CodeChallenge == "" {
		req.ResponseMode = defaultMode(req.ResponseMode, "query")
		return req, true, &profile.Error{Code: profile.CodeInvalidRequest,
			Message: "AADB2C99059: The supplied request must present a code_challenge. Required for single-page apps using the authorization code flow."}
	}
	if req.CodeChallenge != "" && req.CodeChallengeMethod != "S256" {
		req.ResponseMode = defaultMode(req.ResponseMode, "query")
		return req, true, &profile.Error{Code: profile.CodeInvalidRequest, Message: fmt.Sprintf("AADB2C90183: The supplied code_challenge_method '%s' is not supported; use S256.", req.CodeChallengeMethod)}
	}
	def := "fragment" // an id_token travels in the fragment by default
	if req.ResponseType == "code" {
		def = "query"
	}
	if _, withID := responseTypes(req.ResponseType); withID && req.ResponseMode == "query" {
		// A token never travels in a query string (OAuth 2.0 Multiple Response
		// Type Encoding Practices §2.1): B2C refuses it (spec apps §2.3).
		req.ResponseMode = "fragment"
		return req, true, &profile.Error{Code: profile.CodeInvalidRequest,
			Message: fmt.Sprintf("AADB2C90014: The requested response mode 'query' is not supported for the response type '%s'; use fragment or form_post.", req.ResponseType)}
	}
	switch req.ResponseMode {
	case "", "fragment", "query", "form_post":
		req.ResponseMode = defaultMode(req.ResponseMode, def)
	default:
		bad := req.ResponseMode
		req.ResponseMode = def
		return req, true, &profile.Error{Code: profile.CodeInvalidRequest, Message: fmt.Sprintf("The response mode '%s' is not supported; use fragment, query or form_post.", bad)}
	}
	return req, true, nil
}

func defaultMode(mode, def string) string {
	switch mode {
	case "fragment", "query", "form_post":
		return mode
	}
	return def
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	rp, ok := s.pageRequest(w, r)
	if !ok {
		return
	}
	if n := len(r.URL.RawQuery) + int(r.ContentLength); r.Method == http.MethodPost && n > s.cfg.MaxURLBytes {
		// A POSTed request is held to a GET's bound (the limit handler
		// measured a GET's URL already): its parameters come back in
		// redirects (state) and are kept with the session. ContentLength is
		// -1 for a chunked body, which ParseForm has read within MaxBodyBytes.
		if r.ContentLength < 0 {
			n = len(r.URL.RawQuery) + len(r.PostForm.Encode())
		}
		if n > s.cfg.MaxURLBytes {
			s.writeError(w, r, nil, httpError(http.StatusRequestURITooLong, "",
				fmt.Sprintf("The authorization request's parameters are %d bytes long; the emulator accepts at most %d (MaxURLBytes), by GET or POST.", n, s.cfg.MaxURLBytes)))
			return
		}
	}
	now := s.cfg.Now()
	ss := &session{
		id:            randomString(24),
		state:         randomString(24),
		csrf:          randomString(18),
		rp:            rp,
		correlationID: uuid.NewString(),
		bag:           claims.NewBag(),
		data:          map[string]string{},
		created:       now,
	}
	req, redirectable, err := s.parseRequest(r.Form)
	ss.req = req
	if err != nil {
		if !redirectable {
			s.writeError(w, r, ss, err)
			return
		}
		s.respondError(w, r, ss, profile.AsError(err))
		return
	}
	g, gerr := s.grantOf(req.ClientID, req.Scope)
	if gerr != nil {
		s.respondError(w, r, ss, gerr)
		return
	}
	ss.grant = g
	if err := s.useSSO(r, ss); err != nil {
		s.respondError(w, r, ss, err)
		return
	}
	s.sessions.add(ss)
	http.SetCookie(w, s.cookie(cookieName, ss.id, 0))
	s.log.Info("journey started", "correlationId", ss.correlationID, "policy", rp.policy.PolicyID, "clientId", req.ClientID,
		"responseType", req.ResponseType, "responseMode", req.ResponseMode)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	env := s.env(ss, r)
	act, err := rp.journey.Advance(r.Context(), env, &ss.st)
	s.act(w, r, ss, env, act, err)
}

// env is the technical profiles' view of the session.
func (s *Server) env(ss *session, r *http.Request) *profile.Env {
	p := ss.rp.policy
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	return &profile.Env{
		Tenant:        s.tenant,
		TenantGUID:    s.tenantGUID,
		PolicyID:      p.PolicyID,
		BaseURL:       s.cfg.BaseURL,
		CorrelationID: ss.correlationID,
		State:         ss.state,
		Claims:        ss.bag,
		Resolver: &claims.Context{
			PolicyID:       p.PolicyID,
			TenantID:       p.TenantID,
			TenantObjectID: s.tenantGUID,
			DeploymentMode: p.DeploymentMode,
			CorrelationID:  ss.correlationID,
			HostName:       r.Host,
			IPAddress:      ip,
			Now:            s.cfg.Now,
			Request:        ss.req.Params,
			Claims:         ss.bag,
		},
		Keys:        s.cfg.Keys,
		Directory:   s.cfg.Directory,
		HTTP:        s.cfg.HTTPClient,
		Now:         s.cfg.Now,
		Data:        ss.data,
		RootCAs:     s.cfg.RootCAs,
		RESTTimeout: s.cfg.RESTTimeout,
		Bind:        func(key string) { s.sessions.bind(key, ss) },
		Mail:        s.cfg.Mailer,
	}
}

// act carries out what the journey asked for next. Called with ss.mu held.
func (s *Server) act(w http.ResponseWriter, r *http.Request, ss *session, env *profile.Env, act journey.Action, err error) {
	if err != nil {
		s.fail(w, r, ss, err)
		return
	}
	switch a := act.(type) {
	case journey.Redirect:
		s.log.Info("redirect to party", "correlationId", ss.correlationID, "technicalProfile", a.ProfileID)
		http.Redirect(w, r, s.hosts.rewrite(a.URL), http.StatusFound)
	case journey.Select:
		s.renderSelection(w, ss, a)
	case journey.Show:
		s.log.Info("self-asserted page", "correlationId", ss.correlationID, "technicalProfile", a.ProfileID)
		ss.pages++
		s.show(w, ss, "selfasserted.html", selfAssertedPage{
			Action: s.policyURL(ss.rp.policy.PolicyID) + "/api/selfasserted",
			Tx:     ss.state,
			CSRF:   ss.csrf,
			Page:   ss.pages,
			Form:   a.Form,
		})
	case journey.Send:
		s.send(r.Context(), w, r, ss, env, a)
	default:
		s.fail(w, r, ss, fmt.Errorf("journey returned no action"))
	}
}

// fail ends the journey with an error response to the relying party, or with
// the error page when the emulator stopped the journey (its time budget is
// spent, or it loops).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, ss *session, err error) {
	if stop := s.stopped(r, err); stop != nil {
		s.log.Error("journey stopped", "correlationId", ss.correlationID, "policy", ss.rp.policy.PolicyID, "err", logSafe(err))
		s.sessions.remove(ss)
		s.writeError(w, r, ss, stop)
		return
	}
	pe := profile.AsError(err)
	s.log.Info("journey failed", "correlationId", ss.correlationID, "policy", ss.rp.policy.PolicyID, "error", pe.Code, "message", pe.Message, "cause", logSafe(pe.Err))
	s.sessions.remove(ss)
	s.respondError(w, r, ss, pe)
}

func (s *Server) send(ctx context.Context, w http.ResponseWriter, r *http.Request, ss *session, env *profile.Env, a journey.Send) {
	auth := ss.authTime
	if auth.IsZero() {
		auth = s.cfg.Now()
	}
	if _, jwt := a.Issuer.(profile.PublicKeys); jwt {
		if err := s.provideClaims(ctx, r, ss.extensionCall(), a.Claims); err != nil {
			s.fail(w, r, ss, err)
			return
		}
	}
	withCode, withIDToken := responseTypes(ss.req.ResponseType)
	code := ""
	if withCode {
		code = randomString(s.codes.keySize)
	}
	req := profile.IssueRequest{Audience: ss.req.ClientID, Nonce: ss.req.Nonce, Claims: a.Claims, AuthTime: auth, Access: ss.grant.access}
	if withIDToken {
		req.Code = code // the front-channel id_token carries c_hash
	}
	issued, err := a.Issuer.Issue(ctx, env, req)
	if err != nil {
		s.fail(w, r, ss, err)
		return
	}
	if issued.Error != nil {
		s.fail(w, r, ss, issued.Error)
		return
	}
	s.sessions.remove(ss)
	s.saveSSO(w, r, ss)
	s.log.Info("journey completed", "correlationId", ss.correlationID, "policy", ss.rp.policy.PolicyID, "issuer", a.IssuerID)
	var ps []param
	if withCode {
		objectID, _ := env.Claims.Get("objectId")
		seed := tokenSeed{issuer: a.Issuer, claims: a.Claims, nonce: ss.req.Nonce, authTime: auth, access: ss.grant.access,
			offline: ss.grant.offline, lifetimes: issued.Lifetimes, objectID: objectID, ext: ss.extensionCall()}
		s.codes.putAs(code, issuedCode{rp: ss.rp, challenge: ss.req.CodeChallenge, clientID: ss.req.ClientID, redirectURI: ss.req.RedirectURI,
			idToken: issued.IDToken, accessToken: issued.AccessToken, tokens: seed})
		ps = append(ps, param{"code", code})
	}
	if withIDToken {
		ps = append(ps, param{"id_token", issued.IDToken})
	}
	s.respond(w, r, ss, ps)
}

// normalizeResponseType puts the words of a response_type in B2C's order
// (code, id_token, token): their order in a request does not matter.
func normalizeResponseType(rt string) string {
	var out []string
	words := strings.Fields(rt)
	for _, w := range []string{"code", "id_token", "token"} {
		if slices.Contains(words, w) {
			out = append(out, w)
		}
	}
	if len(out) != len(words) {
		return rt // an unknown or repeated word: refused as it was sent
	}
	return strings.Join(out, " ")
}

// responseTypes says what a (normalized) response_type returns at the
// redirect URI: a code, an id_token, or both (hybrid).
func responseTypes(rt string) (code, idToken bool) {
	for _, w := range strings.Fields(rt) {
		switch w {
		case "code":
			code = true
		case "id_token":
			idToken = true
		}
	}
	return code, idToken
}

// respondError sends error, error_description and state to the relying party.
func (s *Server) respondError(w http.ResponseWriter, r *http.Request, ss *session, e *profile.Error) {
	s.respond(w, r, ss, []param{{"error", e.Code}, {"error_description", s.describe(ss, e)}})
}

// respond carries parameters to the relying party's redirect_uri by its
// response_mode, with state appended when the relying party sent one.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, ss *session, ps []param) {
	if ss.req.State != "" {
		ps = append(ps, param{"state", ss.req.State})
	}
	if ss.req.ResponseMode == "form_post" {
		if err := s.writeFormPost(w, ss.req.RedirectURI, ps); err != nil {
			s.writeError(w, r, ss, err)
		}
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", redirectLocation(ss.req.RedirectURI, ss.req.ResponseMode, ps))
	w.WriteHeader(http.StatusFound)
}

// handleAuthresp takes an identity provider's answer. The journey is found by
// the state the emulator sent, and the browser's journey cookie must name the
// same journey.
func (s *Server) handleAuthresp(w http.ResponseWriter, r *http.Request) {
	check := s.checkTenant(r)
	if _, withPolicy := mux.Vars(r)["policy"]; withPolicy {
		_, check = s.relyingParty(r)
	}
	if check != nil {
		s.writeError(w, r, nil, check)
		return
	}
	if err := parseForm(r, "The identity provider's response"); err != nil {
		s.writeError(w, r, nil, err)
		return
	}
	params := r.Form
	if r.Method == http.MethodGet && len(params) == 0 {
		// response_mode=fragment: the answer is in the URL fragment, which never
		// reaches a server. A page posts it back as a form (docs/behavior-decisions.md).
		s.render(w, http.StatusOK, "fragment.html", struct{ Action string }{Action: r.URL.Path})
		return
	}
	key := callbackKey(r, params)
	ss, found := s.sessions.byStateValue(key)
	var cs *session
	if c, err := r.Cookie(cookieName); err == nil {
		cs, _ = s.sessions.byCookie(c.Value)
	}
	if !found {
		if cs != nil && s.failWaiting(w, r, cs) {
			return
		}
		// No journey waits for this answer: a replay, or the duplicate of an
		// answer the journey already took (a double click). It never touches
		// the browser's own journey, which may have completed.
		s.writeError(w, r, nil, httpError(http.StatusBadRequest, "AADB2C90273",
			"An invalid response was received : 'Error: the state parameter does not belong to a journey in progress'"))
		return
	}
	if cs == nil {
		// The answer must come back to the browser that started the journey:
		// without its cookie, a forged answer (an attacker's code and state)
		// would sign this browser in as the attacker (login CSRF).
		s.writeError(w, r, nil, httpError(http.StatusBadRequest, "AADB2C90273",
			"An invalid response was received : 'Error: the journey's session cookie is missing: the answer does not come from the browser that started the journey'"))
		return
	}
	if cs != ss {
		// The browser's own journey got an answer whose state is not its own.
		cs.mu.Lock()
		defer cs.mu.Unlock()
		s.fail(w, r, cs, profile.Errorf(profile.CodeServerError, ErrSessionMissing,
			"AADB2C90273: An invalid response was received : 'Error: the state parameter does not match the journey in progress'"))
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	// A key a profile bound (OAuth1's temporary token) answers once: spent here,
	// a replay cannot reach the journey once it has moved on to another party.
	if key != ss.state && !s.sessions.unbind(key, ss) {
		s.writeError(w, r, nil, httpError(http.StatusBadRequest, "AADB2C90273",
			"An invalid response was received : 'Error: the state parameter does not belong to a journey in progress'"))
		return
	}
	if ss.st.Pending == "" {
		s.writeError(w, r, ss, httpError(http.StatusBadRequest, "", "The journey is not waiting for an identity provider's response."))
		return
	}
	env := s.env(ss, r)
	act, err := ss.rp.journey.Resume(r.Context(), env, &ss.st, params)
	if err == nil {
		ss.authTime = s.cfg.Now()
	}
	s.act(w, r, ss, env, act, err)
}

// failWaiting ends the browser's journey cs with AADB2C90273 when it waits
// for an identity provider's answer and got one whose state is not its own
// (tampered); a journey not waiting (past that step, or completed by the
// first of a double click) is left alone and false returned.
func (s *Server) failWaiting(w http.ResponseWriter, r *http.Request, cs *session) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.st.Pending == "" || cs.st.Done {
		return false
	}
	if _, redirecting := cs.rp.journey.Profiles[cs.st.Pending].(profile.Redirector); !redirecting {
		return false
	}
	s.fail(w, r, cs, profile.Errorf(profile.CodeServerError, ErrSessionMissing,
		"AADB2C90273: An invalid response was received : 'Error: the state parameter does not match the journey in progress'"))
	return true
}

// callbackKey is what finds the journey of a party's answer: OAuth2's state, or
// for OAuth1, which has none, the temporary token the profile bound
// (oauth_token, or denied when the user refused).
func callbackKey(r *http.Request, params url.Values) string {
	if strings.HasSuffix(r.URL.Path, "/oauth1/authresp") {
		t := params.Get("oauth_token")
		if t == "" {
			t = params.Get("denied")
		}
		return "oauth1:" + t
	}
	return params.Get("state")
}

// handleSelfAsserted takes the user's answer to a self-asserted page: the
// fields, and the Continue or Cancel button.
func (s *Server) handleSelfAsserted(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.pageSession(w, r)
	if !ok {
		return
	}
	defer ss.mu.Unlock()
	if r.PostForm.Get("page") != strconv.Itoa(ss.pages) && ss.shown.name != "" {
		// A second post of a page already answered (a double click): the
		// page the first post led to, again; the form is not applied to it.
		s.render(w, http.StatusOK, ss.shown.name, ss.shown.data)
		return
	}
	env := s.env(ss, r)
	act, err := ss.rp.journey.SubmitForm(r.Context(), env, &ss.st, r.PostForm, r.PostForm.Get("action") == "cancel")
	if errors.Is(err, journey.ErrNotWaiting) {
		s.writeError(w, r, ss, httpError(http.StatusBadRequest, "", "The journey is not showing a self-asserted page."))
		return
	}
	s.act(w, r, ss, env, act, err)
}

// pageSession finds and locks the session of a post from one of the
// emulator's pages: the session cookie, and the page's tx and csrf_token.
func (s *Server) pageSession(w http.ResponseWriter, r *http.Request) (*session, bool) {
	if _, ok := s.pageRequest(w, r); !ok {
		return nil, false
	}
	c, err := r.Cookie(cookieName)
	if err != nil {
		s.writeError(w, r, nil, httpError(http.StatusBadRequest, "", "The session cookie is missing: the journey cannot continue."))
		return nil, false
	}
	// Posts carry tx and csrf_token in the form; the unified page's links (GET)
	// in the query, as B2C's do.
	vals := r.PostForm
	if r.Method == http.MethodGet {
		vals = r.Form
	}
	ss, ok := s.sessions.byCookie(c.Value)
	if !ok || vals.Get("tx") != ss.state || vals.Get("csrf_token") != ss.csrf {
		s.writeError(w, r, ss, httpError(http.StatusBadRequest, "", "The session has expired or the request was tampered with."))
		return nil, false
	}
	ss.mu.Lock()
	return ss, true
}

// handleSelection takes the button the user clicked on the selection page.
func (s *Server) handleSelection(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.pageSession(w, r)
	if !ok {
		return
	}
	defer ss.mu.Unlock()
	s.choose(w, r, ss, r.PostForm.Get("claimsexchange"))
}

// choose takes the claims exchange the user picked on a selection page and
// runs the journey on. Called with ss.mu held.
func (s *Server) choose(w http.ResponseWriter, r *http.Request, ss *session, exchange string) {
	if err := ss.rp.journey.Choose(&ss.st, exchange); err != nil {
		if last := ss.chosen; errors.Is(err, journey.ErrUnknownExchange) && last.exchange == exchange && ss.st.Pending == last.profile {
			// The same button again (a double click) while the journey waits
			// for that identity provider: the same answer, not an error.
			http.Redirect(w, r, last.url, http.StatusFound)
			return
		}
		if errors.Is(err, journey.ErrUnknownExchange) {
			s.writeError(w, r, ss, httpError(http.StatusBadRequest, "", "Unknown claims exchange: "+exchange))
			return
		}
		s.fail(w, r, ss, err)
		return
	}
	env := s.env(ss, r)
	act, err := ss.rp.journey.Advance(r.Context(), env, &ss.st)
	if rd, ok := act.(journey.Redirect); ok && err == nil {
		ss.chosen = chosenExchange{exchange: exchange, profile: rd.ProfileID, url: s.hosts.rewrite(rd.URL)}
	}
	s.act(w, r, ss, env, act, err)
}

// advance runs the journey on from where it stands. Called with ss.mu held.
func (s *Server) advance(w http.ResponseWriter, r *http.Request, ss *session) {
	env := s.env(ss, r)
	act, err := ss.rp.journey.Advance(r.Context(), env, &ss.st)
	s.act(w, r, ss, env, act, err)
}
