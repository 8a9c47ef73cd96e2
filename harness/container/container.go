// Package container starts the iefconform stack (the emulator and every mock
// party, `iefconform serve`) in a Docker container for a Go team's own tests,
// following testcontainers-go's module conventions:
//
//	ctr, err := container.Run(ctx, "iefconform:dev")
//	defer testcontainers.TerminateContainer(ctr)
//	authority := ctr.AuthorityURL("B2C_1A_signup_signin") // for the app under test
//	err = ctr.AddUser(ctx, "facebook", map[string]any{"username": "bob", "password": "builder"})
//
// Build the image first (Dockerfile at the repository's top):
//
//	CGO_ENABLED=0 go build -o iefconform ./cmd/iefconform && docker build -t iefconform:dev .
//
// Every party listens inside the container on the same port it is published
// on, on the host's 127.0.0.1, picked free at Run: so the URLs the emulator
// writes (issuer, redirects to the identity providers) work from the host's
// browser and application and between the parties alike. The admin APIs are
// guarded by a token made at Run (AdminToken).
//
// On machines whose Docker cannot pull Ryuk, run with
// TESTCONTAINERS_RYUK_DISABLED=true and terminate the container yourself.
package container

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/harness/stack"
	"github.com/iefconform/iefconform/mocks/journal"
)

// DefaultImage is the tag the Dockerfile's documented build gives.
const DefaultImage = "iefconform:dev"

// policiesDir is where WithPolicies mounts the user's policy folder.
const policiesDir = "/policies"

// Container is the running stack.
type Container struct {
	*testcontainers.DockerContainer
	urls       map[string]string // party → base URL on the host
	adminToken string
	client     *http.Client
}

// Run starts the stack from img (DefaultImage when empty) and waits until the
// emulator has loaded its policies. Options are testcontainers-go's
// (testcontainers.WithEnv, ...) and this package's (WithPolicies,
// WithAdminToken).
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	if img == "" {
		img = DefaultImage
	}
	ports, err := freePorts(len(stack.Parties))
	if err != nil {
		return nil, fmt.Errorf("iefconform container: %w", err)
	}
	token, err := randomToken()
	if err != nil {
		return nil, fmt.Errorf("iefconform container: %w", err)
	}
	urls := map[string]string{}
	cmd := []string{"serve"}
	var exposed []string
	bindings := network.PortMap{}
	loopback := netip.MustParseAddr("127.0.0.1")
	for i, party := range stack.Parties {
		p := strconv.Itoa(ports[i])
		cmd = append(cmd, "--party", party+"=0.0.0.0:"+p)
		scheme := "http"
		if party == stack.PartyREST || party == stack.PartyRESTUntrusted {
			scheme = "https" // the REST API is always served over HTTPS
		}
		urls[party] = scheme + "://127.0.0.1:" + p
		exposed = append(exposed, p+"/tcp")
		bindings[network.MustParsePort(p+"/tcp")] = []network.PortBinding{{HostIP: loopback, HostPort: p}}
	}
	b2c := strconv.Itoa(ports[0])
	base := []testcontainers.ContainerCustomizer{
		testcontainers.WithCmd(cmd...),
		testcontainers.WithExposedPorts(exposed...),
		testcontainers.WithEnv(map[string]string{"IEFCONFORM_ADMIN_TOKEN": token}),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			if hc.PortBindings == nil {
				hc.PortBindings = network.PortMap{}
			}
			for k, v := range bindings {
				hc.PortBindings[k] = v
			}
		}),
		testcontainers.WithConfigModifier(func(c *container.Config) {
			// The image's own healthcheck names port 8080; this stack's emulator is elsewhere.
			c.Healthcheck = &container.HealthConfig{
				Test:     []string{"CMD", "/iefconform", "health", "http://127.0.0.1:" + b2c + "/healthz"},
				Interval: time.Second, Timeout: 3 * time.Second, Retries: 60,
			}
		}),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/healthz").WithPort(b2c + "/tcp").WithStartupTimeout(60 * time.Second)),
	}
	ctr, err := testcontainers.Run(ctx, img, append(base, opts...)...)
	var c *Container
	if ctr != nil {
		c = &Container{DockerContainer: ctr, urls: urls, adminToken: token, client: &http.Client{Timeout: 70 * time.Second}}
	}
	if err != nil {
		return c, fmt.Errorf("iefconform container: %w", err)
	}
	// WithAdminToken may have replaced the token in the environment.
	if t, ok := adminTokenFrom(ctx, ctr); ok {
		c.adminToken = t
	}
	return c, nil
}

