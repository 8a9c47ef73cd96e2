package restful

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// Handler is the Protocol Handler of a RESTful technical profile (spec §1.4),
// with Protocol Name="Proprietary".
const Handler = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"

// ProtocolName is the Protocol Name the Handler goes with.
const ProtocolName = "Proprietary"

// Metadata keys this package reads (spec §4.2); other keys are ignored.
const (
	KeyServiceURL                        = "ServiceUrl"
	KeyAuthenticationType                = "AuthenticationType"
	KeyAllowInsecureAuthInProduction     = "AllowInsecureAuthInProduction"
	KeySendClaimsIn                      = "SendClaimsIn"
	KeyClaimUsedForRequestPayload        = "ClaimUsedForRequestPayload"
	KeyDebugMode                         = "DebugMode"
	KeyIncludeClaimResolving             = "IncludeClaimResolvingInClaimsHandling"
	KeyResolveJSONPaths                  = "ResolveJsonPathsInJsonTokens"
	KeyUseClaimAsBearerToken             = "UseClaimAsBearerToken"
	KeyDefaultUserMessageIfRequestFailed = "DefaultUserMessageIfRequestFailed"
	KeyUserMessageIfCircuitOpen          = "UserMessageIfCircuitOpen"
	KeyUserMessageIfDNSResolutionFailed  = "UserMessageIfDnsResolutionFailed"
	KeyUserMessageIfRequestTimeout       = "UserMessageIfRequestTimeout"
)

// Cryptographic key ids (CryptographicKeys/Key/@Id). ApiKeyHeader has no fixed
// id: its one key's id is the header name.
const (
	KeyBasicUsername     = "BasicAuthenticationUsername"
	KeyBasicPassword     = "BasicAuthenticationPassword"
	KeyBearerToken       = "BearerAuthenticationToken"
	KeyClientCertificate = "ClientCertificate"
)

// AuthenticationType values.
const (
	AuthNone              = "None"
	AuthBasic             = "Basic"
	AuthBearer            = "Bearer"
	AuthClientCertificate = "ClientCertificate"
	AuthAPIKeyHeader      = "ApiKeyHeader"
)

// SendClaimsIn values.
const (
	InBody        = "Body"
	InForm        = "Form"
	InHeader      = "Header"
	InQueryString = "QueryString"
	InURL         = "Url"
)

// B2C error codes of the problems New reports.
const (
	CodeUnsupportedAuthType     = "AADB2C90024"
	CodeInvalidURL              = "AADB2C90026"
	CodeUnsupportedSendClaimsIn = "AADB2C90029"
	CodeInvalidBoolean          = "AADB2C90030"
	CodeBearerClaimNotInput     = "AADB2C90193"
	CodeInsecureAuth            = "AADB2C90258"
)

// Config is the parsed metadata and keys of one RESTful technical profile,
// defaults applied.
type Config struct {
	ID         string
	ServiceURL string
	// AuthenticationType is one of the Auth constants.
	AuthenticationType            string
	AllowInsecureAuthInProduction bool
	// SendClaimsIn is one of the In constants; Body by default.
	SendClaimsIn string
	// ClaimUsedForRequestPayload is the claim type id whose value is the whole body.
	ClaimUsedForRequestPayload string
	DebugMode                  bool
	IncludeClaimResolving      bool
	ResolveJSONPaths           bool
	// UseClaimAsBearerToken is the claim type id holding the bearer token.
	UseClaimAsBearerToken string
	// The user messages as configured; empty means B2C's default text.
	DefaultUserMessageIfRequestFailed string
	UserMessageIfCircuitOpen          string
	UserMessageIfDNSResolutionFailed  string
	UserMessageIfRequestTimeout       string
	// Policy key containers (StorageReferenceId) of the keys the authentication type uses.
	BasicUsernameContainer     string
	BasicPasswordContainer     string
	BearerTokenContainer       string
	ClientCertificateContainer string
	// APIKeyHeader is the header name (the key's Id) and APIKeyContainer its container.
	APIKeyHeader    string
	APIKeyContainer string
	InputClaims     []policy.ClaimRef
	OutputClaims    []policy.ClaimRef
}

