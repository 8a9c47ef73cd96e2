package server

import (
	"embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/iefconform/iefconform/engine/profile"
)

//go:embed templates/*.html
var templateFS embed.FS

func parsePages() (*template.Template, error) {
	return template.New("pages").Funcs(template.FuncMap{"valueAttr": valueAttr, "inputType": inputType}).ParseFS(templateFS, "templates/*.html")
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
	Form   *profile.Form
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

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// A template error after WriteHeader can only be a broken connection.
	_ = s.pages.ExecuteTemplate(w, name, data)
}
