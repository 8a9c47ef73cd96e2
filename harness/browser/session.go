package browser

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/cdp"
	"github.com/go-rod/rod/lib/proto"
	"github.com/go-rod/rod/lib/utils"
	"golang.org/x/net/publicsuffix"
)

// Session is one incognito browser context with one page: what a scenario's user
// sees. Every action waits at most the browser's per-action timeout. Use a Session
// from one goroutine at a time.
type Session struct {
	*core
	timeout time.Duration
}

// core is the state a Session shares with its WithTimeout copies.
type core struct {
	ctx    context.Context // ends at Close or when the browser closes
	cancel context.CancelFunc
	inc    *rod.Browser // the incognito context
	page   *rod.Page
	url    *urlWatch

	originsMu sync.Mutex
	origins   map[string]bool // every origin a frame of the page committed, for reset
	topSite   string          // the site of the main frame's document
	crossSite bool            // a frame loaded a document of another site than the main frame's

	closeOnce sync.Once
	closeErr  error
}

// WithTimeout returns the same session with another per-action timeout, e.g. for
// one step that waits longer. Closing either closes both.
func (s *Session) WithTimeout(d time.Duration) *Session {
	if d <= 0 {
		d = DefaultTimeout
	}
	return &Session{core: s.core, timeout: d}
}

// pollSleeper paces the retries of a wait for an element: every 5 ms at first,
// backing off to 100 ms. rod's default starts at 100 ms and backs off to a
// second, which kept a journey waiting up to 200 ms for a page that had
// loaded long before (BENCHMARKS.md).
func pollSleeper() utils.Sleeper {
	return utils.BackoffSleeper(5*time.Millisecond, 100*time.Millisecond, nil)
}

// action returns the page bounded by the per-action timeout and by the session's life.
func (s *Session) action() (*rod.Page, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	return s.page.Context(ctx).Sleeper(pollSleeper), cancel
}

// Page returns the underlying rod page, for what this package does not offer.
func (s *Session) Page() *rod.Page { return s.page }