// New parses a RESTful technical profile of a policy in deploymentMode (the
// policy's DeploymentMode; empty means Production). Problems lists every missing
// or bad setting, each at the line of the item it concerns. The profile is
// returned even with problems, with defaults in place of the bad values.
func New(tp *policy.TechnicalProfile, deploymentMode string) (*Profile, policy.Problems) {
	if tp == nil {
		return nil, policy.Problems{{Message: "restful: no technical profile", Err: ErrInvalidMetadata}}
	}
	probs := policy.RequireMetadata(tp, KeyServiceURL, KeyAuthenticationType)
	get := func(key string) string { return profile.MetadataValue(tp, key) }
	bad := func(key, code string, err error, format string, args ...any) {
		probs = append(probs, metadataProblem(tp, key, code, err, fmt.Sprintf(format, args...)))
	}
	oneOf := func(key, code, def string, allowed ...string) string {
		v := get(key)
		if v == "" {
			return def
		}
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				return a
			}
		}
		bad(key, code, ErrInvalidMetadata, "technical profile %q has the unsupported %s %q: want one of %s", tp.ID, key, v, strings.Join(allowed, ", "))
		return def
	}
	boolean := func(key string) bool {
		b, err := profile.MetadataBool(tp, key)
		if err != nil {
			probs = append(probs, metadataProblem(tp, key, CodeInvalidBoolean, ErrInvalidMetadata, err.Error()))
		}
		return b
	}

	cfg := Config{
		ID:                                tp.ID,
		ServiceURL:                        get(KeyServiceURL),
		AuthenticationType:                oneOf(KeyAuthenticationType, CodeUnsupportedAuthType, "", AuthNone, AuthBasic, AuthBearer, AuthClientCertificate, AuthAPIKeyHeader),
		AllowInsecureAuthInProduction:     boolean(KeyAllowInsecureAuthInProduction),
		SendClaimsIn:                      oneOf(KeySendClaimsIn, CodeUnsupportedSendClaimsIn, InBody, InBody, InForm, InHeader, InQueryString, InURL),
		ClaimUsedForRequestPayload:        get(KeyClaimUsedForRequestPayload),
		DebugMode:                         boolean(KeyDebugMode),
		IncludeClaimResolving:             boolean(KeyIncludeClaimResolving),
		ResolveJSONPaths:                  boolean(KeyResolveJSONPaths),
		UseClaimAsBearerToken:             get(KeyUseClaimAsBearerToken),
		DefaultUserMessageIfRequestFailed: get(KeyDefaultUserMessageIfRequestFailed),
		UserMessageIfCircuitOpen:          get(KeyUserMessageIfCircuitOpen),
		UserMessageIfDNSResolutionFailed:  get(KeyUserMessageIfDNSResolutionFailed),
		UserMessageIfRequestTimeout:       get(KeyUserMessageIfRequestTimeout),
		InputClaims:                       tp.InputClaims,
		OutputClaims:                      tp.OutputClaims,
	}

	if p := tp.Protocol; p == nil || !strings.EqualFold(p.Name, ProtocolName) || p.Handler != Handler {
		probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: tpPath(tp.ID) + "/Protocol", Err: ErrInvalidMetadata,
			Message: fmt.Sprintf("technical profile %q is not a RESTful profile: want Protocol Name=%q Handler=%q", tp.ID, ProtocolName, Handler)})
	}
	if cfg.ServiceURL != "" {
		if msg := checkServiceURL(cfg.ServiceURL, cfg.SendClaimsIn == InURL); msg != "" {
			bad(KeyServiceURL, CodeInvalidURL, ErrInvalidMetadata, "technical profile %q has the invalid %s %q: %s", tp.ID, KeyServiceURL, cfg.ServiceURL, msg)
		}
	}

	// REST-15: reported when the policy is validated (at upload), not when the profile runs.
	if cfg.AuthenticationType == AuthNone && !cfg.AllowInsecureAuthInProduction &&
		(deploymentMode == "" || strings.EqualFold(deploymentMode, "Production")) {
		bad(KeyAuthenticationType, CodeInsecureAuth, ErrInsecureAuth,
			"technical profile %q uses the insecure AuthenticationType None, allowed in a Production policy only with metadata %s set to true", tp.ID, KeyAllowInsecureAuthInProduction)
	}

	if c := cfg.ClaimUsedForRequestPayload; c != "" {
		if cfg.SendClaimsIn != InBody {
			bad(KeyClaimUsedForRequestPayload, "", ErrInvalidMetadata, "technical profile %q sets %s, which needs %s=Body, got %s", tp.ID, KeyClaimUsedForRequestPayload, KeySendClaimsIn, cfg.SendClaimsIn)
		}
		if !hasInputClaim(tp, c) {
			bad(KeyClaimUsedForRequestPayload, "", ErrInvalidMetadata, "technical profile %q has %s %q, which is not one of its input claims", tp.ID, KeyClaimUsedForRequestPayload, c)
		}
	}

	if cfg.SendClaimsIn == InHeader {
		for _, ref := range tp.InputClaims {
			if name := ref.PartnerName(); !validHeaderName(name) {
				probs = append(probs, policy.Problem{File: ref.Pos.File, Line: ref.Pos.Line, Path: tpPath(tp.ID) + "/InputClaims/InputClaim[ClaimTypeReferenceId=" + ref.ClaimTypeReferenceID + "]",
					Err: ErrInvalidMetadata, Message: fmt.Sprintf("technical profile %q sends claims in headers, but %q is not a valid header name", tp.ID, name)})
			}
		}
	}

	switch cfg.AuthenticationType {
	case AuthBasic:
		probs = append(probs, policy.RequireKeys(tp, KeyBasicUsername, KeyBasicPassword)...)
		cfg.BasicUsernameContainer = container(tp, KeyBasicUsername)
		cfg.BasicPasswordContainer = container(tp, KeyBasicPassword)
	case AuthBearer:
		if cfg.UseClaimAsBearerToken != "" {
			if !hasInputClaim(tp, cfg.UseClaimAsBearerToken) {
				bad(KeyUseClaimAsBearerToken, CodeBearerClaimNotInput, ErrInvalidMetadata,
					"technical profile %q does not have the input claim %q referenced by %s", tp.ID, cfg.UseClaimAsBearerToken, KeyUseClaimAsBearerToken)
			}
		} else {
			probs = append(probs, policy.RequireKeys(tp, KeyBearerToken)...)
		}
		cfg.BearerTokenContainer = container(tp, KeyBearerToken)
	case AuthClientCertificate:
		probs = append(probs, policy.RequireKeys(tp, KeyClientCertificate)...)
		cfg.ClientCertificateContainer = container(tp, KeyClientCertificate)
	case AuthAPIKeyHeader:
		probs = append(probs, apiKeyProblems(tp)...)
		if len(tp.CryptographicKeys) == 1 {
			cfg.APIKeyHeader = strings.TrimSpace(tp.CryptographicKeys[0].ID)
			cfg.APIKeyContainer = strings.TrimSpace(tp.CryptographicKeys[0].StorageReferenceID)
		}
	}
	return &Profile{cfg: cfg}, probs
}

