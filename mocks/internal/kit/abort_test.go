package kit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAbortWhenGone(t *testing.T) {
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	silent := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	answers := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	for _, c := range []struct {
		name      string
		h         http.Handler
		ctx       context.Context
		wantAbort bool
	}{
		{"silent, client gone", silent, gone, true},
		{"silent, client there", silent, context.Background(), false},
		{"answered, client gone", answers, gone, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got any
			func() {
				defer func() { got = recover() }()
				r := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(c.ctx)
				abortWhenGone(c.h).ServeHTTP(httptest.NewRecorder(), r)
			}()
			if aborted := got == http.ErrAbortHandler; aborted != c.wantAbort || (got != nil && !aborted) {
				t.Fatalf("recovered %v, want abort %v", got, c.wantAbort)
			}
		})
	}
}
