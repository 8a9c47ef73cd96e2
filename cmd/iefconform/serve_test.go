package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/iefconform/iefconform/harness/stack"
)

// signInLinkRE finds the printed sign-in link of B2C_1A_signup_signin.
var signInLinkRE = regexp.MustCompile(`sign-in link: (http://\S+/b2c_1a_signup_signin/oauth2/v2\.0/authorize\?\S+)`)

// TestServeSignInByHTTP starts `iefconform serve` in-process on random ports,
// takes the printed sign-in link and completes the Facebook journey with a
// plain HTTP client, as a person would in a browser: the login form, then the
// auto-submitting form_post pages, until the relying party's result page.
func TestServeSignInByHTTP(t *testing.T) {
	sv := startServeCLI(t, "serve", "--addr", "127.0.0.1:0", "--verbose")
	out := sv.out
	for _, w := range []string{"emulator (B2C)", "Facebook (mock OAuth2 IdP)", "Twitter (mock OAuth 1.0a IdP)", "REST API (mock)", "mailbox", "relying party", "tenant", "iefconform.onmicrosoft.com",
		"B2C_1A_signup_signin, B2C_1A_signup_signin_picker", "alice / wonderland", "B2C_1A_TokenSigningKeyContainer", "B2C_1A_FacebookSecret"} {
		if !strings.Contains(out, w) {
			t.Errorf("serve's output lacks %q:\n%s", w, out)
		}
	}
	m := signInLinkRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no sign-in link for B2C_1A_signup_signin in:\n%s", out)
	}

	page := signIn(t, m[1], "alice", "wonderland")
	if page.url.Path != "/callback" {
		t.Fatalf("the journey ended at %s, want the relying party's /callback\n%s", page.url, page.body)
	}
	if got := textByID(page.doc, "verified"); got != "signature and claims verified" {
		t.Errorf("result page: verification %q, want a verified id_token (verify_error: %q)\n%s", got, textByID(page.doc, "verify_error"), page.body)
	}
	if got := textByID(page.doc, "mode"); got != "form_post" {
		t.Errorf("result page: response mode %q, want form_post", got)
	}
	var claims map[string]any
	if err := json.Unmarshal([]byte(textByID(page.doc, "claims")), &claims); err != nil {
		t.Fatalf("result page: claims are not JSON: %v\n%s", err, page.body)
	}
	for k, v := range map[string]string{
		"sub": "10158000000000001", "given_name": "Alice", "family_name": "Liddell", "name": "Alice Liddell",
		"email": "alice@example.com", "idp": "facebook.com", "tfp": "b2c_1a_signup_signin",
	} {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %q (all claims: %v)", k, claims[k], v, claims)
		}
	}

	if code, tail := sv.stop(); code != exitOK || !strings.Contains(tail, "stopping") {
		t.Errorf("serve exited with status %d after cancel, want 0, saying it was stopping: %q\nstderr:\n%s", code, tail, sv.stderr.String())
	}
	// --verbose: the journey log is on stderr.
	if log := sv.stderr.String(); !strings.Contains(log, "journey completed") {
		t.Errorf("stderr lacks the journey log (--verbose):\n%s", log)
	}
}

// page is one HTML response of the journey.
type page struct {
	url  *url.URL
	body string
	doc  *html.Node
}

// signIn follows a sign-in link like a browser with scripts: it fills the
// Facebook mock's login form and submits every auto-submitting form until a
// page has no form left.
func signIn(t *testing.T, link, user, password string) page {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	p := fetch(t, client, http.MethodGet, link, nil)
	for hop := 0; hop < 10; hop++ {
		f, ok := findForm(p.doc)
		if !ok {
			return p
		}
		if f.id == "login-form" {
			f.fields.Set("username", user)
			f.fields.Set("password", password)
			f.fields.Set("action", "signin")
		} else if !f.allHidden {
			t.Fatalf("page %s has a form %q that needs a person:\n%s", p.url, f.id, p.body)
		}
		action, err := p.url.Parse(f.action)
		if err != nil {
			t.Fatalf("form %q action %q: %v", f.id, f.action, err)
		}
		p = fetch(t, client, f.method, action.String(), f.fields)
	}
	t.Fatalf("the journey did not end within 10 forms; last page %s:\n%s", p.url, p.body)
	return p
}

