package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	xhtml "golang.org/x/net/html"

	"github.com/iefconform/iefconform/engine/profile"
)

// writerServer is a Server with only what the response writers use.
func writerServer(t testing.TB) *Server {
	t.Helper()
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }
	return &Server{cfg: Config{Now: now}, pages: pages, log: slog.New(slog.DiscardHandler)}
}

// writerSession is a journey whose relying party sent redirectURI, mode and state.
func writerSession(redirectURI, mode, state string) *session {
	return &session{correlationID: "233bf9bd-747a-4800-9062-6236f3f69a47", req: rpRequest{RedirectURI: redirectURI, ResponseMode: mode, State: state}}
}

// parseFormPost reads a form_post page as a browser would: the one form's
// action attribute as written, and its hidden inputs in order.
func parseFormPost(t testing.TB, page string) (action string, fields []param) {
	t.Helper()
	doc, err := xhtml.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse the form_post page: %v", err)
	}
	forms := 0
	walk(doc, func(n *xhtml.Node) {
		if n.Type != xhtml.ElementNode {
			return
		}
		switch {
		case n.Data == "form":
			forms++
			action = attr(n, "action")
		case n.Data == "input" && attr(n, "type") == "hidden":
			fields = append(fields, param{attr(n, "name"), attr(n, "value")})
		}
	})
	if forms != 1 {
		t.Fatalf("form_post page with %d forms, want 1:\n%s", forms, page)
	}
	return action, fields
}

// TestFormPostActionIsTheRedirectURI: the form_post page posts to the
// redirect URI exactly as registered; html/template used to normalise it (a
// bare '%' in the query became "%25"), found by FuzzFormPost.
func TestFormPostActionIsTheRedirectURI(t *testing.T) {
	s := writerServer(t)
	for _, uri := range []string{
		"https://rp.example/cb",
		"https://rp.example/cb?discount=100%",
		"https://rp.example/cb?x=%zz&y=%2",
		"https://rp.example/cb?q=a b",
		"https://rp.example/cb?q=\"quoted\"&'single'<tag>",
		"https://rp.example/caf\u00e9?n=\u00fc",
		"https://rp.example:8443/cb;jsessionid=1?a=1&amp=2",
		"com.contoso.app://auth/cb?x=%",
	} {
		t.Run(uri, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.respond(rec, httptest.NewRequest(http.MethodGet, "/", nil), writerSession(uri, "form_post", "st"), []param{{"code", "c"}})
			if rec.Code != http.StatusOK {
				t.Fatalf("HTTP %d %s", rec.Code, rec.Body)
			}
			action, fields := parseFormPost(t, rec.Body.String())
			if action != uri {
				t.Errorf("form action %q, want the redirect URI %q", action, uri)
			}
			if want := []param{{"code", "c"}, {"state", "st"}}; len(fields) != 2 || fields[0] != want[0] || fields[1] != want[1] {
				t.Errorf("fields %v, want %v", fields, want)
			}
		})
	}
	for _, uri := range []string{"javascript://rp.example/%0aalert(1)", "DATA://rp.example/x", "https://rp.example/%zz"} {
		t.Run("refused "+uri, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.respond(rec, httptest.NewRequest(http.MethodGet, "/", nil), writerSession(uri, "form_post", "st"), []param{{"code", "c"}})
			if rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), `name="code"`) {
				t.Fatalf("HTTP %d %s, want 400 and no form", rec.Code, rec.Body)
			}
		})
	}
}

// TestRedirectLocation: query and fragment responses go to the redirect URI
// exactly as registered, parameters after it.
func TestRedirectLocation(t *testing.T) {
	ps := []param{{"error", "access_denied"}, {"state", "s t"}}
	tests := []struct{ uri, mode, want string }{
		{"https://rp.example/cb", "query", "https://rp.example/cb?error=access_denied&state=s+t"},
		{"https://rp.example/cb?x=1", "query", "https://rp.example/cb?x=1&error=access_denied&state=s+t"},
		{"https://rp.example/cb?", "query", "https://rp.example/cb?error=access_denied&state=s+t"},
		{"https://rp.example/cb?x=1&", "query", "https://rp.example/cb?x=1&error=access_denied&state=s+t"},
		{"https://rp.example/cb?x=%", "query", "https://rp.example/cb?x=%&error=access_denied&state=s+t"},
		{"https://rp.example/cb?x=%", "fragment", "https://rp.example/cb?x=%#error=access_denied&state=s+t"},
	}
	for _, tt := range tests {
		if got := redirectLocation(tt.uri, tt.mode, ps); got != tt.want {
			t.Errorf("redirectLocation(%q, %s) = %q, want %q", tt.uri, tt.mode, got, tt.want)
		}
	}
}

// TestFormPostBareRedirectURI: a journey answers by form_post at a redirect
// URI whose query holds a bare '%', exactly that URI.
func TestFormPostBareRedirectURI(t *testing.T) {
	const uri = "https://rp.example/cb?discount=100%"
	e := newEmulator(t, emuOptions{apps: []Application{{ClientID: "bare-percent", RedirectURIs: []string{uri}, AllowImplicitFlow: true}}})
	o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"client_id": "bare-percent", "redirect_uri": uri, "response_mode": "form_post"}, "")
	if o.Mode != "form_post" || o.Target != uri {
		t.Fatalf("answer %s, want form_post to %s", o, uri)
	}
	verifyToken(t, o.Params.Get("id_token"), jwks(t, e.srv.JWKSURL(policySignIn)), e.clock.Now, jwt.WithAudience("bare-percent"))
}

