package profile

import (
	"context"
	"net/url"
)

// Field is one input of a self-asserted page. Its element id and form name
// are the claim type id.
type Field struct {
	ID       string
	Label    string
	HelpText string
	// Type is the ClaimsSchema UserInputType: TextBox, EmailBox, Password,
	// DropdownSingleSelect, RadioSingleSelect, Readonly, Paragraph.
	Type     string
	Value    string
	Required bool
	Options  []Option
	// Pattern is the restriction's regular expression, PatternHelp its message.
	Pattern     string
	PatternHelp string
	// Error is the field's own message after a failed submission.
	Error string
	// Verify is set on a claim the user must verify (PartnerClaimType
	// Verified.Email): the verification controls' state.
	Verify *Verification
}

// Verification states of a field that needs a code.
const (
	VerifyIntro    = "intro"    // no code sent yet
	VerifySent     = "sent"     // a code was sent; the code box shows
	VerifyVerified = "verified" // the value is verified and locked
)

// Verification is the state of a field's verification controls, whose
// element ids start with the claim id (email_ver_but_send, email_ver_input).
type Verification struct {
	State string
	// Message is the text shown (ver_intro_msg, ver_info_msg, ...), MessageID
	// its element id (email_intro, email_info, email_success, email_fail_retry).
	MessageID string
	Message   string
	// Failed marks an error message.
	Failed bool
}

// Message is a page-level message with B2C's element id
// (passwordEntryMismatch, fieldIncorrect, requiredFieldMissing).
type Message struct {
	ID   string
	Text string
}

// Option is one choice of a select field.
type Option struct {
	Value    string
	Text     string
	Selected bool
}

// Form is what a self-asserted page shows.
type Form struct {
	ProfileID string
	Title     string
	Fields    []Field
	// Error is the page-level error of the last submission (a validation
	// profile's user message), nil when none.
	Error *UserError
	// Messages are page-level messages of the last submission.
	Messages []Message
	// HideContinue and HideCancel drop the buttons (setting.showContinueButton,
	// setting.showCancelButton set to false).
	HideContinue, HideCancel bool
	// ContinueLabel and CancelLabel are the buttons' texts (button_continue,
	// button_cancel of the page's localized strings).
	ContinueLabel, CancelLabel string
}

// Validate runs a validation technical profile by id within the page's journey.
type Validate func(ctx context.Context, profileID string) error

// Asserter is a self-asserted profile: it shows a page and takes the user's
// input, running its validation technical profiles.
type Asserter interface {
	// Form renders the page; values are what the user typed last, kept.
	Form(env *Env, values url.Values) (*Form, error)
	// Submit checks the user's input and runs the validation profiles. A
	// *UserError (or field errors, returned as a *FormError) means: show the
	// page again; any other error ends the journey.
	Submit(ctx context.Context, env *Env, values url.Values, validate Validate) error
}

// FormError is a submission with field-level problems; the page is shown
// again with them.
type FormError struct {
	// Fields maps claim type ids to their messages.
	Fields map[string]string
	// Messages are page-level messages.
	Messages []Message
}

func (e *FormError) Error() string { return "the form has field errors" }
