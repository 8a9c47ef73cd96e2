package browser_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/proto"

	"github.com/iefconform/iefconform/harness/browser"
	"github.com/iefconform/iefconform/mocks/rp"
)

// findForTest returns the browser the environment names. Without one it fails when CI is set
// and skips otherwise.
func findForTest(t testing.TB) string {
	t.Helper()
	bin, err := browser.Find()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but no browser was found: %v", err)
		}
		t.Skipf("no browser to drive (set CI to turn this skip into a failure): %v", err)
	}
	return bin
}

// launchForTest launches the browser the environment names. Without one it fails
// when CI is set and skips otherwise.
func launchForTest(t testing.TB, opts browser.Options) *browser.Browser {
	t.Helper()
	if opts.ControlURL == "" {
		findForTest(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := browser.Launch(ctx, opts)
	if err != nil {
		t.Fatalf("launch: %v", err)
	}
	closeAtEnd(t, "browser", b)
	return b
}

// closeAtEnd closes c when the test ends, reporting an error as one closing what.
func closeAtEnd(t testing.TB, what string, c interface{ Close() error }) {
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close %s: %v", what, err)
		}
	})
}

func newSession(t testing.TB, b *browser.Browser) *browser.Session {
	t.Helper()
	s, err := b.NewSession(context.Background())
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	closeAtEnd(t, "session", s)
	return s
}

// openPage is newSession on a page already loaded from url.
func openPage(t testing.TB, b *browser.Browser, url string) *browser.Session {
	t.Helper()
	s := newSession(t, b)
	if err := s.Navigate(url); err != nil {
		t.Fatal(err)
	}
	return s
}

// site is the local web site the tests browse.
func site(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>test</title></head><body>%s</body></html>", body)
	}
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<form method="get" action="/hello">
<input id="name" name="name" value="placeholder">
<button id="submit" type="submit" disabled>Go</button>
<button id="hidden" style="display:none">Hidden</button>
</form>
<script>document.getElementById("name").addEventListener("input", () => { document.getElementById("submit").disabled = false })</script>`)
	})
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<p id="greeting">Hello, `+html.EscapeString(r.URL.Query().Get("name"))+`</p>`)
	})
	mux.HandleFunc("GET /redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/form", http.StatusFound)
	})
	mux.HandleFunc("GET /setcookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "who", Value: r.URL.Query().Get("v"), Path: "/"})
		page(w, `<p id="set">set</p>`)
	})
	mux.HandleFunc("GET /cookie", func(w http.ResponseWriter, r *http.Request) {
		v := "none"
		if c, err := r.Cookie("who"); err == nil {
			v = c.Value
		}
		page(w, `<p id="cookie">`+html.EscapeString(v)+`</p>`)
	})
	mux.HandleFunc("GET /autosubmit", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<form id="f" method="post" action="/target"><input type="hidden" name="code" value="xyz"></form>
<script>document.getElementById("f").submit()</script>`)
	})
	mux.HandleFunc("POST /target", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<p id="arrived">posted `+html.EscapeString(r.PostFormValue("code"))+`</p>`)
	})
	mux.HandleFunc("GET /hash", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<button id="go" onclick="location.hash = 'done=1'">go</button>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	exe := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fake := exe("fakechrome")
	chromiumBrowser := exe("chromium-browser")
	exe("google-chrome")

	t.Run("env names a missing path", func(t *testing.T) {
		t.Setenv(browser.EnvBrowser, filepath.Join(dir, "missing"))
		_, err := browser.Find()
		if !errors.Is(err, browser.ErrNoBrowser) || !strings.Contains(err.Error(), "missing") {
			t.Fatalf("want ErrNoBrowser naming the path, got %v", err)
		}
	})
	for _, tt := range []struct {
		name string
		path string // empty: PATH unchanged
		env  string // the EnvBrowser value
		want string
		why  string
	}{
		{name: "env names a path", env: fake, want: fake},
		{name: "env names a command on PATH", path: dir, env: "fakechrome", want: fake},
		{name: "PATH in order", path: dir, want: chromiumBrowser, why: "chromium-browser before google-chrome: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path != "" {
				t.Setenv("PATH", tt.path)
			}
			t.Setenv(browser.EnvBrowser, tt.env)
			got, err := browser.Find()
			if err != nil || got != tt.want {
				t.Fatalf("want %s%s, got %q %v", tt.why, tt.want, got, err)
			}
		})
	}
	t.Run("nothing on PATH", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		t.Setenv(browser.EnvBrowser, "")
		t.Setenv(browser.EnvBrowserDownload, "")
		got, err := browser.Find()
		if known, ok := launcher.LookPath(); ok {
			if err != nil || got != known {
				t.Fatalf("want rod's known location %s, got %q %v", known, got, err)
			}
			return
		}
		if !errors.Is(err, browser.ErrNoBrowser) || !strings.Contains(err.Error(), "apt-get install chromium") {
			t.Fatalf("want ErrNoBrowser saying what to install, got %q %v", got, err)
		}
	})
}

