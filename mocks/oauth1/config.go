package oauth1

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/internal/jwks"
)

// Defaults applied by New when the Config leaves them zero.
const (
	DefaultTimestampWindow        = 5 * time.Minute
	DefaultTemporaryCredentialTTL = 5 * time.Minute
	// DefaultClaimsPath is the claims endpoint's path, Twitter's verify_credentials.
	DefaultClaimsPath = "/1.1/account/verify_credentials.json"
)

// Signature methods (RFC 5849 §3.4).
const (
	HMACSHA1  = "HMAC-SHA1"
	RSASHA1   = "RSA-SHA1"
	PLAINTEXT = "PLAINTEXT"
)

// CallbackOOB is the oauth_callback value of a client that cannot receive a redirect (RFC 5849
// §2.1): the verifier is shown to the user instead.
const CallbackOOB = "oob"

// Config is the initial state of a Server. Files use lowerCamel keys, in YAML or JSON:
//
//	consumers:
//	  - key: b2c-consumer
//	    secret: s3cret
//	    callbackURLs: [https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1a_signin/oauth1/authresp]
//	users:
//	  - username: alice
//	    password: pa55
//	    userID: "1001"
//	    screenName: alice_s
//	    email: alice@example.com
//	    claims: {name: Alice Smith, verified: true}
//	timestampWindow: 5m
//	temporaryCredentialTTL: 5m
type Config struct {
	Consumers []Consumer `json:"consumers,omitempty" yaml:"consumers,omitempty"`
	Users     []User     `json:"users,omitempty" yaml:"users,omitempty"`
	// TimestampWindow is how far oauth_timestamp may be from the server's clock, either way, and
	// how long a nonce is remembered; zero means DefaultTimestampWindow.
	TimestampWindow Duration `json:"timestampWindow,omitempty" yaml:"timestampWindow,omitempty"`
	// TemporaryCredentialTTL is how long a temporary credential (request token) and its verifier
	// stay usable; zero means DefaultTemporaryCredentialTTL.
	TemporaryCredentialTTL Duration `json:"temporaryCredentialTTL,omitempty" yaml:"temporaryCredentialTTL,omitempty"`
	// ClaimsPath is the path of the claims endpoint; empty means DefaultClaimsPath. Set it when
	// a policy's ClaimsEndpoint points elsewhere.
	ClaimsPath string `json:"claimsPath,omitempty" yaml:"claimsPath,omitempty"`
}

// Consumer is a client registered at the identity provider, for example a B2C tenant (its
// client_id and client_secret).
type Consumer struct {
	Key string `json:"key" yaml:"key"`
	// Secret is the consumer secret; it may be empty only for a consumer that signs with RSA-SHA1 alone.
	Secret string `json:"secret,omitempty" yaml:"secret,omitempty"`
	// SignatureMethods lists the oauth_signature_method values accepted from this consumer:
	// HMAC-SHA1, PLAINTEXT, RSA-SHA1. Empty means HMAC-SHA1 only.
	SignatureMethods []string `json:"signatureMethods,omitempty" yaml:"signatureMethods,omitempty"`
	// PublicKeyPEM holds the RSA public keys ("PUBLIC KEY", "RSA PUBLIC KEY" or "CERTIFICATE"
	// blocks) that verify RSA-SHA1 signatures; any of them may verify.
	PublicKeyPEM string `json:"publicKeyPEM,omitempty" yaml:"publicKeyPEM,omitempty"`
	// CallbackURLs restricts oauth_callback: it must equal one of them, or start with one
	// followed by '?'. Empty accepts any absolute URL. "oob" is always accepted.
	CallbackURLs []string `json:"callbackURLs,omitempty" yaml:"callbackURLs,omitempty"`
}

// signatureMethods are the methods accepted from the consumer.
func (c Consumer) signatureMethods() []string {
	if len(c.SignatureMethods) == 0 {
		return []string{HMACSHA1}
	}
	return c.SignatureMethods
}

