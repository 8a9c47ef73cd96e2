package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/profile"
)

// tokenSeed is what the journey's SendClaims step issued tokens from, kept so
// that a refresh token can issue them again (spec apps §4.2: only nbf, iat
// and exp change).
type tokenSeed struct {
	issuer    profile.Issuer
	claims    map[string]any
	nonce     string
	authTime  time.Time
	access    *profile.AccessRequest
	offline   bool
	lifetimes profile.Lifetimes
	// objectID is the user's objectId, by which revocation is checked and
	// client_info names the account.
	objectID string
	// ext is the custom claims provider call of the sign-in, made again at
	// each refresh (ECP-07).
	ext extensionCall
}

// refreshGrant is one refresh token: what it renews and when it ends.
type refreshGrant struct {
	rp       *relyingParty
	clientID string
	seed     tokenSeed
	// chainStart is the original sign-in, from which the sliding window runs.
	chainStart, issued, expires time.Time
}

// maxRefreshLifetime bounds how long the emulator keeps a refresh token: the
// longest refresh_token_lifetime_secs B2C allows (90 days). Each token's own
// expiry is checked when it is redeemed.
const maxRefreshLifetime = 90 * 24 * time.Hour

// issueRefresh mints a refresh token for a grant, the chain starting at start.
func (s *Server) issueRefresh(rp *relyingParty, clientID string, seed tokenSeed, start time.Time) (string, time.Duration) {
	now := s.cfg.Now()
	life := seed.lifetimes.RefreshToken
	// A token stays redeemable until it expires even after it was rotated
	// (spec apps §4.3 [UNK]: the recommended choice).
	tok := s.refresh.put(refreshGrant{rp: rp, clientID: clientID, seed: seed, chainStart: start, issued: now, expires: now.Add(life)})
	return tok, life
}

// redeemRefresh is grant_type=refresh_token (spec apps §4.2, §4.3): the same
// policy and client, within the token's lifetime and the sliding window, a
// user whose refresh tokens were not revoked; then the tokens again, with a
// new refresh token.
func (s *Server) redeemRefresh(w http.ResponseWriter, r *http.Request, rp *relyingParty, clientID string) {
	f := r.PostForm
	tok := f.Get("refresh_token")
	if tok == "" {
		s.writeError(w, r, nil, tokenError(http.StatusBadRequest, "invalid_request", "AADB2C90083", "The request is missing required parameter: refresh_token."))
		return
	}
	g, ok := s.refresh.get(tok)
	now := s.cfg.Now()
	switch {
	case !ok:
		s.writeError(w, r, nil, tokenError(http.StatusBadRequest, "invalid_grant", "AADB2C90080", "The provided grant has expired. Please re-authenticate and try again."))
		return
	case g.rp != rp:
		s.writeError(w, r, nil, tokenError(http.StatusBadRequest, "invalid_grant", "AADB2C90088",
			fmt.Sprintf("The provided grant has not been issued for this endpoint. Actual Value : %s and Expected Value : %s", rp.policy.PolicyID, g.rp.policy.PolicyID)))
		return
	case g.clientID != clientID:
		s.writeError(w, r, nil, tokenError(http.StatusBadRequest, "invalid_grant", "AADB2C90279", "The provided grant was not issued to the client '"+clientID+"'."))
		return
	case now.After(g.expires):
		s.writeError(w, r, nil, tokenError(http.StatusBadRequest, "invalid_grant", "AADB2C90080",
			fmt.Sprintf("The provided grant has expired. Please re-authenticate and try again. Current time: %d, Grant issued time: %d, Grant expiration time: %d", now.Unix(), g.issued.Unix(), g.expires.Unix())))
		return
	case !g.seed.lifetimes.InfiniteRolling && now.After(g.chainStart.Add(g.seed.lifetimes.RollingRefresh)):
		s.writeError(w, r, nil, tokenError(http.StatusBadRequest, "invalid_grant", "AADB2C90080",
			fmt.Sprintf("The provided grant has expired. Please re-authenticate and try again. Current time: %d, Grant issued time: %d, Grant sliding window expiration time: %d",
				now.Unix(), g.chainStart.Unix(), g.chainStart.Add(g.seed.lifetimes.RollingRefresh).Unix())))
		return
	}
	if err := s.checkRevoked(r.Context(), g); err != nil {
		s.writeError(w, r, nil, err)
		return
	}
	claims := maps.Clone(g.seed.claims)
	if _, jwt := g.seed.issuer.(profile.PublicKeys); jwt {
		// The token issuance event fires again for the refreshed tokens (ECP-07).
		call := g.seed.ext
		call.correlationID = uuid.NewString()
		if err := s.provideClaims(r.Context(), r, call, claims); err != nil {
			s.writeError(w, r, nil, tokenError(http.StatusInternalServerError, "server_error", "", profile.AsError(err).Message))
			return
		}
	}
	issued, err := g.seed.issuer.Issue(r.Context(), s.policyEnv(rp), profile.IssueRequest{Audience: clientID, Nonce: g.seed.nonce,
		Claims: claims, AuthTime: g.seed.authTime, Access: g.seed.access})
	if err == nil && issued.Error != nil {
		err = issued.Error
	}
	if err != nil {
		s.writeError(w, r, nil, tokenError(http.StatusInternalServerError, "server_error", "", "The tokens could not be issued again: "+err.Error()))
		return
	}
	s.writeTokens(w, r, rp, clientID, issued, g.seed, g.chainStart)
}

