package oauth1

import (
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// brand heads every page.
const brand = "Twitter-like mock IdP"

// style is Twitter's light blue, with round buttons.
var style = kit.Style{Background: "#f5f8fa", Accent: "#1da1f2", PanelRadius: 12, ButtonRadius: 16}

// pages are the login page, the PIN page of out-of-band consumers, the page of a denied access
// and the error page.
var pages = []kit.Page{
	{Name: "login", Title: "Authorize access", Content: `<p>Authorize <strong id="consumer-key">{{.ConsumerKey}}</strong> to use your account?</p>
{{template "login-form" .Login}}`},
	{Name: "verifier", Title: "PIN", Content: `<p>You authorized <strong id="consumer-key">{{.ConsumerKey}}</strong>. Enter this PIN in the application:</p>
<p><code id="oauth-verifier">{{.Verifier}}</code></p>`},
	{Name: "denied", Title: "Access denied", Content: `<p id="denied">You did not authorize <strong id="consumer-key">{{.ConsumerKey}}</strong>.</p>`},
	{Name: "error", Title: "Error", Content: `<p id="error" role="alert">{{.Message}}</p>`},
}

func (s *Server) renderLogin(w http.ResponseWriter, token, consumerKey, username, errMsg string) error {
	return s.pages.Render(w, http.StatusOK, "login", map[string]any{
		"ConsumerKey": consumerKey,
		"Login": kit.Login{
			Action: PathAuthorize, Hidden: []kit.Field{{Name: "oauth_token", Value: token}}, Username: username, Error: errMsg,
			Allow: ActionAllow, Deny: ActionDeny,
		},
	})
}

func (s *Server) renderErrorPage(w http.ResponseWriter, e pageError) error {
	return s.pages.Render(w, e.Status, "error", map[string]any{"Message": e.Message})
}

// parsedPages are the pages every Server of the package renders: parsed once,
// at the first page any of them shows, since brand, style and pages are fixed.
var parsedPages = kit.NewPages(brand, style, pages...)
