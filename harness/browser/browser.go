// Package browser drives Chromium through go-rod for the conformance suite. It
// finds or launches a headless Chromium (or connects to a running one over CDP)
// and hands out Sessions: one fresh incognito context and page per scenario, so
// scenarios share no cookies and can run concurrently.
package browser

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/cdp"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/proto"
)

// Environment variables read by Find and OptionsFromEnv.
const (
	// EnvBrowser names the Chromium to use: a path, or a name looked up on PATH.
	EnvBrowser = "IEFCONFORM_BROWSER"
	// EnvBrowserDownload set to 1 lets Find download Chromium with rod as a last resort.
	EnvBrowserDownload = "IEFCONFORM_BROWSER_DOWNLOAD"
	// EnvBrowserURL is the CDP URL of a running browser to connect to instead of launching one.
	EnvBrowserURL = "IEFCONFORM_BROWSER_URL"
	// EnvHeadful set to 1 (or true) shows the browser window.
	EnvHeadful = "IEFCONFORM_HEADFUL"
	// EnvBrowserTimeout is the per-action timeout as a Go duration, e.g. 20s.
	EnvBrowserTimeout = "IEFCONFORM_BROWSER_TIMEOUT"
	// EnvLeakless set to 1 runs Chromium under rod's leakless guard, which kills it if
	// this process dies. Off by default: the guard is an extracted binary that some
	// machines refuse to run (noexec /tmp) and it serializes launches on a fixed port.
	EnvLeakless = "IEFCONFORM_BROWSER_LEAKLESS"
)

// DefaultTimeout is the per-action timeout when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// closeTimeout bounds how long Close and Session.Close wait for Chromium.
const closeTimeout = 10 * time.Second

// browserNames are looked up on PATH, in order, by Find. Chromium's headless
// shell (Debian's chromium-headless-shell, the "old headless" build) comes first:
// on a 2-core machine it opens an incognito context in about 40 ms and loads a
// local page in about 20 ms, where the full browser in headless mode needs about
// 200 ms and 60 ms. Both run the same engine; features pass on either.
var browserNames = []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Options configure Launch.
type Options struct {
	// Bin is the Chromium executable; empty means Find.
	Bin string
	// ControlURL, when set, connects to a running browser over CDP instead of launching
	// one: a port ("9222"), host:port, http:// or ws:// URL.
	ControlURL string
	// Headful shows the browser window instead of running headless.
	Headful bool
	// Timeout bounds each Session action; zero means DefaultTimeout.
	Timeout time.Duration
	// Leakless runs Chromium under rod's leakless guard (see EnvLeakless).
	Leakless bool
}

// OptionsFromEnv reads Options from IEFCONFORM_BROWSER_URL, IEFCONFORM_HEADFUL,
// IEFCONFORM_BROWSER_TIMEOUT and IEFCONFORM_BROWSER_LEAKLESS. Bin is left empty:
// Launch then calls Find, which reads IEFCONFORM_BROWSER. A timeout that does not
// parse as a positive Go duration is ignored and the default applies.
func OptionsFromEnv() Options {
	o := Options{
		ControlURL: strings.TrimSpace(os.Getenv(EnvBrowserURL)),
		Headful:    envTrue(EnvHeadful),
		Leakless:   envTrue(EnvLeakless),
	}
	if d, err := time.ParseDuration(os.Getenv(EnvBrowserTimeout)); err == nil && d > 0 {
		o.Timeout = d
	}
	return o
}

func envTrue(name string) bool {
	v, err := strconv.ParseBool(strings.TrimSpace(os.Getenv(name)))
	return err == nil && v
}

// Find returns the path of a Chromium executable. It tries, in order: the
// IEFCONFORM_BROWSER variable (a path or a name on PATH; an error if it names
// nothing runnable), chromium-headless-shell, chromium, chromium-browser,
// google-chrome and google-chrome-stable on PATH, the install locations rod knows, and, only when
// IEFCONFORM_BROWSER_DOWNLOAD=1, a download by rod.
func Find() (string, error) {
	if v := strings.TrimSpace(os.Getenv(EnvBrowser)); v != "" {
		p, err := exec.LookPath(v)
		if err != nil {
			return "", fmt.Errorf("find browser: %s=%q: %w: %w", EnvBrowser, v, ErrNoBrowser, err)
		}
		return p, nil
	}
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	if p, ok := launcher.LookPath(); ok {
		return p, nil
	}
	if os.Getenv(EnvBrowserDownload) == "1" {
		lb := launcher.NewBrowser()
		lb.Logger = log.New(os.Stderr, "browser download: ", log.LstdFlags)
		p, err := lb.Get()
		if err != nil {
			return "", fmt.Errorf("find browser: download: %w: %w", ErrNoBrowser, err)
		}
		return p, nil
	}
	return "", fmt.Errorf("find browser: %w: looked for %s=path, then %s on PATH and rod's known locations; "+
		"install Chromium (apt-get install chromium) or set %s, or set %s=1 to let rod download one",
		ErrNoBrowser, EnvBrowser, strings.Join(browserNames, ", "), EnvBrowser, EnvBrowserDownload)
}

