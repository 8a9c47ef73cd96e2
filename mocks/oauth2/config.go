package oauth2

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

// Default lifetimes applied by New when the Config leaves them zero.
const (
	DefaultCodeTTL  = 60 * time.Second
	DefaultTokenTTL = time.Hour
)

// Config is the initial state of a Server. Files use lowerCamel keys, in YAML or JSON:
//
//	clients:
//	  - id: b2c-app
//	    secret: s3cret
//	    redirectURIs: [https://contoso.b2clogin.com/contoso.onmicrosoft.com/oauth2/authresp]
//	users:
//	  - username: alice
//	    password: pa55
//	    claims: {id: "1001", first_name: Alice, email: alice@example.com}
//	codeTTL: 60s
//	tokenTTL: 1h
type Config struct {
	Clients []Client `json:"clients,omitempty" yaml:"clients,omitempty"`
	Users   []User   `json:"users,omitempty" yaml:"users,omitempty"`
	// CodeTTL is how long an authorization code stays redeemable; zero means DefaultCodeTTL.
	CodeTTL Duration `json:"codeTTL,omitempty" yaml:"codeTTL,omitempty"`
	// TokenTTL is how long an access token is accepted at the claims endpoint; zero means DefaultTokenTTL.
	TokenTTL Duration `json:"tokenTTL,omitempty" yaml:"tokenTTL,omitempty"`
	// AllowTokenGET makes the token endpoint accept GET with its parameters in the query, as
	// Facebook's does (a B2C profile with HttpBinding=GET), besides POST, from every client,
	// whatever its TokenMethod. By default GET gets 405, per RFC 6749 §3.2.
	AllowTokenGET bool `json:"allowTokenGet,omitempty" yaml:"allowTokenGet,omitempty"`
	// Issuer is the iss of the id_tokens the server signs and the issuer of its discovery
	// document. Empty means the base URL each request reached (scheme://host plus any prefix
	// the handler is mounted under).
	Issuer string `json:"issuer,omitempty" yaml:"issuer,omitempty"`
	// BaseURL is where clients reach the server: scheme://host[:port] and any path prefix the
	// Handler is served under, such as http://127.0.0.1:8081 or https://idp.example/fb. The aud
	// of a private_key_jwt assertion must be BaseURL plus the token endpoint's path (/token,
	// /oauth/access_token...), unless the client has a TokenEndpointURL; the discovery document
	// and the default issuer use it too. Empty means the address of the listener the request
	// came in on (with the path it reached) for the aud, and the URL each request reached for
	// discovery and the issuer. The aud never comes from the request's Host header or target,
	// which the client writes: set BaseURL (or TokenEndpointURL) for a server behind a proxy.
	BaseURL string `json:"baseURL,omitempty" yaml:"baseURL,omitempty"`
}

// Token endpoint methods (Client.TokenMethod; B2C HttpBinding).
const (
	TokenMethodPOST = "POST"
	TokenMethodGET  = "GET"
)

// Client authentication methods at the token endpoint (Client.AuthMethod; B2C
// token_endpoint_auth_method).
const (
	AuthClientSecretPost  = "client_secret_post"  // client_id and client_secret in the body
	AuthClientSecretBasic = "client_secret_basic" // Authorization: Basic, RFC 6749 §2.3.1
	AuthPrivateKeyJWT     = "private_key_jwt"     // a signed client_assertion, RFC 7523 §2.2
)

// ClientAssertionType is the only client_assertion_type accepted with private_key_jwt (RFC 7523 §2.2).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Token response formats (Client.TokenResponseFormat; B2C AccessTokenResponseFormat).
const (
	TokenFormatJSON = "json" // RFC 6749 §5.1
	TokenFormatForm = "form" // access_token=…&token_type=bearer&expires=… as text/plain, old Facebook
)

// Where the claims endpoint takes the access token (Client.ClaimsTokenIn; B2C
// BearerTokenTransmissionMethod).
const (
	ClaimsTokenInQuery  = "query"  // only the ClaimsTokenParam query parameter
	ClaimsTokenInHeader = "header" // only Authorization: Bearer
	ClaimsTokenInAny    = "any"    // either, or a form body on POST (RFC 6750 §2.1-2.3)
)

