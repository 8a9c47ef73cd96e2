package oauth2

import "errors"

// ErrNoKeyStore is the cause of AADB2C90243 when the environment has no policy key store.
var ErrNoKeyStore = errors.New("no policy key store")
