package oauth2

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

func TestWriteError(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		status    int
		body      string
		challenge string
		logged    bool
	}{
		{"protocol error", oauthError(CodeInvalidGrant, "expired"), 400, `{"error":"invalid_grant","error_description":"expired"}`, "", false},
		{"wrapped protocol error", fmt.Errorf("redeem: %w", oauthError(CodeInvalidGrant, "x")), 400, `{"error":"invalid_grant","error_description":"x"}`, "", false},
		{"bearer challenge", challengeError{err: oauthError(CodeInvalidToken, `bad "token"`), scheme: "Bearer"}, 401,
			`{"error":"invalid_token","error_description":"bad \"token\""}`, `Bearer realm="mock-oauth2", error="invalid_token", error_description="bad  token "`, false},
		{"basic challenge", challengeError{err: oauthError(CodeInvalidClient, "x"), scheme: "Basic"}, 401,
			`{"error":"invalid_client","error_description":"x"}`, `Basic realm="mock-oauth2", charset="UTF-8"`, false},
		{"unknown error", errors.New("disk on fire"), 500, `{"error":"server_error","error_description":"unexpected failure in the mock identity provider"}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			s, err := New(Config{}, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			s.writeError(rec, httptest.NewRequest(http.MethodPost, "/token", nil), tt.err)
			if rec.Code != tt.status || strings.TrimSpace(rec.Body.String()) != tt.body {
				t.Errorf("got %d %s\nwant %d %s", rec.Code, rec.Body, tt.status, tt.body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.challenge)
			}
			if logged := strings.Contains(logs.String(), "disk on fire"); logged != tt.logged {
				t.Errorf("logged = %v, want %v (%s)", logged, tt.logged, logs.String())
			}
		})
	}
}

func TestOversizedBody(t *testing.T) {
	s, err := New(Config{Clients: []Client{{ID: "c", Secret: "s"}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	body := "client_id=c&client_secret=s&pad=" + strings.Repeat("x", kit.MaxBody)
	resp, err := http.Post(ts.URL+"/token", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", resp.StatusCode)
	}
}
