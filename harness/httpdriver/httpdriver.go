// Package httpdriver drives sign-in journeys without a browser: an HTTP client
// with a cookie jar that follows redirects and auto-submitting forms (form_post
// responses) the way a browser does, and fills and submits forms by id. It runs
// no JavaScript, so it cannot capture fragment responses: use query or
// form_post with it.
package httpdriver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// maxBody bounds what a page may weigh.
const maxBody = 4 << 20

// maxAutoSubmits bounds chains of auto-submitting forms.
const maxAutoSubmits = 10

// ErrNoForm is returned when a page has no form with the requested id.
var ErrNoForm = errors.New("no such form")

// Client is one browser-like session. It is not safe for concurrent use; give
// each journey its own.
type Client struct {
	http *http.Client
}

// New returns a client with a fresh cookie jar.
func New(timeout time.Duration) (*Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("new http driver: %w", err)
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Client{http: &http.Client{Jar: jar, Timeout: timeout}}, nil
}

// SetTransport makes the client send its requests through t, for example one
// that trusts a test CA.
func (c *Client) SetTransport(t http.RoundTripper) { c.http.Transport = t }

// Page is a loaded HTML page.
type Page struct {
	URL    *url.URL
	Status int
	Body   []byte
	doc    *html.Node
}

// Get loads u, following redirects and auto-submitting forms.
func (c *Client) Get(u string) (*Page, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, err)
	}
	return c.do(req)
}

func (c *Client) do(req *http.Request) (*Page, error) {
	for i := 0; ; i++ {
		p, err := c.load(req)
		if err != nil {
			return nil, err
		}
		f, ok := p.autoSubmit()
		if !ok {
			return p, nil
		}
		if i == maxAutoSubmits {
			return nil, fmt.Errorf("more than %d auto-submitting forms in a row, last at %s", maxAutoSubmits, p.URL)
		}
		if req, err = f.request(); err != nil {
			return nil, err
		}
	}
}

func (c *Client) load(req *http.Request) (*Page, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", req.Method, req.URL, err)
	}
	p := &Page{URL: resp.Request.URL, Status: resp.StatusCode, Body: body}
	if strings.Contains(resp.Header.Get("Content-Type"), "html") {
		if p.doc, err = html.Parse(bytes.NewReader(body)); err != nil {
			return nil, fmt.Errorf("%s: parse html: %w", p.URL, err)
		}
	}
	return p, nil
}

// Form is an HTML form, its fields filled with their values in the page.
type Form struct {
	ID     string
	Method string
	Action *url.URL
	Fields url.Values
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

// forms lists the page's forms.
func (p *Page) forms() []*Form {
	if p.doc == nil {
		return nil
	}
	var out []*Form
	walk(p.doc, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "form" {
			return
		}
		f := &Form{Method: http.MethodGet, Action: p.URL, Fields: url.Values{}}
		f.ID, _ = attr(n, "id")
		if m, ok := attr(n, "method"); ok {
			f.Method = strings.ToUpper(m)
		}
		if a, ok := attr(n, "action"); ok && a != "" {
			if u, err := p.URL.Parse(a); err == nil {
				f.Action = u
			}
		}
		walk(n, func(in *html.Node) {
			if in.Type != html.ElementNode || in.Data != "input" {
				return
			}
			name, _ := attr(in, "name")
			typ, _ := attr(in, "type")
			if name == "" || typ == "submit" {
				return
			}
			v, _ := attr(in, "value")
			f.Fields.Add(name, v)
		})
		out = append(out, f)
	})
	return out
}

// Form returns the form with the given id.
func (p *Page) Form(id string) (*Form, error) {
	for _, f := range p.forms() {
		if f.ID == id {
			return f, nil
		}
	}
	return nil, fmt.Errorf("form %q on %s (HTTP %d): %w", id, p.URL, p.Status, ErrNoForm)
}

// FillForm returns the form with the given id, its fields set to fields
// over the values the page gave them, ready for Submit.
func (p *Page) FillForm(id string, fields map[string]string) (*Form, error) {
	f, err := p.Form(id)
	if err != nil {
		return nil, err
	}
	for k, v := range fields {
		f.Fields.Set(k, v)
	}
	return f, nil
}

// SignIn loads u, fills the form formID with fields and presses the button
// whose "action" value is button, following redirects and auto-submitting
// forms to the end: a login page's or a sign-in page's round trip.
func (c *Client) SignIn(u, formID string, fields map[string]string, button string) (*Page, error) {
	page, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	f, err := page.FillForm(formID, fields)
	if err != nil {
		return nil, err
	}
	return c.Submit(f, "action", button)
}

// Text returns the text of the element with the given id, or "" without one.
func (p *Page) Text(id string) string {
	var b strings.Builder
	if p.doc == nil {
		return ""
	}
	walk(p.doc, func(n *html.Node) {
		if v, ok := attr(n, "id"); ok && v == id && n.Type == html.ElementNode {
			walk(n, func(t *html.Node) {
				if t.Type == html.TextNode {
					b.WriteString(t.Data)
				}
			})
		}
	})
	return strings.TrimSpace(b.String())
}

// Href returns the href of the element with the given id, resolved against
// the page's URL: a link to follow with Get.
func (p *Page) Href(id string) (string, error) {
	var href string
	found := false
	if p.doc != nil {
		walk(p.doc, func(n *html.Node) {
			if v, ok := attr(n, "id"); ok && v == id && n.Type == html.ElementNode && !found {
				href, found = attr(n, "href")
			}
		})
	}
	if !found {
		return "", fmt.Errorf("no link with id %q on %s (HTTP %d)", id, p.URL, p.Status)
	}
	u, err := p.URL.Parse(href)
	if err != nil {
		return "", fmt.Errorf("link %q on %s: %w", id, p.URL, err)
	}
	return u.String(), nil
}

// autoSubmit finds a form that a script on the page submits at once.
func (p *Page) autoSubmit() (*Form, bool) {
	if p.doc == nil {
		return nil, false
	}
	submits := false
	walk(p.doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "script" && n.FirstChild != nil && strings.Contains(n.FirstChild.Data, ".submit()") {
			submits = true
		}
	})
	fs := p.forms()
	if !submits || len(fs) != 1 {
		return nil, false
	}
	return fs[0], true
}

func (f *Form) request() (*http.Request, error) {
	if f.Method == http.MethodPost {
		req, err := http.NewRequest(http.MethodPost, f.Action.String(), strings.NewReader(f.Fields.Encode()))
		if err != nil {
			return nil, fmt.Errorf("submit form %q: %w", f.ID, err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req, nil
	}
	u := *f.Action
	u.RawQuery = f.Fields.Encode()
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("submit form %q: %w", f.ID, err)
	}
	return req, nil
}

// Submit sends the form as a browser would when the button with the given
// name and value is pressed (empty name: no button field), following
// redirects and auto-submitting forms.
func (c *Client) Submit(f *Form, buttonName, buttonValue string) (*Page, error) {
	g := &Form{ID: f.ID, Method: f.Method, Action: f.Action, Fields: url.Values{}}
	for k, v := range f.Fields {
		g.Fields[k] = append([]string(nil), v...)
	}
	if buttonName != "" {
		g.Fields.Set(buttonName, buttonValue)
	}
	req, err := g.request()
	if err != nil {
		return nil, err
	}
	return c.do(req)
}
