package stack

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/mocks/adminauth"
	"github.com/iefconform/iefconform/mocks/journal"
	"github.com/iefconform/iefconform/mocks/rp"
)

// stackAdminPrefix is the emulator listener's admin API for the stack as a
// whole, beside /_admin/directory: what a test outside the process (a
// container's, a remote run's) needs. Guarded like every admin API
// (mocks/adminauth), never journaled.
//
//	GET  /_admin/journal            every party's requests, secrets redacted: {"entries": [...], "dropped": N}
//	POST /_admin/signin             {"policy", "responseType", "responseMode"}: the relying party begins
//	                                a sign-in; {"url", "state"}, the URL to open in a browser
//	GET  /_admin/results/{state}    what the relying party received for state, its tokens, code and raw
//	                                answer redacted unless ?secrets=true; ?wait=10s waits for it (at
//	                                most 50 s; 404 when nothing came, at once for a state never begun)
const stackAdminPrefix = "/_admin/"

func (s *Stack) serveStackAdmin(w http.ResponseWriter, r *http.Request) {
	if !adminauth.Allow(w, r, "emulator's stack", s.opts.AdminToken) {
		return
	}
	path := strings.TrimPrefix(r.URL.Path, stackAdminPrefix)
	switch {
	case path == "journal" && r.Method == http.MethodGet:
		entries := s.Journal.Entries()
		if entries == nil {
			entries = []journal.Entry{}
		}
		adminauth.WriteJSON(w, http.StatusOK, map[string]any{"entries": entries, "dropped": s.Journal.Dropped()})
	case path == "signin" && r.Method == http.MethodPost:
		var in struct {
			Policy       string `json:"policy"`
			ResponseType string `json:"responseType"`
			ResponseMode string `json:"responseMode"`
		}
		if err := adminauth.DecodeJSON(w, r, 1<<16, &in); errors.Is(err, adminauth.ErrNotJSON) {
			return
		} else if err != nil || in.Policy == "" {
			adminauth.WriteError(w, http.StatusBadRequest, `want {"policy": "B2C_1A_...", "responseType": "id_token", "responseMode": "form_post"}`)
			return
		}
		if in.ResponseType == "" {
			in.ResponseType = "id_token"
		}
		if in.ResponseMode == "" {
			in.ResponseMode = "form_post"
		}
		emu := s.Emulator()
		if emu == nil || !slices.ContainsFunc(emu.Policies(), func(id string) bool { return strings.EqualFold(id, in.Policy) }) {
			served := []string{}
			if emu != nil {
				served = emu.Policies()
			}
			adminauth.WriteError(w, http.StatusNotFound, "no relying-party policy "+in.Policy+" is served; have "+strings.Join(served, ", "))
			return
		}
		u, state, err := s.BeginSignIn(in.Policy, rp.AuthorizeRequest{ResponseType: in.ResponseType, ResponseMode: in.ResponseMode})
		if err != nil {
			adminauth.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminauth.WriteJSON(w, http.StatusOK, map[string]string{"url": u, "state": state})
	case strings.HasPrefix(path, "results/") && r.Method == http.MethodGet:
		s.RP.ServeResult(w, r, strings.TrimPrefix(path, "results/"))
	default:
		adminauth.WriteError(w, http.StatusNotFound, "no admin route "+r.Method+" "+r.URL.Path+
			" (GET /_admin/journal, POST /_admin/signin, GET /_admin/results/{state}, /_admin/directory)")
	}
}