// WithPolicies mounts the host folder dir and serves its policies: dir
// itself when it holds the *.xml files, else its subfolder policy.
func WithPolicies(dir, policy string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		req.Cmd = append(req.Cmd, "--policies", policiesDir)
		if policy != "" {
			req.Cmd = append(req.Cmd, "--policy", policy)
		}
		prev := req.HostConfigModifier
		req.HostConfigModifier = func(hc *container.HostConfig) {
			if prev != nil {
				prev(hc)
			}
			hc.Binds = append(hc.Binds, dir+":"+policiesDir+":ro")
		}
		return nil
	}
}

// WithAdminToken sets the token the admin APIs take instead of a random one.
func WithAdminToken(token string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"IEFCONFORM_ADMIN_TOKEN": token})
}

// adminTokenFrom reads the admin token the container was started with.
func adminTokenFrom(ctx context.Context, ctr *testcontainers.DockerContainer) (string, bool) {
	info, err := ctr.Inspect(ctx)
	if err != nil || info.Config == nil {
		return "", false
	}
	for _, e := range info.Config.Env {
		if v, ok := strings.CutPrefix(e, "IEFCONFORM_ADMIN_TOKEN="); ok {
			return v, true
		}
	}
	return "", false
}

// EmulatorURL is the emulator's base URL on the host.
func (c *Container) EmulatorURL() string { return c.urls[stack.PartyEmulator] }

// AuthorityURL is the B2C authority of a policy for an application's OpenID
// Connect library: its discovery document is at AuthorityURL +
// "/.well-known/openid-configuration".
func (c *Container) AuthorityURL(policyID string) string {
	return c.EmulatorURL() + "/" + server.DefaultTenant + "/" + strings.ToLower(policyID) + "/v2.0"
}

// MockURL is the base URL on the host of a party by name (stack.Parties:
// facebook, linkedin, contoso, twitter, rest, rest-untrusted, mailbox, rp);
// "" for a name that is no party.
func (c *Container) MockURL(name string) string { return c.urls[name] }

// AdminToken is the Bearer token the admin APIs take.
func (c *Container) AdminToken() string { return c.adminToken }

// AddUser adds an account to a mock identity provider through its admin API:
// for facebook, linkedin and contoso {username, password, claims}; for
// twitter {username, password, userID, screenName, email, claims}.
func (c *Container) AddUser(ctx context.Context, party string, user any) error {
	u := c.MockURL(party)
	if u == "" {
		return fmt.Errorf("iefconform container: add user: no party %q", party)
	}
	return c.admin(ctx, http.MethodPut, u+"/_admin/users", user, nil)
}

// Journal is every request every party received, in order, secrets redacted.
func (c *Container) Journal(ctx context.Context) ([]journal.Entry, error) {
	var out struct {
		Entries []journal.Entry `json:"entries"`
	}
	err := c.admin(ctx, http.MethodGet, c.EmulatorURL()+"/_admin/journal", nil, &out)
	return out.Entries, err
}

// BeginSignIn has the stack's relying party begin a sign-in with policyID
// (an id_token by form_post) and returns the URL to open in a browser and the
// state that names its result.
func (c *Container) BeginSignIn(ctx context.Context, policyID string) (authorizeURL, state string, err error) {
	var out struct{ URL, State string }
	if err := c.admin(ctx, http.MethodPost, c.EmulatorURL()+"/_admin/signin", map[string]string{"policy": policyID}, &out); err != nil {
		return "", "", err
	}
	return out.URL, out.State, nil
}

// Result is what the relying party received for a sign-in.
type Result struct {
	Mode             string
	Error            string
	ErrorDescription string
	IDToken          string
	VerifyError      string
	Claims           map[string]any
}

// WaitResult waits up to wait (at most 50 s) for what the relying party
// receives for state; its code and tokens come redacted, its id_token and
// claims as sent.
func (c *Container) WaitResult(ctx context.Context, state string, wait time.Duration) (Result, error) {
	var r Result
	err := c.admin(ctx, http.MethodGet, c.EmulatorURL()+"/_admin/results/"+state+"?wait="+wait.String(), nil, &r)
	return r, err
}

// admin sends one admin API request with the token; in is sent as JSON and
// a 2xx answer decoded into out.
func (c *Container) admin(ctx context.Context, method, u string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("iefconform container: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("iefconform container: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.adminToken)
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("iefconform container: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("iefconform container: %s %s: %w", method, u, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("iefconform container: %s %s: HTTP %d: %s", method, u, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("iefconform container: %s %s: %w", method, u, err)
		}
	}
	return nil
}

// freePorts reserves n free loopback ports and releases them for the
// container to take.
func freePorts(n int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", errors.New("admin token: " + err.Error())
	}
	return hex.EncodeToString(b), nil
}
