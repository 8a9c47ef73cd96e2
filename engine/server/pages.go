package server

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/iefconform/iefconform/engine/profile"
)

//go:embed templates/*.html
var templateFS embed.FS

func parsePages() (*template.Template, error) {
	funcs := template.FuncMap{"valueAttr": valueAttr, "actionAttr": actionAttr, "inputType": inputType}
	return template.New("pages").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
}

// inputType is the HTML input type of a ClaimsSchema UserInputType.
func inputType(userInputType string) string {
	switch userInputType {
	case "EmailBox":
		return "email"
	case "Password":
		return "password"
	}
	return "text"
}

// selfAssertedPage is the self-asserted page's template data.
type selfAssertedPage struct {
	Action string
	Tx     string
	CSRF   string
	// Page numbers the rendering; a post of an older one is a duplicate.
	Page int
	Form *profile.Form
}

// attrEscaper escapes an attribute value, including CR and LF: a browser
// turns a literal CRLF in an attribute into LF, but keeps &#13;&#10;, and B2C's
// error_description lines end with CRLF (spec §5.9).
var attrEscaper = strings.NewReplacer("&", "&amp;", `"`, "&#34;", "'", "&#39;", "<", "&lt;", ">", "&gt;",
	"\r", "&#13;", "\n", "&#10;", "\t", "&#9;", "\x00", "&#xfffd;")

// valueAttr is a form field's value attribute that survives the browser's
// newline normalization.
func valueAttr(v string) template.HTMLAttr {
	return template.HTMLAttr(`value="` + attrEscaper.Replace(v) + `"`)
}

type selectionPage struct {
	Action   string
	Tx       string
	CSRF     string
	Page     int // as selfAssertedPage.Page, for the local account form
	PolicyID string
	Options  []selectionOption
	// Combined marks a CombinedSignInAndSignUp step.
	Combined bool
}

type selectionOption struct {
	ID    string
	Label string
}

type errorPage struct {
	Code          string
	Message       string
	CorrelationID string
	Timestamp     string
}

type signOutPage struct {
	Frames []string
	Target string
}

type formPostPage struct {
	Action string
	Fields []param
}

// actionAttr is a form's action attribute holding the URI exactly, only
// HTML-escaped. html/template would also normalise the URL (a bare '%'
// becomes "%25", a space "%20"), and the relying party would no longer
// receive the response at the URI it registered. Callers keep script URIs
// out (scriptScheme).
func actionAttr(uri string) template.HTMLAttr {
	return template.HTMLAttr(`action="` + attrEscaper.Replace(uri) + `"`)
}

// scriptScheme reports whether u runs script when a browser navigates to it.
func scriptScheme(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "javascript", "vbscript", "data":
		return true
	}
	return false
}

// writeFormPost writes the response_mode=form_post page: a form that posts
// the parameters to the relying party's redirect URI, which is the form's
// action exactly. A URI that does not parse or would run script is refused
// (HTTP 400) before anything is written.
func (s *Server) writeFormPost(w http.ResponseWriter, redirectURI string, ps []param) error {
	if u, err := url.Parse(redirectURI); err != nil || scriptScheme(u) {
		return httpError(http.StatusBadRequest, "", fmt.Sprintf("The redirect_uri '%s' cannot receive a form post.", redirectURI))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, http.StatusOK, "formpost.html", formPostPage{Action: redirectURI, Fields: ps})
	return nil
}

// show renders a page of the journey and keeps it as the session's latest, to
// answer a duplicate post with. Called with ss.mu held.
func (s *Server) show(w http.ResponseWriter, ss *session, name string, data any) {
	ss.shown = shownPage{name: name, data: data}
	s.render(w, http.StatusOK, name, data)
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// A template error after WriteHeader can only be a broken connection.
	_ = s.pages.ExecuteTemplate(w, name, data)
}
