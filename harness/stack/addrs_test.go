package stack_test

import (
	"net"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness/stack"
)

// freePorts reserves n loopback ports and releases them for the test to use.
func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, ln.Addr().String())
		defer ln.Close()
	}
	return addrs
}

// TestFixedAddrs: every party listens where Options.Addrs says, as a
// container with published ports needs; a name that is no party is refused.
func TestFixedAddrs(t *testing.T) {
	ports := freePorts(t, len(stack.Parties))
	addrs := map[string]string{}
	for i, p := range stack.Parties {
		addrs[p] = ports[i]
	}
	st, err := stack.Start(stack.Options{Policies: features.FS, Addrs: addrs})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	urls := st.URLs()
	for _, p := range stack.Parties {
		if u := urls[p]; !strings.HasSuffix(u, "://"+addrs[p]) {
			t.Errorf("%s at %q, want %s", p, u, addrs[p])
		}
	}
	if _, err := stack.Start(stack.Options{Policies: features.FS, Addrs: map[string]string{"facebok": "127.0.0.1:0"}}); err == nil || !strings.Contains(err.Error(), `"facebok" is no party`) {
		t.Errorf("a misspelt party: %v", err)
	}
	if _, err := stack.Start(stack.Options{Policies: features.FS, Addrs: map[string]string{stack.PartyTwitter: addrs[stack.PartyTwitter]}}); err == nil || !strings.Contains(err.Error(), "twitter") {
		t.Errorf("a port in use: %v", err)
	}
}
