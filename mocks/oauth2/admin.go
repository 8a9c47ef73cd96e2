package oauth2

import (
	"fmt"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

func (s *Server) handleAdminConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Config())
}

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	var u User
	if err := decodeAdmin(r, &u); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.AddUser(u); err != nil {
		s.writeError(w, r, oauthError(CodeInvalidRequest, err.Error()))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAdminClients(w http.ResponseWriter, r *http.Request) {
	var c Client
	if err := decodeAdmin(r, &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.AddClient(c); err != nil {
		s.writeError(w, r, oauthError(CodeInvalidRequest, err.Error()))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAdminEnqueue(w http.ResponseWriter, r *http.Request) {
	ep, err := adminEndpoint(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var resp Response
	if err := decodeAdmin(r, &resp); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := resp.validate(); err != nil {
		s.writeError(w, r, oauthError(CodeInvalidRequest, err.Error()))
		return
	}
	s.Enqueue(ep, resp)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAdminRequests(w http.ResponseWriter, r *http.Request) {
	ep, err := adminEndpoint(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.Requests(ep))
}

// adminEndpoint reads and checks the endpoint query parameter.
func adminEndpoint(r *http.Request) (Endpoint, error) {
	ep := Endpoint(r.URL.Query().Get("endpoint"))
	if !ep.Valid() {
		return "", oauthError(CodeInvalidRequest, fmt.Sprintf("endpoint: want authorize, token, claims or logout, got %q", ep))
	}
	return ep, nil
}

// decodeAdmin reads a JSON request body into v; any problem is an invalid_request.
func decodeAdmin(r *http.Request, v any) error {
	if err := cfgfile.DecodeJSON(http.MaxBytesReader(nil, r.Body, maxBody), v); err != nil {
		return oauthError(CodeInvalidRequest, "bad JSON body: "+err.Error())
	}
	return nil
}
