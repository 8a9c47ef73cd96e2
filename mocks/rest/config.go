package rest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// Config is the initial state of a Server: its routes. Files use lowerCamel keys, in YAML or JSON:
//
//	routes:
//	  - method: POST
//	    path: /validate-email
//	    auth: {type: basic, username: b2c, password: s3cret}
//	    behaviour: email-exists
//	    known: [taken@contoso.com]
//	  - path: /users/{id}
//	    auth: {type: apiKey, header: x-functions-key, key: k3y}
//	    responses:
//	      - {status: 500, body: "boom", contentType: text/plain}
//	      - {json: {displayName: Emily Smith}}
type Config struct {
	Routes []Route `json:"routes,omitempty" yaml:"routes,omitempty"`
}

// Route is one endpoint of the API.
//
// A route answers its n-th call (counting from 0) with Responses[min(n, len-1)], so
// "the first call fails, the second succeeds" is two Responses. A route with a Behaviour
// answers with Responses in order first, then with the Behaviour for every later call. A route
// with neither answers 200 {}. Calls that fail authentication get 401 and do not move the
// sequence on.
type Route struct {
	// Method is the HTTP method, in any case; empty matches every method. A route with a Method
	// is tried before routes without one.
	Method string `json:"method,omitempty" yaml:"method,omitempty"`
	// Path is a gorilla/mux path template such as /users/{id} or /users/{id:[0-9]+}, matched
	// against the escaped request path; variables are unescaped into Call.PathVars. Paths
	// under /_admin are reserved.
	Path string `json:"path" yaml:"path"`
	// Auth is the authentication the route requires; the zero value requires none.
	Auth Auth `json:"auth,omitzero" yaml:"auth,omitempty"`
	// Responses is the route's answers, in call order; the last one repeats.
	Responses []Response `json:"responses,omitempty" yaml:"responses,omitempty"`
	// Behaviour names a ready-made handler: BehaviourEmailExists, BehaviourLoyaltyNumber,
	// BehaviourContacts or BehaviourCustomClaims (see the package documentation).
	Behaviour string `json:"behaviour,omitempty" yaml:"behaviour,omitempty"`
	// Known lists the email addresses the email-exists and loyalty-number behaviours treat as
	// already registered, compared without regard to case.
	Known []string `json:"known,omitempty" yaml:"known,omitempty"`
	// CustomClaims shapes the custom-claims behaviour: the claims, a fault and the token
	// validation. Nil gives the correct answer with DefaultClaims and checks no token.
	CustomClaims *CustomClaims `json:"customClaims,omitempty" yaml:"customClaims,omitempty"`
}

// Authentication types (Auth.Type), one for each B2C AuthenticationType.
const (
	AuthNone       = "none"       // None
	AuthBasic      = "basic"      // Basic: Authorization: Basic base64(user:pass)
	AuthBearer     = "bearer"     // Bearer: Authorization: Bearer <token>
	AuthAPIKey     = "apiKey"     // ApiKeyHeader: <header>: <key>
	AuthClientCert = "clientCert" // ClientCertificate: mutual TLS
)

// Auth is the authentication a route requires. Missing or wrong credentials get 401 with a JSON
// body, and a WWW-Authenticate challenge for basic and bearer.
type Auth struct {
	// Type is none (or empty), basic, bearer, apiKey or clientCert.
	Type string `json:"type,omitempty" yaml:"type,omitempty"`
	// Username and Password are the basic credentials; both are required.
	Username string `json:"username,omitempty" yaml:"username,omitempty"`
	Password string `json:"password,omitempty" yaml:"password,omitempty"`
	// Token is the bearer token.
	Token string `json:"token,omitempty" yaml:"token,omitempty"`
	// Header and Key are the apiKey header name, for example x-functions-key, and its value.
	Header string `json:"header,omitempty" yaml:"header,omitempty"`
	Key    string `json:"key,omitempty" yaml:"key,omitempty"`
	// CommonName is the subject CN a clientCert route requires; empty accepts any client
	// certificate the TLS layer verified. The server must be HTTPS with a tls.Config that
	// verifies client certificates (ClientAuth VerifyClientCertIfGiven, see harness/pki).
	CommonName string `json:"commonName,omitempty" yaml:"commonName,omitempty"`
}

// Ready-made behaviours (Route.Behaviour), after the examples of B2C's REST API walkthroughs.
const (
	BehaviourEmailExists   = "email-exists"
	BehaviourLoyaltyNumber = "loyalty-number"
	BehaviourContacts      = "contacts"
	// BehaviourCustomClaims is a Microsoft Entra custom claims provider (OnTokenIssuanceStart
	// custom authentication extension), shaped by Route.CustomClaims.
	BehaviourCustomClaims = "custom-claims"
)

