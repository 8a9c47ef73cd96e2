package oauth1

import (
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// brand heads every page.
const brand = "Twitter-like mock IdP"

const pageStyle = `body{font-family:Helvetica,Arial,sans-serif;background:#f5f8fa;margin:0}
main{max-width:380px;margin:60px auto;background:#fff;padding:24px;border-radius:12px;box-shadow:0 2px 8px rgba(0,0,0,.15)}
h1{color:#1da1f2;font-size:24px}label{display:block;margin-top:12px}input{width:100%;padding:8px;box-sizing:border-box}
button{margin-top:16px;padding:8px 16px;border-radius:16px}#signin{background:#1da1f2;color:#fff;border:0}#error{color:#c00}`

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

func parsePages() (*kit.Pages, error) { return kit.NewPages(brand, pageStyle, pages...) }

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
