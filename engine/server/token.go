package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/engine/profile"
)

// codeTTL is how long a relying party's authorization code stays redeemable.
const codeTTL = 5 * time.Minute

func tokenError(status int, oauth, code, msg string) *pageError {
	return &pageError{Status: status, OAuth: oauth, Code: code, Message: msg}
}

// handleToken redeems a relying party's authorization code for its id_token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	rp, err := s.relyingParty(r)
	if err != nil {
		te := tokenError(http.StatusNotFound, "invalid_request", "", err.Error())
		var pe *pageError
		if errors.As(err, &pe) {
			te = tokenError(pe.Status, "invalid_request", pe.Code, pe.Message)
		}
		s.writeError(w, r, nil, te)
		return
	}
	if err := parseForm(r, "the request body"); err != nil {
		te := tokenError(http.StatusBadRequest, "invalid_request", "", err.Error())
		if pe := (*pageError)(nil); errors.As(err, &pe) {
			te = tokenError(pe.Status, "invalid_request", "", pe.Message)
		}
		s.writeError(w, r, nil, te)
		return
	}
	f := r.PostForm
	gt := f.Get("grant_type")
	if gt != "authorization_code" && gt != "refresh_token" {
		s.writeError(w, r, nil, tokenError(http.StatusBadRequest, "unsupported_grant_type", "AADB2C90086", "The supplied grant_type '"+gt+"' is not supported."))
		return
	}
	clientID, secret, basic := r.BasicAuth()
	if basic {
		clientID, _ = url.QueryUnescape(clientID)
		secret, _ = url.QueryUnescape(secret)
	} else {
		clientID, secret = f.Get("client_id"), f.Get("client_secret")
	}
	if te := s.authenticateClient(clientID, secret); te != nil {
		s.writeError(w, r, nil, te)
		return
	}
	if gt == "refresh_token" {
		s.redeemRefresh(w, r, rp, clientID)
		return
	}
	ic, ok := s.codes.take(f.Get("code"))
	if !ok || ic.rp != rp || ic.clientID != clientID || ic.redirectURI != f.Get("redirect_uri") {
		s.writeError(w, r, nil, tokenError(http.StatusBadRequest, "invalid_grant", "AADB2C90080", "The provided grant has expired, was already used, or does not match this policy, client and redirect_uri."))
		return
	}
	if ic.challenge != "" {
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if f.Get("code_verifier") == "" || subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(ic.challenge)) != 1 {
			s.writeError(w, r, nil, tokenError(http.StatusBadRequest, "invalid_grant", "AADB2C90181", "The code_verifier does not match the code_challenge of the authorization request."))
			return
		}
	}
	s.writeTokens(w, r, rp, clientID, &profile.Issued{IDToken: ic.idToken, AccessToken: ic.accessToken}, ic.tokens, s.cfg.Now())
}

// authenticateClient applies the registration's client authentication to a
// token request (spec apps §1.3): a confidential client sends one of its
// secrets (AADB2C90079 without one, AADB2C90081 a wrong one), a public client
// none (AADB2C90084). A client that is not registered is refused (AADB2C90018).
func (s *Server) authenticateClient(clientID, secret string) *pageError {
	app, ok := s.apps[clientID]
	switch {
	case !ok:
		return tokenError(http.StatusUnauthorized, "invalid_client", "AADB2C90018", "The client id '"+clientID+"' specified in the request is not registered in tenant '"+s.tenant+"'.")
	case app.Public && secret != "":
		return tokenError(http.StatusBadRequest, "invalid_request", "AADB2C90084", "Public clients should not send a client_secret when redeeming a publicly acquired grant.")
	case app.confidential() && secret == "":
		return tokenError(http.StatusBadRequest, "invalid_request", "AADB2C90079", "Clients must send a client_secret when redeeming a confidential grant.")
	case app.confidential() && !app.secretValid(secret):
		return tokenError(http.StatusUnauthorized, "invalid_client", "AADB2C90081", "The specified client_secret does not match the expected value for this client. Please correct the client_secret and try again.")
	}
	return nil
}

// issuerInfo is implemented by issuers that know their iss value.
type issuerInfo interface {
	Issuer(env *profile.Env) string
}

func (s *Server) policyEnv(rp *relyingParty) *profile.Env {
	return &profile.Env{Tenant: s.tenant, TenantGUID: s.tenantGUID, PolicyID: rp.policy.PolicyID, BaseURL: s.cfg.BaseURL, Keys: s.cfg.Keys, HTTP: s.cfg.HTTPClient, Now: s.cfg.Now}
}

// defaultIssuer is the issuer of SendClaims steps that name none (see
// journey.DefaultIssuer), which also answers discovery.
func (rp *relyingParty) defaultIssuer() any {
	return rp.journey.Profiles[rp.journey.DefaultIssuer(rp.journey.Journey)]
}

