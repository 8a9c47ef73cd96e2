package aad

import "github.com/google/uuid"

// newGUID is a new lowercase hyphenated GUID.
func newGUID() string { return uuid.NewString() }
