package adminauth_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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
	if got := adminauth.Check(r, "directory", ""); got == nil || got.Status != 421 {
		t.Errorf("a loopback client for Host %s without a token: %+v, want 421", r.Host, got)
	}
	r.Host = "localhost:8080"
	if got := adminauth.Check(r, "directory", ""); got != nil {
		t.Errorf("a loopback client without a token: %+v, want allowed", got)
	}
	r.Host = "attacker.example"
	if got := adminauth.Check(r, "directory", "s3cret"); got == nil || got.Status != 401 {
		t.Errorf("another Host with a token set and none sent: %+v, want 401", got)
	}
	for header, want := range map[string]int{"": 401, "Bearer wrong": 401, "Basic s3cret": 401, "bearer s3cret": 0} {
		r.Header.Set("Authorization", header)
		got := adminauth.Check(r, "directory", "s3cret")
		if (got == nil) != (want == 0) || (got != nil && got.Status != want) {
			t.Errorf("Authorization %q: %+v, want %d", header, got, want)
		}
	}
}

func TestOwnHost(t *testing.T) {
	local := &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 8080}
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST:1234": true, "127.0.0.1": true, "127.0.0.1:80": true, "127.9.9.9:1": true,
		"[::1]:443": true, "[::1]": true, "::1": true, "192.0.2.7:8080": true,
		"": false, "attacker.example": false, "attacker.example:8080": false, "localhost.attacker.example:80": false,
		"192.0.2.7:9090": false, "192.0.2.8:8080": false, "0.0.0.0:8080": false, "[fe80::1%lo]:1": false,
	} {
		r := httptest.NewRequest("GET", "/_admin/x", nil)
		r.Host = host
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, net.Addr(local)))
		if got := adminauth.OwnHost(r); got != want {
			t.Errorf("OwnHost(Host %q, listening on %s) = %v, want %v", host, local, got, want)
		}
	}
	// Without a local address (a handler called directly) only the loopback names pass.
	r := httptest.NewRequest("GET", "/_admin/x", nil)
	r.Host = "192.0.2.7:8080"
	if adminauth.OwnHost(r) {
		t.Error("OwnHost without a local address took a non-loopback Host")
	}
}

// Over a real listener (what a DNS-rebinding page reaches): the listener's
// own address passes, another name is 421.
func TestCheckHostOverTheNetwork(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refusal := adminauth.Check(r, "test party", ""); refusal != nil {
			http.Error(w, refusal.Message, refusal.Status)
		}
	}))
	defer srv.Close()
	for host, want := range map[string]int{"": 200, "attacker.example:80": 421, "localhost": 200} {
		req, err := http.NewRequest("GET", srv.URL+"/_admin/config", nil)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// TestAllowAndDecodeJSON: a refused request is answered as JSON with a Bearer
// challenge on 401; a body of another type gets 415 and ErrNotJSON, unknown
// fields an error, a JSON body its value.
func TestAllowAndDecodeJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	if adminauth.Allow(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1/_admin/x", nil), "party", "tok") {
		t.Fatal("a request without the token was allowed")
	}
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" || !strings.Contains(rec.Body.String(), `"error_description"`) {
		t.Errorf("refusal: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	post := func(ct, body string) (*httptest.ResponseRecorder, map[string]string, error) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/_admin/x", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		var v map[string]string
		err := adminauth.DecodeJSON(rec, r, 1<<10, &v)
		return rec, v, err
	}
	if rec, _, err := post("text/plain", `{"a":"b"}`); !errors.Is(err, adminauth.ErrNotJSON) || rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %v %d", err, rec.Code)
	}
	if _, v, err := post("application/json; charset=utf-8", `{"a":"b"}`); err != nil || v["a"] != "b" {
		t.Errorf("JSON: %v %v", err, v)
	}
	if _, _, err := post("application/json", strings.Repeat(" ", 2<<10)+`{}`); err == nil {
		t.Error("a body over the limit was read")
	}
}
