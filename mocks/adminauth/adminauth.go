// Package adminauth is the rule that guards every admin API of a stack's
// parties (the mocks' /_admin/ routes through mocks/internal/kit, the
// emulator's directory admin API in harness/stack): with an admin token a
// request must send it as Authorization: Bearer <token>, compared in
// constant time; without one only loopback clients are served. So a party
// listening beyond loopback, in a container for example, hands nothing out.
package adminauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Refusal is a request the rule turns away: Status is 401 (token missing or
// wrong) or 403 (no token set and a client beyond loopback).
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
	return nil
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
