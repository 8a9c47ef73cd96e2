package stack

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

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

// maxResultWait bounds ?wait of /_admin/results, well within the party
// servers' WriteTimeout so that the answer still goes out.
const maxResultWait = 50 * time.Second

func (s *Stack) serveStackAdmin(w http.ResponseWriter, r *http.Request) {
	if !s.adminAllowed(w, r, "emulator's stack") {
		return
	}
	path := strings.TrimPrefix(r.URL.Path, stackAdminPrefix)
	switch {
	case path == "journal" && r.Method == http.MethodGet:
		entries := s.Journal.Entries()
		if entries == nil {
			entries = []journal.Entry{}
		}
		writeAdminJSON(w, http.StatusOK, map[string]any{"entries": entries, "dropped": s.Journal.Dropped()})
	case path == "signin" && r.Method == http.MethodPost:
		var in struct {
			Policy       string `json:"policy"`
			ResponseType string `json:"responseType"`
			ResponseMode string `json:"responseMode"`
		}
		if err := decodeAdminJSON(w, r, 1<<16, &in); errors.Is(err, errNotJSON) {
			return
		} else if err != nil || in.Policy == "" {
			writeAdminError(w, http.StatusBadRequest, `want {"policy": "B2C_1A_...", "responseType": "id_token", "responseMode": "form_post"}`)
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
			writeAdminError(w, http.StatusNotFound, "no relying-party policy "+in.Policy+" is served; have "+strings.Join(served, ", "))
			return
		}
		u, state, err := s.BeginSignIn(in.Policy, rp.AuthorizeRequest{ResponseType: in.ResponseType, ResponseMode: in.ResponseMode})
		if err != nil {
			writeAdminError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeAdminJSON(w, http.StatusOK, map[string]string{"url": u, "state": state})
	case strings.HasPrefix(path, "results/") && r.Method == http.MethodGet:
		state := strings.TrimPrefix(path, "results/")
		show := func(res rp.Result) {
			if r.URL.Query().Get("secrets") != "true" {
				res = redactResult(res)
			}
			writeAdminJSON(w, http.StatusOK, res)
		}
		if res, ok := s.RP.Result(state); ok {
			show(res)
			return
		}
		if !s.RP.Began(state) {
			writeAdminError(w, http.StatusNotFound, "the relying party began no sign-in with state "+state)
			return
		}
		wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
		if wait <= 0 {
			writeAdminError(w, http.StatusNotFound, "the relying party has received nothing for state "+state)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), min(wait, maxResultWait))
		defer cancel()
		res, err := s.RP.Wait(ctx, state)
		if err != nil {
			writeAdminError(w, http.StatusNotFound, "the relying party has received nothing for state "+state+" within "+wait.String())
			return
		}
		show(res)
	default:
		writeAdminError(w, http.StatusNotFound, "no admin route "+r.Method+" "+r.URL.Path+
			" (GET /_admin/journal, POST /_admin/signin, GET /_admin/results/{state}, /_admin/directory)")
	}
}

// redactResult hides what a relying party's result holds that would let its
// reader act as the user (the code, access and refresh tokens, the raw
// answer), keeping the id_token and its claims that tests assert on.
func redactResult(res rp.Result) rp.Result {
	const hidden = "(redacted)"
	for _, f := range []*string{&res.Code, &res.AccessToken, &res.RefreshToken} {
		if *f != "" {
			*f = hidden
		}
	}
	if res.Raw != "" {
		res.Raw = hidden
	}
	if res.Params != nil {
		params := url.Values{}
		for k, vs := range res.Params {
			if k == "code" || k == "access_token" || k == "refresh_token" {
				vs = []string{hidden}
			}
			params[k] = vs
		}
		res.Params = params
	}
	return res
}
