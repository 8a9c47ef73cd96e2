package rest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/iefconform/iefconform/mocks/rest"
)

// TestConcurrentCalls sends many calls to one server while the Go API changes routes and reads
// calls; run it with -race. Every call gets a distinct attempt number.
func TestConcurrentCalls(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{
		{Method: "POST", Path: "/loyalty", Behaviour: rest.BehaviourLoyaltyNumber},
		{Method: "GET", Path: "/seq", Responses: []rest.Response{{Status: 500}, {Status: 200}}},
	}})
	client := &http.Client{} // connections shared between goroutines
	defer client.CloseIdleConnections()
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := range n {
		wg.Go(func() {
			email := fmt.Sprintf("user%d@contoso.com", i)
			resp, err := client.Post(e.ts.URL+"/loyalty", "application/json", strings.NewReader(`{"email":"`+email+`"}`))
			if err != nil {
				errs <- err
				return
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), rest.LoyaltyNumber(email)) {
				errs <- fmt.Errorf("%s: %d %s %v", email, resp.StatusCode, body, err)
			}
		})
		wg.Go(func() {
			resp, err := client.Get(e.ts.URL + "/seq")
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
		})
		wg.Go(func() { // the control plane, at the same time
			_ = e.srv.AddRoute(rest.Route{Path: fmt.Sprintf("/extra/%d", i)})
			_ = e.srv.SetResponses("GET", "/seq", rest.Response{Status: 500}, rest.Response{Status: 200})
			_ = e.srv.Calls("/loyalty")
			_, _ = e.srv.LastCall("/seq")
			_ = e.srv.Config()
			_ = e.journal.String()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	calls := e.srv.Calls("/loyalty")
	if len(calls) != n {
		t.Fatalf("loyalty calls = %d, want %d", len(calls), n)
	}
	seen := map[int]bool{}
	for _, c := range calls {
		if seen[c.Attempt] || c.Attempt < 1 || c.Attempt > n {
			t.Errorf("attempt %d repeated or out of range", c.Attempt)
		}
		seen[c.Attempt] = true
	}
	if got := len(e.srv.Routes()); got != 2+n {
		t.Errorf("routes = %d, want %d", got, 2+n)
	}
}
