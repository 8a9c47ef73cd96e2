package restful

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/profile"
)

// B2C's default user messages (localization string ids, spec §4.2).
const (
	DefaultMessageRequestFailed = "Failed to establish connection to restful service end point. Restful service URL: {0}"
	DefaultMessageCircuitOpen   = "{0} Restful Service URL: {1}"
	DefaultMessageDNS           = "Failed to resolve the hostname of the restful service endpoint. Restful service URL: {0}"
	DefaultMessageTimeout       = "Failed to establish connection to restful service end point within timeout limit {0} seconds. Restful service URL: {1}"
)

// circuitOpenReason is {0} of UserMessageIfCircuitOpen.
const circuitOpenReason = "Failed to establish connection to restful service end point."

// format replaces {0}, {1}, … in a message template.
func format(template string, args ...string) string {
	pairs := make([]string, 0, 2*len(args))
	for i, a := range args {
		pairs = append(pairs, "{"+strconv.Itoa(i)+"}", a)
	}
	return strings.NewReplacer(pairs...).Replace(template)
}

// failed is the error of a call that failed for another reason than the
// connection: DefaultUserMessageIfRequestFailed when set, else B2C's default text.
func (p *Profile) failed(cause error) *profile.Error {
	return p.failedOr(cause, format(DefaultMessageRequestFailed, p.cfg.ServiceURL))
}

// failedOr is DefaultUserMessageIfRequestFailed when set, else b2cMessage.
func (p *Profile) failedOr(cause error, b2cMessage string) *profile.Error {
	msg := b2cMessage
	if m := p.cfg.DefaultUserMessageIfRequestFailed; m != "" {
		msg = format(m, p.cfg.ServiceURL)
	}
	return &profile.Error{Code: profile.CodeServerError, Message: msg, Err: fmt.Errorf("call %s: %w", p.cfg.ID, cause)}
}

// connectionError is the error after the last failed attempt: the
// UserMessageIf… of the failure when set, then DefaultUserMessageIfRequestFailed,
// then B2C's default text for the failure.
func (p *Profile) connectionError(f *failure, attempts int, timeout time.Duration) *profile.Error {
	cause := fmt.Errorf("%w (attempt %d of %d)", f, attempts, MaxAttempts)
	u := p.cfg.ServiceURL
	secs := strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64)
	specific := func(configured string, args ...string) *profile.Error {
		return &profile.Error{Code: profile.CodeServerError, Message: format(configured, args...), Err: fmt.Errorf("call %s: %w", p.cfg.ID, cause)}
	}
	switch {
	case errors.Is(f.kind, ErrTimeout):
		if m := p.cfg.UserMessageIfRequestTimeout; m != "" {
			return specific(m, secs, u)
		}
		return p.failedOr(cause, format(DefaultMessageTimeout, secs, u))
	case errors.Is(f.kind, ErrDNS):
		if m := p.cfg.UserMessageIfDNSResolutionFailed; m != "" {
			return specific(m, u)
		}
		return p.failedOr(cause, format(DefaultMessageDNS, u))
	case errors.Is(f.kind, ErrUnreachable):
		if m := p.cfg.UserMessageIfCircuitOpen; m != "" {
			return specific(m, circuitOpenReason, u)
		}
	case errors.Is(f.kind, ErrCertificateRejected):
		return p.certificateRejected(cause)
	}
	return p.failed(cause)
}

// certificateRejected is AADB2C90028 (REST with ClientCertificate refused).
func (p *Profile) certificateRejected(cause error) *profile.Error {
	return p.failedOr(cause, fmt.Sprintf("AADB2C90028: Client certificate specified for '%s' is invalid. Check that the certificate is correct, contains a private key and that access has been granted by the resource.", p.cfg.ID))
}

// response handles a complete response: output claims from a 2xx JSON object
// (REST-07, REST-14), the error contract of a 4xx (REST-08), or an error.
func (p *Profile) response(env *profile.Env, res *result) error {
	switch {
	case res.status >= 200 && res.status < 300:
		src, err := claims.ParseJSON(res.body, p.cfg.ResolveJSONPaths)
		if err != nil {
			return p.failedOr(fmt.Errorf("%w: HTTP %d: %w", ErrInvalidResponse, res.status, err),
				"AADB2C90273: An invalid response was received : 'Error: the restful service returned a body that is not a JSON object'")
		}
		if err := claims.MapOutput(p.cfg.OutputClaims, src, env.Claims, claims.Options{Policy: env.Policy, Protocol: ProtocolName}); err != nil {
			return p.failed(fmt.Errorf("output claims: %w", err))
		}
		return nil
	case res.status >= 400 && res.status < 500:
		return p.clientError(res)
	}
	return p.statusError(res)
}

