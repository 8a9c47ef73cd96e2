package claims

import "errors"

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
	// (AssertStringClaimsAreEqual) whose assertion does not hold. A self-asserted
	// profile shows its UserMessageIfClaimsTransformationStringsAreNotEqual for it.
	ErrAssertionFailed = errors.New("claims transformation assertion failed")
)