// Navigate opens u and waits for its load event. A page that navigates on by itself
// (a redirect by script or an auto-submitting form) counts as loaded; use WaitURL
// for where it ends up.
func (s *Session) Navigate(u string) error {
	p, cancel := s.action()
	defer cancel()
	_, gen, _ := s.url.get()
	if err := p.Navigate(u); err != nil {
		return s.fail(fmt.Sprintf("navigate to %s", u), err)
	}
	if err := p.WaitLoad(); err != nil && !navigatedAway(err) {
		return s.fail(fmt.Sprintf("navigate to %s: wait for load", u), err)
	}
	// Make URL() report the new document as soon as Navigate returns.
	if err := s.url.waitPast(p.GetContext(), gen); err != nil {
		return s.fail(fmt.Sprintf("navigate to %s: wait for the navigation event", u), err)
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

// readyJS checks, in the page, that the element is attached, visible and
// enabled. For an input (forInput) it also focuses it and selects what it
// holds, or clears it (clear), and returns {x: 0, y: 0}; otherwise it returns
// the element's centre in viewport coordinates after scrolling it into view,
// or null when another element covers it there. One round trip instead of
// rod's separate waits.
const readyJS = `function (forInput, clear) {
	const r = this.getBoundingClientRect();
	if (!this.isConnected || this.disabled || r.width === 0 || r.height === 0 ||
		getComputedStyle(this).visibility === "hidden") {
		return null;
	}
	if (forInput) {
		if (this.readOnly) return null;
		this.focus();
		if (clear) {
			this.value = "";
			this.dispatchEvent(new Event("input", {bubbles: true}));
		} else if (typeof this.select === "function") {
			this.select();
		}
		return {x: 0, y: 0};
	}
	this.scrollIntoView({block: "center", inline: "center"});
	const c = this.getBoundingClientRect();
	const top = document.elementFromPoint(c.left + c.width / 2, c.top + c.height / 2);
	if (top !== this && !this.contains(top)) return null;
	return {x: c.left + c.width / 2, y: c.top + c.height / 2};
}`

// findReadyJS is readyJS on the first element matching a CSS selector, or null.
const findReadyJS = `function (selector, forInput, clear) {
	const el = document.querySelector(selector);
	return el ? (` + readyJS + `).call(el, forInput, clear) : null;
}`

// ready finds the element and prepares it (readyJS). The element is usually
// there and ready when a step asks for it: one evaluation does it all. Else it
// waits the rod way (the element to appear, be visible and enabled) and checks
// again.
func (s *Session) ready(p *rod.Page, selector string, forInput, clear bool) (*proto.Point, error) {
	res, err := p.Eval(findReadyJS, selector, forInput, clear)
	if err != nil && !navigatedAway(err) {
		return nil, err
	}
	if err == nil && !res.Value.Nil() {
		return &proto.Point{X: res.Value.Get("x").Num(), Y: res.Value.Get("y").Num()}, nil
	}
	el, err := p.Element(selector)
	if err != nil {
		return nil, err
	}
	for {
		res, err := el.Eval(readyJS, forInput, clear)
		if err != nil {
			return nil, err
		}
		if !res.Value.Nil() {
			return &proto.Point{X: res.Value.Get("x").Num(), Y: res.Value.Get("y").Num()}, nil
		}
		// Not ready: wait the rod way, then check again.
		if err := el.WaitVisible(); err != nil {
			return nil, err
		}
		if err := el.WaitEnabled(); err != nil {
			return nil, err
		}
		if err := p.WaitIdle(time.Second); err != nil && p.GetContext().Err() != nil {
			return nil, p.GetContext().Err()
		}
	}
}

// Click waits for the element matching the CSS selector to be visible, enabled
// and on top at its centre, then clicks its centre with the mouse as a user
// would: the left button pressed and released there.
func (s *Session) Click(selector string) error {
	p := s.page.Timeout(s.timeout)
	defer p.CancelTimeout()
	pt, err := s.ready(p, selector, false, false)
	if err == nil {
		pressed := 1
		err = proto.InputDispatchMouseEvent{Type: proto.InputDispatchMouseEventTypeMousePressed, X: pt.X, Y: pt.Y,
			Button: proto.InputMouseButtonLeft, Buttons: &pressed, ClickCount: 1}.Call(p)
	}
	if err == nil {
		none := 0
		err = proto.InputDispatchMouseEvent{Type: proto.InputDispatchMouseEventTypeMouseReleased, X: pt.X, Y: pt.Y,
			Button: proto.InputMouseButtonLeft, Buttons: &none, ClickCount: 1}.Call(p)
	}
	if err != nil {
		return s.fail(fmt.Sprintf("click %q", selector), err)
	}
	return nil
}

// Fill waits for the input matching the CSS selector to be visible and
// enabled, focuses it, selects what it holds and types text over it (native
// input events, as a user's typing fires). An empty text clears the field.
func (s *Session) Fill(selector, text string) error {
	p := s.page.Timeout(s.timeout)
	defer p.CancelTimeout()
	_, err := s.ready(p, selector, true, text == "")
	if err == nil && text != "" {
		err = p.InsertText(text)
	}
	if err != nil {
		return s.fail(fmt.Sprintf("fill %q", selector), err)
	}
	return nil
}

// WaitVisible waits until an element matching the CSS selector is visible.
func (s *Session) WaitVisible(selector string) error {
	p, cancel := s.action()
	defer cancel()
	if _, err := s.visible(p, selector); err != nil {
		return s.fail(fmt.Sprintf("wait for %q to be visible", selector), err)
	}
	return nil
}

// visible waits on p for the element matching selector to exist and be
// visible. An element lost because the page navigated meanwhile (a form post
// in flight) is looked for again on the new page until p's context ends.
func (s *Session) visible(p *rod.Page, selector string) (*rod.Element, error) {
	for {
		el, err := p.Element(selector)
		if err == nil {
			if err = el.WaitVisible(); err == nil {
				return el, nil
			}
		}
		if !elementLost(err) || p.GetContext().Err() != nil {
			return nil, err
		}
	}
}

// elementLost reports whether err says the element's page went away while it
// was being read: navigatedAway, or the element's object no longer exists.
func elementLost(err error) bool {
	var notFound *rod.ObjectNotFoundError
	return navigatedAway(err) || errors.As(err, &notFound)
}

// Text waits for the element matching the CSS selector and returns its rendered text.
func (s *Session) Text(selector string) (string, error) {
	p, cancel := s.action()
	defer cancel()
	for {
		el, err := p.Element(selector)
		var text string
		if err == nil {
			if text, err = el.Text(); err == nil {
				return text, nil
			}
		}
		if !elementLost(err) || p.GetContext().Err() != nil {
			return "", s.fail(fmt.Sprintf("text of %q", selector), err)
		}
	}
}

// HTML returns the serialized document of the page.
func (s *Session) HTML() (string, error) {
	p, cancel := s.action()
	defer cancel()
	html, err := p.HTML()
	if err != nil {
		return "", s.fail("page html", err)
	}
	return html, nil
}

// Screenshot returns a PNG of the visible part of the page.
func (s *Session) Screenshot() ([]byte, error) {
	p, cancel := s.action()
	defer cancel()
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
	u, _, _ := s.url.get()
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
		u, _, changed := s.url.get()
		if pred(u) {
			return nil
		}
		select {
		case <-changed:
		case <-s.ctx.Done():
			return s.fail("wait for URL "+what, s.ctx.Err())
		case <-ctx.Done():
			return s.fail("wait for URL "+what, ctx.Err())
		}
	}
}

// urlWatch holds the page's current URL and wakes waiters when it changes.
type urlWatch struct {
	mu      sync.Mutex
	url     string
	gen     uint64        // counts navigations
	changed chan struct{} // closed and replaced on every navigation
}

func newURLWatch(u string) *urlWatch {
	return &urlWatch{url: u, changed: make(chan struct{})}
}

func (w *urlWatch) get() (url string, gen uint64, changed <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.url, w.gen, w.changed
}

func (w *urlWatch) set(u string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.url = u
	w.gen++
	close(w.changed)
	w.changed = make(chan struct{})
}

// waitPast waits until a navigation after generation gen has been seen.
func (w *urlWatch) waitPast(ctx context.Context, gen uint64) error {
	for {
		_, g, changed := w.get()
		if g != gen {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// follow keeps w up to date with the main frame of p until p's context ends,
// and records in s the origin of every document any frame of p commits.
func (w *urlWatch) follow(p *rod.Page, s *core) {
	wait := p.EachEvent(func(e *proto.PageFrameNavigated) {
		s.visited(e.Frame.SecurityOrigin, e.Frame.ParentID == "")
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
	if s.ctx.Err() != nil {
		return fmt.Errorf("%s: %w: %w", action, ErrClosed, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: timed out after %s (page at %s): %w", action, s.timeout, s.URL(), err)
	}
	return fmt.Errorf("%s (page at %s): %w", action, s.URL(), err)
}

// Close disposes the incognito context and its page. It is safe to call more than once.
func (s *Session) Close() error { return s.core.close() }

func (s *core) close() error {
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

// visited records an origin the page loaded a document from, in its main
// frame (top) or in an iframe.
func (s *core) visited(origin string, top bool) {
	if origin == "" || origin == "null" || origin == "://" {
		return
	}
	s.originsMu.Lock()
	defer s.originsMu.Unlock()
	s.origins[origin] = true
	if top {
		s.topSite = site(origin)
	} else if site(origin) != s.topSite {
		s.crossSite = true
	}
}

// site is the schemeful site of an origin, as Chromium partitions storage by:
// the scheme and the registrable domain (eTLD+1), or the host itself for an IP
// address or a name without a public suffix (localhost).
func site(origin string) string {
	u, err := url.Parse(origin)
	if err != nil {
		return origin
	}
	host := u.Hostname()
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		host = d
	}
	return u.Scheme + "://" + host
}

// takeOrigins returns the recorded origins and forgets them.
func (s *core) takeOrigins() []string {
	s.originsMu.Lock()
	defer s.originsMu.Unlock()
	out := make([]string, 0, len(s.origins))
	for o := range s.origins {
		out = append(out, o)
	}
	clear(s.origins)
	return out
}

// reset makes the session as a new one: the page alone in its context, on
// about:blank with no history, and nothing stored for any origin it loaded.
// It fails, and the caller closes the session, when any of that cannot be done
// within timeout.
func (s *core) reset(ctx context.Context, timeout time.Duration) error {
	if s.ctx.Err() != nil {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := s.page.Context(ctx)
	s.originsMu.Lock()
	cross := s.crossSite
	s.originsMu.Unlock()
	if cross {
		// Chromium keeps a cross-site iframe's storage in a partition under the
		// top site, which Storage.clearDataForOrigin does not reach.
		return errors.New("reset session: a cross-site iframe stored in a partition no reset reaches")
	}
	// A page that opened another window or tab is not reused. Other targets
	// are the page's own (its out-of-process iframes, which go with the page)
	// or the browser's (the full Chromium's omnibox popup).
	targets, err := proto.TargetGetTargets{}.Call(s.inc.Context(ctx))
	if err != nil {
		return fmt.Errorf("reset session: list targets: %w", err)
	}
	for _, t := range targets.TargetInfos {
		if t.BrowserContextID == s.inc.BrowserContextID && t.TargetID != s.page.TargetID && t.Type == proto.TargetTargetInfoTypePage {
			return fmt.Errorf("reset session: the context holds another target (%s %s)", t.Type, t.URL)
		}
	}
	_, gen, _ := s.url.get()
	if _, err := (proto.PageNavigate{URL: "about:blank"}).Call(p); err != nil {
		return fmt.Errorf("reset session: navigate to about:blank: %w", err)
	}
	if err := s.url.waitPast(ctx, gen); err != nil {
		return fmt.Errorf("reset session: wait for about:blank: %w", err)
	}
	if err := p.WaitLoad(); err != nil {
		return fmt.Errorf("reset session: wait for about:blank to load: %w", err)
	}
	if err := (proto.PageResetNavigationHistory{}).Call(p); err != nil {
		return fmt.Errorf("reset session: history: %w", err)
	}
	// The clearing calls are independent: send them at once.
	calls := []func() error{
		func() error {
			return wrapReset("cookies", proto.StorageClearCookies{BrowserContextID: s.inc.BrowserContextID}.Call(s.inc.Context(ctx)))
		},
		func() error { return wrapReset("cache", proto.NetworkClearBrowserCache{}.Call(p)) },
	}
	for _, o := range s.takeOrigins() {
		calls = append(calls, func() error {
			// "all" covers local and session storage, IndexedDB, cache storage,
			// service workers and the origin's cookies.
			return wrapReset("storage of "+o, proto.StorageClearDataForOrigin{Origin: o, StorageTypes: "all"}.Call(p))
		})
	}
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, call := range calls {
		wg.Go(func() { errs[i] = call() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// wrapReset names what a reset could not clear.
func wrapReset(what string, err error) error {
	if err != nil {
		return fmt.Errorf("reset session: %s: %w", what, err)
	}
	return nil
}
