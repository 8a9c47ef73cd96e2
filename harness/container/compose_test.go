package container_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/harness/browser"
)

// compose runs Docker Compose: `docker compose` (v2) when it answers, else
// `docker-compose` (v1, no --wait), with the project name and environment.
type compose struct {
	argv    []string
	project string
	env     []string
}

func newCompose(t *testing.T, env map[string]string) *compose {
	t.Helper()
	c := &compose{project: fmt.Sprintf("iefconformtest%d", os.Getpid())}
	if exec.Command("docker", "compose", "version").Run() == nil {
		c.argv = []string{"docker", "compose"}
	} else if _, err := exec.LookPath("docker-compose"); err == nil {
		c.argv = []string{"docker-compose"}
	} else {
		t.Skip("skipped: neither `docker compose` nor docker-compose is installed")
	}
	c.env = os.Environ()
	for k, v := range env {
		c.env = append(c.env, k+"="+v)
	}
	return c
}

func (c *compose) run(ctx context.Context, args ...string) (string, error) {
	argv := append(append(append([]string{}, c.argv...), "-p", c.project, "-f", filepath.Join(moduleRoot, "docker-compose.yml")), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// waitHealthy polls the healthcheck of every container of the project, as
// `up --wait` would (Compose v1 has none).
func (c *compose) waitHealthy(ctx context.Context) error {
	for {
		ids, err := c.run(ctx, "ps", "-q")
		if err != nil {
			return fmt.Errorf("compose ps: %v: %s", err, ids)
		}
		healthy := 0
		fields := strings.Fields(ids)
		for _, id := range fields {
			out, err := exec.CommandContext(ctx, "docker", "inspect", "-f", "{{.State.Health.Status}}", id).Output()
			if err == nil && strings.TrimSpace(string(out)) == "healthy" {
				healthy++
			}
		}
		if len(fields) > 0 && healthy == len(fields) {
			return nil
		}
		select {
		case <-ctx.Done():
			logs, _ := c.run(context.Background(), "logs", "--no-color")
			return fmt.Errorf("not healthy: %w\n%s", ctx.Err(), logs)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// TestCompose: the repository's docker-compose.yml starts the stack from the
// image; a browser on this machine signs in through it (the emulator, the
// Facebook mock's login page, the relying party), and it comes down clean.
func TestCompose(t *testing.T) {
	needDocker(t)
	env := map[string]string{"IEFCONFORM_IMAGE": image, "IEFCONFORM_ADMIN_TOKEN": "compose-test-token"}
	for _, name := range []string{"B2C", "FACEBOOK", "LINKEDIN", "CONTOSO", "TWITTER", "REST", "REST_UNTRUSTED", "MAILBOX", "RP"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		env["IEFCONFORM_PORT_"+name] = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
	}
	c := newCompose(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		if out, err := c.run(context.Background(), "down", "-v", "--remove-orphans"); err != nil {
			t.Errorf("compose down: %v: %s", err, out)
		}
	})
	if out, err := c.run(ctx, "up", "-d", "--no-build"); err != nil {
		t.Fatalf("compose up: %v: %s", err, out)
	}
	if err := c.waitHealthy(ctx); err != nil {
		t.Fatal(err)
	}

	emulator := "http://127.0.0.1:" + env["IEFCONFORM_PORT_B2C"]
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, emulator+"/_admin/signin", strings.NewReader(`{"policy": "B2C_1A_signup_signin"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer compose-test-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var begun struct{ URL, State string }
	err = json.NewDecoder(resp.Body).Decode(&begun)
	resp.Body.Close()
	if err != nil || begun.URL == "" {
		t.Fatalf("begin a sign-in: HTTP %d %v", resp.StatusCode, err)
	}

	b, err := browser.Launch(ctx, browser.OptionsFromEnv())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.NewSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Navigate(begun.URL); err != nil {
		t.Fatal(err)
	}
	for sel, text := range map[string]string{"#username": "alice", "#password": "wonderland"} {
		if err := s.Fill(sel, text); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Click("#signin"); err != nil {
		t.Fatal(err)
	}
	rp := "http://127.0.0.1:" + env["IEFCONFORM_PORT_RP"] + "/callback"
	if err := s.WaitURLPrefix(rp); err != nil {
		t.Fatalf("the browser did not reach the relying party %s: %v (at %s)", rp, err, s.URL())
	}
	if got, err := s.Text("#verified"); err != nil || got != "signature and claims verified" {
		html, _ := s.HTML()
		t.Fatalf("the relying party's page says %q (%v):\n%s", got, err, html)
	}
}