// checkRevoked refuses a refresh token of a user deleted since (AADB2C90128)
// or whose refresh tokens were revoked after it was issued (AADB2C90129;
// refreshTokensValidFromDateTime, with the starter pack's 5-minute leeway).
func (s *Server) checkRevoked(ctx context.Context, g refreshGrant) *pageError {
	if g.seed.objectID == "" || s.cfg.Directory == nil {
		return nil
	}
	u, err := s.cfg.Directory.Find(ctx, directory.Key{Kind: directory.ByObjectID, Value: g.seed.objectID})
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return tokenError(http.StatusBadRequest, "invalid_grant", "AADB2C90128", "The account associated with this grant no longer exists. Please reauthenticate and try again.")
	case err != nil:
		return nil // a directory that cannot answer does not revoke
	case !u.RefreshTokensValidFromDateTime.IsZero() && u.RefreshTokensValidFromDateTime.After(g.issued.Add(5*time.Minute)):
		return tokenError(http.StatusBadRequest, "invalid_grant", "AADB2C90129", "The provided grant has been revoked. Please reauthenticate and try again.")
	}
	return nil
}

// writeTokens answers a token request (spec apps §3.6): the id_token, the
// access token when the grant has one, a new refresh token with
// offline_access, client_info when asked (client_info=1), profile_info.
func (s *Server) writeTokens(w http.ResponseWriter, r *http.Request, rp *relyingParty, clientID string, issued *profile.Issued, seed tokenSeed, chainStart time.Time) {
	now := s.cfg.Now()
	lt := seed.lifetimes
	body := map[string]any{
		"id_token":            issued.IDToken,
		"token_type":          "Bearer",
		"not_before":          now.Unix(),
		"id_token_expires_in": int64(lt.IDToken / time.Second),
		"profile_info":        s.profileInfo(seed),
	}
	scopes := []string{scopeOpenID}
	if issued.AccessToken != "" {
		exp := int64(lt.AccessToken / time.Second)
		body["access_token"] = issued.AccessToken
		body["expires_in"] = exp
		body["expires_on"] = now.Unix() + exp
		body["resource"] = seed.access.Audience
		if seed.access.Audience == clientID {
			scopes = append(scopes, clientID)
		}
	}
	if seed.offline {
		tok, life := s.issueRefresh(rp, clientID, seed, chainStart)
		body["refresh_token"] = tok
		body["refresh_token_expires_in"] = int64(life / time.Second)
		scopes = append(scopes, scopeOfflineAccess)
	}
	body["scope"] = strings.Join(scopes, " ")
	if r.PostForm.Get("client_info") == "1" && seed.objectID != "" {
		ci, _ := json.Marshal(map[string]string{"uid": seed.objectID + "-" + strings.ToLower(rp.policy.PolicyID), "utid": s.tenantGUID})
		body["client_info"] = base64.RawURLEncoding.EncodeToString(ci)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(body)
}

// profileInfo is B2C's profile_info: base64url JSON with ver, tid, sub, name,
// preferred_username and idp, null when the token has none (spec apps §3.7 [INF]).
func (s *Server) profileInfo(seed tokenSeed) string {
	get := func(k string) any {
		if v, ok := seed.claims[k]; ok {
			return v
		}
		return nil
	}
	idp := get("idp")
	if idp == nil {
		idp = "LocalAccount"
	}
	b, _ := json.Marshal(map[string]any{"ver": "1.0", "tid": s.tenantGUID, "sub": get("sub"), "name": get("name"), "preferred_username": nil, "idp": idp})
	return base64.RawURLEncoding.EncodeToString(b)
}
