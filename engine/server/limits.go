package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/iefconform/iefconform/engine/journey"
)

// limit bounds every request: its URL (HTTP 414), its body (HTTP 413 when a
// handler reads past the limit) and its time (the context's deadline, whose
// cause is ErrRequestTimeout).
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uri := r.RequestURI
		if uri == "" {
			uri = r.URL.RequestURI()
		}
		if len(uri) > s.cfg.MaxURLBytes {
			s.writeError(w, r, nil, httpError(http.StatusRequestURITooLong, "",
				fmt.Sprintf("The request URL is %d bytes long; the emulator accepts at most %d (MaxURLBytes).", len(uri), s.cfg.MaxURLBytes)))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		}
		ctx, cancel := context.WithTimeoutCause(r.Context(), s.cfg.RequestTimeout, ErrRequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// parseForm parses the query and the form body of r. A body over
// MaxBodyBytes is HTTP 413; what names the request in other parse errors.
func parseForm(r *http.Request, what string) error {
	err := r.ParseForm()
	if err == nil {
		return nil
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return httpError(http.StatusRequestEntityTooLarge, "",
			fmt.Sprintf("The request body is larger than the %d bytes the emulator accepts (MaxBodyBytes).", tooLarge.Limit))
	}
	return httpError(http.StatusBadRequest, "", what+" could not be parsed: "+formProblem(err)+".")
}

// formProblem says in words what is wrong with a form ParseForm refused; Go's
// own error text never reaches the page.
func formProblem(err error) string {
	var esc url.EscapeError
	switch {
	case errors.As(err, &esc):
		return "it holds a malformed percent escape (" + strconv.Quote(string(esc)) + ")"
	case strings.Contains(err.Error(), "semicolon"):
		return "its query separates parameters with ';' where '&' is required"
	case strings.HasPrefix(err.Error(), "mime:"):
		return "its Content-Type header is malformed; want application/x-www-form-urlencoded"
	}
	return "it is not a valid application/x-www-form-urlencoded form"
}

// timedOut reports whether r's time budget (RequestTimeout) is spent.
func timedOut(r *http.Request) bool {
	return r.Context().Err() != nil && errors.Is(context.Cause(r.Context()), ErrRequestTimeout)
}

// stopped is the error page of a journey the emulator stopped rather than
// answering the relying party: it ran out of its request's time budget, it
// loops (a policy that escaped validation), or it reached a technical profile
// the emulator does not implement. Nil for any other failure.
func (s *Server) stopped(r *http.Request, err error) *pageError {
	switch {
	case timedOut(r):
		return httpError(http.StatusGatewayTimeout, "", fmt.Sprintf(
			"The request took longer than %s, the emulator's time budget for one request (RequestTimeout), and was stopped. Start the sign-in again.",
			s.cfg.RequestTimeout))
	case errors.Is(err, journey.ErrStepBudget), errors.Is(err, journey.ErrDepthLimit):
		return httpError(http.StatusInternalServerError, "", "The user journey was stopped because it does not end: "+err.Error())
	case errors.Is(err, ErrNotImplemented):
		return httpError(http.StatusNotImplemented, "", "The user journey reached a step the emulator cannot run: "+err.Error()+
			". `iefconform validate` lists what is not implemented.")
	}
	return nil
}
