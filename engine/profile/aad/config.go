package aad

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
)

// Handler is the Protocol Handler of a directory technical profile (spec DIR
// §1.1), with Protocol Name="Proprietary".
const Handler = "Web.TPEngine.Providers.AzureActiveDirectoryProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"

// ProtocolName is the Protocol Name the Handler goes with.
const ProtocolName = "Proprietary"

// Metadata keys this package reads (spec DIR §1.2); other keys are ignored.
const (
	KeyOperation                                = "Operation"
	KeyRaiseErrorIfClaimsPrincipalDoesNotExist  = "RaiseErrorIfClaimsPrincipalDoesNotExist"
	KeyRaiseErrorIfClaimsPrincipalAlreadyExists = "RaiseErrorIfClaimsPrincipalAlreadyExists"
	KeyUserMessageIfClaimsPrincipalDoesNotExist = "UserMessageIfClaimsPrincipalDoesNotExist"
	KeyUserMessageIfClaimsPrincipalExists       = "UserMessageIfClaimsPrincipalAlreadyExists"
	KeyApplicationObjectID                      = "ApplicationObjectId"
	KeyClientID                                 = "ClientId"
	KeyIncludeClaimResolving                    = "IncludeClaimResolvingInClaimsHandling"
)

// Operations.
const (
	OpRead                  = "Read"
	OpWrite                 = "Write"
	OpDeleteClaims          = "DeleteClaims"
	OpDeleteClaimsPrincipal = "DeleteClaimsPrincipal"
)

// B2C's texts (spec DIR §1.7).
const (
	// DefaultUserMessageIfClaimsPrincipalDoesNotExist is shown on a
	// self-asserted page when a validation profile finds no account.
	DefaultUserMessageIfClaimsPrincipalDoesNotExist = "We can't seem to find your account."
	// DefaultUserMessageIfClaimsPrincipalAlreadyExists is shown on a
	// self-asserted page when a validation profile would create an existing account.
	DefaultUserMessageIfClaimsPrincipalAlreadyExists = "A user with the specified ID already exists. Please choose a different one."
	// MessageDoesNotExist ends a journey whose orchestration step finds no account.
	MessageDoesNotExist = "AADB2C99002: User does not exist. Please sign up before you can sign in."
	// messageAlreadyExists ends a journey whose orchestration step would
	// create an existing account; %s is the technical profile id.
	messageAlreadyExists = "AADB2C99001: This user already exists, and profile '%s' does not allow the same user to be created again."
	// messageClaimsExchange is B2C's generic failure of a claims exchange.
	messageClaimsExchange = "AADB2C90255: The claims exchange specified did not complete as expected."
)

// Sentinel errors. A policy Problem from New carries ErrInvalidMetadata or
// ErrInvalidClaims (or policy.ErrMissingMetadata); a *profile.Error from Call
// carries one of the others, or a directory error, as its cause.
var (
	// ErrInvalidMetadata: a metadata item has a value the profile cannot use.
	ErrInvalidMetadata = errors.New("invalid metadata")
	// ErrInvalidClaims: the input or persisted claims do not fit the operation.
	ErrInvalidClaims = errors.New("invalid directory claims")
	// ErrNoDirectory: the environment has no directory.
	ErrNoDirectory = errors.New("no directory")
	// ErrNoKey: the key claim has no value.
	ErrNoKey = errors.New("key claim has no value")
	// ErrNotOperational: the profile is only a base for others (AAD-Common) and has no Operation.
	ErrNotOperational = errors.New("directory profile has no operation")
)

// keyAttributes lists the key attributes each operation accepts (spec DIR §1.3).
var keyAttributes = map[string][]string{
	OpRead:                  {"objectId", "userPrincipalName", "signInNames", "signInNames.*", "alternativeSecurityId"},
	OpWrite:                 {"objectId", "userPrincipalName", "signInNames.*", "alternativeSecurityId"},
	OpDeleteClaims:          {"objectId", "userPrincipalName", "signInNames.*", "alternativeSecurityId"},
	OpDeleteClaimsPrincipal: {"objectId", "userPrincipalName", "signInNames.*", "alternativeSecurityId"},
}

func keyAllowed(op, attr string) bool {
	for _, a := range keyAttributes[op] {
		if strings.EqualFold(a, attr) {
			return true
		}
		if base, ok := strings.CutSuffix(a, "*"); ok && len(attr) > len(base) && strings.EqualFold(attr[:len(base)], base) {
			return true
		}
	}
	return false
}

// Config is the parsed metadata and claims of one directory technical profile.
type Config struct {
	ID       string
	PolicyID string
	TenantID string
	// Operation is one of the Op constants; empty for a profile that only
	// others include (AAD-Common).
	Operation                                string
	RaiseErrorIfClaimsPrincipalDoesNotExist  bool
	RaiseErrorIfClaimsPrincipalAlreadyExists bool
	// The user messages as configured; empty means B2C's default text.
	UserMessageIfClaimsPrincipalDoesNotExist  string
	UserMessageIfClaimsPrincipalAlreadyExists string
	ApplicationObjectID                       string
	// ClientID is the b2c-extensions-app's application id.
	ClientID              string
	IncludeClaimResolving bool
	// Key is the one input claim; nil for a profile others include.
	Key             *policy.ClaimRef
	PersistedClaims []policy.ClaimRef
	OutputClaims    []policy.ClaimRef
}

// extensionRE matches an extension attribute already in its directory form,
// extension_<32 hex digits>_<name>.
var extensionRE = regexp.MustCompile(`^(?i:extension_[0-9a-f]{32}_)`)

// isExtension reports whether a directory name is an extension attribute.
func isExtension(name string) bool {
	return len(name) > len("extension_") && strings.EqualFold(name[:len("extension_")], "extension_")
}

// attribute is the directory attribute a claim's partner name stands for:
// extension_<Name> becomes extension_<ClientId without hyphens>_<Name>, the
// name's case kept (spec DIR §1.8).
func (c *Config) attribute(partner string) string {
	if !isExtension(partner) || extensionRE.MatchString(partner) {
		return partner
	}
	app := strings.ToLower(strings.ReplaceAll(c.ClientID, "-", ""))
	return "extension_" + app + "_" + partner[len("extension_"):]
}

func tpPath(id string) string { return "TechnicalProfile[Id=" + id + "]" }

func metadataProblem(tp *policy.TechnicalProfile, key, code string, err error, msg string) policy.Problem {
	pos := tp.Pos
	for _, it := range tp.Metadata {
		if strings.EqualFold(it.Key, key) {
			pos = it.Pos
		}
	}
	return policy.Problem{File: pos.File, Line: pos.Line, Path: tpPath(tp.ID) + "/Metadata/Item[Key=" + key + "]", Code: code, Message: msg, Err: err}
}

func claimProblem(tp *policy.TechnicalProfile, kind string, ref policy.ClaimRef, msg string) policy.Problem {
	pos := ref.Pos
	if pos.Line == 0 {
		pos = tp.Pos
	}
	return policy.Problem{File: pos.File, Line: pos.Line, Path: fmt.Sprintf("%s/%ss/%s[ClaimTypeReferenceId=%s]", tpPath(tp.ID), kind, kind, ref.ClaimTypeReferenceID),
		Message: msg, Err: ErrInvalidClaims}
}
