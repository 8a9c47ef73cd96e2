package stack

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/mocks/adminauth"
)

// directoryAdminPath is the emulator listener's admin API for the
// directory: GET lists the accounts ({"users": [...]}, password hashes only
// with ?secrets=true), POST .../users creates one (a directory.FileUser; a
// plain-text "password" is hashed), DELETE .../users/{objectId} removes one.
// It is guarded like the mocks' admin APIs (mocks/adminauth) and not
// journaled.
const directoryAdminPath = "/_admin/directory"

// emulatorHandler serves the emulator's listener: the directory admin API,
// and everything else to the emulator, journaled.
func (s *Stack) emulatorHandler() http.Handler {
	emu := s.Journal.Wrap(PartyEmulator, http.HandlerFunc(s.serveEmulator))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == directoryAdminPath || strings.HasPrefix(r.URL.Path, directoryAdminPath+"/") {
			s.serveDirectoryAdmin(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, stackAdminPrefix) {
			s.serveStackAdmin(w, r)
			return
		}
		emu.ServeHTTP(w, r)
	})
}

func (s *Stack) serveDirectoryAdmin(w http.ResponseWriter, r *http.Request) {
	if !adminauth.Allow(w, r, "emulator's directory", s.opts.AdminToken) {
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, directoryAdminPath)
	switch {
	case rest == "" && r.Method == http.MethodGet:
		withHash := r.URL.Query().Get("secrets") == "true"
		users := s.Directory.Users()
		out := struct {
			Users []directory.FileUser `json:"users"`
		}{Users: make([]directory.FileUser, 0, len(users))}
		for _, u := range users {
			out.Users = append(out.Users, directory.NewFileUser(u, withHash))
		}
		adminauth.WriteJSON(w, http.StatusOK, out)
	case rest == "/users" && r.Method == http.MethodPost:
		var fu directory.FileUser
		if err := adminauth.DecodeJSON(w, r, 1<<20, &fu); err != nil {
			if !errors.Is(err, adminauth.ErrNotJSON) {
				adminauth.WriteError(w, http.StatusBadRequest, "the body is not one account: "+err.Error())
			}
			return
		}
		u, err := fu.User()
		if err == nil {
			u, err = s.Directory.Create(r.Context(), u)
		}
		switch {
		case errors.Is(err, directory.ErrExists):
			adminauth.WriteError(w, http.StatusConflict, err.Error())
		case errors.Is(err, directory.ErrFile):
			adminauth.WriteError(w, http.StatusInternalServerError, err.Error())
		case err != nil:
			adminauth.WriteError(w, http.StatusBadRequest, err.Error())
		default:
			adminauth.WriteJSON(w, http.StatusCreated, directory.NewFileUser(u, false))
		}
	case strings.HasPrefix(rest, "/users/") && r.Method == http.MethodDelete:
		err := s.Directory.Delete(r.Context(), strings.TrimPrefix(rest, "/users/"))
		switch {
		case errors.Is(err, directory.ErrNotFound):
			adminauth.WriteError(w, http.StatusNotFound, err.Error())
		case err != nil:
			adminauth.WriteError(w, http.StatusInternalServerError, err.Error())
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		adminauth.WriteError(w, http.StatusNotFound, fmt.Sprintf("no directory admin route %s %s (GET %s, POST %s/users, DELETE %s/users/{objectId})",
			r.Method, r.URL.Path, directoryAdminPath, directoryAdminPath, directoryAdminPath))
	}
}
