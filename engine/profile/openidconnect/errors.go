package openidconnect

import "errors"

// Sentinel errors. A policy Problem from New carries ErrNotLocalAccountLogin,
// ErrInvalidClaims or ErrInvalidMetadata; a *profile.Error from Call that is
// not a user's mistake carries ErrNoDirectory or a directory error as its cause.
var (
	// ErrNotLocalAccountLogin: the profile is not the local-account ROPC call
	// (a federated OpenID Connect identity provider, or not OpenIdConnect at all).
	ErrNotLocalAccountLogin = errors.New("not a local-account login profile")
	// ErrInvalidClaims: the input claims lack the username or the password.
	ErrInvalidClaims = errors.New("invalid login claims")
	// ErrInvalidMetadata: a metadata item has a value the profile cannot use.
	ErrInvalidMetadata = errors.New("invalid metadata")
	// ErrNoDirectory: the environment has no directory.
	ErrNoDirectory = errors.New("no directory")
)
