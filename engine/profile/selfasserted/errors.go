package selfasserted

import "errors"

// ErrRegexTimeout is a B2C regular expression that took longer than
// RegexMatchTimeout to match one value: catastrophic backtracking in the
// policy's pattern. The journey ends rather than hang the request.
var ErrRegexTimeout = errors.New("the regular expression took longer than " + RegexMatchTimeout.String() +
	" (RegexMatchTimeout) to match the value: the pattern backtracks catastrophically")
