package rp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// tokenResponse is the part of a token endpoint answer the RP reads.
type tokenResponse struct {
	IDToken          string `json:"id_token"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// redeem exchanges code at the token endpoint of req and returns the id_token.
// An error answer of the endpoint is returned as a *tokenError.
func (s *Server) redeem(ctx context.Context, code string, req *AuthorizeRequest) (string, error) {
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
		return "", fmt.Errorf("redeem code: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hreq.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(hreq)
	if err != nil {
		return "", fmt.Errorf("redeem code: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", fmt.Errorf("redeem code: read answer of %s: %w", req.TokenEndpoint, err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return "", fmt.Errorf("redeem code: %s answered %d with a non-JSON body (Content-Type %q): %q",
			req.TokenEndpoint, resp.StatusCode, resp.Header.Get("Content-Type"), snippet(body))
	}
	if tr.Error != "" || resp.StatusCode != http.StatusOK {
		return "", &tokenError{endpoint: req.TokenEndpoint, status: resp.StatusCode, code: tr.Error, description: tr.ErrorDescription}
	}
	if tr.IDToken == "" {
		return "", fmt.Errorf("redeem code: %s answered without an id_token: %q", req.TokenEndpoint, snippet(body))
	}
	return tr.IDToken, nil
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
