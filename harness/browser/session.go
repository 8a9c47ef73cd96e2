package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/cdp"
	"github.com/go-rod/rod/lib/proto"
)

// urlTimeout bounds the look-up of the page URL that error messages carry.
const urlTimeout = 2 * time.Second

// Session is one incognito browser context with one page: what a scenario's user
// sees. Every action waits at most the browser's per-action timeout. Use a Session
// from one goroutine at a time.
type Session struct {
	ctx     context.Context // ends at Close or when the browser closes
	cancel  context.CancelFunc
	inc     *rod.Browser // the incognito context
	page    *rod.Page
	url     *urlWatch
	timeout time.Duration

	closeOnce sync.Once
	closeErr  error
}

// Page returns the underlying rod page, for what this package does not offer.
func (s *Session) Page() *rod.Page { return s.page }

// Navigate opens u and waits for its load event. A page that navigates on by itself
// (a redirect by script or an auto-submitting form) counts as loaded; use WaitURL
// for where it ends up.
func (s *Session) Navigate(u string) error {
	p := s.page.Timeout(s.timeout)
	defer p.CancelTimeout()
	if err := p.Navigate(u); err != nil {
		return s.fail(fmt.Sprintf("navigate to %s", u), err)
	}
	if err := p.WaitLoad(); err != nil && !navigatedAway(err) {
		return s.fail(fmt.Sprintf("navigate to %s: wait for load", u), err)
	}
	return nil
}

// navigatedAway tells whether err means the document went away while waiting on it.
func navigatedAway(err error) bool {
	var ce *cdp.Error
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Message {
	case cdp.ErrCtxDestroyed.Message, cdp.ErrCtxNotFound.Message, "Inspected target navigated or closed":
		return ce.Code == cdp.ErrCtxDestroyed.Code
	}
	return false
}

// Click waits for the element matching the CSS selector to be visible and enabled,
// then clicks it.
func (s *Session) Click(selector string) error {
	p := s.page.Timeout(s.timeout)
	defer p.CancelTimeout()
	el, err := s.visible(p, selector)
	if err == nil {
		err = el.WaitEnabled()
	}
	if err == nil {
		err = el.Click(proto.InputMouseButtonLeft, 1)
	}
	if err != nil {
		return s.fail(fmt.Sprintf("click %q", selector), err)
	}
	return nil
}

// Fill waits for the input matching the CSS selector to be visible, clears it and
// types text into it, firing input events as a user would.
func (s *Session) Fill(selector, text string) error {
	p := s.page.Timeout(s.timeout)
	defer p.CancelTimeout()
	el, err := s.visible(p, selector)
	if err == nil {
		err = el.WaitEnabled()
	}
	if err == nil {
		_, err = el.Eval(`() => { this.value = ""; this.dispatchEvent(new Event("input", {bubbles: true})) }`)
	}
	if err == nil && text != "" {
		err = el.Input(text)
	}
	if err != nil {
		return s.fail(fmt.Sprintf("fill %q", selector), err)
	}
	return nil
}

// WaitVisible waits until an element matching the CSS selector is visible.
func (s *Session) WaitVisible(selector string) error {
	p := s.page.Timeout(s.timeout)
	defer p.CancelTimeout()
	if _, err := s.visible(p, selector); err != nil {
		return s.fail(fmt.Sprintf("wait for %q to be visible", selector), err)
	}
	return nil
}

// visible waits on p for the element matching selector to exist and be visible.
func (s *Session) visible(p *rod.Page, selector string) (*rod.Element, error) {
	el, err := p.Element(selector)
	if err != nil {
		return nil, err
	}
	if err := el.WaitVisible(); err != nil {
		return nil, err
	}
	return el, nil
}

// Text waits for the element matching the CSS selector and returns its rendered text.
func (s *Session) Text(selector string) (string, error) {
	p := s.page.Timeout(s.timeout)
	defer p.CancelTimeout()
	el, err := p.Element(selector)
	if err != nil {
		return "", s.fail(fmt.Sprintf("text of %q", selector), err)
	}
	text, err := el.Text()
	if err != nil {
		return "", s.fail(fmt.Sprintf("text of %q", selector), err)
	}
	return text, nil
}

