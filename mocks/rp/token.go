package rp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// tokenResponse is the part of a token endpoint answer the RP reads.
type tokenResponse struct {
	IDToken          string `json:"id_token"`
	AccessToken      string `json:"access_token"`
	RefreshToken     string `json:"refresh_token"`
	Resource         string `json:"resource"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// redeem exchanges code at the token endpoint of req and returns its answer.
// An error answer of the endpoint is returned as a *tokenError.
func (s *Server) redeem(ctx context.Context, code string, req *AuthorizeRequest) (tokenResponse, error) {
	form := url.Values{}
	form.Set("grant_type", "authorization_code")
	if req.CodeVerifier != "" {
		v := req.CodeVerifier
		if req.TamperVerifier {
			v += "-tampered"
		}
		form.Set("code_verifier", v)
	}
	form.Set("code", code)
	form.Set("redirect_uri", s.RedirectURI())
	return s.tokenRequest(ctx, form, req)
}

// tokenRequest posts form, with the client's credentials, to the token
// endpoint of req.
func (s *Server) tokenRequest(ctx context.Context, form url.Values, req *AuthorizeRequest) (tokenResponse, error) {
	form.Set("client_id", s.clientID(req))
	secret := s.cfg.ClientSecret
	if req.ClientSecret != "" {
		secret = req.ClientSecret
	}
	if secret != "" && !req.NoClientSecret {
		form.Set("client_secret", secret)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, req.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("redeem code: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hreq.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(hreq)
	if err != nil {
		return tokenResponse{}, fmt.Errorf("redeem code: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("redeem code: read answer of %s: %w", req.TokenEndpoint, err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return tokenResponse{}, fmt.Errorf("redeem code: %s answered %d with a non-JSON body (Content-Type %q): %q",
			req.TokenEndpoint, resp.StatusCode, resp.Header.Get("Content-Type"), snippet(body))
	}
	if tr.Error != "" || resp.StatusCode != http.StatusOK {
		return tokenResponse{}, &tokenError{endpoint: req.TokenEndpoint, status: resp.StatusCode, code: tr.Error, description: tr.ErrorDescription}
	}
	if tr.IDToken == "" {
		return tokenResponse{}, fmt.Errorf("redeem code: %s answered without an id_token: %q", req.TokenEndpoint, snippet(body))
	}
	return tr, nil
}

// Refresh redeems refreshToken for the sign-in begun under state, as the
// sign-in's client, and returns the answer as a Result (Mode "refresh"):
// the new tokens, the id_token verified, or the token endpoint's error.
func (s *Server) Refresh(ctx context.Context, state, refreshToken string) (Result, error) {
	req := s.request(state)
	if req == nil {
		return Result{}, fmt.Errorf("refresh: no sign-in was begun with state %q", state)
	}
	res := Result{Mode: "refresh", State: state, Received: s.now()}
	tr, err := s.tokenRequest(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}, req)
	var te *tokenError
	switch {
	case errors.As(err, &te):
		res.Error, res.ErrorDescription = te.code, te.description
		return res, nil
	case err != nil:
		return Result{}, err
	}
	if err := s.takeTokens(ctx, &res, tr, req); err != nil {
		res.VerifyError = err.Error()
	}
	return res, nil
}

// takeTokens puts a token response in res and verifies its id_token and
// access token.
func (s *Server) takeTokens(ctx context.Context, res *Result, tr tokenResponse, req *AuthorizeRequest) error {
	res.IDToken, res.AccessToken, res.RefreshToken = tr.IDToken, tr.AccessToken, tr.RefreshToken
	if h, _, err := decodeUnverified(res.IDToken); err == nil {
		res.Header = h
	}
	claims, err := s.verify(ctx, res.IDToken, req, s.clientID(req))
	if err != nil {
		return fmt.Errorf("verify id_token: %w", err)
	}
	res.Claims = claims
	if tr.AccessToken != "" {
		if res.AccessClaims, err = s.verify(ctx, tr.AccessToken, req, tr.Resource); err != nil {
			return fmt.Errorf("verify access_token: %w", err)
		}
	}
	return nil
}

// tokenError is an OAuth2 error answered by the token endpoint.
type tokenError struct {
	endpoint    string
	status      int
	code        string
	description string
}

func (e *tokenError) Error() string {
	return fmt.Sprintf("redeem code: %s answered %d: error=%q error_description=%q", e.endpoint, e.status, e.code, e.description)
}

// snippet shortens a body for an error message.
func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