// Browser is a launched or connected Chromium. It is safe for concurrent use.
type Browser struct {
	rod      *rod.Browser
	ws       *cdp.WebSocket
	launcher *launcher.Launcher // nil when connected to a running browser
	dir      string             // temporary user-data-dir, removed by Close
	ctx      context.Context    // lives until Close
	cancel   context.CancelFunc
	timeout  time.Duration

	closeOnce sync.Once
	closeErr  error

	// Sessions given back with Release are reset in the background and handed
	// out again by NewSession (see Release).
	free     chan *Session   // reset sessions, ready for reuse
	bgCtx    context.Context // ends when Close begins
	bgCancel context.CancelFunc
	bgMu     sync.Mutex     // orders bg.Add against Close's bg.Wait
	bg       sync.WaitGroup // resets in progress
}

// maxFree is how many reset sessions a Browser keeps for reuse; more are closed.
const maxFree = 8

// Launch starts Chromium, or connects to opts.ControlURL, and returns it ready for
// NewSession. ctx bounds only the launch; the browser lives until Close.
func Launch(ctx context.Context, opts Options) (*Browser, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	base, cancel := context.WithCancel(context.Background())
	b := &Browser{ctx: base, cancel: cancel, timeout: opts.Timeout, free: make(chan *Session, maxFree)}
	b.bgCtx, b.bgCancel = context.WithCancel(base)
	stop := context.AfterFunc(ctx, cancel) // abort the launch when ctx ends
	defer stop()

	var wsURL string
	if opts.ControlURL != "" {
		u, err := launcher.ResolveURL(opts.ControlURL)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("connect browser %s: %w", opts.ControlURL, err)
		}
		wsURL = u
	} else {
		u, err := b.start(ctx, opts)
		if err != nil {
			cancel()
			return nil, err
		}
		wsURL = u
	}

	ws := &cdp.WebSocket{}
	if err := ws.Connect(base, wsURL, nil); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("connect browser %s: %w", wsURL, err)
	}
	b.ws = ws
	// ControlURL("") drops any URL rod took from its own env, which would clash with Client.
	b.rod = rod.New().Context(base).ControlURL("").Client(cdp.New().Start(ws)).NoDefaultDevice()
	if err := b.rod.Connect(); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("connect browser %s: %w", wsURL, err)
	}
	if err := ctx.Err(); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("launch browser: %w", err)
	}
	return b, nil
}

// start launches Chromium with rod's launcher and returns its CDP URL.
func (b *Browser) start(ctx context.Context, opts Options) (string, error) {
	bin := opts.Bin
	if bin == "" {
		p, err := Find()
		if err != nil {
			return "", fmt.Errorf("launch browser: %w", err)
		}
		bin = p
	}
	dir, err := os.MkdirTemp("", "iefconform-chromium-")
	if err != nil {
		return "", fmt.Errorf("launch browser: user data dir: %w", err)
	}
	b.dir = dir
	l := launcher.New().
		Context(ctx).
		Bin(bin).
		UserDataDir(dir).
		Headless(!opts.Headful).
		NoSandbox(os.Geteuid() == 0). // Chromium's sandbox cannot run as root (containers, CI); everyone else keeps it
		Leakless(opts.Leakless).
		Set("disable-background-networking").
		Set("disable-component-update").
		Set("disable-sync").
		Set("no-first-run").
		Set("disable-quic").
		Set("disable-gpu").
		Set("window-size", "1280,900")
	u, err := l.Launch()
	if err != nil {
		if pid := l.PID(); pid != 0 {
			l.Kill()
			l.Cleanup()
		}
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("launch browser %s: %w", bin, err)
	}
	b.launcher = l
	return u, nil
}

// Timeout is the per-action timeout of the Sessions of b.
func (b *Browser) Timeout() time.Duration { return b.timeout }

// Rod returns the underlying rod browser, for what this package does not offer.
func (b *Browser) Rod() *rod.Browser { return b.rod }

