package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// servingCLI is `iefconform serve` run through execute, as a user runs it.
type servingCLI struct {
	out    string // what serve printed up to its ready line
	stderr *lockedBuffer
	cancel context.CancelFunc
	done   chan int
	rest   chan string
	once   sync.Once
	code   int
	tail   string
}

// startServeCLI runs the command line args until serve prints its ready line.
func startServeCLI(t *testing.T, args ...string) *servingCLI {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	sv := &servingCLI{stderr: &lockedBuffer{}, cancel: cancel, done: make(chan int, 1), rest: make(chan string, 1)}
	go func() {
		code := execute(ctx, args, pw, sv.stderr)
		pw.Close()
		sv.done <- code
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var printed strings.Builder
	deadline := time.After(30 * time.Second)
	for ready := false; !ready; {
		select {
		case l, ok := <-lines:
			if !ok {
				cancel()
				t.Fatalf("serve ended before it was ready (status %d):\n%s\nstderr:\n%s", <-sv.done, printed.String(), sv.stderr.String())
			}
			printed.WriteString(l + "\n")
			ready = strings.HasPrefix(l, "Press Ctrl+C")
		case <-deadline:
			cancel()
			t.Fatalf("serve printed no ready line within 30s:\n%s\nstderr:\n%s", printed.String(), sv.stderr.String())
		}
	}
	go func() {
		var b strings.Builder
		for l := range lines {
			b.WriteString(l + "\n")
		}
		sv.rest <- b.String()
	}()
	sv.out = printed.String()
	t.Cleanup(func() { sv.stop() })
	return sv
}

// stop cancels serve and returns its exit status and what it printed after
// its ready line; called again, it returns the same.
func (sv *servingCLI) stop() (int, string) {
	sv.once.Do(func() {
		sv.cancel()
		select {
		case sv.code = <-sv.done:
			sv.tail = <-sv.rest
		case <-time.After(10 * time.Second):
			sv.code, sv.tail = -1, "serve did not stop within 10s of cancel"
		}
	})
	return sv.code, sv.tail
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestServeConfig: serve --config starts every party on the file's fixed
// ports, with its users and applications, and prints them all.
func TestServeConfig(t *testing.T) {
	dir := t.TempDir()
	var ports []string
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, ln.Addr().String())
		ln.Close()
	}
	cfg := writeFile(t, dir, "stack.yaml", fmt.Sprintf(`# a stack for the test
policy: facebook
parties:
  b2c: %s
  twitter: %s
  rp: %s
users:
  facebook:
    - {username: bob, password: builder, claims: {id: "42", email: bob@example.com}}
  twitter:
    - {username: carol, password: secret, userID: "1234", email: carol@example.com}
applications:
  - {clientId: my-app, redirectUris: ["http://localhost:5000/signin-oidc"], secret: dev}
settings:
  Tenant: contoso.onmicrosoft.com
`, ports[0], ports[1], ports[2]))
	sv := startServeCLI(t, "serve", "--config", cfg)
	for _, want := range []string{
		"emulator (B2C)                     http://" + ports[0],
		"Twitter (mock OAuth 1.0a IdP)      http://" + ports[1],
		"relying party                      http://" + ports[2],
		"facebook user     bob / builder", "twitter user      carol / secret", "alice / wonderland",
		"application      my-app",
	} {
		if !strings.Contains(sv.out, strings.Join(strings.Fields(want), " ")) && !strings.Contains(squeeze(sv.out), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("serve's output lacks %q:\n%s", want, sv.out)
		}
	}
	resp, err := http.Get("http://" + ports[0] + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the emulator at the file's address: HTTP %d", resp.StatusCode)
	}
}

