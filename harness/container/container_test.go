package container_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/iefconform/iefconform/harness/container"
	"github.com/iefconform/iefconform/harness/httpdriver"
)

// image is the iefconform image TestMain built from this checkout; "" with
// skipReason when no Docker engine answers, or with buildErr when the image
// could not be built (which fails every test: on a Docker host a broken
// Dockerfile or build must not pass as skipped).
var (
	image, skipReason, moduleRoot string
	buildErr                      error
)

func TestMain(m *testing.M) {
	// This machine's Docker cannot pull Ryuk, and testcontainers takes a
	// host without a Docker socket of its own for a container: the tests
	// clean up after themselves and reach the published ports on loopback.
	for k, v := range map[string]string{"TESTCONTAINERS_RYUK_DISABLED": "true", "TESTCONTAINERS_HOST_OVERRIDE": "127.0.0.1"} {
		if os.Getenv(k) == "" {
			os.Setenv(k, v)
		}
	}
	code := func() int {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput()
		cancel()
		if err != nil {
			skipReason = fmt.Sprintf("no Docker engine answers (docker info: %v: %s)", err, strings.TrimSpace(string(out)))
			return m.Run()
		}
		img, cleanup, err := buildImage()
		defer cleanup()
		image, buildErr = img, err
		return m.Run()
	}()
	os.Exit(code)
}

// buildImage builds the binary (static) and the image of the repository's
// Dockerfile around it, as the Dockerfile's comment says to.
func buildImage() (string, func(), error) {
	nothing := func() {}
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", nothing, fmt.Errorf("go env GOMOD: %w", err)
	}
	moduleRoot = filepath.Dir(strings.TrimSpace(string(root)))
	dir, err := os.MkdirTemp("", "iefconform-image-")
	if err != nil {
		return "", nothing, err
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "iefconform"), "./cmd/iefconform")
	build.Dir = moduleRoot
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nothing, fmt.Errorf("go build: %v: %s", err, out)
	}
	df, err := os.ReadFile(filepath.Join(moduleRoot, "Dockerfile"))
	if err != nil {
		os.RemoveAll(dir)
		return "", nothing, err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", nothing, err
	}
	tag := fmt.Sprintf("iefconform:test-%d", os.Getpid())
	if out, err := exec.Command("docker", "build", "-q", "-t", tag, dir).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nothing, fmt.Errorf("docker build: %v: %s", err, out)
	}
	os.RemoveAll(dir)
	return tag, func() { _ = exec.Command("docker", "rmi", "-f", tag).Run() }, nil
}

// needDocker skips a test when no Docker engine answers, saying so, and
// fails it when the image could not be built.
func needDocker(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip("skipped: " + skipReason)
	}
	if buildErr != nil {
		t.Fatalf("the image of this checkout: %v", buildErr)
	}
}

// signInOverHTTP opens u in a plain HTTP client and signs in at the
// Facebook mock's login page.
func signInOverHTTP(t *testing.T, u, user, password string) {
	t.Helper()
	c, err := httpdriver.New(30 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(u, "login-form", map[string]string{"username": user, "password": password}, "signin"); err != nil {
		t.Fatal(err)
	}
}

// TestRun: the testcontainers-go module starts the stack, a user is added
// through it, signs in, and the journal shows what crossed the wire.
func TestRun(t *testing.T) {
	needDocker(t)
	ctx := context.Background()
	ctr, err := container.Run(ctx, image, testcontainers.WithLogger(tclog.TestLogger(t)))
	t.Cleanup(func() {
		if err := testcontainers.TerminateContainer(ctr); err != nil {
			t.Errorf("terminate: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ctr.AddUser(ctx, "facebook", map[string]any{"username": "bob", "password": "builder",
		"claims": map[string]any{"id": "42", "first_name": "Bob", "last_name": "Builder", "email": "bob@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if err := ctr.AddUser(ctx, "nowhere", map[string]any{}); err == nil {
		t.Error("a user for a party that does not exist was added")
	}
	u, state, err := ctr.BeginSignIn(ctx, "B2C_1A_signup_signin")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, ctr.EmulatorURL()+"/") {
		t.Errorf("the sign-in starts at %s, not at the emulator %s", u, ctr.EmulatorURL())
	}
	signInOverHTTP(t, u, "bob", "builder")
	res, err := ctr.WaitResult(ctx, state, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.IDToken == "" || res.VerifyError != "" || res.Claims["email"] != "bob@example.com" {
		t.Fatalf("the relying party got %+v", res)
	}
	entries, err := ctr.Journal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tokenCall bool
	for _, e := range entries {
		if e.Party == "facebook" && e.Method == "POST" && e.Form.Get("client_secret") != "" {
			tokenCall = true
			if e.Form.Get("client_secret") != "[redacted]" {
				t.Errorf("the journal shows the client secret: %q", e.Form.Get("client_secret"))
			}
		}
	}
	if !tokenCall {
		t.Errorf("the journal holds no token call to facebook: %d entries", len(entries))
	}
	if doc := get(t, ctr.AuthorityURL("B2C_1A_signup_signin")+"/.well-known/openid-configuration"); !strings.Contains(doc, `"issuer"`) {
		t.Errorf("discovery at the authority: %s", doc)
	}
}

// get fetches u and returns its body.
func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkRun: testcontainers-go Run to ready (the emulator's /healthz
// answers 200), then Terminate, with the image already built.
//
//	go test -run '^$' -bench BenchmarkRun -benchtime=5x ./harness/container
func BenchmarkRun(b *testing.B) {
	if skipReason != "" {
		b.Skip("skipped: " + skipReason)
	}
	if buildErr != nil {
		b.Fatalf("the image of this checkout: %v", buildErr)
	}
	ctx := context.Background()
	var ready time.Duration
	for range b.N {
		start := time.Now()
		ctr, err := container.Run(ctx, image, testcontainers.WithLogger(tclog.TestLogger(b)))
		ready += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if err := testcontainers.TerminateContainer(ctr); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(ready.Milliseconds())/float64(b.N), "ms-to-ready")
}