// apiKeyProblems checks ApiKeyHeader's keys: exactly one, whose Id is a header name.
func apiKeyProblems(tp *policy.TechnicalProfile) policy.Problems {
	keysPath := tpPath(tp.ID) + "/CryptographicKeys"
	switch n := len(tp.CryptographicKeys); {
	case n == 0:
		return policy.Problems{{File: tp.Pos.File, Line: tp.Pos.Line, Path: keysPath, Code: policy.CodeMissingKey, Err: policy.ErrMissingKey,
			Message: fmt.Sprintf("technical profile %q uses AuthenticationType ApiKeyHeader but has no cryptographic key: want one key whose Id is the header name", tp.ID)}}
	case n > 1:
		k := tp.CryptographicKeys[1]
		return policy.Problems{{File: k.Pos.File, Line: k.Pos.Line, Path: keysPath, Err: ErrInvalidKeys,
			Message: fmt.Sprintf("technical profile %q uses AuthenticationType ApiKeyHeader with %d cryptographic keys: only one header is supported", tp.ID, n)}}
	}
	k := tp.CryptographicKeys[0]
	var probs policy.Problems
	path := keysPath + "/Key[Id=" + k.ID + "]"
	if id := strings.TrimSpace(k.ID); !validHeaderName(id) {
		probs = append(probs, policy.Problem{File: k.Pos.File, Line: k.Pos.Line, Path: path, Err: ErrInvalidKeys,
			Message: fmt.Sprintf("technical profile %q uses AuthenticationType ApiKeyHeader, but the key Id %q is not a valid header name", tp.ID, k.ID)})
	}
	if strings.TrimSpace(k.StorageReferenceID) == "" {
		probs = append(probs, policy.Problem{File: k.Pos.File, Line: k.Pos.Line, Path: path, Code: policy.CodeMissingKey, Err: policy.ErrMissingKey,
			Message: fmt.Sprintf("technical profile %q has no StorageReferenceId for the ApiKeyHeader key %q", tp.ID, k.ID)})
	}
	return probs
}

// checkServiceURL returns what is wrong with a ServiceUrl, or "". With
// placeholders, {name} may appear in the path and query but not in the host.
func checkServiceURL(raw string, placeholders bool) string {
	if placeholders {
		authority, rest, ok := splitAuthority(raw)
		if ok && strings.ContainsAny(authority, "{}") {
			return "the host cannot hold claims: put {placeholders} in the path or the query"
		}
		raw = authority + placeholderRE.ReplaceAllString(rest, "x")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err.Error()
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "want an absolute http or https URL"
	}
	return ""
}

// splitAuthority splits an absolute URL after its scheme and authority:
// "https://host:1/p?q" gives "https://host:1" and "/p?q".
func splitAuthority(raw string) (authority, rest string, ok bool) {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw, "", false
	}
	j := strings.IndexAny(raw[i+3:], "/?#")
	if j < 0 {
		return raw, "", true
	}
	return raw[:i+3+j], raw[i+3+j:], true
}

func hasInputClaim(tp *policy.TechnicalProfile, claimType string) bool {
	for _, ref := range tp.InputClaims {
		if ref.ClaimTypeReferenceID == claimType {
			return true
		}
	}
	return false
}

func container(tp *policy.TechnicalProfile, id string) string {
	k, _ := tp.Key(id)
	return strings.TrimSpace(k.StorageReferenceID)
}

func tpPath(id string) string { return "TechnicalProfile[Id=" + id + "]" }

func metadataProblem(tp *policy.TechnicalProfile, key, code string, err error, msg string) policy.Problem {
	pos := tp.Pos
	for _, it := range tp.Metadata {
		if it.Key == key {
			pos = it.Pos
		}
	}
	return policy.Problem{File: pos.File, Line: pos.Line, Path: tpPath(tp.ID) + "/Metadata/Item[Key=" + key + "]", Code: code, Message: msg, Err: err}
}
