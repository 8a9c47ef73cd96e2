package extension

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/iefconform/iefconform/engine/keys"
)

// Check is one row of a certification: a contract check and its verdict.
type Check struct {
	Name string
	// Codes are the error codes of spec §7.4 the check stands for.
	Codes []int
	// Status is "pass", "fail" or "not reached" (an earlier check failed).
	Status string
	Detail string
}

// Check verdicts.
const (
	CheckPass       = "pass"
	CheckFail       = "fail"
	CheckNotReached = "not reached"
)

// checks are the response contract's checks, in the order Call makes them.
var checks = []struct {
	name  string
	codes []int
}{
	{"the API answers (TCP, TLS)", []int{CodeConnectionError}},
	{"within the timeout", []int{CodeTimedOut}},
	{"not throttled (429)", []int{CodeThrottlingError}},
	{"HTTP status 200", []int{CodeInvalidHTTPStatus}},
	{"a body", []int{CodeEmptyResponse}},
	{"Content-Type application/json", []int{CodeInvalidResponseContentType}},
	{"a body within the size limit", []int{CodeResponseSizeExceeded}},
	{"JSON of the response schema (data, @odata.type, string claims)", []int{CodeInvalidResponseBody}},
	{"no apiSchemaVersion mismatch", []int{CodeInvalidResponseAPISchemaVersion}},
	{"exactly one action", []int{CodeInvalidNumberOfActions}},
	{"the provideClaimsForToken action type", []int{CodeInvalidActionType}},
	{"claims not null", []int{CodeNullClaimsResponse}},
	{"no empty claim key", []int{CodeNullOrEmptyClaimKeyNotSupported}},
	{"claims within 3 KB", []int{CodeResponseClaimsSizeExceeded}},
}

// CertifyOptions configure Certify.
type CertifyOptions struct {
	// Token is the bearer token to send; empty means one signed by a fresh key
	// (an API that checks Entra's keys then refuses it: pass a real token).
	Token string
	// ResourceID is the aud of a generated token; empty means api://{host}/certify.
	ResourceID string
	// Timeout per attempt; zero means MaxTimeoutInMilliseconds.
	Timeout time.Duration
	// HTTP sends the request; nil means a default client.
	HTTP *http.Client
}

// Certify calls a running custom claims provider API once with a
// tokenIssuanceStart event and reports each check of the response contract
// (spec §7.2): every check before the first failure passes, the failing one
// fails with its code, the rest are not reached.
func Certify(ctx context.Context, target string, o CertifyOptions) ([]Check, error) {
	timeout := int(o.Timeout / time.Millisecond)
	if timeout <= 0 {
		timeout = MaxTimeoutInMilliseconds
	}
	zero := 0
	b := &Binding{
		Listener:       Listener{ID: "certify", AppID: "00000000-0000-0000-0000-00000000c0de"},
		Extension:      Extension{ID: "certify", TargetURL: target, ClientConfiguration: ClientConfiguration{TimeoutInMilliseconds: &timeout, MaximumRetries: &zero}},
		ResourceID:     o.ResourceID,
		Timeout:        time.Duration(timeout) * time.Millisecond,
		MaximumRetries: 0,
	}
	if b.ResourceID == "" {
		b.ResourceID = "api://certify.local/certify"
	}
	c := &Caller{HTTP: o.HTTP, Token: o.Token}
	if o.Token == "" {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("certify: %w", err)
		}
		store := keys.NewStore()
		if c.Key, err = store.SetRSA("certify", k, nil); err != nil {
			return nil, fmt.Errorf("certify: %w", err)
		}
	}
	_, f := c.Call(ctx, b, Input{CorrelationID: uuid.NewString(), TenantID: uuid.NewString(), ClientIP: "127.0.0.1"})
	out := make([]Check, 0, len(checks))
	failed := false
	for _, ch := range checks {
		row := Check{Name: ch.name, Codes: ch.codes, Status: CheckPass}
		switch {
		case failed:
			row.Status = CheckNotReached
		case f != nil && contains(ch.codes, f.Code):
			row.Status, row.Detail, failed = CheckFail, fmt.Sprintf("%d %s: %v", f.Code, f.Name, f.Err), true
		}
		out = append(out, row)
	}
	if f != nil && !failed {
		out = append(out, Check{Name: "the call", Codes: []int{f.Code}, Status: CheckFail, Detail: fmt.Sprintf("%d %s: %v", f.Code, f.Name, f.Err)})
	}
	return out, nil
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
