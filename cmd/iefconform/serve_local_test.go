package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/stack"
)

func TestHostMapFrom(t *testing.T) {
	m, err := hostMapFrom([]string{"Login.Example.com=Contoso", "www.facebook.com=linkedin"})
	if err != nil {
		t.Fatal(err)
	}
	if m["login.example.com"] != "contoso" || m["www.facebook.com"] != "linkedin" || m["graph.facebook.com"] != "facebook" {
		t.Errorf("map = %v", m)
	}
	if stack.DefaultHostMap["www.facebook.com"] != stack.PartyFacebook {
		t.Error("hostMapFrom changed the stack's default map")
	}
	for _, bad := range []string{"graph.facebook.com", "=facebook", "graph.facebook.com=", "https://graph.facebook.com=facebook"} {
		if _, err := hostMapFrom([]string{bad}); err == nil {
			t.Errorf("--map-host %q accepted", bad)
		}
	}
}

// TestServeStarterPack: serve runs the public starter pack's folder as it is,
// with a host mapped by --map-host; an unknown party is refused at start.
func TestServeStarterPack(t *testing.T) {
	dir := harness.StarterPackForTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr lockedBuffer
	code := execute(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--policies", dir, "--policy", "SocialAndLocalAccounts",
		"--map-host", "login.example.com=nobody"}, &stdout, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), `no party "nobody"`) {
		t.Fatalf("an unknown party: status %d, stderr:\n%s", code, stderr.String())
	}

	for _, pack := range []string{"LocalAccounts", "SocialAccounts", "SocialAndLocalAccounts", "SocialAndLocalAccountsWithMfa"} {
		o := serveOptions{addr: "127.0.0.1:0", policies: dir, policy: pack, responseMode: "form_post", mapHost: []string{"login.example.com=contoso"}}
		_, out, stop := startServe(t, o)
		stop()
		if !strings.Contains(out, "sign-in link:") {
			t.Errorf("%s: no sign-in link:\n%s", pack, out)
		}
	}
	o := serveOptions{addr: "127.0.0.1:0", policies: dir, policy: "SocialAndLocalAccounts", responseMode: "form_post"}
	_, out, stop := startServe(t, o)
	defer stop()
	m := regexp.MustCompile(`sign-in link: (\S*b2c_1a_signup_signin\S*)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no sign-in link for B2C_1A_signup_signin:\n%s", out)
	}
	if !strings.Contains(out, "mailbox") {
		t.Errorf("serve does not print the mailbox:\n%s", out)
	}
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar}).Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, id := range []string{`id="localAccountForm"`, `id="signInName"`, `id="FacebookExchange"`, `id="createAccount"`} {
		if !strings.Contains(string(page), id) {
			t.Errorf("the sign-in page lacks %s:\n%s", id, page)
		}
	}
}

// TestServeDirectoryFile: serve --directory seeds the directory from a file
// a person wrote; a bad file stops serve with its error.
func TestServeDirectoryFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "directory.json")
	if err := os.WriteFile(good, []byte(`{"users": [{"identities": [{"signInType": "emailAddress", "issuerAssignedId": "bob@example.com"}], "password": "Passw0rd!"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"users": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr lockedBuffer
	if code := execute(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--directory", bad}, &stdout, &stderr); code != exitFailure || !strings.Contains(stderr.String(), "bad.json") {
		t.Fatalf("a bad directory file: status %d, stderr:\n%s", code, stderr.String())
	}
	st, _, stop := startServe(t, serveOptions{addr: "127.0.0.1:0", policy: "facebook", responseMode: "form_post", directory: good})
	defer stop()
	if users := st.Directory.Users(); len(users) != 1 {
		t.Errorf("seeded accounts: %+v", users)
	}
}

// startServe runs serve with o until stop, once it is ready, and returns its
// stack and what it printed by then. A serve that ends or takes more than
// 30 s fails the test, and so does one that stops with an error.
func startServe(t *testing.T, o serveOptions) (st *stack.Stack, out string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	ready := make(chan *stack.Stack, 1)
	o.ready = func(st *stack.Stack) { ready <- st }
	go func() { done <- serve(ctx, o, &stdout, &stderr) }()
	select {
	case st = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve ended: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve was not ready within 30s")
	}
	return st, stdout.String(), func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, stderr.String())
		}
	}
}

// TestServeApplications: --apps and --app register applications, which serve
// lists; a bad registration stops serve before it starts.
func TestServeApplications(t *testing.T) {
	file := filepath.Join(t.TempDir(), "apps.yaml")
	if err := os.WriteFile(file, []byte("applications:\n  - clientId: file-app\n    displayName: From the file\n    redirectUris: [http://localhost:5000/cb]\n    secret: s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, out, stop := startServe(t, serveOptions{addr: "127.0.0.1:0", policy: "facebook", responseMode: "form_post", appsFile: file,
		apps: []string{"client_id=flag-app,redirect_uri=http://localhost:3000,public"}})
	defer stop()
	if !strings.Contains(out, "file-app") || !strings.Contains(out, "flag-app") {
		t.Errorf("serve does not list the applications:\n%s", out)
	}
	if n := len(st.Emulator().Applications()); n != 3 {
		t.Errorf("%d applications, want the relying party's and two", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, args := range [][]string{{"--app", "redirect_uri=http://localhost/cb"}, {"--apps", filepath.Join(t.TempDir(), "none.yaml")}} {
		var stdout, stderr lockedBuffer
		if code := execute(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: status %d, want %d:\n%s", args, code, exitUsage, stderr.String())
		}
	}
}

// TestServeTLS: --tls serves the parties over HTTPS with certificates of the
// CA that --state-dir keeps: a client that trusts ca.pem reaches the
// emulator, and a restart keeps the same CA.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	o := serveOptions{addr: "127.0.0.1:0", policy: "facebook", responseMode: "form_post", tls: true, stateDir: dir}
	st, out, stop := startServe(t, o)
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, filepath.Join(dir, "ca.pem")) || !strings.Contains(out, "NODE_EXTRA_CA_CERTS=") {
		t.Errorf("serve does not say where the CA is:\n%s", out)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	if !strings.HasPrefix(st.EmulatorURL(), "https://") || !strings.HasPrefix(st.FacebookURL(), "https://") {
		t.Fatalf("parties over HTTP: %s %s", st.EmulatorURL(), st.FacebookURL())
	}
	resp, err := client.Get(st.Emulator().MetadataURL("B2C_1A_signup_signin"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("discovery over HTTPS: %d", resp.StatusCode)
	}
	stop()
	_, _, stop = startServe(t, o)
	stop()
	again, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if string(again) != string(caPEM) {
		t.Error("a restart with the same --state-dir made a new CA")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr lockedBuffer
	if code := execute(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--state-dir", dir}, &stdout, &stderr); code != exitUsage {
		t.Errorf("--state-dir without --tls: status %d:\n%s", code, stderr.String())
	}
}
