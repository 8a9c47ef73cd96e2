package kit

import (
	"bytes"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sync"
)

// layout is the frame of every page but bare ones: the page's title and the mock's brand, its
// stylesheet, and the brand as heading above the page's content. login-form is the sign-in form
// of the identity providers, with the element ids browser steps look for.
const layout = `{{define "layout"}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{title}} - {{brand}}</title><style>{{style}}</style></head>
<body>
<main>
<h1>{{brand}}</h1>
{{template "content" .}}
</main>
</body>
</html>
{{end}}

{{define "login-form"}}{{if .Error}}<p id="error" role="alert">{{.Error}}</p>
{{end}}<form id="login-form" method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="{{.Username}}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button id="signin" type="submit" name="action" value="{{.Allow}}">Sign in</button>
<button id="cancel" type="submit" name="action" value="{{.Deny}}" formnovalidate>Cancel</button>
</form>{{end}}`

// Page is one HTML page of a mock.
type Page struct {
	Name string
	// Title comes before the mock's brand in the page's title.
	Title string
	// Content is the html/template text of the page under the brand heading. It may show the
	// login form with {{template "login-form" .Login}} given a Login, and use {{title}} and
	// {{brand}}.
	Content string
	// Bare makes Content the whole document, without the layout: for example a page that
	// submits itself.
	Bare bool
}

// Login is the data of the login form: where it posts, the hidden fields it replays, the
// username typed so far, an error to show above it, and the action values of its sign-in and
// cancel buttons.
type Login struct {
	Action      string
	Hidden      []Field
	Username    string
	Error       string
	Allow, Deny string
}

// Field is one hidden form input.
type Field struct{ Name, Value string }

// Fields lists v as hidden inputs, by name.
func Fields(v url.Values) []Field {
	var out []Field
	for _, k := range slices.Sorted(maps.Keys(v)) {
		for _, val := range v[k] {
			out = append(out, Field{k, val})
		}
	}
	return out
}

// Style is a mock's look: the page background, the accent color of the heading and the sign-in
// button, and the corner radius of the page's panel and of its buttons (0: the browser's).
type Style struct {
	Background, Accent        string
	PanelRadius, ButtonRadius int
}

// css is the stylesheet of s.
func (s Style) css() string {
	button := ""
	if s.ButtonRadius > 0 {
		button = fmt.Sprintf(";border-radius:%dpx", s.ButtonRadius)
	}
	return fmt.Sprintf(`body{font-family:Helvetica,Arial,sans-serif;background:%s;margin:0}
main{max-width:380px;margin:60px auto;background:#fff;padding:24px;border-radius:%dpx;box-shadow:0 2px 8px rgba(0,0,0,.15)}
h1{color:%s;font-size:24px}label{display:block;margin-top:12px}input{width:100%%;padding:8px;box-sizing:border-box}
button{margin-top:16px;padding:8px 16px%s}#signin{background:%s;color:#fff;border:0}#error{color:#c00}`,
		s.Background, s.PanelRadius, s.Accent, button, s.Accent)
}

// Pages are a mock's pages in its brand and style. It is safe for concurrent use.
type Pages struct {
	parsed func() (map[string]*template.Template, error)
}

// NewPages returns pages in the layout of a mock whose brand (for example "Facebook-like mock
// IdP") heads each page, in its style. They are parsed once, when first rendered.
func NewPages(brand string, style Style, pages ...Page) *Pages {
	return &Pages{parsed: sync.OnceValues(func() (map[string]*template.Template, error) { return parse(brand, style, pages) })}
}

// parse parses pages in the layout.
func parse(brand string, style Style, pages []Page) (map[string]*template.Template, error) {
	css := template.CSS(style.css()) // built here from the mock's own values: trusted
	base, err := template.New("layout").Funcs(template.FuncMap{
		"brand": func() string { return brand },
		"style": func() template.CSS { return css },
		"title": func() string { return "" },
	}).Parse(layout)
	if err != nil {
		return nil, fmt.Errorf("parse page layout: %w", err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("parse %s page: %w", p.Name, err)
		}
		title := p.Title
		t.Funcs(template.FuncMap{"title": func() string { return title }})
		if _, err := t.New("content").Parse(p.Content); err != nil {
			return nil, fmt.Errorf("parse %s page: %w", p.Name, err)
		}
		if p.Bare {
			t = t.Lookup("content")
		}
		out[p.Name] = t
	}
	return out, nil
}

// Render writes the page name with data and status. It executes the page into a buffer first,
// so that a failure (returned, nothing written) never leaves half a page.
func (p *Pages) Render(w http.ResponseWriter, status int, name string, data any) error {
	pages, err := p.parsed()
	if err != nil {
		return err
	}
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("render %s page: no such page", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return fmt.Errorf("render %s page: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
	return nil
}
