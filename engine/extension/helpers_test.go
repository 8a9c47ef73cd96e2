package extension_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/extension"
	"github.com/iefconform/iefconform/engine/keys"
)

const (
	tenantID      = "7a1b2c3d-0000-4000-8000-000000000001"
	clientAppID   = "11111111-1111-4111-8111-111111111111"
	resourceAppID = "22222222-2222-4222-8222-222222222222"
	listenerID    = "33333333-3333-4333-8333-333333333333"
	extensionID   = "44444444-4444-4444-8444-444444444444"
	correlationID = "fcef74ef-29ea-42ca-b150-8f45c8f31ee6"
)

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return now }

func intp(v int) *int    { return &v }
func boolp(v bool) *bool { return &v }

func fixedKey(t *testing.T) *keys.RSAKey {
	t.Helper()
	data, err := os.ReadFile("testdata/signing_key.pem")
	if err != nil {
		t.Fatal(err)
	}
	k, _, err := keys.ParsePEM(data)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := keys.NewStore().SetRSA("B2C_1A_ExtensionSigningKey", k, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rk
}

// baseConfig is a valid configuration whose extension calls target (an
// https://127.0.0.1:port URL). Each attempt may take the longest Entra allows
// (2 s), so that a test's answering fake is never taken for a slow one on a
// busy machine; tests of timeouts set the shortest (200 ms) themselves.
func baseConfig(target string) *extension.Config {
	return &extension.Config{
		Extensions: []extension.Extension{{
			ID:          extensionID,
			DisplayName: "Contoso claims",
			TargetURL:   target,
			AuthenticationConfiguration: extension.AuthenticationConfiguration{
				ResourceID: "api://127.0.0.1/" + resourceAppID,
			},
			ClientConfiguration: extension.ClientConfiguration{TimeoutInMilliseconds: intp(extension.MaxTimeoutInMilliseconds), MaximumRetries: intp(1)},
			ClaimsForTokenConfiguration: []extension.ClaimForToken{
				{ClaimIDInAPIResponse: "DateOfBirth"}, {ClaimIDInAPIResponse: "CustomRoles"}, {ClaimIDInAPIResponse: "ApiVersion"},
			},
		}},
		Listeners: []extension.Listener{{
			ID:          listenerID,
			AppID:       clientAppID,
			ExtensionID: extensionID,
			ClaimsMapping: []extension.ClaimMapping{
				{ID: "DateOfBirth", JwtClaimType: "birthdate"},
				{ID: "CustomRoles"},
			},
		}},
		Directory: extension.Directory{ServicePrincipals: []extension.ServicePrincipal{
			{AppID: clientAppID, Enabled: true},
			{AppID: resourceAppID, Enabled: true},
		}},
	}
}

// fake is an extension API: a TLS server whose answers a test shapes.
type fake struct {
	srv      *httptest.Server
	attempts atomic.Int32
}

func newFake(t *testing.T, h http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.attempts.Add(1)
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) url() string { return f.srv.URL + "/api/claims" }

// answer is a handler that always answers the same way; contentType "-"
// sends no Content-Type at all.
func answer(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType == "-" {
			w.Header()["Content-Type"] = nil
		} else {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// sequence answers with each handler in turn, then the last one again.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		hs[min(i, len(hs)-1)](w, r)
	}
}

// hang reads the request, then blocks until the client gives up. The server
// notices a closed connection only once the body is read. It then aborts the
// connection rather than answer: a hung API never sends an (empty) answer,
// even to a client that, on a loaded machine, is still reading when the
// request context ends.
func hang(_ http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
	panic(http.ErrAbortHandler)
}

func okJSON(body string) http.HandlerFunc { return answer(200, "application/json", body) }

func claimsBody(claims string) string {
	return `{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":` + claims + `}]}}`
}

func mustResolve(t *testing.T, cfg *extension.Config) *extension.Binding {
	t.Helper()
	b, f := cfg.Resolve(clientAppID)
	if f != nil {
		t.Fatalf("resolve: %v", f)
	}
	if b == nil {
		t.Fatal("resolve: want a binding, got none")
	}
	return b
}

func newCaller(t *testing.T, f *fake) *extension.Caller {
	t.Helper()
	return &extension.Caller{HTTP: f.srv.Client(), Key: fixedKey(t), Now: fixedNow}
}

func input() extension.Input {
	return extension.Input{
		CorrelationID: correlationID,
		TenantID:      tenantID,
		ClientIP:      "203.0.113.7",
		Client:        extension.Principal{ID: "55555555-5555-4555-8555-555555555555", AppID: clientAppID, DisplayName: "My Test application"},
		Resource:      extension.Principal{ID: "66666666-6666-4666-8666-666666666666", AppID: "00000003-0000-0000-c000-000000000000", AppDisplayName: "Microsoft Graph", DisplayName: "Microsoft Graph"},
		User: extension.User{
			CreatedDateTime:   time.Date(2016, 3, 1, 15, 23, 40, 0, time.UTC),
			DisplayName:       "John Smith",
			GivenName:         "John",
			ID:                "90847c2a-e29d-4d2f-9f54-c5b4d3f26471",
			Mail:              "john@contoso.example",
			PreferredLanguage: "en-us",
			Surname:           "Smith",
			UserPrincipalName: "john@contoso.example",
			UserType:          "Member",
		},
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