// callbackAllowed applies CallbackURLs to an oauth_callback value.
func (c Consumer) callbackAllowed(cb string) bool {
	if cb == CallbackOOB || len(c.CallbackURLs) == 0 {
		return true
	}
	return slices.ContainsFunc(c.CallbackURLs, func(u string) bool {
		return cb == u || strings.HasPrefix(cb, u+"?")
	})
}

// User is an account that can sign in on the login page.
type User struct {
	Username string `json:"username" yaml:"username"`
	Password string `json:"password" yaml:"password"`
	// UserID is the numeric account id: user_id of the access token response, id and id_str of
	// the claims. Decimal digits, at most 19.
	UserID string `json:"userID" yaml:"userID"`
	// ScreenName is screen_name in the access token response and the claims; empty means Username.
	ScreenName string `json:"screenName,omitempty" yaml:"screenName,omitempty"`
	// Email is the claims' email, returned only to requests with include_email=true.
	Email string `json:"email,omitempty" yaml:"email,omitempty"`
	// Claims are extra members of the claims JSON; nested objects and arrays are allowed. They
	// may set name (which defaults to the screen name) but not id, id_str, screen_name or email.
	Claims map[string]any `json:"claims,omitempty" yaml:"claims,omitempty"`
}

// screenName is the user's screen_name.
func (u User) screenName() string {
	if u.ScreenName == "" {
		return u.Username
	}
	return u.ScreenName
}

// reservedClaims are the claims members the server writes from User fields.
var reservedClaims = []string{"id", "id_str", "screen_name", "email"}

// AccessToken is a token credential the server accepts at the claims endpoint as if it had
// issued it, for tests that start after the three-legged flow (AddAccessToken).
type AccessToken struct {
	Token       string `json:"token" yaml:"token"`
	Secret      string `json:"secret" yaml:"secret"`
	ConsumerKey string `json:"consumerKey" yaml:"consumerKey"`
	Username    string `json:"username" yaml:"username"`
}

// Duration is a time.Duration written as a Go duration string ("60s", "5m") in JSON and YAML.
type Duration = cfgfile.Duration

// ConfigError lists every problem Validate found. It matches ErrInvalidConfig with errors.Is.
type ConfigError = cfgfile.ConfigError

// Validate reports every problem at once as a *ConfigError: empty or duplicate consumer keys,
// missing secrets, unknown or repeated signature methods, RSA-SHA1 without a usable RSA key (or a
// key without RSA-SHA1), callback URLs that are not absolute or carry a fragment, empty or
// duplicate usernames and user ids, user ids that are not decimal numbers, claims that cannot be
// written as JSON or that name a member the server writes, negative durations, a claims path
// that is not absolute or takes another route.
func (c Config) Validate() error {
	problems := slices.Concat(
		cfgfile.Items("consumers", c.Consumers, Consumer.problems, cfgfile.Key[Consumer]{Name: "key", Of: Consumer.key}),
		cfgfile.Items("users", c.Users, User.problems,
			cfgfile.Key[User]{Name: "username", Of: User.key}, cfgfile.Key[User]{Name: "userID", Of: func(u User) string { return u.UserID }}),
	)
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if c.TimestampWindow < 0 {
		add("timestampWindow: want zero (default %s) or positive, got %s", DefaultTimestampWindow, c.TimestampWindow)
	}
	if c.TemporaryCredentialTTL < 0 {
		add("temporaryCredentialTTL: want zero (default %s) or positive, got %s", DefaultTemporaryCredentialTTL, c.TemporaryCredentialTTL)
	}
	if p := c.ClaimsPath; p != "" {
		switch {
		case !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?#"):
			add("claimsPath: want an absolute path without query or fragment, got %q", p)
		case slices.Contains(fixedPaths, p) || strings.HasPrefix(p, "/_admin/"):
			add("claimsPath: %q is already a route of the server", p)
		}
	}
	return cfgfile.Check("oauth1", problems)
}

// key identifies a consumer.
func (c Consumer) key() string { return c.Key }

// key identifies a user.
func (u User) key() string { return u.Username }

