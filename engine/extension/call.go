package extension

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/engine/keys"
)

const (
	// DefaultMaxResponseBytes bounds the answer read from an API when
	// Caller.MaxResponseBytes is zero; beyond it the call fails with 1003024.
	DefaultMaxResponseBytes = 1 << 20
	// TokenLifetime is the validity of the bearer token sent to the API.
	TokenLifetime = 5 * time.Minute
	// DefaultLocale is the client locale and market of a payload whose Input has none.
	DefaultLocale = "en-us"
)

// Wire values of the tokenIssuanceStart event (spec §7.1, §7.2).
const (
	EventType          = "microsoft.graph.authenticationEvent.tokenIssuanceStart"
	CalloutDataType    = "microsoft.graph.onTokenIssuanceStartCalloutData"
	ResponseDataType   = "microsoft.graph.onTokenIssuanceStartResponseData"
	ActionType         = "microsoft.graph.tokenIssuanceStart.provideClaimsForToken"
	LegacyActionType   = "microsoft.graph.provideClaimsForToken"
	Protocol           = "OAUTH2.0"
	MaxClaimsSizeBytes = 3 * 1024
)

// Caller calls custom extensions. Its fields are read, never written, so one
// Caller serves concurrent calls.
type Caller struct {
	// HTTP sends the requests; nil means a client with the default transport.
	// Its CheckRedirect is replaced: redirects are not followed.
	HTTP *http.Client
	// Key signs the bearer token (RS256, kid = Key.KeyID).
	Key *keys.RSAKey
	// Issuer is the iss of the bearer token; empty means
	// https://login.microsoftonline.com/{tenantId}/v2.0.
	Issuer string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxResponseBytes bounds the answer; zero means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Token, when set, is sent as the bearer token instead of one the Caller
	// signs: certifying a real API that checks Entra's own tokens.
	Token string
}

// Input is what Entra knows of the sign-in when it calls the extension.
type Input struct {
	CorrelationID string
	TenantID      string
	ClientIP      string
	// Locale and Market default to DefaultLocale and Locale.
	Locale string
	Market string
	// Client is the application that asked for the token; an empty AppID
	// means the listener's.
	Client   Principal
	Resource Principal
	User     User
}

// Principal is a service principal as the payload describes it.
type Principal struct {
	ID    string
	AppID string
	// AppDisplayName defaults to DisplayName.
	AppDisplayName string
	DisplayName    string
}

// User is the signed-in user. Empty fields are left out of the payload, except
// id; UserType defaults to "Member".
type User struct {
	CompanyName                  string
	CreatedDateTime              time.Time
	DisplayName                  string
	GivenName                    string
	ID                           string
	Mail                         string
	OnPremisesSamAccountName     string
	OnPremisesSecurityIdentifier string
	OnPremisesUserPrincipalName  string
	PreferredDataLocation        string
	PreferredLanguage            string
	Surname                      string
	UserPrincipalName            string
	UserType                     string
}

// Outcome is a successful call.
type Outcome struct {
	// Claims are the claims of the answer that the listener maps (and the
	// extension declares), under their token names: each a string or a []string.
	Claims     map[string]any
	HTTPStatus int
	// Duration runs from the first attempt to the verdict.
	Duration time.Duration
	// Retries is Attempts - 1.
	Retries  int
	Attempts int
}

// attempt is what one request got: a complete answer, or kind says why not.
type attempt struct {
	status    int
	header    http.Header
	body      []byte
	truncated bool  // the body is longer than the limit
	kind      error // nil, ErrTimeout or ErrConnection
	err       error
}