// Faults (Response.Fault): ways to fail below HTTP.
const (
	// FaultReset closes the connection with SO_LINGER 0: the client sees "connection reset by peer".
	FaultReset = kit.FaultReset
	// FaultClose closes the connection without a response: the client sees EOF.
	FaultClose = kit.FaultClose
)

// Response is one canned answer of a route: Status (default 200), Header, ContentType (default
// the Content-Type in Header, else application/json), Body, or JSON marshalled when Body is
// empty, a Delay that holds the answer (or the fault) back and ends early when the client goes
// away (nothing is written) or the Server is closed (the answer is written at once), and a Fault,
// FaultReset or FaultClose, that answers with a broken connection instead (HTTP/1.x; on HTTP/2
// the handler aborts the stream). In JSON and YAML its keys are lowerCamel, its delay a duration
// string such as "2s", and JSON numbers stay exact (json.Number).
type Response = kit.Response

// Validate reports every problem at once as a *ConfigError: routes with an empty, malformed,
// reserved or duplicate method and path, authentication missing its credentials or carrying
// credentials of another type, unknown behaviours, custom-claims settings with an unknown fault,
// a bad delay or JWKS URL, or no audience, and responses with a bad status, header, content
// type, delay or fault, or a JSON value that cannot be marshalled.
func (c Config) Validate() error {
	var problems []string
	seen := map[string]int{}
	for i, rt := range c.Routes {
		for _, p := range rt.problems() {
			problems = append(problems, fmt.Sprintf("routes[%d]: %s", i, p))
		}
		if rt.Path == "" {
			continue
		}
		k := rt.key()
		if first, dup := seen[k]; dup {
			problems = append(problems, fmt.Sprintf("routes[%d]: duplicate route %s (first at routes[%d])", i, k, first))
			continue
		}
		seen[k] = i
	}
	return cfgfile.Check("rest", problems)
}

// key identifies a route: upper-case method (or *) and path.
func (rt Route) key() string {
	return routeKey(rt.Method, rt.Path)
}

func routeKey(method, path string) string {
	if method == "" {
		method = "*"
	}
	return strings.ToUpper(method) + " " + path
}

var behaviours = []string{BehaviourEmailExists, BehaviourLoyaltyNumber, BehaviourContacts, BehaviourCustomClaims}

// problems lists what is wrong with one route on its own.
func (rt Route) problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	if rt.Method != "" && !kit.IsToken(rt.Method) {
		add("method: want an HTTP method such as POST, got %q", rt.Method)
	}
	switch {
	case rt.Path == "":
		add("path is empty")
	case !strings.HasPrefix(rt.Path, "/"):
		add("path: want a path starting with /, got %q", rt.Path)
	case strings.ContainsAny(rt.Path, "?#"):
		add("path: want a path without query or fragment (a route matches any query), got %q", rt.Path)
	case rt.Path == "/_admin" || strings.HasPrefix(rt.Path, "/_admin/"):
		add("path: %q is under /_admin, which the admin API owns", rt.Path)
	default:
		if err := muxTemplateError(rt.Path); err != nil {
			add("path: want a gorilla/mux template such as /users/{id}, got %q: %v", rt.Path, err)
		}
	}
	out = append(out, rt.Auth.problems()...)
	switch rt.Behaviour {
	case "", BehaviourEmailExists, BehaviourLoyaltyNumber:
	case BehaviourContacts, BehaviourCustomClaims:
		if len(rt.Known) > 0 {
			add("known is used by %s and %s only, not by %s", BehaviourEmailExists, BehaviourLoyaltyNumber, rt.Behaviour)
		}
	default:
		add("behaviour: want one of %s, got %q", strings.Join(behaviours, ", "), rt.Behaviour)
	}
	if rt.Behaviour == "" && len(rt.Known) > 0 {
		add("known is set without a behaviour that uses it (%s or %s)", BehaviourEmailExists, BehaviourLoyaltyNumber)
	}
	if rt.CustomClaims != nil {
		if rt.Behaviour != BehaviourCustomClaims {
			add("customClaims is set but behaviour is %q, not %s", rt.Behaviour, BehaviourCustomClaims)
		}
		for _, p := range rt.CustomClaims.problems() {
			add("customClaims: %s", p)
		}
		if rt.CustomClaims.JWKSURL != "" && rt.Auth.Type == AuthBearer {
			add("auth type bearer and customClaims.jwksURL both check the Authorization header; set one")
		}
	}
	for i, r := range rt.Responses {
		for _, p := range r.Problems(200) {
			add("responses[%d]: %s", i, p)
		}
	}
	return out
}

