// Package kittest is what the mocks' tests share: a client that calls a mock and reads whole
// responses, an injectable clock, HTML helpers for the login pages, concurrency and delay
// checks, and the checks of the admin API's guard and redaction that every mock must pass.
package kittest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

// Response is a response read whole and closed; Text is its body.
type Response struct {
	*http.Response
	Text string
}

// JSON decodes the body as a JSON object, failing t when it is not one.
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Text), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Text)
	}
	return m
}

// Do sends req with c and reads the whole response, failing t on a transport error.
func Do(t testing.TB, c *http.Client, req *http.Request) Response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body of %s %s: %v", req.Method, req.URL, err)
	}
	return Response{resp, string(b)}
}

// Client calls one mock from a test. Its HTTP client does not follow redirects; replace it for
// other needs.
type Client struct {
	T    testing.TB
	URL  string // the mock's base URL
	HTTP *http.Client
}

// NewClient returns a Client for the mock served at baseURL.
func NewClient(t testing.TB, baseURL string) *Client {
	return &Client{T: t, URL: baseURL, HTTP: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Do sends req and reads the whole response.
func (c *Client) Do(req *http.Request) Response {
	c.T.Helper()
	return Do(c.T, c.HTTP, req)
}

// Request builds a request to path under the mock's URL with a body of contentType (none when
// empty) and the name, value pairs of header.
func (c *Client) Request(method, path, contentType, body string, header ...string) *http.Request {
	c.T.Helper()
	req, err := http.NewRequest(method, c.URL+path, strings.NewReader(body))
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// Call sends the request Request builds.
func (c *Client) Call(method, path, contentType, body string, header ...string) Response {
	c.T.Helper()
	return c.Do(c.Request(method, path, contentType, body, header...))
}

// Get sends GET path with the query q (none when nil).
func (c *Client) Get(path string, q url.Values) Response {
	c.T.Helper()
	return c.Send(http.MethodGet, path, q, nil)
}

// Send sends method path, without a body, with the query q (none when nil) and header fields.
func (c *Client) Send(method, path string, q url.Values, header http.Header) Response {
	c.T.Helper()
	if q != nil {
		path += "?" + q.Encode()
	}
	req := c.Request(method, path, "", "")
	for k, vs := range header {
		req.Header[k] = vs
	}
	return c.Do(req)
}

// PostForm posts form, form-encoded, to path, with extra header fields.
func (c *Client) PostForm(path string, form url.Values, header http.Header) Response {
	c.T.Helper()
	req := c.Request(http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode())
	for k, vs := range header {
		req.Header[k] = vs
	}
	return c.Do(req)
}

// Admin calls the admin API with a JSON body.
func (c *Client) Admin(method, path, body string) Response {
	c.T.Helper()
	return c.Call(method, path, "application/json", body)
}

// Clock is an injectable clock that tests move by hand. It is safe for concurrent use.
type Clock struct {
	start time.Time
	moved atomic.Int64 // nanoseconds added to start
}

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{start: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { return c.start.Add(time.Duration(c.moved.Load())) }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.moved.Add(int64(d)) }

// ReadFile returns the contents of a test file, failing t when it cannot be read.
func ReadFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Concurrently runs every fn n times at once, each call given its index from 0, and fails t
// with every error they return. Run it with -race.
func Concurrently(t testing.TB, n int, fns ...func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n*len(fns))
	for i := range n {
		for _, fn := range fns {
			wg.Go(func() { errs <- fn(i) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// Serve serves h on a loopback listener until the test ends, when it calls closeServer (the
// mock's Close, which releases held responses) before closing the listener.
func Serve(t testing.TB, h http.Handler, closeServer func()) *httptest.Server {
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		closeServer()
		ts.Close()
	})
	return ts
}

// EachFile loads each of files with load, as a subtest named by the file, and hands the
// config to check; a load error fails the subtest.
func EachFile[C any](t *testing.T, load func(string) (C, error), check func(t *testing.T, cfg C), files ...string) {
	t.Helper()
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			cfg, err := load(file)
			if err != nil {
				t.Fatalf("load %s: %v", file, err)
			}
			check(t, cfg)
		})
	}
}

// WantJSON fails t unless v marshals to want.
func WantJSON(t testing.TB, v any, want string) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil || string(got) != want {
		t.Errorf("JSON = %s (%v)\nwant   %s", got, err, want)
	}
}

// LoadError is a config file a mock's LoadConfig must refuse, with an error that mentions each
// of Want and that is a validation error (errors.Is ErrInvalidConfig) exactly when Invalid.
type LoadError struct {
	File    string
	Invalid bool
	Want    []string
}

// CheckLoadErrors loads each case's file with load and checks the error, as a subtest named by
// the file; cases of a missing file and of a file in another format come first.
func CheckLoadErrors[C any](t *testing.T, load func(string) (C, error), cases ...LoadError) {
	t.Helper()
	toml := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(toml, []byte("key = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases = append([]LoadError{
		{File: "testdata/missing.yaml", Want: []string{"missing.yaml", "no such file"}},
		{File: toml, Want: []string{"want extension .yaml, .yml or .json"}},
	}, cases...)
	for _, tt := range cases {
		t.Run(tt.File, func(t *testing.T) {
			_, err := load(tt.File)
			if err == nil {
				t.Fatal("want an error")
			}
			if got := errors.Is(err, cfgfile.ErrInvalidConfig); got != tt.Invalid {
				t.Errorf("errors.Is(err, ErrInvalidConfig) = %v, want %v: %v", got, tt.Invalid, err)
			}
			for _, w := range tt.Want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

// WantProblems fails t unless err is a config error (errors.Is ErrInvalidConfig, a
// *ConfigError) whose problems start, one for one, with want.
func WantProblems(t testing.TB, err error, want []string) {
	t.Helper()
	ce := configError(t, err)
	if len(ce.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n  %s", len(ce.Problems), len(want), strings.Join(ce.Problems, "\n  "))
	}
	for i := range min(len(ce.Problems), len(want)) {
		if !strings.HasPrefix(ce.Problems[i], want[i]) {
			t.Errorf("problem %d:\n got  %s\n want %s", i, ce.Problems[i], want[i])
		}
	}
}

// WantExactProblems fails t unless err is a config error (errors.Is ErrInvalidConfig, a
// *ConfigError) whose problems are want, in order.
func WantExactProblems(t testing.TB, err error, want []string) {
	t.Helper()
	if ce := configError(t, err); !slices.Equal(ce.Problems, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(ce.Problems, "\n  "), strings.Join(want, "\n  "))
	}
}

// CheckValidate wants cfg's Validate to pass when want is empty; otherwise it wants Validate's
// error to pass check (WantProblems or WantExactProblems) with want, and newMock (the mock's
// New) to refuse cfg with ErrInvalidConfig.
func CheckValidate[C cfgfile.Validator, O, M any](t *testing.T, cfg C, want []string,
	check func(testing.TB, error, []string), newMock func(C, ...O) (M, error)) {
	t.Helper()
	err := cfg.Validate()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("Validate: %v", err)
		}
		return
	}
	check(t, err, want)
	if _, err := newMock(cfg); !errors.Is(err, cfgfile.ErrInvalidConfig) {
		t.Errorf("New with the config: %v, want ErrInvalidConfig", err)
	}
}

// configError returns err as a *ConfigError, failing t now unless it is one that matches
// ErrInvalidConfig.
func configError(t testing.TB, err error) *cfgfile.ConfigError {
	t.Helper()
	var ce *cfgfile.ConfigError
	if !errors.As(err, &ce) || !errors.Is(err, cfgfile.ErrInvalidConfig) {
		t.Fatalf("err = %v, want a *ConfigError", err)
	}
	return ce
}
