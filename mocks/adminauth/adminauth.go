// Package adminauth is the rule that guards every admin API of a stack's
// parties (the mocks' /_admin/ routes through mocks/internal/kit, the
// emulator's directory admin API in harness/stack): with an admin token a
// request must send it as Authorization: Bearer <token>, compared in
// constant time; without one only loopback clients are served, and only for
// requests whose Host is the party's own (not a rebound name, see OwnHost).
// So a party listening beyond loopback, in a container for example, hands
// nothing out.
package adminauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// Refusal is a request the rule turns away: Status is 401 (token missing or
// wrong), 403 (no token set and a client beyond loopback) or 421 (no token set
// and a Host that is not the party's own, see OwnHost).
type Refusal struct {
	Status  int
	Message string
}

// Check applies the rule to a request for the admin API of the party named
// party (a message names it); nil means the request may go on.
func Check(r *http.Request, party, token string) *Refusal {
	if token != "" {
		tok, ok := BearerToken(r)
		switch {
		case !ok || tok == "":
			return &Refusal{Status: http.StatusUnauthorized,
				Message: "the admin API of this " + party + " needs its admin token: want Authorization: Bearer <admin token>, got none"}
		case !Equal(tok, token):
			return &Refusal{Status: http.StatusUnauthorized,
				Message: "the admin API of this " + party + " needs its admin token: the bearer token sent is not it"}
		}
		return nil
	}
	if host, ok := Loopback(r.RemoteAddr); !ok {
		return &Refusal{Status: http.StatusForbidden,
			Message: "the admin API of this " + party + " takes requests from loopback clients only while it has no admin token; got one from " + host +
				": start it with an admin token and send it as Authorization: Bearer <token>"}
	}
	if !OwnHost(r) {
		return &Refusal{Status: http.StatusMisdirectedRequest,
			Message: "the admin API of this " + party + " answers requests for its own address only (localhost, 127.0.0.1, [::1] or the address it listens on) while it has no admin token; got Host " +
				strconv.Quote(r.Host)}
	}
	return nil
}

// OwnHost reports whether a request's Host names the party itself: localhost or a loopback
// IP address (any port), or exactly the address of the connection's local end (the listener's
// host:port). A page of another site whose name an attacker re-pointed at 127.0.0.1 (DNS
// rebinding) sends that site's name, so a loopback client is not enough to prove that the
// request comes from the machine's own user. The check guards the loopback rule only: with an
// admin token a rebinding page cannot authenticate, and a party behind a proxy or in a
// container may be reached by any name.
func OwnHost(r *http.Request) bool {
	host := r.Host
	if host == "" {
		return false
	}
	if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && strings.EqualFold(host, local.String()) {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if strings.EqualFold(name, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(name)
	return err == nil && addr.Zone() == "" && addr.Unmap().IsLoopback()
}

// Loopback reports whether a request's RemoteAddr is a loopback IP, and returns its host.
func Loopback(remote string) (string, bool) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err := netip.ParseAddr(host)
	if host == "" {
		host = "an unknown address"
	}
	return host, err == nil && addr.Unmap().IsLoopback()
}

// BearerToken returns the token of an Authorization: Bearer header (the scheme in any case),
// and whether there was such a header.
func BearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// Equal compares two secrets in constant time, their lengths included.
func Equal(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// Allow applies Check to r and, when r is refused, answers it as JSON
// (WriteError, with a Bearer challenge on 401) and reports false.
func Allow(w http.ResponseWriter, r *http.Request, party, token string) bool {
	refusal := Check(r, party, token)
	if refusal == nil {
		return true
	}
	if refusal.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="iefconform admin"`)
	}
	WriteError(w, refusal.Status, refusal.Message)
	return false
}

// WriteJSON answers an admin request with v as JSON, never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError answers an admin request with {"error": <status text>,
// "error_description": msg}.
func WriteError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, map[string]string{"error": http.StatusText(status), "error_description": msg})
}

// ErrNotJSON: DecodeJSON answered the request (415) already.
var ErrNotJSON = errors.New("admin request body is not JSON")

// DecodeJSON reads an admin request's JSON body (at most limit bytes,
// unknown fields refused) into v. A body of another Content-Type is answered
// with 415 and ErrNotJSON; other errors are the caller's to answer.
func DecodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		WriteError(w, http.StatusUnsupportedMediaType, "want Content-Type: application/json, got "+strconv.Quote(r.Header.Get("Content-Type")))
		return ErrNotJSON
	}
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	d.DisallowUnknownFields()
	return d.Decode(v)
}
