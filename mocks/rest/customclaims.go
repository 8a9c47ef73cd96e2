package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

// The wire values of Microsoft Entra's OnTokenIssuanceStart custom authentication extension.
const (
	// EventTokenIssuanceStart is the type of the request Entra sends.
	EventTokenIssuanceStart = "microsoft.graph.authenticationEvent.tokenIssuanceStart"
	// ODataTypeCalloutData is the data.@odata.type of the request Entra sends.
	ODataTypeCalloutData = "microsoft.graph.onTokenIssuanceStartCalloutData"
	// ODataTypeResponseData is the data.@odata.type of the answer Entra expects.
	ODataTypeResponseData = "microsoft.graph.onTokenIssuanceStartResponseData"
	// ActionProvideClaimsForToken is the @odata.type of the one action Entra expects.
	ActionProvideClaimsForToken = "microsoft.graph.tokenIssuanceStart.provideClaimsForToken"
	// ActionProvideClaimsForTokenLegacy is the action type of the preview API.
	ActionProvideClaimsForTokenLegacy = "microsoft.graph.provideClaimsForToken"
	// ActionOtherEvent is an action type of another event (attribute collection submit), the
	// answer of ClaimsFaultWrongActionType.
	ActionOtherEvent = "microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior"
	// EntraEventsAppID is the application ID of the Microsoft Entra authentication events
	// service: the azp (v2) or appid (v1) of the tokens Entra calls the API with.
	EntraEventsAppID = "99045fe1-7639-4a75-9d4a-577b6ca3810f"
	// LegacyAPISchemaVersion is the apiSchemaVersion that ClaimsFaultAPISchemaVersion adds.
	LegacyAPISchemaVersion = "1.0.0"
)

// Faults of the custom-claims behaviour (CustomClaims.Fault): each makes the answer wrong in the
// way one row of Entra's error table (1003xxx) describes, and in no other way. "Connection
// refused" (1003027) is the listener being closed; a reset is Response.Fault FaultReset.
const (
	ClaimsFaultNone             = ""                   // the correct answer
	ClaimsFaultStatus201        = "status-201"         // the correct body with 201 (1003002)
	ClaimsFaultStatus400        = "status-400"         // the correct body with 400 (1003002)
	ClaimsFaultStatus500        = "status-500"         // the correct body with 500 (1003002)
	ClaimsFaultTextPlain        = "text-plain"         // the correct body as text/plain (1003006)
	ClaimsFaultInvalidJSON      = "invalid-json"       // the correct body without its last brace (1003003)
	ClaimsFaultNoData           = "no-data"            // {} (1003003)
	ClaimsFaultWrongDataType    = "wrong-data-type"    // data.@odata.type is ODataTypeCalloutData (1003003)
	ClaimsFaultEmptyBody        = "empty-body"         // 200 application/json with no body (1003009)
	ClaimsFaultNullClaims       = "null-claims"        // "claims": null (1003007)
	ClaimsFaultZeroActions      = "zero-actions"       // "actions": [] (1003010)
	ClaimsFaultTwoActions       = "two-actions"        // the action twice (1003010)
	ClaimsFaultWrongActionType  = "wrong-action-type"  // action type ActionOtherEvent (1003012)
	ClaimsFaultLegacyActionType = "legacy-action-type" // action type ActionProvideClaimsForTokenLegacy
	ClaimsFaultEmptyKey         = "empty-key"          // the claims plus "": EmptyKeyValue (1003026)
	ClaimsFaultBooleanClaim     = "boolean-claim"      // the claims plus BooleanClaim: true
	ClaimsFaultObjectClaim      = "object-claim"       // the claims plus ObjectClaim: {...}
	ClaimsFaultOversizeClaims   = "oversize-claims"    // the claims plus OversizeClaim, > 3 KB in all (1003025)
	ClaimsFaultOversizeBody     = "oversize-body"      // the correct answer padded to OversizeBodyBytes (1003024)
	ClaimsFaultSlow             = "slow"               // the correct answer after Delay, or SlowDelay (1003005)
	ClaimsFaultThrottle         = "throttle"           // 429 with Retry-After: 1 (1003004)
	ClaimsFaultAPISchemaVersion = "api-schema-version" // the correct answer plus apiSchemaVersion (1003008)
)

// ClaimsFaults returns every value of CustomClaims.Fault but the empty one, in the order above.
func ClaimsFaults() []string {
	return slices.Clone(claimsFaults)
}

