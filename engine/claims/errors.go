package claims

import (
	"errors"
	"fmt"

	"github.com/iefconform/iefconform/engine/policy"
)

// Sentinel errors of the claims package.
var (
	ErrNotJSON       = errors.New("body is not JSON")
	ErrNotJSONObject = errors.New("JSON body is not an object")
	// ErrUnsupportedResolver is B2C's AADB2C90044: a claim resolver the emulator does not know.
	ErrUnsupportedResolver = errors.New("AADB2C90044: the claim resolver is not supported")
	// ErrUnsupportedTransformation is returned for a TransformationMethod the
	// emulator does not implement yet.
	ErrUnsupportedTransformation = errors.New("claims transformation method not supported by the emulator")
	// ErrAssertionFailed is returned by an assertion transformation
	// (AssertStringClaimsAreEqual, AssertBooleanClaimIsEqualToValue,
	// AssertDateTimeIsGreaterThan, AssertNumber; LookupValue with
	// errorOnFailedLookup; ConvertStringToPhoneNumberClaim, and
	// GetNationalNumberAndCountryCodeFromPhoneNumberString with
	// throwExceptionOnFailure) whose assertion does not hold, always inside an
	// *AssertionError, which names the self-asserted metadata that replaces
	// its message.
	ErrAssertionFailed = errors.New("claims transformation assertion failed")
	// ErrInvalidClaimValue is returned when a claim's value is not of the data
	// type the transformation reads (a boolean that is not true or false, a
	// date that does not parse, a collection where one value is wanted).
	ErrInvalidClaimValue = errors.New("claim value is not of the expected data type")
)

// Metadata keys of the self-asserted technical profile that replace the
// default message of a failed assertion (spec local-accounts §4.2, breadth §1.3).
const (
	KeyStringsAreNotEqual       = "UserMessageIfClaimsTransformationStringsAreNotEqual"
	KeyBooleanValueIsNotEqual   = "UserMessageIfClaimsTransformationBooleanValueIsNotEqual"
	KeyDateTimeIsNotGreaterThan = "DateTimeGreaterThan"
	KeyAssertNumberError        = "AssertNumberError"
	KeyLookupNotFound           = "LookupNotFound"
	KeyInvalidPhoneNumber       = "UserMessageIfClaimsTransformationInvalidPhoneNumber"
	KeyPhoneNumberParseFailure  = "UserMessageIfPhoneNumberParseFailure"
)

// AssertionError is the failure of an assertion transformation. Inside a
// validation technical profile B2C shows the user UserMessage of the
// self-asserted profile's metadata; in an orchestration step the journey ends.
// It unwraps to ErrAssertionFailed.
type AssertionError struct {
	// Method is the TransformationMethod that failed.
	Method string
	// MetadataKey is the self-asserted metadata item whose text replaces Message.
	MetadataKey string
	// Message is B2C's default text for the failure.
	Message string
	// Detail says what was compared, for logs; never shown to the user.
	Detail string
}

func (e *AssertionError) Error() string {
	return fmt.Sprintf("%v: %s", ErrAssertionFailed, e.Detail)
}

// assertionFailure makes the *AssertionError of ct with the given metadata key
// and default message for each detail of what was compared.
func assertionFailure(ct *policy.ClaimsTransformation, key, message string) func(detail string) error {
	return func(detail string) error {
		return &AssertionError{Method: ct.TransformationMethod, MetadataKey: key, Message: message, Detail: detail}
	}
}

// Unwrap returns ErrAssertionFailed.
func (e *AssertionError) Unwrap() error { return ErrAssertionFailed }

// UserMessage is the text shown for the failure: the self-asserted profile's
// metadata item MetadataKey when it is set and not empty, else Message.
func (e *AssertionError) UserMessage(md policy.Metadata) string {
	if v, ok := md.Get(e.MetadataKey); ok && v != "" {
		return v
	}
	return e.Message
}
