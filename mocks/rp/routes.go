package rp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"
)

// routes builds the RP's router. Every path is under the BaseURL's path.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	r.HandleFunc(s.prefix+"/callback", s.handleCallback).Methods(http.MethodGet)
	r.HandleFunc(s.prefix+"/callback", s.handleFormPost).Methods(http.MethodPost)
	r.HandleFunc(s.prefix+"/callback/fragment", s.handleFragment).Methods(http.MethodPost)
	return r
}

// handleCallback captures a query-mode response, or, when there is no query, serves
// the page that posts the URL fragment back to /callback/fragment.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery == "" {
		s.render(w, r, fragmentPage, fragmentView{Action: s.prefix + "/callback/fragment"})
		return
	}
	res := s.capture(r.Context(), "query", r.URL.RawQuery)
	s.render(w, r, resultPage, newResultView(res))
}

// handleFragment captures a fragment-mode response posted by the fragment page
// as the form field "fragment".
func (s *Server) handleFragment(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, fmt.Errorf("read fragment: %w", err))
		return
	}
	res := s.capture(r.Context(), "fragment", r.PostForm.Get("fragment"))
	s.render(w, r, resultPage, newResultView(res))
}

// handleFormPost captures a form_post response.
func (s *Server) handleFormPost(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		s.writeError(w, r, fmt.Errorf("read form_post body: %w", err))
		return
	}
	res := s.capture(r.Context(), "form_post", string(body))
	s.render(w, r, resultPage, newResultView(res))
}

// capture builds, verifies and stores the result of one response.
func (s *Server) capture(ctx context.Context, mode, raw string) Result {
	params, perr := url.ParseQuery(raw)
	res := Result{
		Mode:             mode,
		Raw:              raw,
		Params:           params,
		State:            params.Get("state"),
		Error:            params.Get("error"),
		ErrorDescription: params.Get("error_description"),
		IDToken:          params.Get("id_token"),
		Code:             params.Get("code"),
		Received:         s.now(),
	}
	if err := s.complete(ctx, &res, perr); err != nil {
		res.VerifyError = err.Error()
	}
	s.store(res)
	return res
}

// complete redeems the code if needed and verifies the id_token of res.
func (s *Server) complete(ctx context.Context, res *Result, parseErr error) error {
	if parseErr != nil {
		return fmt.Errorf("parse %s response: %w", res.Mode, parseErr)
	}
	if res.Error != "" && res.IDToken == "" && res.Code == "" {
		return nil
	}
	req := s.request(res.State)
	if req == nil {
		return fmt.Errorf("unknown state %q: no sign-in was begun with it, nothing to verify against", res.State)
	}
	if res.Code != "" {
		// The code flow, and the hybrid code id_token, whose front-channel
		// id_token is kept as FrontIDToken.
		front := res.IDToken
		tr, err := s.redeem(ctx, res.Code, req)
		var te *tokenError
		if errors.As(err, &te) && res.Error == "" {
			res.Error, res.ErrorDescription = te.code, te.description
		}
		if err != nil {
			return err
		}
		res.FrontIDToken = front
		return s.takeTokens(ctx, res, tr, req)
	}
	if res.IDToken == "" {
		return fmt.Errorf("no id_token, code or error in the %s response", res.Mode)
	}
	return s.takeTokens(ctx, res, tokenResponse{IDToken: res.IDToken}, req)
}

// writeError answers a request the RP could not read. Only server errors are logged.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadRequest
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, errRender):
		status = http.StatusInternalServerError
		log.Printf("rp: %s %s: %v", r.Method, r.URL.Path, err)
	}
	http.Error(w, err.Error(), status)
}
