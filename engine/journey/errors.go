package journey

import "errors"

// Sentinel errors, checked with errors.Is.
var (
	ErrNoSelection     = errors.New("no claims exchange was selected")
	ErrUnknownExchange = errors.New("unknown claims exchange")
	ErrNotWaiting      = errors.New("the journey is not waiting for a party")
	ErrFinished        = errors.New("the journey has finished")
	ErrNoSendClaims    = errors.New("the journey ended without a SendClaims step")
	// ErrStepBudget: one Advance, Resume or SubmitForm ran more orchestration
	// steps than Journey.MaxSteps allows (far more than any real journey runs
	// between two pages). A loop of sub journeys, which validation rejects,
	// meets ErrDepthLimit first.
	ErrStepBudget = errors.New("orchestration step budget exceeded")
	// ErrDepthLimit: invoking one more sub journey would nest more than
	// Journey.MaxDepth sub journeys.
	ErrDepthLimit = errors.New("sub journey nesting limit exceeded")
)
