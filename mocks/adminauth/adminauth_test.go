package adminauth_test

import (
	"net/http/httptest"
	"testing"

	"github.com/iefconform/iefconform/mocks/adminauth"
)

func TestLoopback(t *testing.T) {
	for remote, want := range map[string]bool{
		"127.0.0.1:80": true, "127.1.2.3:1": true, "[::1]:443": true, "[::ffff:127.0.0.1]:1": true, "::1": true,
		"192.0.2.1:80": false, "[2001:db8::1]:1": false, "[::ffff:192.0.2.1]:1": false, "": false, "localhost:80": false, "garbage": false,
	} {
		if _, got := adminauth.Loopback(remote); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", remote, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	r := httptest.NewRequest("GET", "/_admin/x", nil)
	r.RemoteAddr = "192.0.2.1:5000"
	if got := adminauth.Check(r, "directory", ""); got == nil || got.Status != 403 {
		t.Errorf("a remote client without a token: %+v, want 403", got)
	}
	r.RemoteAddr = "127.0.0.1:5000"
	if got := adminauth.Check(r, "directory", ""); got != nil {
		t.Errorf("a loopback client without a token: %+v, want allowed", got)
	}
	for header, want := range map[string]int{"": 401, "Bearer wrong": 401, "Basic s3cret": 401, "bearer s3cret": 0} {
		r.Header.Set("Authorization", header)
		got := adminauth.Check(r, "directory", "s3cret")
		if (got == nil) != (want == 0) || (got != nil && got.Status != want) {
			t.Errorf("Authorization %q: %+v, want %d", header, got, want)
		}
	}
}
