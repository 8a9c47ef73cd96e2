// Package harness composes one conformance run: a Suite launches the browser
// once and shares the token signing key; each scenario gets a World with its
// own Stack (emulator and mocks on loopback) and, when a step needs it, its own
// incognito browser session. The World travels in the scenario's context, never
// in a package variable, so scenarios can run concurrently.
package harness

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/iefconform/iefconform/harness/browser"
	"github.com/iefconform/iefconform/harness/stack"
	"github.com/iefconform/iefconform/mocks/rp"
)

// Options configure a Suite.
type Options struct {
	// Policies holds the policy folders scenarios load (features/policies).
	Policies fs.FS
	// Browser configures the browser; see browser.OptionsFromEnv.
	Browser browser.Options
	// Logger receives the emulator's journey log. Default: discard.
	Logger *slog.Logger
	// PartyTimeout bounds the emulator's calls to parties. Default 5 s.
	PartyTimeout time.Duration
	// ResultTimeout bounds how long a step waits for the relying party's answer. Default 15 s.
	ResultTimeout time.Duration
}

// Suite is one run: the browser and the signing key shared by its scenarios.
type Suite struct {
	opts         Options
	signingKey   *rsa.PrivateKey
	assertionKey *rsa.PrivateKey
	pki          *stack.PKI

	once       sync.Once
	browser    *browser.Browser
	browserErr error
}

// NewSuite prepares a run. The browser is launched on first use.
func NewSuite(opts Options) (*Suite, error) {
	if opts.Policies == nil {
		return nil, errors.New("new suite: Options.Policies is nil")
	}
	if opts.ResultTimeout <= 0 {
		opts.ResultTimeout = 15 * time.Second
	}
	// Both keys are shared by the run's scenarios: generating RSA keys per
	// scenario would cost more than the scenario itself.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("new suite: signing key: %w", err)
	}
	assertion, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("new suite: assertion key: %w", err)
	}
	p, err := stack.NewPKI()
	if err != nil {
		return nil, fmt.Errorf("new suite: %w", err)
	}
	return &Suite{opts: opts, signingKey: key, assertionKey: assertion, pki: p}, nil
}

// Browser launches the browser on first call and returns it afterwards.
func (s *Suite) Browser(ctx context.Context) (*browser.Browser, error) {
	s.once.Do(func() {
		s.browser, s.browserErr = browser.Launch(ctx, s.opts.Browser)
	})
	return s.browser, s.browserErr
}

// Close closes the browser if it was launched.
func (s *Suite) Close() error {
	if s.browser != nil {
		return s.browser.Close()
	}
	return nil
}

// NewWorld starts a scenario's parties.
func (s *Suite) NewWorld() (*World, error) {
	st, err := stack.Start(stack.Options{Policies: s.opts.Policies, SigningKey: s.signingKey, AssertionKey: s.assertionKey, PKI: s.pki, PartyTimeout: s.opts.PartyTimeout, Logger: s.opts.Logger})
	if err != nil {
		return nil, err
	}
	return &World{suite: s, Stack: st}, nil
}

// World is one scenario's state.
type World struct {
	suite *Suite
	// Stack is the scenario's emulator and mocks.
	Stack *stack.Stack
	// PolicyID is the relying-party policy sign-ins use.
	PolicyID string
	// Request is the template for the next sign-in at the relying party.
	Request rp.AuthorizeRequest
	// State identifies the last sign-in's answer at the relying party.
	State string

	session    *browser.Session
	result     *rp.Result
	started    bool
	policyDir  string
	policyOpts stack.PolicyOptions
	dirty      bool // policyOpts changed since the last load
}

type worldKey struct{}

// NewContext returns ctx carrying w.
func NewContext(ctx context.Context, w *World) context.Context {
	return context.WithValue(ctx, worldKey{}, w)
}

// FromContext returns the World of the scenario.
func FromContext(ctx context.Context) (*World, error) {
	w, ok := ctx.Value(worldKey{}).(*World)
	if !ok {
		return nil, errors.New("no World in the scenario context: was the Before hook registered?")
	}
	return w, nil
}

// UsePolicy makes the policy folder dir and policyID the ones sign-ins use.
// The folder is loaded when the sign-in starts, after the scenario's other
// Given steps (settings, patches) have shaped it.
func (w *World) UsePolicy(dir, policyID string) error {
	if _, err := fs.Stat(w.suite.opts.Policies, dir); err != nil {
		return fmt.Errorf("no policy folder %q: %w", dir, err)
	}
	w.PolicyID, w.policyDir, w.dirty = policyID, dir, true
	return nil
}

// Session returns the scenario's browser session, opening a fresh incognito
// context on first use.
func (w *World) Session(ctx context.Context) (*browser.Session, error) {
	if w.session != nil {
		return w.session, nil
	}
	b, err := w.suite.Browser(ctx)
	if err != nil {
		return nil, fmt.Errorf("browser: %w", err)
	}
	if w.session, err = b.NewSession(ctx); err != nil {
		return nil, err
	}
	return w.session, nil
}

// StartSignIn has the relying party start a sign-in and opens it in the browser.
func (w *World) StartSignIn(ctx context.Context) error {
	if w.PolicyID == "" {
		return errors.New("no policy chosen: add a step like `Given the relying party uses the policy \"B2C_1A_signup_signin\" from \"facebook\"`")
	}
	if err := w.applyPolicy(); err != nil {
		return err
	}
	u, state, err := w.Stack.BeginSignIn(w.PolicyID, w.Request)
	if err != nil {
		return err
	}
	w.State, w.result, w.started = state, nil, true
	sess, err := w.Session(ctx)
	if err != nil {
		return err
	}
	return sess.Navigate(u)
}

// Result waits for the relying party's answer to the last sign-in.
func (w *World) Result(ctx context.Context) (rp.Result, error) {
	if w.result != nil {
		return *w.result, nil
	}
	if !w.started {
		return rp.Result{}, errors.New("no sign-in was started")
	}
	ctx, cancel := context.WithTimeout(ctx, w.suite.opts.ResultTimeout)
	defer cancel()
	res, err := w.Stack.RP.Wait(ctx, w.State)
	if err != nil {
		where := ""
		if w.session != nil {
			where = " (browser is at " + w.session.URL() + ")"
		}
		return rp.Result{}, fmt.Errorf("the relying party received no answer: %w%s", err, where)
	}
	w.result = &res
	return res, nil
}

// Evidence is one attachment for a failed step.
type Evidence struct {
	Name      string
	MediaType string
	Body      []byte
}

// Evidence collects what helps explain a failure: a screenshot and the HTML of
// the browser page, and the journal.
func (w *World) Evidence() []Evidence {
	var out []Evidence
	if w.session != nil {
		if png, err := w.session.Screenshot(); err == nil {
			out = append(out, Evidence{Name: "screenshot.png", MediaType: "image/png", Body: png})
		}
		if html, err := w.session.HTML(); err == nil {
			out = append(out, Evidence{Name: "page.html", MediaType: "text/html", Body: []byte(html)})
		}
	}
	out = append(out, Evidence{Name: "journal.txt", MediaType: "text/plain", Body: []byte(w.Stack.Journal.String())})
	return out
}

// Close stops the parties and gives the browser session back to the browser,
// which resets it in the background for a later scenario (browser.Release).
func (w *World) Close() error {
	if w.session != nil {
		w.suite.browser.Release(w.session)
		w.session = nil
	}
	return w.Stack.Close()
}
