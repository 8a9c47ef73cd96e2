package oauth1

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

func (s *Server) handleAdminConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Config())
}

func (s *Server) handleAdminConsumers(w http.ResponseWriter, r *http.Request) {
	var c Consumer
	if err := decodeAdmin(r, &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.AddConsumer(c); err != nil {
		s.writeError(w, r, badRequest(err.Error()))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	var u User
	if err := decodeAdmin(r, &u); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.AddUser(u); err != nil {
		s.writeError(w, r, badRequest(err.Error()))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAdminTokens(w http.ResponseWriter, r *http.Request) {
	var t AccessToken
	if err := decodeAdmin(r, &t); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.AddAccessToken(t); err != nil {
		s.writeError(w, r, badRequest(err.Error()))
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
		s.writeError(w, r, badRequest(err.Error()))
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
		return "", badRequest(fmt.Sprintf("endpoint: want request_token, authorize, access_token or claims, got %q", ep))
	}
	return ep, nil
}

// decodeAdmin reads a JSON request body into v; any problem is a 400 invalid_request.
func decodeAdmin(r *http.Request, v any) error {
	if err := cfgfile.DecodeJSON(http.MaxBytesReader(nil, r.Body, maxBody), v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return requestError{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request", Description: "request body larger than 1 MiB"}
		}
		return badRequest("bad JSON body: " + err.Error())
	}
	return nil
}
