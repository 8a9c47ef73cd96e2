package oauth2

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/engine/profile"
)

// userInfo calls the claims endpoint (spec §2.1 step D): always GET; the format
// parameter, the forwarded token-response parameters, then the access token in
// the query (ClaimsEndpointAccessTokenName) or in the Authorization header.
func (p *Profile) userInfo(ctx context.Context, env *profile.Env, tok *tokenResponse) ([]byte, error) {
	u, err := url.Parse(p.cfg.ClaimsEndpoint)
	if err != nil {
		return nil, connectError(fmt.Errorf("claims endpoint: %w", err))
	}
	var parts []string
	add := func(k, v string) { parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v)) }
	if p.cfg.ClaimsFormatName != "" {
		add(p.cfg.ClaimsFormatName, p.cfg.ClaimsFormat)
	}
	var forwarded []string
	for _, name := range append(slices.Clone(p.cfg.ExtraTokenParams), p.cfg.ExtraClaimsParams...) {
		if v, ok := tok.params[name]; ok && !slices.Contains(forwarded, name) {
			forwarded = append(forwarded, name)
			add(name, v)
		}
	}
	if !p.cfg.BearerInHeader {
		add(p.cfg.ClaimsTokenName, tok.AccessToken)
	}
	u.RawQuery = profile.AppendQuery(u.RawQuery, strings.Join(parts, "&"))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, connectError(fmt.Errorf("claims request: %w", err))
	}
	req.Header.Set("Accept", "application/json")
	if p.cfg.BearerInHeader {
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	}
	status, ctype, body, err := do(env.HTTP, req)
	if err != nil {
		return nil, connectError(fmt.Errorf("claims request: %w", err))
	}
	if status != http.StatusOK {
		return nil, httpError("claims endpoint", status, ctype, body)
	}
	return body, nil
}
