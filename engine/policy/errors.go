package policy

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sentinel errors. Every Problem carries one of them in Err, so errors.Is works on a
// Problems value: errors.Is(err, policy.ErrMissingBase).
var (
	// ErrNotPolicy: the document is not a TrustFrameworkPolicy in Namespace.
	ErrNotPolicy = errors.New("not a TrustFrameworkPolicy")
	// ErrSyntax: the document is not well-formed XML or does not fit the policy model.
	ErrSyntax = errors.New("malformed policy XML")
	// ErrSchemaVersion: PolicySchemaVersion is not 0.3.0.0.
	ErrSchemaVersion = errors.New("unsupported PolicySchemaVersion")
	// ErrPolicyID: PolicyId is missing or does not start with B2C_1A_.
	ErrPolicyID = errors.New("invalid PolicyId")
	// ErrUnknownSetting: a {Settings:Name} placeholder has no value.
	ErrUnknownSetting = errors.New("unknown setting")
	// ErrSettings: an appsettings.json file has an unexpected shape.
	ErrSettings = errors.New("invalid settings")
	// ErrRead: a policy file could not be read.
	ErrRead = errors.New("cannot read policy file")
	// ErrNoFiles: a directory holds no policy files.
	ErrNoFiles = errors.New("no policy files")
	// ErrDuplicateID: two elements of the same kind share an Id (or two files a PolicyId).
	ErrDuplicateID = errors.New("duplicate id")
	// ErrUnknownPolicy: no file of the set has the requested PolicyId.
	ErrUnknownPolicy = errors.New("unknown policy")
	// ErrMissingBase: a BasePolicy names a policy that is not in the set.
	ErrMissingBase = errors.New("missing base policy")
	// ErrCycle: the BasePolicy chain, an IncludeTechnicalProfile chain or the
	// InvokeSubJourney steps of sub journeys loop.
	ErrCycle = errors.New("cycle")
	// ErrUnknownReference: a reference to a technical profile, claim type, claims
	// transformation, journey or claims exchange that does not exist.
	ErrUnknownReference = errors.New("unknown reference")
	// ErrNoDefaultJourney: the relying party has no (known) DefaultUserJourney (AADB2C90031).
	ErrNoDefaultJourney = errors.New("no default user journey")
	// ErrNoSendClaims: a user journey has no SendClaims step (AADB2C90040).
	ErrNoSendClaims = errors.New("no SendClaims step")
	// ErrStepOrder: orchestration step Orders are duplicated or not ascending.
	ErrStepOrder = errors.New("invalid step order")
	// ErrSelection: claims provider selections and claims exchanges do not fit together.
	ErrSelection = errors.New("invalid claims provider selection")
	// ErrMissingMetadata: a required metadata item is absent or empty (AADB2C90023, AADB2C99011).
	ErrMissingMetadata = errors.New("missing metadata")
	// ErrMissingKey: a required cryptographic key is absent (AADB2C90025).
	ErrMissingKey = errors.New("missing cryptographic key")
)

// Warning kinds. Every Warning carries one of them in Err, so errors.Is tells the
// kinds apart.
var (
	// ErrPlaceholder: a value left in from Microsoft's starter pack
	// (yourtenant.onmicrosoft.com, facebook_clientid, ProxyIdentityExperienceFrameworkAppId, ...).
	ErrPlaceholder = errors.New("starter pack placeholder")
	// ErrPolicyKey: a CryptographicKeys StorageReferenceId names a policy key that
	// the key store lacks, or that nobody checked because no key store was given.
	ErrPolicyKey = errors.New("policy key not in the key store")
	// ErrUnknownElement: an element or protocol name that the TrustFrameworkPolicy
	// schema does not define (B2C rejects the upload).
	ErrUnknownElement = errors.New("unknown element")
	// ErrUnsupported: an element, protocol, handler or claims transformation method
	// of the schema that the emulator does not implement yet.
	ErrUnsupported = errors.New("not supported by the emulator")
)

// B2C error codes used in Problem.Code.
const (
	CodeMissingMetadata  = "AADB2C90023"
	CodeMissingKey       = "AADB2C90025"
	CodeNoDefaultJourney = "AADB2C90031"
	CodeNoSendClaims     = "AADB2C90040"
	CodeEmptyMetadata    = "AADB2C99011"
)

// Problem is one thing wrong with a policy, located in its source file.
type Problem struct {
	File string
	// Line is 1-based; 0 when the problem concerns the file as a whole.
	Line int
	// Path locates the element inside the policy, for example
	// TechnicalProfile[Id=Facebook-OAUTH]/Metadata/Item[Key=client_id].
	Path string
	// Code is the B2C error code (AADB2C9xxxx) when B2C has one for the problem.
	Code    string
	Message string
	// Err is the sentinel error (ErrMissingBase, ...) the problem is an instance of.
	Err error
}

// ProblemAt returns a Problem at pos with a formatted message. Set Err on the result
// to make it match a sentinel with errors.Is.
func ProblemAt(pos Pos, path, code, format string, args ...any) Problem {
	return Problem{File: pos.File, Line: pos.Line, Path: path, Code: code, Message: fmt.Sprintf(format, args...)}
}

func problemAt(pos Pos, path, code string, err error, format string, args ...any) Problem {
	p := ProblemAt(pos, path, code, format, args...)
	p.Err = err
	return p
}

// String formats the problem as "file:line: path: CODE: message", leaving out empty parts.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":")
			b.WriteString(strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(p.Line))
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	if p.Code != "" {
		b.WriteString(p.Code)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error implements error with String.
func (p Problem) Error() string { return p.String() }

// Unwrap returns the sentinel error of the problem.
func (p Problem) Unwrap() error { return p.Err }

// Problems is a list of problems; as an error it reports all of them.
type Problems []Problem

// Error joins the problems, sorted by file and line, one per line.
func (ps Problems) Error() string {
	sorted := slices.Clone(ps)
	sorted.Sort()
	lines := make([]string, len(sorted))
	for i, p := range sorted {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns every problem as an error, so errors.Is and errors.As see each one.
func (ps Problems) Unwrap() []error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errs
}

// Err returns ps as an error, or nil when there are no problems.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// Sort orders the problems by file, line, path, code and message.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, compareProblems)
}

func compareProblems(a, b Problem) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.Message, b.Message),
	)
}

// dedupe returns the problems sorted, each distinct (file, line, path, code, message) once.
func (ps Problems) dedupe() Problems {
	type key struct {
		file    string
		line    int
		path    string
		code    string
		message string
	}
	seen := make(map[key]bool, len(ps))
	var out Problems
	for _, p := range ps {
		k := key{p.File, p.Line, p.Path, p.Code, p.Message}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	out.Sort()
	return out
}
