package jwtissuer

import "errors"

// ErrNoKeyStore is returned when the environment has no policy key store.
var ErrNoKeyStore = errors.New("no policy key store")