func fetch(t *testing.T, client *http.Client, method, target string, form url.Values) page {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = client.PostForm(target, form)
	} else {
		u, perr := url.Parse(target)
		if perr != nil {
			t.Fatal(perr)
		}
		if form != nil {
			u.RawQuery = form.Encode()
		}
		resp, err = client.Get(u.String())
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, target, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: status %d, want 200\n%s", method, resp.Request.URL, resp.StatusCode, body)
	}
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("%s %s: parse HTML: %v", method, resp.Request.URL, err)
	}
	return page{url: resp.Request.URL, body: string(body), doc: doc}
}

// form is an HTML form's submission: its inputs and submit button values.
type form struct {
	id, action, method string
	fields             url.Values
	allHidden          bool
}

// findForm returns the first form of the page.
func findForm(doc *html.Node) (form, bool) {
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.DataAtom != atom.Form {
			continue
		}
		f := form{id: attr(n, "id"), action: attr(n, "action"), method: strings.ToUpper(attr(n, "method")), fields: url.Values{}, allHidden: true}
		if f.method == "" {
			f.method = http.MethodGet
		}
		for in := range n.Descendants() {
			if in.Type != html.ElementNode || in.DataAtom != atom.Input || attr(in, "name") == "" {
				continue
			}
			if typ := attr(in, "type"); typ != "hidden" {
				f.allHidden = false
				if typ == "submit" {
					continue
				}
			}
			f.fields.Add(attr(in, "name"), attr(in, "value"))
		}
		return f, true
	}
	return form{}, false
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// textByID returns the text of the element with the id, or "".
func textByID(doc *html.Node, id string) string {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "id") == id {
			var b strings.Builder
			for c := range n.Descendants() {
				if c.Type == html.TextNode {
					b.WriteString(c.Data)
				}
			}
			return strings.TrimSpace(b.String())
		}
	}
	return ""
}

// TestServeFragmentLinks checks the links of --response-mode fragment: one per
// policy, and that without --verbose the journey log stays quiet.
func TestServeFragmentLinks(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	ready := make(chan struct{})
	o := serveOptions{addr: "127.0.0.1:0", policy: "facebook", responseMode: "fragment"}
	o.ready = func(*stack.Stack) { close(ready) }
	go func() {
		err := serve(ctx, o, &stdout, &stderr)
		done <- map[bool]int{true: exitOK, false: exitFailure}[err == nil]
	}()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("serve ended with status %d:\n%s\n%s", code, stdout.String(), stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("serve was not ready within 15s")
	}
	out := stdout.String()
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("serve ended with status %d, want 0:\n%s", code, stderr.String())
	}
	links := regexp.MustCompile(`sign-in link: (\S+)`).FindAllStringSubmatch(out, -1)
	if len(links) != 2 {
		t.Fatalf("got %d sign-in links, want one per policy (2):\n%s", len(links), out)
	}
	for _, l := range links {
		u, err := url.Parse(l[1])
		if err != nil {
			t.Fatal(err)
		}
		if q := u.Query(); q.Get("response_mode") != "fragment" || q.Get("response_type") != "id_token" || q.Get("state") == "" {
			t.Errorf("link %s: want response_mode=fragment, response_type=id_token and a state", l[1])
		}
	}
	if strings.Contains(stderr.String(), "level=INFO") {
		t.Errorf("without --verbose, stderr has info lines:\n%s", stderr.String())
	}
}