var claimsFaults = []string{
	ClaimsFaultStatus201, ClaimsFaultStatus400, ClaimsFaultStatus500, ClaimsFaultTextPlain,
	ClaimsFaultInvalidJSON, ClaimsFaultNoData, ClaimsFaultWrongDataType, ClaimsFaultEmptyBody,
	ClaimsFaultNullClaims, ClaimsFaultZeroActions, ClaimsFaultTwoActions, ClaimsFaultWrongActionType,
	ClaimsFaultLegacyActionType, ClaimsFaultEmptyKey, ClaimsFaultBooleanClaim, ClaimsFaultObjectClaim,
	ClaimsFaultOversizeClaims, ClaimsFaultOversizeBody, ClaimsFaultSlow, ClaimsFaultThrottle,
	ClaimsFaultAPISchemaVersion,
}

// Names, values and sizes the faults use.
const (
	// EmptyKeyValue is the value of the "" claim of ClaimsFaultEmptyKey.
	EmptyKeyValue = "value of an empty key"
	// BooleanClaim is the claim ClaimsFaultBooleanClaim adds, with the value true.
	BooleanClaim = "BooleanClaim"
	// ObjectClaim is the claim ClaimsFaultObjectClaim adds, with the value
	// {"city":"Redmond","country":"US"}.
	ObjectClaim = "ObjectClaim"
	// OversizeClaim is the claim ClaimsFaultOversizeClaims adds: OversizeClaimBytes of "x", so
	// that the claims exceed Entra's 3 KB.
	OversizeClaim      = "OversizeClaim"
	OversizeClaimBytes = 4 << 10
	// OversizeBodyBytes is the size ClaimsFaultOversizeBody pads the correct answer to with
	// JSON whitespace: the body stays valid and its claims small.
	OversizeBodyBytes = 4 << 20
	// SlowDelay is how long ClaimsFaultSlow holds the answer back when Delay is zero: longer
	// than Entra's timeout (at most 2 s).
	SlowDelay = 3 * time.Second
	// TokenLeeway is the clock skew allowed on the exp and nbf of the bearer token.
	TokenLeeway = time.Minute
)

// DefaultClaims returns the claims of the correct answer when CustomClaims.Claims is empty: the
// example of Entra's documentation, {"DateOfBirth":"01/01/2000","CustomRoles":["Writer","Editor"]}.
func DefaultClaims() map[string]any {
	return map[string]any{"DateOfBirth": "01/01/2000", "CustomRoles": []any{"Writer", "Editor"}}
}

// CustomClaims shapes the custom-claims behaviour, a Microsoft Entra custom claims provider: the
// API an OnTokenIssuanceStart custom authentication extension calls. Its correct answer is
//
//	200 Content-Type: application/json
//	{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[
//	  {"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{...}}]}}
type CustomClaims struct {
	// Claims are the claims of the answer; nil or empty gives DefaultClaims.
	Claims map[string]any
	// Fault makes the answer wrong in one way: one of ClaimsFaults, or empty for the correct
	// answer.
	Fault string
	// Delay holds every answer back; ClaimsFaultSlow holds it back SlowDelay when Delay is zero.
	// It ends early when the client gives up (nothing is written) or the Server is closed (the
	// answer is written at once).
	Delay time.Duration
	// JWKSURL, when set, makes the route check the bearer token of each call against the keys
	// published there (fetched once, and again for an unknown kid): RS256, azp or appid
	// EntraEventsAppID, aud Audience, exp and nbf within TokenLeeway, iss Issuer when set.
	// A missing or refused token gets 401 with a JSON error saying what was wrong.
	JWKSURL string
	// Audience is the aud the token must carry: the API's identifier URI,
	// api://{fqdn}/{appId}. Required with JWKSURL.
	Audience string
	// Issuer, when set, is the iss the token must carry.
	Issuer string
}

// customClaimsWire is the wire form of CustomClaims: lowerCamel keys and the delay as "2s".
type customClaimsWire struct {
	Claims   map[string]any `json:"claims,omitempty" yaml:"claims,omitempty"`
	Fault    string         `json:"fault,omitempty" yaml:"fault,omitempty"`
	Delay    cfgfile.Delay  `json:"delay,omitempty" yaml:"delay,omitempty"`
	JWKSURL  string         `json:"jwksURL,omitempty" yaml:"jwksURL,omitempty"`
	Audience string         `json:"audience,omitempty" yaml:"audience,omitempty"`
	Issuer   string         `json:"issuer,omitempty" yaml:"issuer,omitempty"`
}