// problems lists what is wrong with the authentication settings.
func (a Auth) problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	set := map[string]bool{
		"username":   a.Username != "",
		"password":   a.Password != "",
		"token":      a.Token != "",
		"header":     a.Header != "",
		"key":        a.Key != "",
		"commonName": a.CommonName != "",
	}
	var uses []string
	switch a.Type {
	case "", AuthNone:
	case AuthBasic:
		uses = []string{"username", "password"}
		if a.Username == "" || a.Password == "" {
			add("auth: basic needs username and password")
		}
		if strings.Contains(a.Username, ":") {
			add("auth: a basic username cannot contain ':', got %q", a.Username)
		}
	case AuthBearer:
		uses = []string{"token"}
		if a.Token == "" {
			add("auth: bearer needs a token")
		}
	case AuthAPIKey:
		uses = []string{"header", "key"}
		if a.Header == "" || a.Key == "" {
			add("auth: apiKey needs header and key")
		}
		if a.Header != "" && !kit.IsToken(a.Header) {
			add("auth: header: want an HTTP header name such as x-functions-key, got %q", a.Header)
		}
	case AuthClientCert:
		uses = []string{"commonName"}
	default:
		add("auth: type: want %s, %s, %s, %s or %s, got %q", AuthNone, AuthBasic, AuthBearer, AuthAPIKey, AuthClientCert, a.Type)
		return out
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if set[k] && !slices.Contains(uses, k) {
			t := a.Type
			if t == "" {
				t = AuthNone
			}
			add("auth: %s is set but type %s does not use it", k, t)
		}
	}
	return out
}

// muxTemplateError is what is wrong with a gorilla/mux path template, or nil. A variable's
// pattern with a capturing group, such as /users/{id:(a|b)}, is refused here: mux panics on it
// rather than returning an error. (A non-capturing group needs ?, which a route path may not
// have.)
func muxTemplateError(path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("a variable's pattern has a capturing group (parentheses), which gorilla/mux does not take; use a pattern without groups such as {id:[0-9]+}")
		}
	}()
	return mux.NewRouter().NewRoute().Path(path).GetError()
}

// validate checks one route on its own.
func (rt Route) validate() error { return cfgfile.Check("rest", rt.problems()) }

// validateResponses checks responses given apart from a route.
func validateResponses(rs []Response) error {
	return cfgfile.Check("rest", cfgfile.Items("responses", rs, func(r Response) []string { return r.Problems(200) }))
}

// LoadConfig reads a Config from a .yaml, .yml or .json file, rejecting unknown keys, and
// validates it. On a validation error it returns the decoded Config too.
func LoadConfig(path string) (Config, error) { return cfgfile.LoadValid[Config](path, "rest") }

// normalize returns a copy of rt that shares nothing with the caller: the method in upper case,
// maps and slices copied, and each response's JSON turned into plain JSON values (maps, slices,
// strings, json.Number, bools), so that later changes to the caller's values do not reach the
// server. rt must have passed validate.
func (rt Route) normalize() Route {
	rt.Method = strings.ToUpper(rt.Method)
	rt.Known = slices.Clone(rt.Known)
	rt.Responses = normalizeResponses(rt.Responses)
	if rt.CustomClaims != nil {
		cc := rt.CustomClaims.normalize()
		rt.CustomClaims = &cc
	}
	return rt
}

// normalizeResponses returns copies of rs that share nothing with the caller, each response's
// JSON turned into plain JSON values.
func normalizeResponses(rs []Response) []Response {
	return cfgfile.CloneSlice(rs, func(r Response) Response {
		r.Header = maps.Clone(r.Header)
		if r.JSON != nil {
			if v, err := cfgfile.PlainJSON(r.JSON); err == nil {
				r.JSON = v
			}
		}
		return r
	})
}

// clone deep-copies a normalized route.
func (rt Route) clone() Route {
	rt.Known = slices.Clone(rt.Known)
	rt.Responses = cfgfile.CloneSlice(rt.Responses, Response.Clone)
	if rt.CustomClaims != nil {
		cc := *rt.CustomClaims
		cc.Claims = cfgfile.CloneClaims(cc.Claims)
		rt.CustomClaims = &cc
	}
	return rt
}