// squeeze collapses runs of spaces, as tabwriter's columns vary.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestServeConfigProblems: every problem of a config file is reported at once
// as FILE:LINE, with exit status 2, before anything starts.
func TestServeConfigProblems(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	for _, tt := range []struct {
		name, file string
		want       []string
	}{
		{"invalid YAML", "policy: facebook\nparties: [\n", []string{"stack.yaml:2: did not find expected node content"}},
		{"unknown key", "policy: facebook\npolices: ./p\n", []string{"stack.yaml:2: field polices not found"}},
		{"unknown party", "parties:\n  b2c: 127.0.0.1:0\n  facebok: 127.0.0.1:0\n", []string{`stack.yaml:3: parties: "facebok" is no party; want one of b2c, facebook`}},
		{"missing policy folder", "policy: facebook\npolicies: ./nowhere\n", []string{"stack.yaml:2: policies: "}},
		{"port in use", "parties:\n  twitter: " + busy.Addr().String() + "\n", []string{"stack.yaml:2: parties: twitter: cannot listen on " + busy.Addr().String()}},
		{"not an address", "parties:\n  rp: eight-oh-eight-two\n", []string{`stack.yaml:2: parties: rp: "eight-oh-eight-two" is no HOST:PORT address`}},
		{"users of a party that has none", "users:\n  rest:\n    - {username: a, password: b}\n", []string{`stack.yaml:2: users: "rest" takes no users`}},
		{"a user without a password", "users:\n  facebook:\n    - {username: a}\n", []string{"stack.yaml:3: users: facebook: a user needs a username and a password"}},
		{"an unknown user field", "users:\n  twitter:\n    - {username: a, password: b, userID: \"1\", colour: red}\n", []string{"stack.yaml:2: users: twitter: field colour not found"}},
		{"a bad application", "applications:\n  - {redirectUris: [\"http://a.example/cb\"]}\n", []string{"stack.yaml:2: ", "clientId is empty"}},
		{"every problem at once", "policies: ./nowhere\nparties:\n  facebok: 127.0.0.1:0\nusers:\n  mailbox: []\n",
			[]string{"3 problems", "stack.yaml:1: policies:", `stack.yaml:3: parties: "facebok"`, `stack.yaml:5: users: "mailbox"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, dir, "stack.yaml", tt.file)
			var stdout, stderr lockedBuffer
			code := execute(context.Background(), []string{"serve", "--config", cfg}, &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit status %d, want %d", code, exitUsage)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), strings.Replace(w, "stack.yaml", cfg, 1)) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if strings.Contains(stdout.String(), "running") {
				t.Errorf("serve started:\n%s", stdout.String())
			}
		})
	}
	if code := execute(context.Background(), []string{"serve", "--config", filepath.Join(dir, "missing.yaml")}, io.Discard, io.Discard); code != exitUsage {
		t.Errorf("a missing file: exit status %d, want %d", code, exitUsage)
	}

}

// TestServePartyFlags: --party NAME=HOST:PORT fixes a party's address; a bad
// one is a usage error naming it.
func TestServePartyFlags(t *testing.T) {
	for _, bad := range []string{"facebook", "facebok=127.0.0.1:0", "twitter=nowhere"} {
		var stdout, stderr lockedBuffer
		if code := execute(context.Background(), []string{"serve", "--party", bad}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), bad) {
			t.Errorf("--party %s: status %d, stderr %q", bad, code, stderr.String())
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sv := startServeCLI(t, "serve", "--addr", "127.0.0.1:0", "--party", "mailbox="+addr)
	if !strings.Contains(squeeze(sv.out), "mailbox http://"+addr) {
		t.Errorf("the mailbox is not at %s:\n%s", addr, sv.out)
	}
}

// TestServeConfigAdminTokenOrder: $IEFCONFORM_ADMIN_TOKEN wins over the
// file's adminToken, as a flag does; without it the file's is used.
func TestServeConfigAdminTokenOrder(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "stack.yaml", "adminToken: from-file\n")
	read := func() string {
		t.Helper()
		o := serveOptions{config: cfg, adminToken: os.Getenv(envAdminToken)}
		if err := o.applyServeFile(pflag.NewFlagSet("serve", pflag.ContinueOnError)); err != nil {
			t.Fatal(err)
		}
		return o.adminToken
	}
	t.Setenv(envAdminToken, "")
	if got := read(); got != "from-file" {
		t.Errorf("without the environment: token %q, want the file's", got)
	}
	t.Setenv(envAdminToken, "from-env")
	if got := read(); got != "from-env" {
		t.Errorf("with $%s: token %q, want the environment's", envAdminToken, got)
	}
}
