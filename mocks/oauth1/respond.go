package oauth1

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// Realm is the realm of the server's WWW-Authenticate challenges.
const Realm = "mock-oauth1"

// writeError is the one place where errors become responses: a Problem becomes HTTP 401 with a
// form-encoded oauth_problem body and a WWW-Authenticate challenge, a pageError the HTML error
// page, a requestError a JSON {"error","error_description"} body with its status, and anything
// else an unexpected failure, logged and answered with 500 server_error.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var p Problem
	if errors.As(err, &p) {
		w.Header().Set("WWW-Authenticate", challenge(p))
		kit.WriteBody(w, http.StatusUnauthorized, formContentType, []byte(problemBody(p)))
		return
	}
	var pe pageError
	if errors.As(err, &pe) {
		werr := s.renderErrorPage(w, pe)
		if werr == nil {
			return
		}
		err = werr
	}
	var re requestError
	if errors.As(err, &re) {
		kit.WriteJSON(w, re.Status, map[string]string{"error": re.Code, "error_description": re.Description})
		return
	}
	s.base.Unexpected(r, err)
	kit.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error", "error_description": "unexpected failure in the mock identity provider"})
}

// problemBody is the form-encoded body of a Problem: oauth_problem, oauth_problem_advice, then
// the extra parameters sorted by name.
func problemBody(p Problem) string {
	pairs := []string{"oauth_problem", p.Name}
	if p.Advice != "" {
		pairs = append(pairs, "oauth_problem_advice", p.Advice)
	}
	for _, k := range slices.Sorted(maps.Keys(p.Params)) {
		pairs = append(pairs, k, p.Params[k])
	}
	return encodePairs(pairs...)
}

// challenge is the WWW-Authenticate value for p (RFC 5849 §3.5.1 syntax).
func challenge(p Problem) string {
	return kit.Challenge("OAuth", Realm, "oauth_problem", PercentEncode(p.Name))
}

// encodePairs joins name, value, name, value… as name=value&… with RFC 5849 §3.6 encoding.
func encodePairs(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(PercentEncode(pairs[i]) + "=" + PercentEncode(pairs[i+1]))
	}
	return b.String()
}

// writeForm writes a successful form-encoded response (RFC 5849 §2.1, §2.3) in the given order.
func writeForm(w http.ResponseWriter, pairs ...string) {
	kit.WriteBody(w, http.StatusOK, formContentType, []byte(encodePairs(pairs...)))
}