func TestOptionsFromEnv(t *testing.T) {
	t.Setenv(browser.EnvBrowserURL, "ws://127.0.0.1:9222")
	t.Setenv(browser.EnvHeadful, "1")
	t.Setenv(browser.EnvBrowserTimeout, "25s")
	t.Setenv(browser.EnvLeakless, "")
	got := browser.OptionsFromEnv()
	want := browser.Options{ControlURL: "ws://127.0.0.1:9222", Headful: true, Timeout: 25 * time.Second}
	if got != want {
		t.Fatalf("want %+v, got %+v", want, got)
	}
	t.Setenv(browser.EnvBrowserTimeout, "soon")
	if got := browser.OptionsFromEnv(); got.Timeout != 0 {
		t.Fatalf("want an unparsable timeout ignored, got %s", got.Timeout)
	}
}

func TestSession(t *testing.T) {
	b := launchForTest(t, browser.OptionsFromEnv())
	srv := site(t)

	t.Run("form", func(t *testing.T) {
		t.Parallel()
		s := openPage(t, b, srv.URL+"/redirect")
		if got := s.URL(); got != srv.URL+"/form" {
			t.Fatalf("want the redirect followed to %s/form, got %s", srv.URL, got)
		}
		if err := s.Fill("#name", "Alice & Bob"); err != nil {
			t.Fatal(err)
		}
		if err := s.Click("#submit"); err != nil {
			t.Fatal(err)
		}
		if err := s.WaitURLPrefix(srv.URL + "/hello?"); err != nil {
			t.Fatal(err)
		}
		if got, want := s.URL(), srv.URL+"/hello?name=Alice+%26+Bob"; got != want {
			t.Errorf("want the field cleared then filled: %s, got %s", want, got)
		}
		text, err := s.Text("#greeting")
		if err != nil || text != "Hello, Alice & Bob" {
			t.Fatalf("want greeting text, got %q %v", text, err)
		}
		doc, err := s.HTML()
		if err != nil || !strings.Contains(doc, `<p id="greeting">Hello, Alice &amp; Bob</p>`) {
			t.Fatalf("want the greeting in the HTML, got %v\n%s", err, doc)
		}
		png, err := s.Screenshot()
		if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("want a PNG, got %d bytes %v", len(png), err)
		}
	})

	t.Run("auto-submitting form", func(t *testing.T) {
		t.Parallel()
		s := openPage(t, b, srv.URL+"/autosubmit")
		if err := s.WaitURLPrefix(srv.URL + "/target"); err != nil {
			t.Fatal(err)
		}
		if text, err := s.Text("#arrived"); err != nil || text != "posted xyz" {
			t.Fatalf("want the form posted, got %q %v", text, err)
		}
	})

	t.Run("fragment change", func(t *testing.T) {
		t.Parallel()
		s := openPage(t, b, srv.URL+"/hash")
		if err := s.Click("#go"); err != nil {
			t.Fatal(err)
		}
		err := s.WaitURL(context.Background(), func(u string) bool { return strings.HasSuffix(u, "#done=1") })
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.URL(), srv.URL+"/hash#done=1"; got != want {
			t.Errorf("want URL %s, got %s", want, got)
		}
	})

	t.Run("wait url ends with ctx", func(t *testing.T) {
		t.Parallel()
		s := newSession(t, b)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err := s.WaitURL(ctx, func(string) bool { return false })
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "about:blank") {
			t.Fatalf("want a deadline error naming the page URL, got %v", err)
		}
	})

	t.Run("navigation error", func(t *testing.T) {
		t.Parallel()
		s := newSession(t, b)
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close()
		err := s.Navigate(closed.URL + "/nowhere")
		if err == nil || !strings.Contains(err.Error(), closed.URL+"/nowhere") {
			t.Fatalf("want an error naming the URL, got %v", err)
		}
	})

	t.Run("isolated cookies", func(t *testing.T) {
		t.Parallel()
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, who := range []string{"alice", "bob"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := b.NewSession(context.Background())
				if err != nil {
					errs <- err
					return
				}
				defer func() { _ = s.Close() }()
				if err := s.Navigate(srv.URL + "/setcookie?v=" + who); err != nil {
					errs <- err
					return
				}
				if err := s.Navigate(srv.URL + "/cookie"); err != nil {
					errs <- err
					return
				}
				if got, err := s.Text("#cookie"); err != nil || got != who {
					errs <- fmt.Errorf("session %s: want its own cookie, got %q %v", who, got, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		s := openPage(t, b, srv.URL+"/cookie")
		if got, err := s.Text("#cookie"); err != nil || got != "none" {
			t.Fatalf("want a fresh session without cookies, got %q %v", got, err)
		}
	})

	t.Run("relying party reads the fragment", func(t *testing.T) {
		t.Parallel()
		rpSrv := httptest.NewUnstartedServer(nil)
		party, err := rp.New(rp.Config{BaseURL: "http://" + rpSrv.Listener.Addr().String(), ClientID: "c"})
		if err != nil {
			t.Fatal(err)
		}
		rpSrv.Config.Handler = party.Handler()
		rpSrv.Start()
		defer rpSrv.Close()
		fragment := "error=access_denied&error_description=AAD_Custom_1234%3a+My+custom+error+message%0d%0aCorrelation+ID%3a+233bf9bd-747a-4800-9062-6236f3f69a47%0d%0a&state=abc"
		s := openPage(t, b, party.RedirectURI()+"#"+fragment)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := party.Wait(ctx, "abc")
		if err != nil {
			t.Fatal(err)
		}
		if res.Mode != "fragment" || res.Raw != fragment || res.Error != "access_denied" {
			t.Fatalf("want the fragment byte for byte\n%s\ngot %s\n%s", fragment, res.Mode, res.Raw)
		}
		if got, err := s.Text("#error"); err != nil || got != "access_denied" {
			t.Fatalf("want the error shown on the RP page, got %q %v", got, err)
		}
	})
}

func TestTimeoutNamesSelector(t *testing.T) {
	b := launchForTest(t, browser.OptionsFromEnv())
	srv := site(t)
	s := openPage(t, b, srv.URL+"/form")
	short := s.WithTimeout(500 * time.Millisecond)
	for _, tt := range []struct {
		name string
		act  func() error
		want string
	}{
		{name: "missing", act: func() error { return short.Click("#no-such-button") }, want: `click "#no-such-button"`},
		{name: "invisible", act: func() error { return short.Click("#hidden") }, want: `click "#hidden"`},
		{name: "disabled", act: func() error { return short.Click("#submit") }, want: `click "#submit"`},
		{name: "fill", act: func() error { return short.Fill("#nope", "x") }, want: `fill "#nope"`},
		{name: "wait visible", act: func() error { return short.WaitVisible("#hidden") }, want: `"#hidden" to be visible`},
		{name: "text", act: func() error { _, err := short.Text(".nope"); return err }, want: `text of ".nope"`},
		{name: "url", act: func() error { return short.WaitURLPrefix("https://elsewhere/") }, want: `"https://elsewhere/"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.act()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("want a timeout, got %v", err)
			}
			for _, want := range []string{tt.want, "timed out after 500ms", "page at " + srv.URL + "/form"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("want %q in %q", want, err)
				}
			}
		})
	}
	// The default timeout still applies to the session itself.
	if err := s.Fill("#name", "still usable"); err != nil {
		t.Fatal(err)
	}
}

func TestClose(t *testing.T) {
	b := launchForTest(t, browser.OptionsFromEnv())
	s := newSession(t, b)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("want a second Close to be a no-op, got %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("want closing a session of a closed browser to be a no-op, got %v", err)
	}
	if _, err := b.NewSession(context.Background()); !errors.Is(err, browser.ErrClosed) {
		t.Fatalf("want ErrClosed after Close, got %v", err)
	}
	if err := s.Navigate("about:blank"); !errors.Is(err, browser.ErrClosed) {
		t.Fatalf("want ErrClosed navigating in a closed browser, got %v", err)
	}
}

func TestConnectToRunningBrowser(t *testing.T) {
	bin := findForTest(t)
	dir := t.TempDir()
	l := launcher.New().Bin(bin).NoSandbox(true).Leakless(false).UserDataDir(dir)
	u, err := l.Launch()
	if err != nil {
		t.Fatalf("start a browser to connect to: %v", err)
	}
	t.Cleanup(func() {
		l.Kill()
		l.Cleanup()
	})
	srv := site(t)
	for i := range 2 { // the browser outlives the first connection
		b, err := browser.Launch(context.Background(), browser.Options{ControlURL: u})
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		s, err := b.NewSession(context.Background())
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		if err := s.Navigate(srv.URL + "/form"); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		if err := b.Close(); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
	}
}

// BenchmarkNewSession is the browser's cost of a session around one page
// load: a new incognito context closed afterwards ("open-close"), or a session
// given back with Release and reused once reset ("release-reuse"; the reset is
// waited for here, where a suite lets it run in the background).
func BenchmarkNewSession(b *testing.B) {
	br := launchForTest(b, browser.OptionsFromEnv())
	srv := site(b)
	for _, reuse := range []bool{false, true} {
		name := map[bool]string{false: "open-close", true: "release-reuse"}[reuse]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				s, err := br.NewSession(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Navigate(srv.URL + "/form"); err != nil {
					b.Fatal(err)
				}
				if reuse {
					<-br.Release(s)
				} else if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}

// storageSite serves a page that leaves a cookie, local and session storage
// behind, in its own origin and in an iframe of a second origin of the same
// site (127.0.0.1 on another port), a page that reports what it finds, a page
// that opens a window, and one whose iframe is cross-site (localhost). It
// returns the two origins' URLs.
func storageSite(t *testing.T) (first, second string) {
	t.Helper()
	const leave = `document.cookie = "seen=yes; path=/";
localStorage.setItem("seen", "local");
sessionStorage.setItem("seen", "session");`
	const report = `<!DOCTYPE html><script>
document.title = JSON.stringify([document.cookie, localStorage.getItem("seen"), sessionStorage.getItem("seen"), history.length]);
</script>`
	mux2 := http.NewServeMux()
	mux2.HandleFunc("GET /leave", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><script>%s parent.postMessage("stored", "*");</script>`, leave)
	})
	mux2.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, report) })
	// What the iframe finds of what it stored, in its storage partition under the first origin.
	mux2.HandleFunc("GET /report-frame", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!DOCTYPE html><script>parent.postMessage(JSON.stringify([document.cookie, localStorage.getItem("seen"), sessionStorage.getItem("seen")]), "*");</script>`)
	})
	srv2 := httptest.NewServer(mux2)
	t.Cleanup(srv2.Close)
	second = srv2.URL
	mux := http.NewServeMux()
	mux.HandleFunc("GET /leave", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "server", Value: "yes", Path: "/"})
		// The title says "left" once the iframe of the second origin has stored too.
		fmt.Fprintf(w, `<!DOCTYPE html><script>%s
addEventListener("message", () => { document.title = "left" });</script><iframe src="%s/leave"></iframe>`, leave, second)
	})
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, report) })
	mux.HandleFunc("GET /cross", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><script>addEventListener("message", () => { document.title = "left" });</script><iframe src="%s/leave"></iframe>`,
			strings.Replace(second, "127.0.0.1", "localhost", 1))
	})
	mux.HandleFunc("GET /frame-report", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><script>addEventListener("message", e => { document.title = "frame " + e.data });</script><iframe src="%s/report-frame"></iframe>`, second)
	})
	mux.HandleFunc("GET /popup", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!DOCTYPE html><button id="open" onclick="document.title = window.open('/report') ? 'opened' : 'blocked'">Open</button>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, second
}

// waitTitle waits until the page's title is not empty and returns it.
func waitTitle(t *testing.T, s *browser.Session) string {
	t.Helper()
	p := s.Page().Timeout(10 * time.Second)
	if err := p.Wait(rod.Eval(`() => document.title !== ""`)); err != nil {
		t.Fatalf("wait for a title (page at %s): %v", s.URL(), err)
	}
	res, err := p.Eval(`() => document.title`)
	if err != nil {
		t.Fatalf("read the title: %v", err)
	}
	return res.Value.Str()
}

// sessionToRelease opens a session that the test hands back with releaseAndReopen instead of
// closing it.
func sessionToRelease(t *testing.T, b *browser.Browser) *browser.Session {
	t.Helper()
	s, err := b.NewSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// releaseAndReopen releases s, waits until the browser has reset or closed it, and opens the next
// session, closed when the test ends; used is the page target s had.
func releaseAndReopen(t *testing.T, b *browser.Browser, s *browser.Session) (next *browser.Session, used proto.TargetTargetID) {
	t.Helper()
	used = s.Page().TargetID
	<-b.Release(s)
	next, err := b.NewSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = next.Close() })
	return next, used
}

// visit opens u and returns the title its script sets.
func visit(t *testing.T, s *browser.Session, u string) string {
	t.Helper()
	if err := s.Navigate(u); err != nil {
		t.Fatal(err)
	}
	return waitTitle(t, s)
}

func TestReleasedSessionIsResetForReuse(t *testing.T) {
	b := launchForTest(t, browser.OptionsFromEnv())
	first, second := storageSite(t)
	s := sessionToRelease(t, b)
	// What a session that never stored anything reports, per origin.
	want := map[string]string{first: visit(t, s, first+"/report"), second: visit(t, s, second+"/report")}
	wantFrame := visit(t, s, first+"/frame-report") // the iframe under the first origin
	if got := visit(t, s, first+"/leave"); got != "left" {
		t.Fatalf("the page that stores did not run: title %q", got)
	}
	if got := visit(t, s, first+"/report"); got == want[first] {
		t.Fatalf("the session stored nothing (reports %s): the test would prove nothing", got)
	}
	if got := visit(t, s, first+"/frame-report"); got == wantFrame {
		t.Fatalf("the iframe stored nothing (reports %s): the test would prove nothing", got)
	}
	again, used := releaseAndReopen(t, b, s)
	if again.Page().TargetID != used {
		t.Fatalf("NewSession after Release opened target %s, want the released %s reused", again.Page().TargetID, used)
	}
	if u := again.URL(); u != "about:blank" {
		t.Errorf("the reused session starts at %q, want about:blank", u)
	}
	for _, origin := range []string{first, second} {
		if got := visit(t, again, origin+"/report"); got != want[origin] {
			t.Errorf("%s after reuse reports %s (cookie, local, session storage, history length), want what a fresh session reported: %s", origin, got, want[origin])
		}
	}
	if got := visit(t, again, first+"/frame-report"); got != wantFrame {
		t.Errorf("the iframe after reuse reports %s (cookie, local, session storage), want what it reported in a fresh session: %s", got, wantFrame)
	}
}

func TestSessionThatOpenedAWindowIsNotReused(t *testing.T) {
	b := launchForTest(t, browser.OptionsFromEnv())
	first, _ := storageSite(t)
	s := sessionToRelease(t, b)
	if err := s.Navigate(first + "/popup"); err != nil {
		t.Fatal(err)
	}
	if err := s.Click("#open"); err != nil {
		t.Fatal(err)
	}
	if got := waitTitle(t, s); got != "opened" {
		t.Fatalf("the page could not open a window: %s", got)
	}
	next, used := releaseAndReopen(t, b, s)
	if next.Page().TargetID == used {
		t.Fatal("a session whose page opened another window was handed out again")
	}
}

// TestSessionWithACrossSiteFrameIsNotReused: a cross-site iframe keeps its
// storage in a partition of its own, which no reset can reach by origin: such a
// session is closed, not handed out again.
func TestSessionWithACrossSiteFrameIsNotReused(t *testing.T) {
	b := launchForTest(t, browser.OptionsFromEnv())
	first, _ := storageSite(t)
	s := sessionToRelease(t, b)
	if got := visit(t, s, first+"/cross"); got != "left" {
		t.Fatalf("the cross-site iframe did not store: title %q", got)
	}
	next, used := releaseAndReopen(t, b, s)
	if next.Page().TargetID == used {
		t.Fatal("a session that loaded a cross-site iframe was handed out again")
	}
}
