package rest

import (
	"errors"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// handleAdminResponses replaces the responses of the route given by the method and path query
// parameters with the JSON list in the body.
func (s *Server) handleAdminResponses(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	path := q.Get("path")
	if path == "" {
		return errBadRequest("path: want a route's path pattern such as /users/{id}, got none")
	}
	var rs []Response
	if err := kit.DecodeJSON(r, &rs); err != nil {
		return err
	}
	err := s.SetResponses(q.Get("method"), path, rs...)
	switch {
	case errors.Is(err, ErrUnknownRoute):
		return errNotFound(err.Error())
	case err != nil:
		return errBadRequest(err.Error())
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// adminFail answers a refusal of the admin API as an Error with the refusal's status and the
// package's codes.
func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, err error) {
	var ke *kit.Error
	if errors.As(err, &ke) {
		code := ke.Code
		if code == kit.CodeBadRequest {
			code = CodeBadRequest
		}
		err = Error{Status: ke.Status, Code: code, Message: ke.Message}
	}
	s.writeError(w, r, err)
}