// TestServeAdminToken: with --admin-token the mocks' admin APIs need the token
// as a Bearer token; the config they serve keeps secrets redacted unless asked.
func TestServeAdminToken(t *testing.T) {
	st, _, stop := startServe(t, serveOptions{addr: "127.0.0.1:0", policy: "facebook", responseMode: "form_post", adminToken: "s3cret-admin"})
	defer stop()
	get := func(path, token string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, st.FacebookURL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("/_admin/config", ""); code != http.StatusUnauthorized {
		t.Errorf("admin config without the token: status %d, want 401: %s", code, body)
	}
	if code, body := get("/_admin/config", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("admin config with a wrong token: status %d, want 401: %s", code, body)
	}
	secret := st.FacebookSecret()
	code, body := get("/_admin/config", "s3cret-admin")
	if code != http.StatusOK || strings.Contains(body, secret) || !strings.Contains(body, "(redacted)") {
		t.Errorf("admin config with the token: status %d, want 200 with the client secret redacted: %s", code, body)
	}
	if code, body := get("/_admin/config?secrets=true", "s3cret-admin"); code != http.StatusOK || !strings.Contains(body, secret) {
		t.Errorf("admin config?secrets=true: status %d, want 200 with the client secret: %s", code, body)
	}
}

// TestServeWarnsOfAnOpenListener: a party listening beyond loopback without
// --admin-token gets a warning on stderr naming its flag; loopback addresses,
// or a token, get none.
func TestServeWarnsOfAnOpenListener(t *testing.T) {
	for _, tt := range []struct {
		o    serveOptions
		want []string
	}{
		{serveOptions{addr: "127.0.0.1:8080", facebookAddr: stack.DefaultAddr, rpAddr: "[::1]:0"}, nil},
		{serveOptions{addr: "localhost:8080", facebookAddr: "127.0.0.2:0"}, nil},
		{serveOptions{addr: "0.0.0.0:8080", facebookAddr: "127.0.0.1:0", rpAddr: "127.0.0.1:0"}, []string{"--addr 0.0.0.0:8080"}},
		{serveOptions{addr: ":8080", facebookAddr: "[::]:0", rpAddr: "192.0.2.1:80"}, []string{"--addr :8080", "--facebook-addr [::]:0", "--rp-addr 192.0.2.1:80"}},
		{serveOptions{addr: "myhost.example:8080", facebookAddr: "127.0.0.1:0", rpAddr: "127.0.0.1:0"}, []string{"--addr myhost.example:8080"}},
	} {
		if got := tt.o.beyondLoopback(); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: beyond loopback %q, want %q", tt.o, got, tt.want)
		}
	}

	run := func(o serveOptions) string {
		ctx, cancel := context.WithCancel(context.Background())
		var stdout, stderr lockedBuffer
		done := make(chan error, 1)
		o.ready = func(*stack.Stack) { cancel() }
		go func() { done <- serve(ctx, o, &stdout, &stderr) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve: %v\n%s", err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			cancel()
			t.Fatal("serve was not ready within 30s")
		}
		return stderr.String()
	}
	base := serveOptions{addr: "127.0.0.1:0", facebookAddr: "0.0.0.0:0", rpAddr: stack.DefaultAddr, policy: "facebook", responseMode: "form_post"}
	if out := run(base); !strings.Contains(out, "warning: --facebook-addr 0.0.0.0:0 listens beyond loopback and no --admin-token is set") ||
		!strings.Contains(out, "--admin-token") || strings.Contains(out, "--rp-addr") || strings.Contains(out, "warning: --addr") {
		t.Errorf("--facebook-addr 0.0.0.0:0 without a token: stderr\n%s\nwant one warning, about --facebook-addr", out)
	}
	withToken := base
	withToken.adminToken = "s3cret-admin"
	if out := run(withToken); strings.Contains(out, "beyond loopback") {
		t.Errorf("with --admin-token: stderr\n%s\nwant no warning", out)
	}
}
