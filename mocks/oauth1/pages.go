package oauth1

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
)

const pageStyle = `body{font-family:Helvetica,Arial,sans-serif;background:#f5f8fa;margin:0}
main{max-width:380px;margin:60px auto;background:#fff;padding:24px;border-radius:12px;box-shadow:0 2px 8px rgba(0,0,0,.15)}
h1{color:#1da1f2;font-size:24px}label{display:block;margin-top:12px}input{width:100%;padding:8px;box-sizing:border-box}
button{margin-top:16px;padding:8px 16px;border-radius:16px}#signin{background:#1da1f2;color:#fff;border:0}#error{color:#c00}`

const pagesText = `
{{define "login"}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Authorize access - Twitter-like mock IdP</title><style>{{.Style}}</style></head>
<body>
<main>
<h1>Twitter-like mock IdP</h1>
<p>Authorize <strong id="consumer-key">{{.ConsumerKey}}</strong> to use your account?</p>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
<form id="login-form" method="post" action="/oauth/authorize">
<input type="hidden" name="oauth_token" value="{{.Token}}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="{{.Username}}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button id="signin" type="submit" name="action" value="allow">Sign in</button>
<button id="cancel" type="submit" name="action" value="deny" formnovalidate>Cancel</button>
</form>
</main>
</body>
</html>
{{end}}

{{define "verifier"}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>PIN - Twitter-like mock IdP</title><style>{{.Style}}</style></head>
<body>
<main>
<h1>Twitter-like mock IdP</h1>
<p>You authorized <strong id="consumer-key">{{.ConsumerKey}}</strong>. Enter this PIN in the application:</p>
<p><code id="oauth-verifier">{{.Verifier}}</code></p>
</main>
</body>
</html>
{{end}}

{{define "denied"}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Access denied - Twitter-like mock IdP</title><style>{{.Style}}</style></head>
<body>
<main>
<h1>Twitter-like mock IdP</h1>
<p id="denied">You did not authorize <strong id="consumer-key">{{.ConsumerKey}}</strong>.</p>
</main>
</body>
</html>
{{end}}

{{define "error"}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Error - Twitter-like mock IdP</title><style>{{.Style}}</style></head>
<body>
<main>
<h1>Twitter-like mock IdP</h1>
<p id="error" role="alert">{{.Message}}</p>
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

func (s *Server) renderLogin(w http.ResponseWriter, token, consumerKey, username, errMsg string) error {
	return s.renderPage(w, http.StatusOK, "login", map[string]any{
		"Style":       pageStyleCSS(),
		"Token":       token,
		"ConsumerKey": consumerKey,
		"Username":    username,
		"Error":       errMsg,
	})
}

func (s *Server) renderErrorPage(w http.ResponseWriter, e pageError) error {
	return s.renderPage(w, e.Status, "error", map[string]any{"Style": pageStyleCSS(), "Message": e.Message})
}

// pageStyleCSS marks the package's own stylesheet as safe for a <style> element.
func pageStyleCSS() template.CSS { return template.CSS(pageStyle) }
