package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
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

// adminAllowed applies the admin APIs' guard (mocks/adminauth) to r,
// answering it when r is refused.
func (s *Stack) adminAllowed(w http.ResponseWriter, r *http.Request, what string) bool {
	if refusal := adminauth.Check(r, what, s.opts.AdminToken); refusal != nil {
		if refusal.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="iefconform admin"`)
		}
		writeAdminError(w, refusal.Status, refusal.Message)
		return false
	}
	return true
}

func (s *Stack) serveDirectoryAdmin(w http.ResponseWriter, r *http.Request) {
	if !s.adminAllowed(w, r, "emulator's directory") {
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
		writeAdminJSON(w, http.StatusOK, out)
	case rest == "/users" && r.Method == http.MethodPost:
		var fu directory.FileUser
		if err := decodeAdminJSON(w, r, 1<<20, &fu); err != nil {
			if !errors.Is(err, errNotJSON) {
				writeAdminError(w, http.StatusBadRequest, "the body is not one account: "+err.Error())
			}
			return
		}
		u, err := fu.User()
		if err == nil {
			u, err = s.Directory.Create(r.Context(), u)
		}
		switch {
		case errors.Is(err, directory.ErrExists):
			writeAdminError(w, http.StatusConflict, err.Error())
		case errors.Is(err, directory.ErrFile):
			writeAdminError(w, http.StatusInternalServerError, err.Error())
		case err != nil:
			writeAdminError(w, http.StatusBadRequest, err.Error())
		default:
			writeAdminJSON(w, http.StatusCreated, directory.NewFileUser(u, false))
		}
	case strings.HasPrefix(rest, "/users/") && r.Method == http.MethodDelete:
		err := s.Directory.Delete(r.Context(), strings.TrimPrefix(rest, "/users/"))
		switch {
		case errors.Is(err, directory.ErrNotFound):
			writeAdminError(w, http.StatusNotFound, err.Error())
		case err != nil:
			writeAdminError(w, http.StatusInternalServerError, err.Error())
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		writeAdminError(w, http.StatusNotFound, fmt.Sprintf("no directory admin route %s %s (GET %s, POST %s/users, DELETE %s/users/{objectId})",
			r.Method, r.URL.Path, directoryAdminPath, directoryAdminPath, directoryAdminPath))
	}
}

// errNotJSON: decodeAdminJSON answered the request (415) already.
var errNotJSON = errors.New("not JSON")

// decodeAdminJSON reads an admin request's JSON body (at most limit bytes,
// unknown fields refused) into v. A body of another Content-Type is answered
// with 415 and errNotJSON; other errors are the caller's to answer.
func decodeAdminJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeAdminError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("want Content-Type: application/json, got %q", r.Header.Get("Content-Type")))
		return errNotJSON
	}
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeAdminError(w http.ResponseWriter, status int, msg string) {
	writeAdminJSON(w, status, map[string]string{"error": http.StatusText(status), "error_description": msg})
}
