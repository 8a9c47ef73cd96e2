package kit

import (
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestStyleCSS pins the stylesheets of the identity providers as they were written by hand.
func TestStyleCSS(t *testing.T) {
	tests := []struct {
		style Style
		want  string
	}{
		{Style{Background: "#f0f2f5", Accent: "#1877f2", PanelRadius: 8}, `body{font-family:Helvetica,Arial,sans-serif;background:#f0f2f5;margin:0}
main{max-width:380px;margin:60px auto;background:#fff;padding:24px;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.15)}
h1{color:#1877f2;font-size:24px}label{display:block;margin-top:12px}input{width:100%;padding:8px;box-sizing:border-box}
button{margin-top:16px;padding:8px 16px}#signin{background:#1877f2;color:#fff;border:0}#error{color:#c00}`},
		{Style{Background: "#f5f8fa", Accent: "#1da1f2", PanelRadius: 12, ButtonRadius: 16}, `body{font-family:Helvetica,Arial,sans-serif;background:#f5f8fa;margin:0}
main{max-width:380px;margin:60px auto;background:#fff;padding:24px;border-radius:12px;box-shadow:0 2px 8px rgba(0,0,0,.15)}
h1{color:#1da1f2;font-size:24px}label{display:block;margin-top:12px}input{width:100%;padding:8px;box-sizing:border-box}
button{margin-top:16px;padding:8px 16px;border-radius:16px}#signin{background:#1da1f2;color:#fff;border:0}#error{color:#c00}`},
	}
	for _, tt := range tests {
		if got := tt.style.css(); got != tt.want {
			t.Errorf("css\n got %s\nwant %s", got, tt.want)
		}
	}
}

func TestPages(t *testing.T) {
	p := NewPages("Test IdP", Style{Accent: "#123"},
		Page{Name: "login", Title: "Log in", Content: `<p id="who">{{.Who}}</p>
{{template "login-form" .Login}}`},
		Page{Name: "bare", Title: "Bare", Bare: true, Content: `<title>{{title}} - {{brand}}</title><b>{{.}}</b>`},
	)
	rec := httptest.NewRecorder()
	err := p.Render(rec, 401, "login", map[string]any{"Who": "<alice>", "Login": Login{
		Action: "/authorize", Hidden: Fields(url.Values{"b": {"2", "3"}, "a": {"1"}}), Username: "al", Error: "Incorrect", Allow: "signin", Deny: "cancel",
	}})
	if err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"<title>Log in - Test IdP</title>", "<style>", "color:#123", "<h1>Test IdP</h1>", `<p id="who">&lt;alice&gt;</p>`,
		`<p id="error" role="alert">Incorrect</p>`, `<form id="login-form" method="post" action="/authorize">`,
		`<input type="hidden" name="a" value="1">
<input type="hidden" name="b" value="2">
<input type="hidden" name="b" value="3">`,
		`value="al"`, `<button id="signin" type="submit" name="action" value="signin">`, `<button id="cancel" type="submit" name="action" value="cancel" formnovalidate>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %s:\n%s", want, body)
		}
	}
	if rec.Code != 401 || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" || rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%d %v", rec.Code, rec.Header())
	}

	rec = httptest.NewRecorder()
	if err := p.Render(rec, 200, "bare", "x"); err != nil || rec.Body.String() != "<title>Bare - Test IdP</title><b>x</b>" {
		t.Errorf("bare page: %q %v", rec.Body, err)
	}
	if err := p.Render(httptest.NewRecorder(), 200, "nothing", nil); err == nil {
		t.Error("an unknown page rendered")
	}
	if err := p.Render(httptest.NewRecorder(), 200, "login", map[string]any{"Login": 42}); err == nil {
		t.Error("a page that fails to execute rendered")
	}
	broken := NewPages("b", Style{}, Page{Name: "x", Content: "{{"})
	if err := broken.Render(httptest.NewRecorder(), 200, "x", nil); err == nil || !strings.Contains(err.Error(), "parse x page") {
		t.Errorf("a page that does not parse: %v", err)
	}
	if got := Fields(nil); got != nil || !reflect.DeepEqual(Fields(url.Values{"k": {""}}), []Field{{"k", ""}}) {
		t.Errorf("Fields = %v", got)
	}
}
