package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/pki"
	mockrest "github.com/iefconform/iefconform/mocks/rest"
)

// certifyServer serves the REST mock's custom claims route over HTTPS with a
// test CA, answering with fault ("" = correct); it returns the URL and a CA file.
func certifyServer(t *testing.T, fault string) (string, string) {
	t.Helper()
	ca, err := pki.NewCA("certify test CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueServer("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	m, err := mockrest.New(mockrest.Config{Routes: []mockrest.Route{{Method: http.MethodPost, Path: "/api/claims",
		Behaviour: mockrest.BehaviourCustomClaims, CustomClaims: &mockrest.CustomClaims{Fault: fault}}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(m.Handler())
	srv.TLS = pki.ServerTLSConfig(cert, nil)
	srv.StartTLS()
	t.Cleanup(func() { m.Close(); srv.Close() })
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL + "/api/claims", caFile
}

func TestCertifyCustomExtension(t *testing.T) {
	tests := []struct {
		fault    string
		wantExit int
		wantCode string
	}{
		{"", exitOK, ""},
		{mockrest.ClaimsFaultStatus500, exitFailure, "1003002"},
		{mockrest.ClaimsFaultTextPlain, exitFailure, "1003006"},
		{mockrest.ClaimsFaultEmptyBody, exitFailure, "1003009"},
		{mockrest.ClaimsFaultNoData, exitFailure, "1003003"},
		{mockrest.ClaimsFaultTwoActions, exitFailure, "1003010"},
		{mockrest.ClaimsFaultWrongActionType, exitFailure, "1003012"},
		{mockrest.ClaimsFaultNullClaims, exitFailure, "1003007"},
		{mockrest.ClaimsFaultEmptyKey, exitFailure, "1003026"},
		{mockrest.ClaimsFaultOversizeClaims, exitFailure, "1003025"},
		{mockrest.ClaimsFaultBooleanClaim, exitFailure, "1003003"},
	}
	for _, tt := range tests {
		name := tt.fault
		if name == "" {
			name = "correct"
		}
		t.Run(name, func(t *testing.T) {
			u, ca := certifyServer(t, tt.fault)
			var out, errOut bytes.Buffer
			code := execute(context.Background(), []string{"certify", "customextension", "--url", u, "--ca", ca}, &out, &errOut)
			if code != tt.wantExit {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantExit, out.String(), errOut.String())
			}
			text := out.String()
			if tt.wantCode == "" {
				if strings.Contains(text, " fail ") || !strings.Contains(text, "meets the custom claims provider contract") {
					t.Errorf("want every check to pass:\n%s", text)
				}
				return
			}
			found := false
			for _, line := range strings.Split(text, "\n") {
				if strings.Contains(line, tt.wantCode) && strings.Contains(line, "fail") {
					found = true
				}
			}
			if !found {
				t.Errorf("want a failed row with code %s:\n%s", tt.wantCode, text)
			}
		})
	}
}

func TestCertifyUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := execute(context.Background(), []string{"certify", "customextension", "--url", "http://plain.example/api"}, &out, &errOut); code != exitUsage {
		t.Fatalf("an http URL: exit %d, want %d (%s)", code, exitUsage, errOut.String())
	}
	u, _ := certifyServer(t, "")
	if code := execute(context.Background(), []string{"certify", "customextension", "--url", u}, &out, &errOut); code != exitFailure {
		t.Fatalf("an untrusted certificate: exit %d, want %d", code, exitFailure)
	}
}