// Call sends the tokenIssuanceStart event to the extension of b and returns
// the mapped claims of a valid answer. An attempt is bounded by b.Timeout; a
// timeout, a connection failure, HTTP 429 and HTTP 5xx are retried, 1 +
// b.MaximumRetries attempts in all. Other failures end the call at once.
func (c *Caller) Call(ctx context.Context, b *Binding, in Input) (*Outcome, *Failure) {
	now := c.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	fail := func(f *Failure, status, attempts int) (*Outcome, *Failure) {
		f.HTTPStatus = status
		f.Duration = now().Sub(start)
		f.Retries = max(attempts-1, 0)
		return nil, f
	}
	if b == nil {
		return fail(failuref(CodeUnexpectedError, "call: no binding"), 0, 0)
	}
	body, err := json.Marshal(newPayload(b, in))
	if err != nil {
		return fail(newFailure(CodeUnexpectedError, fmt.Errorf("encode payload: %w", err)), 0, 0)
	}
	token, err := c.token(b, in, start)
	if err != nil {
		return fail(newFailure(CodeUnexpectedError, err), 0, 0)
	}
	timeout := b.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeoutInMilliseconds * time.Millisecond
	}
	tries := 1 + max(b.MaximumRetries, 0)
	client := c.client()
	var a *attempt
	n := 0
	for n < tries {
		n++
		a = c.send(ctx, client, b.Extension.TargetURL, body, token, timeout)
		if ctx.Err() != nil {
			return fail(newFailure(CodeUnexpectedError, fmt.Errorf("call %s: %w", b.Extension.ID, context.Cause(ctx))), a.status, n)
		}
		if a.kind == nil && a.err != nil { // the request could not be built
			return fail(newFailure(CodeUnexpectedError, a.err), 0, n)
		}
		if a.kind == nil && !retryableStatus(a.status) {
			break
		}
	}
	switch {
	case errors.Is(a.kind, ErrTimeout):
		return fail(newFailure(CodeTimedOut, fmt.Errorf("%w after %v, %d attempt(s): %w", ErrTimeout, timeout, n, a.err)), 0, n)
	case errors.Is(a.kind, ErrConnection):
		return fail(newFailure(CodeConnectionError, fmt.Errorf("%w, %d attempt(s): %w", ErrConnection, n, a.err)), 0, n)
	case a.status == http.StatusTooManyRequests:
		return fail(failuref(CodeThrottlingError, "want HTTP 200, got 429 after %d attempt(s)", n), a.status, n)
	case a.status != http.StatusOK:
		return fail(failuref(CodeInvalidHTTPStatus, "want HTTP 200, got %d", a.status), a.status, n)
	}
	claims, f := c.validate(a)
	if f != nil {
		return fail(f, a.status, n)
	}
	return &Outcome{
		Claims:     mapClaims(b, claims),
		HTTPStatus: a.status,
		Duration:   now().Sub(start),
		Retries:    n - 1,
		Attempts:   n,
	}, nil
}

// retryableStatus: throttling and server errors are tried again [INF].
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// client is the caller's client that does not follow redirects.
func (c *Caller) client() *http.Client {
	var hc http.Client
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// send makes one attempt bounded by timeout and reads the answer.
func (c *Caller) send(ctx context.Context, client *http.Client, target string, body []byte, token string, timeout time.Duration) *attempt {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return &attempt{err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return classify(actx, err)
	}
	defer resp.Body.Close()
	limit := c.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return classify(actx, fmt.Errorf("read response: %w", err))
	}
	a := &attempt{status: resp.StatusCode, header: resp.Header, body: data}
	if int64(len(data)) > limit {
		a.body, a.truncated = data[:limit], true
	}
	return a
}

// classify names the failure of an attempt: a timeout or another connection failure.
func classify(actx context.Context, err error) *attempt {
	var ne net.Error
	if errors.Is(actx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &attempt{kind: ErrTimeout, err: err}
	}
	return &attempt{kind: ErrConnection, err: err}
}

// token signs the bearer token Entra sends: from the authentication events
// service to the API's resourceId.
func (c *Caller) token(b *Binding, in Input, now time.Time) (string, error) {
	if c.Token != "" {
		return c.Token, nil
	}
	if c.Key == nil || c.Key.Private == nil {
		return "", fmt.Errorf("sign bearer token: %w", ErrNoKey)
	}
	iss := c.Issuer
	if iss == "" {
		iss = "https://login.microsoftonline.com/" + in.TenantID + "/v2.0"
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss":   iss,
		"aud":   b.ResourceID,
		"azp":   EventsServiceAppID,
		"appid": EventsServiceAppID,
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(TokenLifetime).Unix(),
		"tid":   in.TenantID,
	})
	t.Header["kid"] = c.Key.KeyID
	s, err := t.SignedString(c.Key.Private)
	if err != nil {
		return "", fmt.Errorf("sign bearer token: %w", err)
	}
	return s, nil
}

// The payload of spec §7.1, fields in its order.
type payload struct {
	Type   string      `json:"type"`
	Source string      `json:"source"`
	Data   payloadData `json:"data"`
}

