package oauth2

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
)

// Metadata keys this package reads (spec §2.2); other keys are kept and ignored.
// ProtocolName is the Protocol Name of the profiles this package implements; it
// picks the claim types' DefaultPartnerClaimTypes.
const ProtocolName = "OAuth2"

const (
	KeyClientID                   = "client_id"
	KeyAuthorizationEndpoint      = "authorization_endpoint"
	KeyAccessTokenEndpoint        = "AccessTokenEndpoint"
	KeyClaimsEndpoint             = "ClaimsEndpoint"
	KeyEndSessionEndpoint         = "end_session_endpoint"
	KeyProviderName               = "ProviderName"
	KeyScope                      = "scope"
	KeyResponseMode               = "response_mode"
	KeyResponseTypes              = "response_types"
	KeyUsePolicyInRedirectURI     = "UsePolicyInRedirectUri"
	KeyAdditionalQuery            = "AdditionalRequestQueryParameters"
	KeyHTTPBinding                = "HttpBinding"
	KeyAccessTokenResponseFormat  = "AccessTokenResponseFormat"
	KeyTokenEndpointAuthMethod    = "token_endpoint_auth_method"
	KeyTokenSigningAlgorithm      = "token_signing_algorithm"
	KeyExtraParamsInTokenResponse = "ExtraParamsInAccessTokenEndpointResponse"
	KeyClaimsTokenName            = "ClaimsEndpointAccessTokenName"
	KeyClaimsFormatName           = "ClaimsEndpointFormatName"
	KeyClaimsFormat               = "ClaimsEndpointFormat"
	KeyBearerTransmission         = "BearerTokenTransmissionMethod"
	KeyExtraParamsInClaimsRequest = "ExtraParamsInClaimsEndpointRequest"
	KeyResponseErrorCodeParamName = "ResponseErrorCodeParamName"
	KeyIDTokenAudience            = "IdTokenAudience"
	KeyIncludeClaimResolving      = "IncludeClaimResolvingInClaimsHandling"
	KeyResolveJSONPaths           = "ResolveJsonPathsInJsonTokens"
	KeySingleLogoutEnabled        = "SingleLogoutEnabled"

	// KeyClientSecret is the cryptographic key holding the client secret.
	KeyClientSecret = "client_secret"
	// KeyAssertionSigningKey is the cryptographic key that signs private_key_jwt assertions.
	KeyAssertionSigningKey = "assertion_signing_key"
)

// Client authentication methods at the token endpoint.
const (
	AuthClientSecretPost  = "client_secret_post"
	AuthClientSecretBasic = "client_secret_basic"
	AuthPrivateKeyJWT     = "private_key_jwt"
)

// Access-token response formats.
const (
	FormatJSON    = "json"
	FormatDefault = "default" // form-encoded: access_token=…&expires=… (old Facebook)
	FormatJSONP   = "jsonp"
)

// Config is the parsed metadata of one OAuth2 technical profile, defaults applied.
type Config struct {
	ID                    string
	ClientID              string
	AuthorizationEndpoint string
	AccessTokenEndpoint   string
	ClaimsEndpoint        string
	EndSessionEndpoint    string
	Scope                 string
	ResponseMode          string // form_post (default), query, fragment
	ResponseTypes         string // code (default) or id_token
	UsePolicyInRedirect   bool
	AdditionalQuery       url.Values
	// HTTPBinding is the token request's method: POST (default) or GET.
	HTTPBinding string
	// TokenResponseFormat is json, default (form-encoded) or jsonp. Unset, it is
	// json with POST and default with GET (spec §2.1 step C).
	TokenResponseFormat   string
	AuthMethod            string // client_secret_post (default), client_secret_basic, private_key_jwt
	SigningAlgorithm      string // RS256 (default) or RS512, for private_key_jwt
	ExtraTokenParams      []string
	ClaimsTokenName       string // default access_token
	ClaimsFormatName      string
	ClaimsFormat          string
	BearerInHeader        bool // BearerTokenTransmissionMethod=AuthorizationHeader
	ExtraClaimsParams     []string
	ErrorParamName        string
	IDTokenAudience       string
	IncludeClaimResolving bool
	ResolveJSONPaths      bool
	SingleLogout          bool // default true
	// SecretContainer and AssertionKeyContainer are the policy keys of client_secret and assertion_signing_key.
	SecretContainer       string
	AssertionKeyContainer string
	InputClaims           []policy.ClaimRef
	OutputClaims          []policy.ClaimRef
}

