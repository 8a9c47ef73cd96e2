package server

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/engine/profile"
)

// Scopes the emulator knows by name (spec apps §1.4); profile and email are
// accepted and ignored, as B2C does (MSAL always adds profile).
const (
	scopeOpenID        = "openid"
	scopeOfflineAccess = "offline_access"
)

// scopeGrant is what an authorization request's scope asks for: an access token
// (for the client itself, or for one API) and a refresh token.
type scopeGrant struct {
	access  *profile.AccessRequest
	offline bool
}

// grantOf reads the authorization request's scope for client clientID
// (spec apps §1.4, §1.6): the client's own id asks for an access token for
// itself; an API scope ({App ID URI}/{name}) for that API, granted when the
// client has the permission; offline_access for a refresh token. A scope
// word that names no resource is AADB2C90055, an unknown API scope
// AADB2C90012, scopes of two APIs AADB2C90146, an API none of whose
// requested scopes is granted AADB2C90205.
func (s *Server) grantOf(clientID, scope string) (scopeGrant, *profile.Error) {
	var g scopeGrant
	var api *Application
	var granted []string
	requested := false
	for _, word := range strings.Fields(scope) {
		switch {
		case word == scopeOpenID || word == "profile" || word == "email":
		case word == scopeOfflineAccess:
			g.offline = true
		case strings.EqualFold(word, clientID):
			if g.access == nil {
				g.access = &profile.AccessRequest{Audience: clientID, AuthorizedParty: clientID}
			}
		case !strings.Contains(word, "/"):
			return g, &profile.Error{Code: profile.CodeInvalidRequest,
				Message: fmt.Sprintf("AADB2C90055: The scope '%s' provided in request must specify a resource, such as 'https://example.com/calendar.read'.", word)}
		default:
			i := strings.LastIndex(word, "/")
			uri, name := word[:i], word[i+1:]
			app, ok := s.apiByURI(uri)
			if !ok || !slices.Contains(app.Scopes, name) {
				return g, &profile.Error{Code: profile.CodeInvalidRequest,
					Message: fmt.Sprintf("AADB2C90012: The scope '%s' provided in request is not supported.", word)}
			}
			if api != nil && api.ClientID != app.ClientID {
				return g, &profile.Error{Code: profile.CodeInvalidRequest,
					Message: fmt.Sprintf("AADB2C90146: The scope '%s' provided in request specifies more than one resource for an access token, which is not supported.", scope)}
			}
			api, requested = &app, true
			if client, ok := s.apps[clientID]; ok && slices.ContainsFunc(client.Permissions, func(p string) bool { return strings.EqualFold(p, word) }) {
				granted = append(granted, name)
			}
		}
	}
	if requested {
		if len(granted) == 0 {
			return g, &profile.Error{Code: profile.CodeInvalidRequest,
				Message: "AADB2C90205: This application does not have sufficient permissions against this web resource to perform the operation."}
		}
		// An API scope wins over the client id: one access token per response.
		g.access = &profile.AccessRequest{Audience: api.ClientID, Scopes: granted, AuthorizedParty: clientID}
	}
	return g, nil
}

// apiByURI is the registered application whose App ID URI is uri (scheme and
// host ignoring case).
func (s *Server) apiByURI(uri string) (Application, bool) {
	for _, a := range s.apps {
		if a.IdentifierURI != "" && strings.EqualFold(strings.TrimSuffix(a.IdentifierURI, "/"), uri) {
			return a, true
		}
	}
	return Application{}, false
}