// DefaultAssertionAlgs are the client_assertion algorithms accepted when Client.AssertionAlgs is
// empty: the values of B2C's token_signing_algorithm.
var DefaultAssertionAlgs = []string{"RS256", "RS512"}

// Client is an application registered at the identity provider, for example a B2C tenant.
//
// The switches after RedirectURIs make one mock play every kind of OAuth2 IdP the B2C OAuth2
// technical profile has metadata for. Their zero values keep the lenient Facebook-like
// behaviour: POST token calls, either secret method, a JSON token response, the access token
// in the access_token query parameter or a Bearer header, errors as 4xx.
type Client struct {
	ID string `json:"id" yaml:"id"`
	// Secret is the client secret; it may be empty only when AuthMethod is private_key_jwt.
	Secret string `json:"secret" yaml:"secret"`
	// RedirectURIs lists the exact redirect URIs the client may use; empty accepts any absolute URI.
	RedirectURIs []string `json:"redirectURIs,omitempty" yaml:"redirectURIs,omitempty"`

	// TokenMethod is the one HTTP method the token endpoint accepts from this client (B2C
	// HttpBinding): POST (empty means POST) or GET, which carries every parameter in the query
	// and an empty body. The other method gets 405 invalid_request. Config.AllowTokenGET
	// accepts both from every client.
	TokenMethod string `json:"tokenMethod,omitempty" yaml:"tokenMethod,omitempty"`
	// AuthMethod is the client authentication the token endpoint requires (B2C
	// token_endpoint_auth_method): client_secret_post, client_secret_basic or private_key_jwt.
	// Empty accepts either secret method. Any other method presented gets 401 invalid_client
	// with a description naming the method wanted.
	AuthMethod string `json:"authMethod,omitempty" yaml:"authMethod,omitempty"`
	// PublicKeyPEM holds the PEM public keys ("PUBLIC KEY" or "RSA PUBLIC KEY") or certificates
	// that verify this client's private_key_jwt assertions (B2C's assertion_signing_key).
	PublicKeyPEM string `json:"publicKeyPEM,omitempty" yaml:"publicKeyPEM,omitempty"`
	// JWKS is a JSON Web Key Set (RSA or EC keys) verifying the assertions, instead of or
	// besides PublicKeyPEM; an assertion's kid selects among keys that have one.
	JWKS string `json:"jwks,omitempty" yaml:"jwks,omitempty"`
	// AssertionAlgs lists the JWS algorithms accepted for assertions (RS*, PS*, ES*); empty
	// means DefaultAssertionAlgs. none and HS* are never accepted.
	AssertionAlgs []string `json:"assertionAlgs,omitempty" yaml:"assertionAlgs,omitempty"`
	// TokenEndpointURL, when set, is the one aud a private_key_jwt assertion of this client is
	// accepted with, instead of Config.BaseURL (or the listener's address) plus the path of the
	// token endpoint, for example the URL a proxy publishes the mock's token endpoint at.
	TokenEndpointURL string `json:"tokenEndpointURL,omitempty" yaml:"tokenEndpointURL,omitempty"`
	// TokenResponseFormat is json (the default, RFC 6749 §5.1) or form: the old Facebook
	// access_token=…&token_type=bearer&expires=… as text/plain (B2C AccessTokenResponseFormat
	// Default). Errors are JSON either way.
	TokenResponseFormat string `json:"tokenResponseFormat,omitempty" yaml:"tokenResponseFormat,omitempty"`
	// TokenExtraParams are extra members of every token response, for example resource (B2C
	// ExtraParamsInAccessTokenEndpointResponse).
	TokenExtraParams map[string]string `json:"tokenExtraParams,omitempty" yaml:"tokenExtraParams,omitempty"`
	// ClaimsRequiredParams names TokenExtraParams the claims endpoint requires as query
	// parameters with the values the token response gave (B2C ExtraParamsInClaimsEndpointRequest);
	// a missing or different one gets 400 invalid_request.
	ClaimsRequiredParams []string `json:"claimsRequiredParams,omitempty" yaml:"claimsRequiredParams,omitempty"`
	// ClaimsTokenParam is the query parameter carrying the access token at the claims endpoint
	// (B2C ClaimsEndpointAccessTokenName); empty means access_token.
	ClaimsTokenParam string `json:"claimsTokenParam,omitempty" yaml:"claimsTokenParam,omitempty"`
	// ClaimsTokenIn is where the claims endpoint takes the access token (B2C
	// BearerTokenTransmissionMethod): query (only ClaimsTokenParam; a token elsewhere is not seen:
	// 401 invalid_token), header (only Authorization: Bearer; a token in the query or body gets
	// 400 invalid_request, RFC 6750 §2), or any (either). Empty means any.
	ClaimsTokenIn string `json:"claimsTokenIn,omitempty" yaml:"claimsTokenIn,omitempty"`
	// ClaimsFormatParam and ClaimsFormatValue make the claims endpoint require the query
	// parameter ClaimsFormatParam=ClaimsFormatValue, for example format=json (B2C
	// ClaimsEndpointFormatName and ClaimsEndpointFormat); missing or different gets 400
	// invalid_request.
	ClaimsFormatParam string `json:"claimsFormatParam,omitempty" yaml:"claimsFormatParam,omitempty"`
	ClaimsFormatValue string `json:"claimsFormatValue,omitempty" yaml:"claimsFormatValue,omitempty"`
	// ErrorIn200 names a parameter, for example error_message: the token and claims endpoints
	// then answer this client's errors with HTTP 200 and {ErrorIn200: description, "error":
	// code} (B2C ResponseErrorCodeParamName). Errors raised before the client is known (an
	// unknown client id or access token) and 405s keep their status.
	ErrorIn200 string `json:"errorIn200,omitempty" yaml:"errorIn200,omitempty"`
	// IssueIDToken adds an RS256 id_token to this client's token responses and lets the
	// authorization endpoint answer response_type=id_token with an id_token instead of a code
	// (B2C response_types=id_token). Keys are at /.well-known/jwks.json.
	IssueIDToken bool `json:"issueIDToken,omitempty" yaml:"issueIDToken,omitempty"`
	// IDTokenAudience is the aud of this client's id_tokens; empty means ID (B2C IdTokenAudience).
	IDTokenAudience string `json:"idTokenAudience,omitempty" yaml:"idTokenAudience,omitempty"`
}

