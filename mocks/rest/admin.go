package rest

import (
	"errors"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

func (s *Server) handleAdminConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Config())
}

func (s *Server) handleAdminRoutes(w http.ResponseWriter, r *http.Request) {
	var rt Route
	if err := decodeAdmin(r, &rt); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.AddRoute(rt); err != nil {
		s.writeError(w, r, errBadRequest(err.Error()))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAdminResponses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	path := q.Get("path")
	if path == "" {
		s.writeError(w, r, errBadRequest("path: want a route's path pattern such as /users/{id}, got none"))
		return
	}
	var rs []Response
	if err := decodeAdmin(r, &rs); err != nil {
		s.writeError(w, r, err)
		return
	}
	err := s.SetResponses(q.Get("method"), path, rs...)
	switch {
	case errors.Is(err, ErrUnknownRoute):
		s.writeError(w, r, errNotFound(err.Error()))
	case err != nil:
		s.writeError(w, r, errBadRequest(err.Error()))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) handleAdminCalls(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Calls(r.URL.Query().Get("path")))
}

func (s *Server) handleAdminReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}

// decodeAdmin reads a JSON request body into v; any problem is a 400.
func decodeAdmin(r *http.Request, v any) error {
	if err := cfgfile.DecodeJSON(http.MaxBytesReader(nil, r.Body, maxBody), v); err != nil {
		return errBadRequest("bad JSON body: " + err.Error())
	}
	return nil
}