type payloadData struct {
	ODataType                       string         `json:"@odata.type"`
	TenantID                        string         `json:"tenantId"`
	AuthenticationEventListenerID   string         `json:"authenticationEventListenerId"`
	CustomAuthenticationExtensionID string         `json:"customAuthenticationExtensionId"`
	AuthenticationContext           payloadContext `json:"authenticationContext"`
}

type payloadContext struct {
	CorrelationID            string           `json:"correlationId"`
	Client                   payloadClient    `json:"client"`
	Protocol                 string           `json:"protocol"`
	ClientServicePrincipal   payloadPrincipal `json:"clientServicePrincipal"`
	ResourceServicePrincipal payloadPrincipal `json:"resourceServicePrincipal"`
	User                     payloadUser      `json:"user"`
}

type payloadClient struct {
	IP     string `json:"ip"`
	Locale string `json:"locale"`
	Market string `json:"market"`
}

type payloadPrincipal struct {
	ID             string `json:"id"`
	AppID          string `json:"appId"`
	AppDisplayName string `json:"appDisplayName"`
	DisplayName    string `json:"displayName"`
}

type payloadUser struct {
	CompanyName                  string `json:"companyName,omitempty"`
	CreatedDateTime              string `json:"createdDateTime,omitempty"`
	DisplayName                  string `json:"displayName,omitempty"`
	GivenName                    string `json:"givenName,omitempty"`
	ID                           string `json:"id"`
	Mail                         string `json:"mail,omitempty"`
	OnPremisesSamAccountName     string `json:"onPremisesSamAccountName,omitempty"`
	OnPremisesSecurityIdentifier string `json:"onPremisesSecurityIdentifier,omitempty"`
	OnPremisesUserPrincipalName  string `json:"onPremisesUserPrincipalName,omitempty"`
	PreferredDataLocation        string `json:"preferredDataLocation,omitempty"`
	PreferredLanguage            string `json:"preferredLanguage,omitempty"`
	Surname                      string `json:"surname,omitempty"`
	UserPrincipalName            string `json:"userPrincipalName,omitempty"`
	UserType                     string `json:"userType"`
}

func newPayload(b *Binding, in Input) payload {
	appID := in.Client.AppID
	if appID == "" {
		appID = b.Listener.AppID
	}
	client := in.Client
	client.AppID = appID
	locale := in.Locale
	if locale == "" {
		locale = DefaultLocale
	}
	market := in.Market
	if market == "" {
		market = locale
	}
	u := in.User
	created := ""
	if !u.CreatedDateTime.IsZero() {
		created = u.CreatedDateTime.UTC().Format(time.RFC3339)
	}
	userType := u.UserType
	if userType == "" {
		userType = "Member"
	}
	return payload{
		Type:   EventType,
		Source: "/tenants/" + in.TenantID + "/applications/" + appID,
		Data: payloadData{
			ODataType:                       CalloutDataType,
			TenantID:                        in.TenantID,
			AuthenticationEventListenerID:   b.Listener.ID,
			CustomAuthenticationExtensionID: b.Extension.ID,
			AuthenticationContext: payloadContext{
				CorrelationID:            in.CorrelationID,
				Client:                   payloadClient{IP: in.ClientIP, Locale: locale, Market: market},
				Protocol:                 Protocol,
				ClientServicePrincipal:   principal(client),
				ResourceServicePrincipal: principal(in.Resource),
				User: payloadUser{
					CompanyName:                  u.CompanyName,
					CreatedDateTime:              created,
					DisplayName:                  u.DisplayName,
					GivenName:                    u.GivenName,
					ID:                           u.ID,
					Mail:                         u.Mail,
					OnPremisesSamAccountName:     u.OnPremisesSamAccountName,
					OnPremisesSecurityIdentifier: u.OnPremisesSecurityIdentifier,
					OnPremisesUserPrincipalName:  u.OnPremisesUserPrincipalName,
					PreferredDataLocation:        u.PreferredDataLocation,
					PreferredLanguage:            u.PreferredLanguage,
					Surname:                      u.Surname,
					UserPrincipalName:            u.UserPrincipalName,
					UserType:                     userType,
				},
			},
		},
	}
}

func principal(p Principal) payloadPrincipal {
	app := p.AppDisplayName
	if app == "" {
		app = p.DisplayName
	}
	return payloadPrincipal{ID: p.ID, AppID: p.AppID, AppDisplayName: app, DisplayName: p.DisplayName}
}
