package browser

import "errors"

// Sentinel errors of the browser driver, checked with errors.Is.
var (
	// ErrNoBrowser is wrapped by Find and Launch when no Chromium can be found.
	ErrNoBrowser = errors.New("no browser found")
	// ErrClosed is wrapped by NewSession after Browser.Close, and by Session actions
	// after Session.Close or Browser.Close.
	ErrClosed = errors.New("browser closed")
)