// statusError is AADB2C90075 with .NET's status name and the reason phrase.
func (p *Profile) statusError(res *result) *profile.Error {
	cause := &StatusError{StatusCode: res.status, Reason: res.reason, Attempts: res.attempts}
	return p.failedOr(cause, fmt.Sprintf("AADB2C90075: The claims exchange '%s' specified in step '%s' returned HTTP error response with Code '%s' and Reason '%s'.",
		p.cfg.ID, StepUnknown, StatusCodeName(res.status), res.reason))
}

// clientError reads a 4xx response (spec §4.3). The error contract (a JSON
// object with version, status 409 and userMessage) is a *profile.UserError. A
// 401 or 403 otherwise is AADB2C90027 with Basic and AADB2C90028 with
// ClientCertificate. A body that means to be the contract but cannot be read as
// one (JSON that does not parse, or status 409 without version or userMessage)
// is AADB2C90261; anything else AADB2C90075.
func (p *Profile) clientError(res *result) error {
	ue, unparsed := p.contract(res)
	if ue != nil {
		return ue
	}
	if res.status == http.StatusUnauthorized || res.status == http.StatusForbidden {
		cause := &StatusError{StatusCode: res.status, Reason: res.reason, Attempts: res.attempts}
		switch p.cfg.AuthenticationType {
		case AuthBasic:
			return p.failedOr(cause, fmt.Sprintf("AADB2C90027: Basic credentials specified for '%s' are invalid. Check that the credentials are correct and that access has been granted by the resource.", p.cfg.ID))
		case AuthClientCertificate:
			return p.certificateRejected(cause)
		}
	}
	if unparsed != "" {
		cause := fmt.Errorf("%w: HTTP %d: %s", ErrErrorContract, res.status, unparsed)
		return p.failedOr(cause, fmt.Sprintf("AADB2C90261: The claims exchange '%s' specified in step '%s' returned HTTP error response that could not be parsed.", p.cfg.ID, StepUnknown))
	}
	return p.statusError(res)
}

// contract reads the error contract of a 4xx body. Without one, unparsed says
// why a body that looks like a contract is not one, or is empty.
func (p *Profile) contract(res *result) (ue *profile.UserError, unparsed string) {
	body := bytes.TrimSpace(res.body)
	if len(body) == 0 {
		return nil, ""
	}
	ctype, _, _ := mime.ParseMediaType(res.header.Get("Content-Type"))
	if !strings.HasSuffix(ctype, "json") && body[0] != '{' {
		return nil, ""
	}
	if !gjson.ValidBytes(body) {
		return nil, "the body is not valid JSON"
	}
	doc := gjson.ParseBytes(body)
	if !doc.IsObject() || !contractStatus(doc.Get("status")) {
		return nil, ""
	}
	version, msg := doc.Get("version"), doc.Get("userMessage")
	if !scalar(version) || msg.Type != gjson.String || msg.Str == "" {
		return nil, "status 409 without a version and a userMessage"
	}
	return &profile.UserError{
		UserMessage:      msg.Str,
		Code:             doc.Get("code").String(),
		RequestID:        doc.Get("requestId").String(),
		DeveloperMessage: doc.Get("developerMessage").String(),
		MoreInfo:         doc.Get("moreInfo").String(),
		HTTPStatus:       res.status,
		Version:          version.String(),
		ProfileID:        p.cfg.ID,
		Debug:            p.cfg.DebugMode,
	}, ""
}

// contractStatus reports whether the contract's status is 409, as a number or a string.
func contractStatus(r gjson.Result) bool {
	switch r.Type {
	case gjson.Number:
		return r.Num == http.StatusConflict
	case gjson.String:
		return strings.TrimSpace(r.Str) == "409"
	}
	return false
}

// scalar reports whether r is a non-empty string or a number (a version).
func scalar(r gjson.Result) bool {
	return (r.Type == gjson.String && r.Str != "") || r.Type == gjson.Number
}
