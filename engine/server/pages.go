package server

import (
	"embed"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var templateFS embed.FS

func parsePages() (*template.Template, error) {
	return template.ParseFS(templateFS, "templates/*.html")
}

type selectionPage struct {
	Action   string
	Tx       string
	CSRF     string
	PolicyID string
	Options  []selectionOption
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
