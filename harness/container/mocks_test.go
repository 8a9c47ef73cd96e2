package container_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/iefconform/iefconform/harness/clients"
)

// TestStandaloneMocksInContainers: the image runs `iefconform mock oauth2`
// and `iefconform mock oauth1` alone, each with its config file; a real
// client library signs in against each from the host (x/oauth2, and
// dghubble/oauth1 for RFC 5849), and each refuses a wrong secret.
func TestStandaloneMocksInContainers(t *testing.T) {
	needDocker(t)
	cb := clients.NewCallback()
	defer cb.Close()
	for _, tt := range []struct {
		kind, config string
		check        func(context.Context, string, *clients.Callback) error
	}{
		{"oauth2", clients.OAuth2MockConfig(cb.URL()), clients.CheckOAuth2Mock},
		{"oauth1", clients.OAuth1MockConfig(cb.URL()), clients.CheckOAuth1Mock},
	} {
		t.Run(tt.kind, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			ctr, err := testcontainers.Run(ctx, image,
				testcontainers.WithLogger(tclog.TestLogger(t)),
				testcontainers.WithFiles(testcontainers.ContainerFile{Reader: strings.NewReader(tt.config), ContainerFilePath: "/" + tt.kind + ".yaml", FileMode: 0o644}),
				testcontainers.WithCmd("mock", tt.kind, "--config", "/"+tt.kind+".yaml", "--addr", "0.0.0.0:8081", "--admin-token", "mock-test-token"),
				testcontainers.WithExposedPorts("8081/tcp"),
				// scratch has no shell for a port check: any HTTP answer means the mock is up.
				testcontainers.WithWaitStrategy(wait.ForHTTP("/").WithPort("8081/tcp").WithStatusCodeMatcher(func(int) bool { return true })),
			)
			t.Cleanup(func() {
				if err := testcontainers.TerminateContainer(ctr); err != nil {
					t.Errorf("terminate: %v", err)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			base, err := ctr.PortEndpoint(ctx, "8081/tcp", "http")
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.check(ctx, base, cb); err != nil {
				t.Fatal(err)
			}
		})
	}
}
