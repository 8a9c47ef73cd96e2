package oauth2

import (
	"net/http"
	"net/url"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// brand heads every page.
const brand = "Facebook-like mock IdP"

// style is Facebook's blue on grey.
var style = kit.Style{Background: "#f0f2f5", Accent: "#1877f2", PanelRadius: 8}

// pages are the login page, the form_post response, the error page and the signed-out page.
var pages = []kit.Page{
	{Name: "login", Title: "Log in", Content: `<p>Sign in to continue to <strong id="client-id">{{.ClientID}}</strong>.</p>
{{if .Scope}}<p>Requested permissions: <span id="scope">{{.Scope}}</span></p>
{{end}}{{template "login-form" .Login}}`},
	{Name: "formpost", Title: "Returning to the application", Bare: true, Content: `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{title}} - {{brand}}</title></head>
<body>
<form id="response-form" method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><p>JavaScript is off. Select Continue to return to the application.</p><button id="continue" type="submit">Continue</button></noscript>
</form>
<script>document.getElementById("response-form").submit();</script>
</body>
</html>`},
	{Name: "error", Title: "Error", Content: `<p>The request cannot be processed.</p>
<p>Error: <code id="error-code">{{.Code}}</code></p>
<p id="error-description">{{.Description}}</p>`},
	{Name: "logout", Title: "Signed out", Content: `<p id="signed-out">You are signed out.</p>
{{if .Return}}<p><a id="return" href="{{.Return}}">Return to the application</a></p>{{end}}`},
}

func (s *Server) renderLogin(w http.ResponseWriter, ar *authRequest, username, errMsg string) error {
	return s.pages.Render(w, http.StatusOK, "login", map[string]any{
		"ClientID": ar.clientID,
		"Scope":    ar.scope,
		"Login": kit.Login{
			Action: "/authorize", Hidden: kit.Fields(ar.params), Username: username, Error: errMsg,
			Allow: "signin", Deny: "cancel",
		},
	})
}

func (s *Server) renderFormPost(w http.ResponseWriter, action string, params url.Values) error {
	return s.pages.Render(w, http.StatusOK, "formpost", map[string]any{
		"Action": action,
		"Fields": kit.Fields(params),
	})
}

func (s *Server) renderErrorPage(w http.ResponseWriter, e Error) error {
	return s.pages.Render(w, e.status(), "error", map[string]any{"Code": e.Code, "Description": e.Description})
}

// parsedPages are the pages every Server of the package renders: parsed once,
// at the first page any of them shows, since brand, style and pages are fixed.
var parsedPages = kit.NewPages(brand, style, pages...)