// FuzzFormPost: whatever the redirect URI and the values, the form_post page
// posts to exactly the redirect URI (or is refused, for a URI that does not
// parse or runs script), and each hidden input reads back as written.
//
//	go test -run '^$' -fuzz '^FuzzFormPost$' -fuzztime 20s ./engine/server
func FuzzFormPost(f *testing.F) {
	f.Add("https://rp.example/cb", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "rp-state")
	f.Add("https://rp.example/cb?discount=100%", "AADB2C90273: x\r\nCorrelation ID: 1\r\nTimestamp: 2024-05-01 12:00:00Z\r\n", "")
	f.Add("https://rp.example/cb?q=\"a\"&b='c'<d>", `quotes " and ' and <tags> & ampersands`, "tab\there, lone\rCR, lone\nLF")
	f.Add("com.contoso.app://auth?x=%zz", "\u00fcn\u00efc\u00f8d\u00e9 \u20ac", "&amp;&#13;")
	f.Add("javascript://x/%0aalert(1)", "v", "s")
	s := writerServer(f)
	f.Fuzz(func(t *testing.T, uri, value, state string) {
		uri, _, _ = strings.Cut(uri, "#") // as parseRequest keeps it
		rec := httptest.NewRecorder()
		s.respond(rec, httptest.NewRequest(http.MethodGet, "/", nil), writerSession(uri, "form_post", state), []param{{"id_token", value}})
		if rec.Code != http.StatusOK {
			if u, err := url.Parse(uri); err == nil && !scriptScheme(u) {
				t.Fatalf("redirect URI %q refused: HTTP %d %s", uri, rec.Code, rec.Body)
			}
			return
		}
		action, fields := parseFormPost(t, rec.Body.String())
		if !utf8.ValidString(uri) || !utf8.ValidString(value) || !utf8.ValidString(state) {
			return // a browser decodes the UTF-8 page: invalid bytes become U+FFFD
		}
		if action != uri {
			t.Fatalf("form action %q, want %q", action, uri)
		}
		want := []param{{"id_token", value}}
		if state != "" {
			want = append(want, param{"state", state})
		}
		if len(fields) != len(want) {
			t.Fatalf("fields %q, want %q", fields, want)
		}
		for i, w := range want {
			// A NUL is U+FFFD in the page, as a browser would read a literal one.
			w.Value = strings.ReplaceAll(w.Value, "\x00", "\ufffd")
			if fields[i] != w {
				t.Errorf("field %d = %q, want %q", i, fields[i], w)
			}
		}
	})
}

// FuzzErrorRedirect: an error by query or fragment reaches the redirect URI
// exactly as registered, and error, error_description and state read back
// exactly from the URL.
//
//	go test -run '^$' -fuzz '^FuzzErrorRedirect$' -fuzztime 20s ./engine/server
func FuzzErrorRedirect(f *testing.F) {
	f.Add("https://rp.example/cb", false, "access_denied", "AADB2C90273: An invalid response was received : 'Error: access_denied'", "rp-state")
	f.Add("https://rp.example/cb?x=1&y=%", true, "server_error", "AAD_Custom_1234: My custom error message", "")
	f.Add("https://rp.example/cb?", true, "invalid_request", "The response mode 'web_message' is not supported; use fragment, query or form_post.", "s&t=u#v")
	f.Add("com.contoso.app://auth/cb", false, "unsupported_response_type", "AADB2C90055: ó€ + %2b\r\n", "\x00\xff")
	s := writerServer(f)
	f.Fuzz(func(t *testing.T, uri string, query bool, code, message, state string) {
		uri, _, _ = strings.Cut(uri, "#") // as parseRequest keeps it
		if u, err := url.Parse(uri); err != nil || !u.IsAbs() || u.Host == "" || scriptScheme(u) {
			return // parseRequest refuses it with the emulator's page
		}
		mode := "fragment"
		if query {
			mode = "query"
		}
		ss := writerSession(uri, mode, state)
		e := &profile.Error{Code: code, Message: message}
		rec := httptest.NewRecorder()
		s.respondError(rec, httptest.NewRequest(http.MethodGet, "/", nil), ss, e)
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusFound || !strings.HasPrefix(loc, uri) {
			t.Fatalf("HTTP %d to %q, want 302 to the redirect URI %q", rec.Code, loc, uri)
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatalf("Location %q does not parse: %v", loc, err)
		}
		raw := u.EscapedFragment()
		if query {
			raw = u.RawQuery
		}
		if want := rpParams(ss, s.describe(ss, e), code); !bytes.HasSuffix([]byte(raw), []byte(want)) {
			t.Fatalf("parameters %q, want them to end with %q", raw, want)
		}
		// Read back as the relying party would: our parameters are the last ones.
		pairs := strings.Split(raw, "&")
		names := []string{"error", "error_description"}
		values := []string{code, s.describe(ss, e)}
		if state != "" {
			names, values = append(names, "state"), append(values, state)
		}
		if len(pairs) < len(names) {
			t.Fatalf("parameters %q: want at least %d", raw, len(names))
		}
		for i, p := range pairs[len(pairs)-len(names):] {
			k, v, _ := strings.Cut(p, "=")
			gotK, err1 := url.QueryUnescape(k)
			gotV, err2 := url.QueryUnescape(v)
			if err1 != nil || err2 != nil || gotK != names[i] || gotV != values[i] {
				t.Errorf("parameter %d = %q=%q (%v, %v), want %q=%q", i, gotK, gotV, err1, err2, names[i], values[i])
			}
		}
	})
}

// rpParams is the encoded parameters of an error response.
func rpParams(ss *session, description, code string) string {
	ps := []param{{"error", code}, {"error_description", description}}
	if ss.req.State != "" {
		ps = append(ps, param{"state", ss.req.State})
	}
	return encodeParams(ps)
}