// problems lists what is wrong with one consumer on its own.
func (c Consumer) problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if c.Key == "" {
		add("key is empty")
	}
	for i, m := range c.SignatureMethods {
		switch {
		case m != HMACSHA1 && m != PLAINTEXT && m != RSASHA1:
			add("signatureMethods[%d]: want %s, %s or %s, got %q", i, HMACSHA1, PLAINTEXT, RSASHA1, m)
		case slices.Index(c.SignatureMethods, m) < i:
			add("signatureMethods[%d]: duplicate %q", i, m)
		}
	}
	methods := c.signatureMethods()
	usesRSA := slices.Contains(methods, RSASHA1)
	if c.Secret == "" && slices.ContainsFunc(methods, func(m string) bool { return m != RSASHA1 }) {
		add("secret is empty (only a consumer that signs with %s alone may have none)", RSASHA1)
	}
	switch {
	case usesRSA && c.PublicKeyPEM == "":
		add("signature method %s needs publicKeyPEM", RSASHA1)
	case c.PublicKeyPEM != "" && !usesRSA:
		add("publicKeyPEM is set but signatureMethods does not list %s", RSASHA1)
	case c.PublicKeyPEM != "":
		if _, err := parseRSAKeys(c.PublicKeyPEM); err != nil {
			add("publicKeyPEM: %v", err)
		}
	}
	for i, raw := range c.CallbackURLs {
		if err := checkCallbackURL(raw); err != nil {
			add("callbackURLs[%d]: %v", i, err)
		}
	}
	return out
}

// problems lists what is wrong with one user on its own.
func (u User) problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if u.Username == "" {
		add("username is empty")
	}
	if u.Password == "" {
		add("password is empty: a user without one would sign in with an empty password")
	}
	if err := checkUserID(u.UserID); err != nil {
		add("userID: %v", err)
	}
	for _, k := range reservedClaims {
		if _, ok := u.Claims[k]; ok {
			add("claims: %q is a member the server writes itself (from userID, screenName or email)", k)
		}
	}
	if _, err := json.Marshal(u.Claims); err != nil {
		add("claims cannot be written as JSON: %v", err)
	}
	return out
}

// checkUserID requires a decimal id that fits a signed 64-bit number, as Twitter's ids do.
func checkUserID(id string) error {
	if id == "" {
		return errors.New("want a decimal number such as \"1001\", got an empty string")
	}
	if strings.Trim(id, "0123456789") != "" {
		return fmt.Errorf("want decimal digits only, got %q", id)
	}
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return fmt.Errorf("want a number of at most 19 digits below 2^63, got %q", id)
	}
	return nil
}

// checkCallbackURL requires an absolute URL without a fragment, onto which the server can add
// a query.
func checkCallbackURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("want an absolute URL, got %q: %w", raw, err)
	case !u.IsAbs() || u.Host == "":
		return fmt.Errorf("want an absolute URL, got %q", raw)
	case strings.Contains(raw, "#"):
		return fmt.Errorf("want a URL without fragment, got %q", raw)
	}
	return nil
}

// parseRSAKeys reads every PEM block of text as an RSA public key.
func parseRSAKeys(text string) ([]*rsa.PublicKey, error) {
	pems, err := jwks.ParsePEM(text)
	if err != nil {
		return nil, err
	}
	keys := make([]*rsa.PublicKey, len(pems))
	for i, k := range pems {
		rk, ok := k.Key.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("block %d (%s): want an RSA key, got %T", k.Block, k.Type, k.Key)
		}
		keys[i] = rk
	}
	return keys, nil
}

func (c Consumer) validate() error { return cfgfile.Check("oauth1", c.problems()) }

func (u User) validate() error { return cfgfile.Check("oauth1", u.problems()) }

// LoadConfig reads a Config from a .yaml, .yml or .json file, rejecting unknown keys, and
// validates it. On a validation error it returns the decoded Config too.
func LoadConfig(path string) (Config, error) { return cfgfile.LoadValid[Config](path, "oauth1") }

func (c Consumer) clone() Consumer {
	c.SignatureMethods = slices.Clone(c.SignatureMethods)
	c.CallbackURLs = slices.Clone(c.CallbackURLs)
	return c
}

func (u User) clone() User {
	u.Claims = cfgfile.CloneClaims(u.Claims)
	return u
}