// New parses a technical profile. Problems lists every missing or bad setting.
func New(tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	probs := policy.RequireMetadata(tp, KeyClientID, KeyAuthorizationEndpoint, KeyAccessTokenEndpoint, KeyClaimsEndpoint)
	md := tp.Metadata
	get := func(k, def string) string {
		if v, ok := md.Get(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	bad := func(key, want string) {
		probs = append(probs, metadataProblem(tp, key, "", fmt.Sprintf("metadata %s of technical profile %q is %q: want %s", key, tp.ID, get(key, ""), want)))
	}
	oneOf := func(key, def string, allowed ...string) string {
		v := get(key, def)
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				return a
			}
		}
		bad(key, strings.Join(allowed, ", "))
		return def
	}
	boolean := func(key string, def bool) bool {
		v := get(key, "")
		switch strings.ToLower(v) {
		case "":
			return def
		case "true", "1":
			return true
		case "false", "0":
			return false
		}
		bad(key, "true or false")
		return def
	}
	cfg := Config{
		ID:                    tp.ID,
		ClientID:              get(KeyClientID, ""),
		AuthorizationEndpoint: get(KeyAuthorizationEndpoint, ""),
		AccessTokenEndpoint:   get(KeyAccessTokenEndpoint, ""),
		ClaimsEndpoint:        get(KeyClaimsEndpoint, ""),
		EndSessionEndpoint:    get(KeyEndSessionEndpoint, ""),
		Scope:                 get(KeyScope, ""),
		ResponseMode:          oneOf(KeyResponseMode, "form_post", "form_post", "query", "fragment"),
		ResponseTypes:         oneOf(KeyResponseTypes, "code", "code", "id_token"),
		UsePolicyInRedirect:   boolean(KeyUsePolicyInRedirectURI, false),
		AdditionalQuery:       url.Values{},
		HTTPBinding:           oneOf(KeyHTTPBinding, "POST", "POST", "GET"),
		AuthMethod:            oneOf(KeyTokenEndpointAuthMethod, AuthClientSecretPost, AuthClientSecretPost, AuthClientSecretBasic, AuthPrivateKeyJWT),
		SigningAlgorithm:      oneOf(KeyTokenSigningAlgorithm, "RS256", "RS256", "RS512"),
		ExtraTokenParams:      nameList(get(KeyExtraParamsInTokenResponse, "")),
		ClaimsTokenName:       get(KeyClaimsTokenName, "access_token"),
		ClaimsFormatName:      get(KeyClaimsFormatName, ""),
		ClaimsFormat:          get(KeyClaimsFormat, ""),
		ExtraClaimsParams:     nameList(get(KeyExtraParamsInClaimsRequest, "")),
		ErrorParamName:        get(KeyResponseErrorCodeParamName, ""),
		IDTokenAudience:       get(KeyIDTokenAudience, ""),
		IncludeClaimResolving: boolean(KeyIncludeClaimResolving, false),
		ResolveJSONPaths:      boolean(KeyResolveJSONPaths, false),
		SingleLogout:          boolean(KeySingleLogoutEnabled, true),
		InputClaims:           tp.InputClaims,
		OutputClaims:          tp.OutputClaims,
	}
	def := FormatJSON
	if cfg.HTTPBinding == "GET" {
		def = FormatDefault
	}
	cfg.TokenResponseFormat = oneOf(KeyAccessTokenResponseFormat, def, FormatJSON, FormatDefault, FormatJSONP)
	switch v := get(KeyBearerTransmission, ""); {
	case v == "", strings.EqualFold(v, "QueryString"), strings.EqualFold(v, "Query"):
	case strings.EqualFold(v, "AuthorizationHeader"):
		cfg.BearerInHeader = true
	default:
		bad(KeyBearerTransmission, "AuthorizationHeader (or unset for the query string)")
	}
	if (cfg.ClaimsFormatName == "") != (cfg.ClaimsFormat == "") {
		probs = append(probs, metadataProblem(tp, KeyClaimsFormatName, "", fmt.Sprintf("technical profile %q sets only one of %s and %s: set both", tp.ID, KeyClaimsFormatName, KeyClaimsFormat)))
	}
	endpoints := []string{KeyAuthorizationEndpoint, KeyAccessTokenEndpoint, KeyClaimsEndpoint, KeyEndSessionEndpoint}
	for _, k := range endpoints {
		if v := get(k, ""); v != "" {
			if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
				probs = append(probs, metadataProblem(tp, k, "AADB2C99011", fmt.Sprintf("metadata %s of technical profile %q is not an absolute URL: %q", k, tp.ID, v)))
			}
		}
	}
	if q := get(KeyAdditionalQuery, ""); q != "" {
		for _, pair := range strings.Split(q, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(pair), "=")
			if k != "" {
				cfg.AdditionalQuery.Add(k, v)
			}
		}
	}
	if cfg.ResponseTypes == "code" {
		if cfg.AuthMethod == AuthPrivateKeyJWT {
			probs = append(probs, policy.RequireKeys(tp, KeyAssertionSigningKey)...)
		} else {
			probs = append(probs, policy.RequireKeys(tp, KeyClientSecret)...)
		}
	}
	if k, ok := tp.Key(KeyClientSecret); ok {
		cfg.SecretContainer = k.StorageReferenceID
	}
	if k, ok := tp.Key(KeyAssertionSigningKey); ok {
		cfg.AssertionKeyContainer = k.StorageReferenceID
	}
	return &Profile{cfg: cfg}, probs
}

// nameList splits a comma-separated list of (escaped) parameter names.
func nameList(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if u, err := url.QueryUnescape(n); err == nil {
			n = u
		}
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

func metadataProblem(tp *policy.TechnicalProfile, key, code, msg string) policy.Problem {
	pos := tp.Pos
	for _, it := range tp.Metadata {
		if it.Key == key {
			pos = it.Pos
		}
	}
	return policy.Problem{File: pos.File, Line: pos.Line, Path: fmt.Sprintf("TechnicalProfile[Id=%s]/Metadata/Item[Key=%s]", tp.ID, key), Code: code, Message: msg}
}
