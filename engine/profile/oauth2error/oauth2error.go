// Package oauth2error is the OAuth2 error technical profile (Protocol OAuth2
// with OutputTokenFormat OAuth2Error, seed 000, spec §6): as a SendClaims
// issuer it ends the journey with error=access_denied and an
// error_description of "AAD_Custom_<errorCode>: <errorMessage>", the
// correlation id and the timestamp, each line ended by CRLF.
package oauth2error

import (
	"context"
	"fmt"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// ProtocolName is the Protocol Name of OAuth2Error profiles; it picks the claim
// types' DefaultPartnerClaimTypes.
const ProtocolName = "OAuth2"

// Input claims and key the profile requires.
const (
	ClaimErrorCode    = "errorCode"
	ClaimErrorMessage = "errorMessage"
	KeyIssuerSecret   = "issuer_secret"
	// Prefix starts every custom error description.
	Prefix = "AAD_Custom_"
)

// Profile issues an OAuth2 error.
type Profile struct {
	id     string
	inputs []policy.ClaimRef
}

// New parses an OAuth2Error technical profile: errorCode and errorMessage
// input claims and the issuer_secret key are required.
func New(tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	probs := policy.RequireKeys(tp, KeyIssuerSecret)
	for _, want := range []string{ClaimErrorCode, ClaimErrorMessage} {
		found := false
		for _, c := range tp.InputClaims {
			found = found || c.PartnerName() == want
		}
		if !found {
			probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: "TechnicalProfile[Id=" + tp.ID + "]/InputClaims",
				Code: policy.CodeMissingMetadata, Message: fmt.Sprintf("technical profile %q with OutputTokenFormat OAuth2Error needs the input claim %s", tp.ID, want)})
		}
	}
	return &Profile{id: tp.ID, inputs: tp.InputClaims}, probs
}

// Issue returns the error the relying party receives (spec §6.3).
func (p *Profile) Issue(_ context.Context, env *profile.Env, _ profile.IssueRequest) (*profile.Issued, error) {
	params, err := claims.MapInput(p.inputs, env.Claims, claims.Options{Resolver: env.Resolver, Policy: env.Policy, Protocol: ProtocolName})
	if err != nil {
		return nil, fmt.Errorf("oauth2 error %s: %w", p.id, err)
	}
	var code, msg string
	for _, prm := range params {
		switch prm.Name {
		case ClaimErrorCode:
			code = claims.String(prm.Value)
		case ClaimErrorMessage:
			msg = claims.String(prm.Value)
		}
	}
	return &profile.Issued{Error: &profile.Error{
		Code: profile.CodeAccessDenied,
		Raw:  true,
		Message: Prefix + code + ": " + msg + "\r\nCorrelation ID: " + env.CorrelationID +
			"\r\nTimestamp: " + env.Now().UTC().Format("2006-01-02 15:04:05") + "Z\r\n",
	}}, nil
}