// tokenMethod is the method the client's token requests use.
func (c Client) tokenMethod() string {
	if c.TokenMethod == "" {
		return TokenMethodPOST
	}
	return c.TokenMethod
}

// assertionAlgs are the algorithms accepted for the client's assertions.
func (c Client) assertionAlgs() []string {
	if len(c.AssertionAlgs) == 0 {
		return DefaultAssertionAlgs
	}
	return c.AssertionAlgs
}

// claimsTokenParam is the query parameter carrying the client's access tokens.
func (c Client) claimsTokenParam() string {
	if c.ClaimsTokenParam == "" {
		return "access_token"
	}
	return c.ClaimsTokenParam
}

// idTokenAudience is the aud of the client's id_tokens.
func (c Client) idTokenAudience() string {
	if c.IDTokenAudience == "" {
		return c.ID
	}
	return c.IDTokenAudience
}

// User is an account that can sign in on the login page.
type User struct {
	Username string `json:"username" yaml:"username"`
	Password string `json:"password" yaml:"password"`
	// Claims is the JSON object the claims endpoint returns for this user; nested objects and
	// arrays are allowed.
	Claims map[string]any `json:"claims,omitempty" yaml:"claims,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("60s", "5m") in JSON and YAML.
type Duration = cfgfile.Duration

// ConfigError lists every problem Validate found. It matches ErrInvalidConfig with errors.Is.
type ConfigError = cfgfile.ConfigError

// Validate reports every problem at once as a *ConfigError: empty or duplicate client ids,
// missing secrets, redirect URIs that are not absolute or carry a fragment, client switches with
// unknown values or that contradict each other, private_key_jwt without a usable key, empty or
// duplicate usernames, claims that cannot be written as JSON, negative lifetimes, an issuer that
// is not an absolute URL, a base URL that is not an absolute http(s) URL without query or
// fragment.
func (c Config) Validate() error {
	problems := slices.Concat(
		cfgfile.Items("clients", c.Clients, Client.problems, cfgfile.Key[Client]{Name: "id", Of: Client.key}),
		cfgfile.Items("users", c.Users, User.problems, cfgfile.Key[User]{Name: "username", Of: User.key}),
	)
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if c.CodeTTL < 0 {
		add("codeTTL: want zero (default %s) or positive, got %s", DefaultCodeTTL, c.CodeTTL)
	}
	if c.TokenTTL < 0 {
		add("tokenTTL: want zero (default %s) or positive, got %s", DefaultTokenTTL, c.TokenTTL)
	}
	if c.Issuer != "" {
		if u, err := url.Parse(c.Issuer); err != nil || !u.IsAbs() || u.Host == "" {
			add("issuer: want an absolute URL, got %q", c.Issuer)
		}
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			add("baseURL: want an absolute http or https URL without query or fragment, such as http://127.0.0.1:8081, got %q", c.BaseURL)
		}
	}
	return cfgfile.Check("oauth2", problems)
}

// key identifies a client.
func (c Client) key() string { return c.ID }

// key identifies a user.
func (u User) key() string { return u.Username }

// problems lists what is wrong with one client on its own.
func (c Client) problems() []string {
	var out []string
	if c.ID == "" {
		out = append(out, "id is empty")
	}
	if c.Secret == "" && c.AuthMethod != AuthPrivateKeyJWT {
		out = append(out, "secret is empty")
	}
	for i, raw := range c.RedirectURIs {
		if err := checkRedirectURI(raw); err != nil {
			out = append(out, fmt.Sprintf("redirectURIs[%d]: %v", i, err))
		}
	}
	return append(out, c.switchProblems()...)
}

// reservedTokenParams are the token response members TokenExtraParams may not replace.
var reservedTokenParams = []string{"access_token", "token_type", "expires_in", "expires", "refresh_token", "id_token", "error", "error_description"}

// switchProblems lists what is wrong with the client's switches.
func (c Client) switchProblems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	switch c.TokenMethod {
	case "", TokenMethodPOST, TokenMethodGET:
	default:
		add("tokenMethod: want POST or GET, got %q", c.TokenMethod)
	}
	switch c.AuthMethod {
	case "", AuthClientSecretPost, AuthClientSecretBasic, AuthPrivateKeyJWT:
	default:
		add("authMethod: want %s, %s or %s, got %q", AuthClientSecretPost, AuthClientSecretBasic, AuthPrivateKeyJWT, c.AuthMethod)
	}
	keys, keyProblems := c.verificationKeys()
	out = append(out, keyProblems...)
	if c.AuthMethod == AuthPrivateKeyJWT && c.PublicKeyPEM == "" && c.JWKS == "" {
		add("authMethod %s needs publicKeyPEM or jwks", AuthPrivateKeyJWT)
	}
	for i, alg := range c.AssertionAlgs {
		if !slices.Contains(assertionAlgsAllowed, alg) {
			add("assertionAlgs[%d]: want one of %s, got %q", i, strings.Join(assertionAlgsAllowed, ", "), alg)
			continue
		}
		if len(keys) > 0 && !slices.ContainsFunc(keys, func(k verificationKey) bool { return keyFits(alg, k.key) }) {
			add("assertionAlgs[%d]: no registered key can verify %s", i, alg)
		}
	}
	if c.TokenEndpointURL != "" {
		if u, err := url.Parse(c.TokenEndpointURL); err != nil || !u.IsAbs() || u.Host == "" {
			add("tokenEndpointURL: want an absolute URL, got %q", c.TokenEndpointURL)
		}
	}
	switch c.TokenResponseFormat {
	case "", TokenFormatJSON, TokenFormatForm:
	default:
		add("tokenResponseFormat: want %s or %s, got %q", TokenFormatJSON, TokenFormatForm, c.TokenResponseFormat)
	}
	for _, k := range slices.Sorted(maps.Keys(c.TokenExtraParams)) {
		switch {
		case k == "":
			add("tokenExtraParams: empty name")
		case slices.Contains(reservedTokenParams, k):
			add("tokenExtraParams: %q is a member the server writes itself", k)
		case k == c.ErrorIn200:
			add("tokenExtraParams: %q is the errorIn200 parameter", k)
		}
	}
	for i, k := range c.ClaimsRequiredParams {
		if _, ok := c.TokenExtraParams[k]; !ok {
			add("claimsRequiredParams[%d]: %q is not in tokenExtraParams", i, k)
		}
		if j := slices.Index(c.ClaimsRequiredParams, k); j < i {
			add("claimsRequiredParams[%d]: duplicate %q (first at claimsRequiredParams[%d])", i, k, j)
		}
	}
	switch c.ClaimsTokenIn {
	case "", ClaimsTokenInQuery, ClaimsTokenInHeader, ClaimsTokenInAny:
	default:
		add("claimsTokenIn: want %s, %s or %s, got %q", ClaimsTokenInQuery, ClaimsTokenInHeader, ClaimsTokenInAny, c.ClaimsTokenIn)
	}
	tokenParam := c.claimsTokenParam()
	switch {
	case c.ClaimsFormatParam == "" && c.ClaimsFormatValue != "":
		add("claimsFormatValue %q is set without claimsFormatParam", c.ClaimsFormatValue)
	case c.ClaimsFormatParam != "" && c.ClaimsFormatValue == "":
		add("claimsFormatParam %q is set without claimsFormatValue", c.ClaimsFormatParam)
	case c.ClaimsFormatParam != "" && c.ClaimsFormatParam == tokenParam:
		add("claimsFormatParam %q is also the access token parameter", c.ClaimsFormatParam)
	}
	if slices.Contains(c.ClaimsRequiredParams, tokenParam) {
		add("claimsRequiredParams: %q is also the access token parameter", tokenParam)
	}
	if c.ErrorIn200 == "error" {
		add(`errorIn200: want a parameter other than "error", which carries the code`)
	}
	if c.IDTokenAudience != "" && !c.IssueIDToken {
		add("idTokenAudience is set but issueIDToken is false")
	}
	return out
}

// problems lists what is wrong with one user on its own.
func (u User) problems() []string {
	var out []string
	if u.Username == "" {
		out = append(out, "username is empty")
	}
	if u.Password == "" {
		out = append(out, "password is empty: a user without one would sign in with an empty password")
	}
	if _, err := json.Marshal(u.Claims); err != nil {
		out = append(out, fmt.Sprintf("claims cannot be written as JSON: %v", err))
	}
	return out
}

func (c Client) validate() error { return cfgfile.Check("oauth2", c.problems()) }

func (u User) validate() error { return cfgfile.Check("oauth2", u.problems()) }

// checkRedirectURI applies RFC 6749 §3.1.2: an absolute URI without a fragment.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("want an absolute URI, got %q: %w", raw, err)
	case !u.IsAbs() || u.Host == "":
		return fmt.Errorf("want an absolute URI, got %q", raw)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("want a URI without fragment, got %q", raw)
	}
	return nil
}

// LoadConfig reads a Config from a .yaml, .yml or .json file, rejecting unknown keys, and
// validates it. On a validation error it returns the decoded Config too.
func LoadConfig(path string) (Config, error) { return cfgfile.LoadValid[Config](path, "oauth2") }

func (c Client) clone() Client {
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.AssertionAlgs = slices.Clone(c.AssertionAlgs)
	c.ClaimsRequiredParams = slices.Clone(c.ClaimsRequiredParams)
	c.TokenExtraParams = maps.Clone(c.TokenExtraParams)
	return c
}

func (u User) clone() User {
	u.Claims = cfgfile.CloneClaims(u.Claims)
	return u
}
