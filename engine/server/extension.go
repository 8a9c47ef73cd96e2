package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/extension"
	"github.com/iefconform/iefconform/engine/profile"
)

// extensionKey is the policy key that signs the custom claims provider's bearer token.
const extensionKey = "B2C_1A_TokenSigningKeyContainer"

// GenericExtensionError is what the application sees when the custom claims
// provider fails: a generic error; the code is in the sign-in log (spec §7.4).
const GenericExtensionError = "AADSTS1100001: Non-retryable error has occurred."

// SignInLog is the log of custom claims provider calls, by correlation id.
func (s *Server) SignInLog() *extension.SignInLog { return s.signins }

// provideClaims runs the custom authentication extension of the relying
// party's application at token issuance, if it has one: the claims it returns
// are added to the token; a failure is logged and ends the journey with a
// generic error (spec §7). Called with ss.mu held.
// extensionCall is who a custom claims provider call is for: the client, the
// journey's correlation id and the signed-in user.
type extensionCall struct {
	clientID, correlationID string
	user                    extension.User
}

func (s *Server) provideClaims(ctx context.Context, r *http.Request, call extensionCall, claimsOut map[string]any) error {
	if s.cfg.Extensions == nil {
		return nil
	}
	b, f := s.cfg.Extensions.Resolve(call.clientID)
	if b == nil && f == nil {
		return nil
	}
	var out *extension.Outcome
	if f == nil {
		key, err := s.cfg.Keys.EnsureRSA(extensionKey)
		if err != nil {
			return fmt.Errorf("custom claims provider: %w", err)
		}
		caller := &extension.Caller{HTTP: s.extHTTP, Key: key,
			Issuer: "https://login.microsoftonline.com/" + s.tenantGUID + "/v2.0", Now: s.cfg.Now}
		ip, _, _ := net.SplitHostPort(r.RemoteAddr)
		out, f = caller.Call(ctx, b, extension.Input{
			CorrelationID: call.correlationID,
			TenantID:      s.tenantGUID,
			ClientIP:      ip,
			Client:        extension.Principal{AppID: call.clientID, DisplayName: call.clientID},
			User:          call.user,
		})
	}
	extID := ""
	if b != nil {
		extID = b.Extension.ID
	}
	s.signins.Add(extension.NewEntry(s.cfg.Now(), call.correlationID, call.clientID, extID, out, f))
	if f != nil {
		s.log.Info("custom claims provider failed", "correlationId", call.correlationID, "code", f.Code, "name", f.Name, "cause", logSafe(f.Err))
		return &profile.Error{Code: profile.CodeServerError, Message: GenericExtensionError, Err: f}
	}
	for k, v := range out.Claims {
		claimsOut[k] = v
	}
	return nil
}

// extensionUser fills the payload's user from the journey's claims.
func extensionUser(bag *claims.Bag) extension.User {
	get := func(ids ...string) string {
		for _, id := range ids {
			if v, ok := bag.Get(id); ok && v != "" {
				return v
			}
		}
		return ""
	}
	return extension.User{
		ID:                get("objectId", "issuerUserId", "sub"),
		DisplayName:       get("displayName"),
		GivenName:         get("givenName"),
		Surname:           get("surname"),
		Mail:              get("email"),
		UserPrincipalName: get("userPrincipalName", "email"),
	}
}

// newExtensionClient calls extension APIs, trusting Config.RootCAs; one per server.
func newExtensionClient(cfg Config) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
