package rp

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iefconform/iefconform/mocks/adminauth"
)

// MaxResultWait bounds ?wait of a result request, well within a party
// server's write timeout (60 s) so that the answer still goes out.
const MaxResultWait = 50 * time.Second

// redactedValue replaces a secret in what the admin API shows.
const redactedValue = "(redacted)"

// Redacted is r without what would let its reader act as the user: the
// code, the access and refresh tokens and the raw answer become
// "(redacted)"; the id_token and its claims, which tests assert on, stay.
func (r Result) Redacted() Result {
	for _, f := range []*string{&r.Code, &r.AccessToken, &r.RefreshToken, &r.Raw} {
		if *f != "" {
			*f = redactedValue
		}
	}
	if r.Params != nil {
		params := url.Values{}
		for k, vs := range r.Params {
			if k == "code" || k == "access_token" || k == "refresh_token" {
				vs = []string{redactedValue}
			}
			params[k] = vs
		}
		r.Params = params
	}
	return r
}

// ServeResult answers a request for the result of state: 200 with the
// Result as JSON (Redacted unless ?secrets=true), waiting up to ?wait (at
// most MaxResultWait) for it; 404 when nothing came, at once for a state
// Begin never issued. The caller guards the request.
func (s *Server) ServeResult(w http.ResponseWriter, r *http.Request, state string) {
	show := func(res Result) {
		if r.URL.Query().Get("secrets") != "true" {
			res = res.Redacted()
		}
		adminauth.WriteJSON(w, http.StatusOK, res)
	}
	if res, ok := s.Result(state); ok {
		show(res)
		return
	}
	if !s.Began(state) {
		adminauth.WriteError(w, http.StatusNotFound, "the relying party began no sign-in with state "+state)
		return
	}
	wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
	if wait <= 0 {
		adminauth.WriteError(w, http.StatusNotFound, "the relying party has received nothing for state "+state)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), min(wait, MaxResultWait))
	defer cancel()
	res, err := s.Wait(ctx, state)
	if err != nil {
		adminauth.WriteError(w, http.StatusNotFound, "the relying party has received nothing for state "+state+" within "+min(wait, MaxResultWait).String())
		return
	}
	show(res)
}

// AdminHandler serves the relying party's admin API when it runs alone
// (iefconform mock rp), guarded as every mock's is (mocks/adminauth: the
// Bearer token, or loopback clients naming the party's own host):
//
//	POST /_admin/signin            an AuthorizeRequest as JSON (AuthorizeEndpoint, TokenEndpoint,
//	                               JWKSURL, Issuer, ResponseType, ResponseMode, Scope, PKCE, ...):
//	                               {"url", "state"}, the URL to open in a browser
//	GET  /_admin/results/{state}   what came back for state (ServeResult: ?wait=, ?secrets=true)
//
// Everything else goes to next, the relying party's own routes.
func (s *Server) AdminHandler(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ok := strings.CutPrefix(r.URL.Path, s.prefix+"/_admin/")
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if !adminauth.Allow(w, r, "relying party", token) {
			return
		}
		switch {
		case path == "signin" && r.Method == http.MethodPost:
			var req AuthorizeRequest
			if err := adminauth.DecodeJSON(w, r, 1<<16, &req); errors.Is(err, adminauth.ErrNotJSON) {
				return
			} else if err != nil {
				adminauth.WriteError(w, http.StatusBadRequest, "the body is not one authorization request: "+err.Error())
				return
			}
			u, state, err := s.Begin(req)
			if err != nil {
				status := http.StatusBadRequest
				if !errors.Is(err, ErrInvalidRequest) {
					status = http.StatusInternalServerError
				}
				adminauth.WriteError(w, status, err.Error())
				return
			}
			adminauth.WriteJSON(w, http.StatusOK, map[string]string{"url": u, "state": state})
		case strings.HasPrefix(path, "results/") && r.Method == http.MethodGet:
			s.ServeResult(w, r, strings.TrimPrefix(path, "results/"))
		default:
			adminauth.WriteError(w, http.StatusNotFound, "no admin route "+r.Method+" "+r.URL.Path+" (POST /_admin/signin, GET /_admin/results/{state})")
		}
	})
}