func (c CustomClaims) wire() customClaimsWire {
	return customClaimsWire{c.Claims, c.Fault, cfgfile.Delay(c.Delay), c.JWKSURL, c.Audience, c.Issuer}
}

func (w customClaimsWire) customClaims() CustomClaims {
	return CustomClaims{w.Claims, w.Fault, time.Duration(w.Delay), w.JWKSURL, w.Audience, w.Issuer}
}

// MarshalJSON writes the settings with lowerCamel keys and the delay as a duration string.
func (c CustomClaims) MarshalJSON() ([]byte, error) { return json.Marshal(c.wire()) }

// UnmarshalJSON reads the form MarshalJSON writes, rejecting unknown keys; numbers stay exact
// (json.Number).
func (c *CustomClaims) UnmarshalJSON(b []byte) error {
	return cfgfile.UnmarshalJSON(b, "customClaims", func(w customClaimsWire) { *c = w.customClaims() })
}

// MarshalYAML writes the settings as MarshalJSON does.
func (c CustomClaims) MarshalYAML() (any, error) { return c.wire(), nil }

// UnmarshalYAML reads the form MarshalYAML writes, rejecting unknown keys.
func (c *CustomClaims) UnmarshalYAML(n *yaml.Node) error {
	return cfgfile.UnmarshalYAML(n, "customClaims", func(w customClaimsWire) { *c = w.customClaims() })
}

// problems lists what is wrong with the settings.
func (c CustomClaims) problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if c.Fault != ClaimsFaultNone && !slices.Contains(claimsFaults, c.Fault) {
		add("fault: want one of %s, got %q", strings.Join(claimsFaults, ", "), c.Fault)
	}
	if c.Delay < 0 {
		add("delay: want zero or positive, got %s", c.Delay)
	}
	if c.Claims != nil {
		if _, err := json.Marshal(c.Claims); err != nil {
			add("claims cannot be marshalled: %v", err)
		}
	}
	if c.JWKSURL == "" {
		if c.Audience != "" || c.Issuer != "" {
			add("audience and issuer are checked only with a jwksURL, which is not set")
		}
		return out
	}
	if u, err := url.Parse(c.JWKSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("jwksURL: want an absolute http or https URL, got %q", c.JWKSURL)
	}
	if c.Audience == "" {
		add("audience: want the API's identifier URI (api://{fqdn}/{appId}) to check the token's aud, got none")
	}
	return out
}

// normalize returns a copy of c whose Claims are plain JSON values that share nothing with the
// caller; empty Claims become nil. c must have passed problems.
func (c CustomClaims) normalize() CustomClaims {
	if len(c.Claims) == 0 {
		c.Claims = nil
		return c
	}
	if v, err := cfgfile.PlainJSON(c.Claims); err == nil {
		c.Claims = v.(map[string]any)
	}
	return c
}

// claimsAnswer is the body Entra expects from a custom claims provider.
type claimsAnswer struct {
	Data             *claimsData `json:"data,omitempty"`
	APISchemaVersion string      `json:"apiSchemaVersion,omitempty"`
}

type claimsData struct {
	ODataType string         `json:"@odata.type"`
	Actions   []claimsAction `json:"actions"`
}

type claimsAction struct {
	ODataType string `json:"@odata.type"`
	Claims    any    `json:"claims"`
}