func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	rp, err := s.relyingParty(r)
	if err != nil {
		s.writeError(w, r, nil, err)
		return
	}
	id := rp.policy.PolicyID
	iss := ""
	if ii, ok := rp.defaultIssuer().(issuerInfo); ok {
		iss = ii.Issuer(s.policyEnv(rp))
	}
	var claimsSupported []string // named as the token names them (DefaultPartnerClaimTypes included)
	if rpol := rp.policy.RelyingParty; rpol != nil {
		for _, c := range rpol.TechnicalProfile.OutputClaims {
			claimsSupported = append(claimsSupported, rp.policy.PartnerClaimType(c, rpol.TechnicalProfile.ProtocolName()))
		}
	}
	// Endpoints in the URL form of the request (spec apps §6.2): path, or
	// ?p= with the policy in lowercase.
	endpoint := func(path string) string { return s.policyURL(id) + path }
	if mux.Vars(r)["policy"] == "" {
		endpoint = func(path string) string {
			return s.cfg.BaseURL + "/" + s.tenant + path + "?p=" + strings.ToLower(id)
		}
	}
	writeJSON(w, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                endpoint("/oauth2/v2.0/authorize"),
		"token_endpoint":                        endpoint("/oauth2/v2.0/token"),
		"end_session_endpoint":                  endpoint("/oauth2/v2.0/logout"),
		"jwks_uri":                              endpoint("/discovery/v2.0/keys"),
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "code id_token", "id_token"},
		"scopes_supported":                      []string{"openid"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"claims_supported":                      claimsSupported,
	})
}

func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	rp, err := s.relyingParty(r)
	if err != nil {
		s.writeError(w, r, nil, err)
		return
	}
	env := s.policyEnv(rp)
	type jwk struct {
		Kid string `json:"kid"`
		Use string `json:"use"`
		Kty string `json:"kty"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	keys := []jwk{}
	seen := map[string]bool{}
	for _, impl := range rp.journey.Profiles {
		pk, ok := impl.(profile.PublicKeys)
		if !ok {
			continue
		}
		ks, err := pk.SigningKeys(env)
		if err != nil {
			s.writeError(w, r, nil, err)
			return
		}
		for _, k := range ks {
			if seen[k.KeyID] {
				continue
			}
			seen[k.KeyID] = true
			pub := k.Private.PublicKey
			keys = append(keys, jwk{Kid: k.KeyID, Use: "sig", Kty: "RSA", Alg: "RS256",
				N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
				E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())})
		}
	}
	slices.SortFunc(keys, func(a, b jwk) int {
		if a.Kid < b.Kid {
			return -1
		}
		if a.Kid > b.Kid {
			return 1
		}
		return 0
	})
	writeJSON(w, map[string]any{"keys": keys})
}

// handleLogout ends the browser's session and returns to post_logout_redirect_uri.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if _, err := s.relyingParty(r); err != nil {
		s.writeError(w, r, nil, err)
		return
	}
	if c, err := r.Cookie(cookieName); err == nil {
		if ss, ok := s.sessions.byCookie(c.Value); ok {
			s.sessions.remove(ss)
		}
	}
	http.SetCookie(w, s.cookie(cookieName, "", -1))
	frames := s.signOutFrames(w, r)
	target := r.URL.Query().Get("post_logout_redirect_uri")
	if target != "" {
		u, err := url.Parse(target)
		if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || !s.registeredAnywhere(target) {
			s.writeError(w, r, nil, httpError(http.StatusBadRequest, "AADB2C90272", "The post_logout_redirect_uri '"+target+"' is not registered for any application."))
			return
		}
		if st := r.URL.Query().Get("state"); st != "" {
			target = redirectLocation(target, "query", []param{{Name: "state", Value: st}})
		}
	}
	switch {
	case len(frames) > 0:
		// B2C signs the browser out of each federated identity provider from a
		// hidden iframe to its end_session_endpoint (spec §2.1 step F, OA2-15).
		s.render(w, http.StatusOK, "signout.html", signOutPage{Frames: frames, Target: target})
	case target == "":
		s.render(w, http.StatusOK, "signedout.html", nil)
	default:
		http.Redirect(w, r, target, http.StatusFound)
	}
}

// signOutFrames takes the browser's single-sign-on record and returns the
// end-session URLs of the identity providers it signed in with whose profiles
// have SingleLogoutEnabled.
func (s *Server) signOutFrames(w http.ResponseWriter, r *http.Request) []string {
	c, err := r.Cookie(ssoCookieName)
	if err != nil {
		return nil
	}
	http.SetCookie(w, s.cookie(ssoCookieName, "", -1))
	rec, ok := s.sso.take(c.Value)
	if !ok {
		return nil
	}
	rp, ok := s.rps[rec.policy]
	if !ok {
		return nil
	}
	var frames []string
	for _, id := range rec.federated {
		if sl, ok := rp.journey.Profiles[id].(profile.SingleLogout); ok {
			if u, ok := sl.LogoutURL(); ok && !slices.Contains(frames, u) {
				frames = append(frames, u)
			}
		}
	}
	return frames
}

func (s *Server) registeredAnywhere(uri string) bool {
	for _, a := range s.apps {
		if slices.Contains(a.RedirectURIs, uri) {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