// HTML returns the serialized document of the page.
func (s *Session) HTML() (string, error) {
	p := s.page.Timeout(s.timeout)
	defer p.CancelTimeout()
	html, err := p.HTML()
	if err != nil {
		return "", s.fail("page html", err)
	}
	return html, nil
}

// Screenshot returns a PNG of the visible part of the page.
func (s *Session) Screenshot() ([]byte, error) {
	p := s.page.Timeout(s.timeout)
	defer p.CancelTimeout()
	png, err := p.Screenshot(false, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		return nil, s.fail("screenshot", err)
	}
	return png, nil
}

// URL returns the URL of the document the page last committed, fragment included
// ("about:blank" before the first navigation). It follows the page's navigation
// events, so it never asks a page that is between two documents.
func (s *Session) URL() string {
	u, _ := s.url.get()
	return u
}

// WaitURLPrefix waits until the page URL starts with prefix.
func (s *Session) WaitURLPrefix(prefix string) error {
	return s.waitURL(context.Background(), fmt.Sprintf("with prefix %q", prefix), func(u string) bool {
		return strings.HasPrefix(u, prefix)
	})
}

// WaitURL waits until pred accepts the page URL (fragment included): the current
// one, or any the main frame commits later through redirects, form submissions,
// scripts or fragment changes. It ends at the per-action timeout or when ctx ends,
// whichever is first.
func (s *Session) WaitURL(ctx context.Context, pred func(string) bool) error {
	return s.waitURL(ctx, "to match", pred)
}

func (s *Session) waitURL(ctx context.Context, what string, pred func(string) bool) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	for {
		u, changed := s.url.get()
		if pred(u) {
			return nil
		}
		select {
		case <-changed:
		case <-s.ctx.Done():
			return s.fail("wait for URL "+what, fmt.Errorf("session closed: %w", s.ctx.Err()))
		case <-ctx.Done():
			return s.fail("wait for URL "+what, ctx.Err())
		}
	}
}

// urlWatch holds the page's current URL and wakes waiters when it changes.
type urlWatch struct {
	mu      sync.Mutex
	url     string
	changed chan struct{} // closed and replaced on every change
}

func newURLWatch(u string) *urlWatch {
	return &urlWatch{url: u, changed: make(chan struct{})}
}

func (w *urlWatch) get() (string, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.url, w.changed
}

func (w *urlWatch) set(u string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.url = u
	close(w.changed)
	w.changed = make(chan struct{})
}

// follow keeps w up to date with the main frame of p until p's context ends.
func (w *urlWatch) follow(p *rod.Page) {
	wait := p.EachEvent(func(e *proto.PageFrameNavigated) {
		if e.Frame.ParentID == "" {
			w.set(e.Frame.URL + e.Frame.URLFragment)
		}
	}, func(e *proto.PageNavigatedWithinDocument) {
		if e.FrameID == p.FrameID {
			w.set(e.URL)
		}
	})
	go wait()
}

// fail wraps err from action with the current page URL, and the timeout when it ran out.
func (s *Session) fail(action string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: timed out after %s (page at %s): %w", action, s.timeout, s.URL(), err)
	}
	return fmt.Errorf("%s (page at %s): %w", action, s.URL(), err)
}

// Close disposes the incognito context and its page. It is safe to call more than once.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		defer s.cancel()
		if s.ctx.Err() != nil {
			return // the browser is closed, and its contexts with it
		}
		ctx, cancel := context.WithTimeout(s.ctx, closeTimeout)
		defer cancel()
		if err := s.inc.Context(ctx).Close(); err != nil {
			s.closeErr = fmt.Errorf("close session: %w", err)
		}
		if s.page != nil {
			s.inc.RemoveState(s.page.TargetID)
		}
	})
	return s.closeErr
}