// Response returns the answer of the custom-claims behaviour with these settings, the correct
// one or the one Fault asks for. It can also be queued in Route.Responses, for example a slow
// answer before a correct one to see Entra retry.
func (c CustomClaims) Response() Response {
	claims := DefaultClaims()
	if len(c.Claims) > 0 {
		claims = cfgfile.CloneJSON(c.Claims).(map[string]any)
	}
	action := claimsAction{ODataType: ActionProvideClaimsForToken, Claims: claims}
	answer := claimsAnswer{Data: &claimsData{ODataType: ODataTypeResponseData, Actions: []claimsAction{action}}}
	resp := Response{Status: http.StatusOK, ContentType: "application/json", Delay: c.Delay}

	switch c.Fault {
	case ClaimsFaultStatus201:
		resp.Status = http.StatusCreated
	case ClaimsFaultStatus400:
		resp.Status = http.StatusBadRequest
	case ClaimsFaultStatus500:
		resp.Status = http.StatusInternalServerError
	case ClaimsFaultTextPlain:
		resp.ContentType = "text/plain"
	case ClaimsFaultNoData:
		answer.Data = nil
	case ClaimsFaultWrongDataType:
		answer.Data.ODataType = ODataTypeCalloutData
	case ClaimsFaultEmptyBody:
		return resp
	case ClaimsFaultNullClaims:
		answer.Data.Actions[0].Claims = nil
	case ClaimsFaultZeroActions:
		answer.Data.Actions = []claimsAction{}
	case ClaimsFaultTwoActions:
		answer.Data.Actions = []claimsAction{action, action}
	case ClaimsFaultWrongActionType:
		answer.Data.Actions[0].ODataType = ActionOtherEvent
	case ClaimsFaultLegacyActionType:
		answer.Data.Actions[0].ODataType = ActionProvideClaimsForTokenLegacy
	case ClaimsFaultEmptyKey:
		claims[""] = EmptyKeyValue
	case ClaimsFaultBooleanClaim:
		claims[BooleanClaim] = true
	case ClaimsFaultObjectClaim:
		claims[ObjectClaim] = map[string]any{"city": "Redmond", "country": "US"}
	case ClaimsFaultOversizeClaims:
		claims[OversizeClaim] = strings.Repeat("x", OversizeClaimBytes)
	case ClaimsFaultSlow:
		if resp.Delay == 0 {
			resp.Delay = SlowDelay
		}
	case ClaimsFaultThrottle:
		resp.Status = http.StatusTooManyRequests
		resp.Header = map[string]string{"Retry-After": "1"}
		b, _ := json.Marshal(map[string]string{"error": "too_many_requests", "message": "the custom claims provider is throttling; retry after 1 s"})
		resp.Body = string(b)
		return resp
	case ClaimsFaultAPISchemaVersion:
		answer.APISchemaVersion = LegacyAPISchemaVersion
	}

	b, err := json.Marshal(answer)
	if err != nil {
		// claims that cannot be marshalled: serve reports the failure as a logged 500
		resp.JSON = answer
		return resp
	}
	switch c.Fault {
	case ClaimsFaultInvalidJSON:
		b = b[:len(b)-1]
	case ClaimsFaultOversizeBody:
		if pad := OversizeBodyBytes - len(b); pad > 0 {
			b = slices.Concat(b[:len(b)-1], bytes.Repeat([]byte{' '}, pad), b[len(b)-1:])
		}
	}
	resp.Body = string(b)
	return resp
}

// payloadProblems lists how c differs from the tokenIssuanceStart request Entra sends.
func payloadProblems(c *Call) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if c.Method != http.MethodPost {
		add("method: want POST, got %s", c.Method)
	}
	if mt, _, _ := mime.ParseMediaType(c.Header.Get("Content-Type")); mt != "application/json" {
		add("Content-Type: want application/json, got %q", c.Header.Get("Content-Type"))
	}
	if c.JSON == nil {
		if strings.TrimSpace(c.Body) == "" {
			add("body: want the tokenIssuanceStart JSON object, got an empty body")
		} else {
			add("body: want the tokenIssuanceStart JSON object, got %q", snippet(c.Body))
		}
		return out
	}
	want := func(path string, v any, ok bool, wantValue string) {
		if s, _ := v.(string); !ok || s != wantValue {
			add("%s: want %q, got %s", path, wantValue, describe(v, ok))
		}
	}
	v, ok := c.JSON["type"]
	want("type", v, ok, EventTokenIssuanceStart)
	v, ok = c.JSON["data"]
	data, isObject := v.(map[string]any)
	if !isObject {
		add("data: want an object, got %s", describe(v, ok))
		return out
	}
	v, ok = data["@odata.type"]
	want("data.@odata.type", v, ok, ODataTypeCalloutData)
	v, ok = data["authenticationContext"]
	ctx, isObject := v.(map[string]any)
	if !isObject {
		add("data.authenticationContext: want an object with a correlationId, got %s", describe(v, ok))
		return out
	}
	v, ok = ctx["correlationId"]
	if s, _ := v.(string); s == "" {
		add("data.authenticationContext.correlationId: want a non-empty string, got %s", describe(v, ok))
	}
	return out
}

// describe shows a JSON value in a problem: none when absent, else its JSON, shortened.
func describe(v any, ok bool) string {
	if !ok {
		return "none"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return snippet(string(b))
}

// snippet shortens s for a message.
func snippet(s string) string {
	const n = 120
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
