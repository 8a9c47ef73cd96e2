package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHealth: health exits 0 for a party that answers below 500, and 1 for a
// 5xx, a party that is down or a malformed URL (never 2, which Docker
// reserves).
func TestHealth(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	defer srv.Close()
	for _, tt := range []struct {
		name   string
		status int
		url    string
		want   int
	}{
		{"200", http.StatusOK, srv.URL + "/healthz", exitOK},
		{"404 is an answer", http.StatusNotFound, srv.URL + "/", exitOK},
		{"503 before the policies load", http.StatusServiceUnavailable, srv.URL + "/healthz", exitFailure},
		{"down", http.StatusOK, down.URL, exitFailure},
		{"malformed", http.StatusOK, "http://[::1", exitFailure},
	} {
		status = tt.status
		var stdout, stderr lockedBuffer
		if code := execute(context.Background(), []string{"health", "--timeout", "10s", tt.url}, &stdout, &stderr); code != tt.want {
			t.Errorf("%s: exit %d, want %d (%s)", tt.name, code, tt.want, strings.TrimSpace(stderr.String()))
		}
	}
}
