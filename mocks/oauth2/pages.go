package oauth2

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
)

const pageStyle = `body{font-family:Helvetica,Arial,sans-serif;background:#f0f2f5;margin:0}
main{max-width:380px;margin:60px auto;background:#fff;padding:24px;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.15)}
h1{color:#1877f2;font-size:24px}label{display:block;margin-top:12px}input{width:100%;padding:8px;box-sizing:border-box}
button{margin-top:16px;padding:8px 16px}#signin{background:#1877f2;color:#fff;border:0}#error{color:#c00}`

const pagesText = `
{{define "login"}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Log in - Facebook-like mock IdP</title><style>{{.Style}}</style></head>
<body>
<main>
<h1>Facebook-like mock IdP</h1>
<p>Sign in to continue to <strong id="client-id">{{.ClientID}}</strong>.</p>
{{if .Scope}}<p>Requested permissions: <span id="scope">{{.Scope}}</span></p>{{end}}
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
<form id="login-form" method="post" action="/authorize">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="{{.Username}}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button id="signin" type="submit" name="action" value="signin">Sign in</button>
<button id="cancel" type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>
</main>
</body>
</html>
{{end}}

{{define "formpost"}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Returning to the application - Facebook-like mock IdP</title></head>
<body>
<form id="response-form" method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><p>JavaScript is off. Select Continue to return to the application.</p><button id="continue" type="submit">Continue</button></noscript>
</form>
<script>document.getElementById("response-form").submit();</script>
</body>
</html>
{{end}}

{{define "error"}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Error - Facebook-like mock IdP</title><style>{{.Style}}</style></head>
<body>
<main>
<h1>Facebook-like mock IdP</h1>
<p>The request cannot be processed.</p>
<p>Error: <code id="error-code">{{.Code}}</code></p>
<p id="error-description">{{.Description}}</p>
</main>
</body>
</html>
{{end}}

{{define "logout"}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Signed out - Facebook-like mock IdP</title><style>{{.Style}}</style></head>
<body>
<main>
<h1>Facebook-like mock IdP</h1>
<p id="signed-out">You are signed out.</p>
{{if .Return}}<p><a id="return" href="{{.Return}}">Return to the application</a></p>{{end}}
</main>
</body>
</html>
{{end}}
`

func parsePages() (*template.Template, error) {
	t, err := template.New("pages").Parse(pagesText)
	if err != nil {
		return nil, fmt.Errorf("parse pages: %w", err)
	}
	return t, nil
}

// field is one hidden form input.
type field struct{ Name, Value string }

// fields lists v as hidden inputs in key order.
func fields(v url.Values) []field {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []field
	for _, k := range keys {
		for _, val := range v[k] {
			out = append(out, field{k, val})
		}
	}
	return out
}

// renderPage executes a page into a buffer first so that a template failure never leaves half a page.
func (s *Server) renderPage(w http.ResponseWriter, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
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

func (s *Server) renderLogin(w http.ResponseWriter, ar *authRequest, username, errMsg string) error {
	return s.renderPage(w, http.StatusOK, "login", map[string]any{
		"Style":    pageStyleCSS(),
		"ClientID": ar.clientID,
		"Scope":    ar.scope,
		"Hidden":   fields(ar.params),
		"Username": username,
		"Error":    errMsg,
	})
}

func (s *Server) renderFormPost(w http.ResponseWriter, action string, params url.Values) error {
	return s.renderPage(w, http.StatusOK, "formpost", map[string]any{
		"Action": action,
		"Fields": fields(params),
	})
}

func (s *Server) renderErrorPage(w http.ResponseWriter, e Error) error {
	return s.renderPage(w, e.status(), "error", map[string]any{
		"Style":       pageStyleCSS(),
		"Code":        e.Code,
		"Description": e.Description,
	})
}

// pageStyleCSS marks the package's own stylesheet as safe for a <style> element.
func pageStyleCSS() template.CSS { return template.CSS(pageStyle) }