// Close closes a launched browser, waits for it to exit and removes its user data
// dir; for a connected browser it only drops the connection.
func (b *Browser) Close() error {
	b.closeOnce.Do(func() {
		var errs []error
		b.stopReuse()
		if b.launcher != nil {
			if b.rod != nil {
				ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
				// The answer may be lost when the connection drops: the exit below is what counts.
				_ = proto.BrowserClose{}.Call(b.rod.Context(ctx))
				cancel()
			} else {
				b.launcher.Kill() // never connected: nothing else can ask it to quit
			}
			if err := b.waitExit(); err != nil {
				errs = append(errs, err)
			}
		}
		if b.ws != nil {
			_ = b.ws.Close()
		}
		b.cancel()
		if b.dir != "" {
			if err := os.RemoveAll(b.dir); err != nil {
				errs = append(errs, fmt.Errorf("close browser: remove %s: %w", b.dir, err))
			}
		}
		b.closeErr = errors.Join(errs...)
	})
	return b.closeErr
}

// waitExit waits for the launched process to exit, killing it if it does not in time.
func (b *Browser) waitExit() error {
	exited := make(chan struct{})
	go func() {
		b.launcher.Cleanup() // waits for the exit, then removes the user data dir
		close(exited)
	}()
	timer := time.NewTimer(closeTimeout)
	defer timer.Stop()
	select {
	case <-exited:
		return nil
	case <-timer.C:
	}
	b.launcher.Kill()
	timer.Reset(closeTimeout)
	select {
	case <-exited:
		return nil
	case <-timer.C:
		return fmt.Errorf("close browser: pid %d did not exit after kill", b.launcher.PID())
	}
}

// NewSession opens a fresh incognito browser context with one blank page. Sessions
// share no cookies or storage. It is safe to call from many goroutines; ctx bounds
// only the creation, and each action of the Session has its own timeout.
//
// A session given back with Release and reset since is handed out again
// instead: opening a context costs Chromium about 25 ms of work, plus as much
// to dispose of it. NewSession never waits for a reset in progress; it opens
// a new context then, so the pool grows to what the concurrent users need.
func (b *Browser) NewSession(ctx context.Context) (*Session, error) {
	if b.ctx.Err() != nil {
		return nil, fmt.Errorf("new session: %w", ErrClosed)
	}
	select {
	case s := <-b.free:
		return s, nil
	default:
		return b.openSession(ctx)
	}
}

// openSession opens a fresh incognito context with one blank page.
func (b *Browser) openSession(ctx context.Context) (*Session, error) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	inc, err := b.rod.Context(ctx).Incognito()
	if err != nil {
		return nil, fmt.Errorf("new session: create incognito context: %w", err)
	}
	inc = inc.Context(b.ctx)
	sctx, scancel := context.WithCancel(b.ctx)
	s := &Session{core: &core{ctx: sctx, cancel: scancel, inc: inc, origins: map[string]bool{}}, timeout: b.timeout}
	target, err := proto.TargetCreateTarget{URL: "about:blank", BrowserContextID: inc.BrowserContextID}.Call(inc.Context(ctx))
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("new session: create page: %w", err)
	}
	page, err := inc.PageFromTarget(target.TargetID)
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("new session: attach page: %w", err)
	}
	s.page = page
	s.url = newURLWatch("about:blank")
	s.url.follow(page.Context(sctx), s.core)
	return s, nil
}

// Release gives s back for reuse. In the background the browser resets it —
// the page goes to about:blank with its history dropped, and the cookies, HTTP
// cache, local and session storage, IndexedDB, cache storage and service
// workers of every origin it loaded are cleared — and NewSession hands it out
// again, so the next user finds nothing of the last one. A session that cannot
// be reset within the per-action timeout (a hung page, a dialog), or that
// opened a window or loaded a cross-site iframe, is closed instead. s must not
// be used after Release. The channel returned is closed once s is reset or
// closed.
func (b *Browser) Release(s *Session) <-chan struct{} {
	done := make(chan struct{})
	if s == nil {
		close(done)
		return done
	}
	b.bgMu.Lock()
	if b.bgCtx.Err() != nil {
		b.bgMu.Unlock()
		_ = s.Close() // the browser is closing, and its contexts with it
		close(done)
		return done
	}
	b.bg.Add(1)
	b.bgMu.Unlock()
	go func() {
		defer b.bg.Done()
		defer close(done)
		if err := s.reset(b.bgCtx, b.timeout); err != nil {
			_ = s.Close()
			return
		}
		// Hand out the session itself, not the copy released (which may be a
		// WithTimeout copy with another timeout).
		select {
		case b.free <- &Session{core: s.core, timeout: b.timeout}:
		default: // enough kept: this one is not needed
			_ = s.Close()
		}
	}()
	return done
}

// stopReuse waits for the resets in progress and closes the kept sessions.
func (b *Browser) stopReuse() {
	b.bgMu.Lock()
	b.bgCancel()
	b.bgMu.Unlock()
	b.bg.Wait()
	for {
		select {
		case s := <-b.free:
			_ = s.Close()
		default:
			return
		}
	}
}
