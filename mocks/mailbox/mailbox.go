// Package mailbox is the mock mail server of a stack: the emulator hands it
// the messages B2C would email (the verification codes of Verified.Email
// claims), and tests read them back by address, through Go (Messages, Code)
// or the admin API (GET /_admin/messages?to=...).
//
// Messages arrive in process (SendMail, which implements the engine's
// profile.Mailer) or over HTTP (POST /messages with a JSON body
// {"to","subject","body"}), so an emulator in another process or container
// can deliver too. Each arrival over HTTP is journaled like any party's
// request; the mailbox keeps every message until Clear.
package mailbox

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kit"
	"github.com/iefconform/iefconform/mocks/journal"
)

// Message is one delivered email.
type Message struct {
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	Time    time.Time `json:"time"`
}

// ErrAddress is a message whose recipient is not one email address.
var ErrAddress = errors.New("the recipient is not an email address")

// Option configures a Server.
type Option func(*Server)

// WithJournal records every request to the mailbox's HTTP routes in j under party ("mailbox" when empty).
func WithJournal(j *journal.Journal, party string) Option {
	return func(s *Server) { kit.Journal(j, party)(s.base) }
}

// WithClock stamps messages with now.
func WithClock(now func() time.Time) Option { return func(s *Server) { kit.Clock(now)(s.base) } }

// WithAdminToken makes the admin API need Authorization: Bearer token.
func WithAdminToken(token string) Option { return func(s *Server) { kit.AdminToken(token)(s.base) } }

// config is the mailbox's (empty) configuration.
type config struct{}

func (config) Validate() error { return nil }

// Server is the mailbox. It is safe for concurrent use.
type Server struct {
	base *kit.Base
	mu   sync.Mutex
	msgs []Message
}

// New returns an empty mailbox.
func New(opts ...Option) *Server {
	s, _ := kit.New("mailbox", config{}, opts, func(b *kit.Base) *Server { return &Server{base: b} }) // an empty config is valid
	return s
}

// SendMail delivers a message (profile.Mailer).
func (s *Server) SendMail(_ context.Context, to, subject, body string) error {
	addr, err := mail.ParseAddress(to)
	if err != nil || addr.Name != "" {
		return ErrAddress
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, Message{To: strings.ToLower(addr.Address), Subject: subject, Body: body, Time: s.base.Now()})
	return nil
}

// Messages returns the messages sent to the address to (case-insensitive),
// oldest first; every message when to is empty.
func (s *Server) Messages(to string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs {
		if to == "" || strings.EqualFold(m.To, strings.TrimSpace(to)) {
			out = append(out, m)
		}
	}
	return out
}

// codePattern finds a verification code in a message body: six digits.
var codePattern = regexp.MustCompile(`\b\d{6}\b`)

// Code is the verification code of the latest message to the address; false
// when none came or it holds no code.
func (s *Server) Code(to string) (string, bool) {
	ms := s.Messages(to)
	if len(ms) == 0 {
		return "", false
	}
	c := codePattern.FindString(ms[len(ms)-1].Body)
	return c, c != ""
}

// Clear forgets every message.
func (s *Server) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
}

// Close ends nothing in flight; it is here for the stack's lifecycle.
func (s *Server) Close() { s.base.Close() }

// Handler serves POST /messages and the admin API: GET /_admin/messages
// (?to= filters) and DELETE /_admin/messages.
func (s *Server) Handler() http.Handler {
	proto := http.NewServeMux()
	proto.HandleFunc("POST /messages", func(w http.ResponseWriter, r *http.Request) {
		var m Message
		if err := kit.DecodeJSON(r, &m); err != nil {
			var e *kit.Error
			if !errors.As(err, &e) {
				e = kit.BadRequest(err.Error())
			}
			kit.WriteJSON(w, e.Status, map[string]string{"error": e.Code, "error_description": e.Message})
			return
		}
		if err := s.SendMail(r.Context(), m.To, m.Subject, m.Body); err != nil {
			kit.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": err.Error()})
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	admin := kit.Admin{
		Routes: []kit.Route{
			kit.Show("/_admin/messages", func(r *http.Request) ([]Message, error) {
				msgs := s.Messages(r.URL.Query().Get("to"))
				if msgs == nil {
					msgs = []Message{}
				}
				return msgs, nil
			}),
			{Method: http.MethodDelete, Path: "/_admin/messages", Serve: func(w http.ResponseWriter, _ *http.Request) error {
				s.Clear()
				w.WriteHeader(http.StatusNoContent)
				return nil
			}},
		},
		Fail: func(w http.ResponseWriter, r *http.Request, err error) {
			var ke *kit.Error
			if errors.As(err, &ke) {
				kit.WriteJSON(w, ke.Status, map[string]string{"error": ke.Code, "error_description": ke.Message})
				return
			}
			s.base.Unexpected(r, err)
			kit.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		},
	}
	return s.base.Handler(proto, admin)
}
