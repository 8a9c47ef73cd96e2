package stack

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/mocks/journal"
)

// envLoadRequests sets how many 1 MiB requests TestMemoryAfterLargeRequests
// sends to each target; CI runs the small default, issue #18's full size is
//
//	IEFCONFORM_LOAD_REQUESTS=1000 go test -run TestMemoryAfterLargeRequests -v ./harness/stack
const envLoadRequests = "IEFCONFORM_LOAD_REQUESTS"

// liveHeap is the heap in use after two collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMemoryAfterLargeRequests (#18 item 5): 1 MiB requests to the emulator
// and to every mock (an unknown path on each, the emulator's authorize and
// token endpoints) leave the live heap within retainedBound of where it
// started: the journal, the mocks' request records and the journeys in
// progress are bounded, and a refused request keeps nothing.
func TestMemoryAfterLargeRequests(t *testing.T) {
	n := 40
	if v := os.Getenv(envLoadRequests); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive number", envLoadRequests, v)
		}
	}
	st, err := Start(Options{Policies: features.FS})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Load("policies/oauth2", PolicyOptions{}); err != nil {
		t.Fatal(err)
	}
	var targets []string
	for name, l := range st.parties {
		targets = append(targets, l.url+"/load/"+name+"/nowhere")
	}
	emu := st.Emulator()
	targets = append(targets, emu.AuthorizeURL("B2C_1A_signup_signin"), emu.TokenURL("B2C_1A_signup_signin"))
	slices.Sort(targets)

	body := "x=" + strings.Repeat("a", 1<<20-2) // exactly 1 MiB
	// The load only needs the bytes delivered; the untrusted REST listener's
	// certificate is not the point here.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	send := func(u string) error {
		resp, err := client.Post(u, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 {
			return fmt.Errorf("POST %s: HTTP %d, want a refusal", u, resp.StatusCode)
		}
		return nil
	}
	for _, u := range targets { // warm up: pools, templates, first allocations
		if err := send(u); err != nil {
			t.Fatal(err)
		}
	}
	before := liveHeap()
	for _, u := range targets {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		sem := make(chan struct{}, 4)
		for range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if err := send(u); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	client.CloseIdleConnections()
	after := liveHeap()
	retained := int64(after) - int64(before)
	t.Logf("%d targets × %d requests of 1 MiB: live heap %d MiB before, %d MiB after (%+d MiB)", len(targets), n, before>>20, after>>20, retained>>20)
	if retained > retainedBound {
		t.Errorf("%d MiB retained after %d MiB of requests, want at most %d MiB (retainedBound)", retained>>20, len(targets)*n, retainedBound>>20)
	}
}

// retainedBound is docs/security.md's bound on what a stack keeps after any
// load with the default limits: the journal's bytes (journal.DefaultMaxBytes)
// and 32 MiB for the rest (journeys in progress, codes, the mocks' records of
// unrouted requests, pools).
const retainedBound = journal.DefaultMaxBytes + 32<<20
