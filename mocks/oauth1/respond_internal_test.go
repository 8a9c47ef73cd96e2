package oauth1

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestWriteErrorUnexpected: an error of no known kind is answered with 500 server_error and is
// the only kind logged.
func TestWriteErrorUnexpected(t *testing.T) {
	var logs bytes.Buffer
	s, err := New(Config{}, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	s.writeError(w, httptest.NewRequest("GET", "/x", nil), errors.New("boom"))
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), `"error":"server_error"`) {
		t.Errorf("%d %s", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("not logged: %q", logs.String())
	}

	logs.Reset()
	w = httptest.NewRecorder()
	s.writeError(w, httptest.NewRequest("GET", "/x", nil), problem(ProblemNonceUsed, "again"))
	if w.Code != http.StatusUnauthorized || logs.Len() != 0 {
		t.Errorf("a Problem: %d, logged %q", w.Code, logs.String())
	}
}

// TestNoncesArePruned: nonces are forgotten once their timestamps have left the window.
func TestNoncesArePruned(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s, err := New(Config{TimestampWindow: Duration(time.Minute)}, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	ts := "1700000000"
	k := nonceKey{"c", "t", "n", ts}
	if err := s.useNonce(k, ts, now); err != nil {
		t.Fatal(err)
	}
	if err := s.useNonce(k, ts, now.Add(time.Minute)); !errors.Is(err, ErrNonceUsed) {
		t.Errorf("replay at the edge of the window: %v", err)
	}
	if err := s.useNonce(nonceKey{"c", "t", "other", ts}, ts, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	_, kept := s.nonces[k]
	n := len(s.nonces)
	s.mu.Unlock()
	if kept || n != 1 {
		t.Errorf("after the window: first nonce kept = %v, %d nonces", kept, n)
	}
}
