package harness

import (
	"fmt"
	"net/http"
	"regexp"

	"github.com/iefconform/iefconform/engine/extension"
	"github.com/iefconform/iefconform/harness/stack"
	mockrest "github.com/iefconform/iefconform/mocks/rest"
)

// CustomClaimsResourceAppID is the app id of the custom claims provider API's
// registration; its identifier URI is api://127.0.0.1/<this>.
const CustomClaimsResourceAppID = "7c0d12ce-6fd3-4c6e-9b0f-2b7d5a1c8e42"

// UseCustomClaims gives the relying party's application a custom claims
// provider (an onTokenIssuanceStart listener and extension, spec §7) that calls
// the REST mock at path, which answers as a correct API and checks the
// emulator's bearer token. Steps change the returned config before sign-in.
func (w *World) UseCustomClaims(path string) (*extension.Config, error) {
	resource := "api://127.0.0.1/" + CustomClaimsResourceAppID
	timeout, retries := extension.DefaultTimeoutInMilliseconds, 1
	cfg := &extension.Config{
		Extensions: []extension.Extension{{
			ID: "tokenissuance-ext", DisplayName: "Token issuance claims", TargetURL: w.Stack.RESTURL() + path,
			AuthenticationConfiguration: extension.AuthenticationConfiguration{ResourceID: resource},
			ClientConfiguration:         extension.ClientConfiguration{TimeoutInMilliseconds: &timeout, MaximumRetries: &retries},
			ClaimsForTokenConfiguration: []extension.ClaimForToken{{ClaimIDInAPIResponse: "DateOfBirth"}, {ClaimIDInAPIResponse: "CustomRoles"}},
		}},
		Listeners: []extension.Listener{{ID: "listener-1", AppID: stack.RelyingPartyClientID, ExtensionID: "tokenissuance-ext",
			ClaimsMapping: []extension.ClaimMapping{{ID: "DateOfBirth", JwtClaimType: "birthdate"}, {ID: "CustomRoles"}}}},
		Directory: extension.Directory{ServicePrincipals: []extension.ServicePrincipal{
			{AppID: CustomClaimsResourceAppID, Enabled: true}, {AppID: stack.RelyingPartyClientID, Enabled: true}}},
	}
	if err := w.Stack.REST.AddRoute(mockrest.Route{Method: http.MethodPost, Path: path, Behaviour: mockrest.BehaviourCustomClaims,
		CustomClaims: &mockrest.CustomClaims{JWKSURL: w.Expand("{emulator}/{tenant}/{policy}/discovery/v2.0/keys"), Audience: resource}}); err != nil {
		return nil, err
	}
	w.policyOpts.Extensions = cfg
	w.dirty = true
	return cfg, nil
}

// CustomClaims is the scenario's custom claims provider configuration.
func (w *World) CustomClaims() (*extension.Config, error) {
	if w.policyOpts.Extensions == nil {
		return nil, fmt.Errorf("no custom claims provider: add a step like `Given the application has a custom claims provider at \"/api/claims\"`")
	}
	w.dirty = true
	return w.policyOpts.Extensions, nil
}

var correlationRE = regexp.MustCompile(`Correlation ID: ([0-9a-f-]{36})`)

// SignInLog returns the sign-in log entries of the last sign-in, found by the
// correlation id in the error description the relying party received.
func (w *World) SignInLog(description string) ([]extension.Entry, error) {
	m := correlationRE.FindStringSubmatch(description)
	if m == nil {
		return nil, fmt.Errorf("no correlation id in the error description %q", description)
	}
	emu := w.Stack.Emulator()
	if emu == nil {
		return nil, fmt.Errorf("no emulator running")
	}
	return emu.SignInLog().ByCorrelationID(m[1]), nil
}

// SetCustomClaimsTarget changes the extension's targetUrl or resourceId.
func (w *World) SetCustomClaimsTarget(field, value string) error {
	cfg, err := w.CustomClaims()
	if err != nil {
		return err
	}
	value = w.Expand(value)
	switch field {
	case "targetUrl":
		cfg.Extensions[0].TargetURL = value
	case "resourceId":
		cfg.Extensions[0].AuthenticationConfiguration.ResourceID = value
	default:
		return fmt.Errorf("unknown extension field %q: want targetUrl or resourceId", field)
	}
	return nil
}

// SetCustomClaimsTiming sets the extension's timeoutInMilliseconds and maximumRetries.
func (w *World) SetCustomClaimsTiming(ms, retries int) error {
	cfg, err := w.CustomClaims()
	if err != nil {
		return err
	}
	cfg.Extensions[0].ClientConfiguration = extension.ClientConfiguration{TimeoutInMilliseconds: &ms, MaximumRetries: &retries}
	return nil
}

// SetCustomClaimsListener points the listener at another extension id.
func (w *World) SetCustomClaimsListener(extensionID string) error {
	cfg, err := w.CustomClaims()
	if err != nil {
		return err
	}
	cfg.Listeners[0].ExtensionID = extensionID
	return nil
}

// BreakCustomClaimsDirectory removes or disables a service principal
// ("resource" or "client"), withholds consent ("consent") or disables the
// Microsoft Graph service principal ("graph") in the simulated directory.
func (w *World) BreakCustomClaimsDirectory(what string, remove bool) error {
	cfg, err := w.CustomClaims()
	if err != nil {
		return err
	}
	switch what {
	case "resource", "client":
		i := 0
		if what == "client" {
			i = 1
		}
		if remove {
			cfg.Directory.ServicePrincipals = append(cfg.Directory.ServicePrincipals[:i], cfg.Directory.ServicePrincipals[i+1:]...)
		} else {
			cfg.Directory.ServicePrincipals[i].Enabled = false
		}
	case "consent":
		cfg.Directory.ConsentGranted = map[string]bool{CustomClaimsResourceAppID: false}
	case "graph":
		no := false
		cfg.Directory.GraphServicePrincipalEnabled = &no
	default:
		return fmt.Errorf("unknown directory change %q", what)
	}
	return nil
}

// EventsServiceAppID is the azp of the bearer tokens Entra (and the emulator) sends.
const EventsServiceAppID = extension.EventsServiceAppID
