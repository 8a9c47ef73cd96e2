package rest_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/rest"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault string
		check func(t *testing.T, err error)
	}{
		{name: "reset", fault: rest.FaultReset, check: func(t *testing.T, err error) {
			if !errors.Is(err, syscall.ECONNRESET) || !strings.Contains(err.Error(), "reset") {
				t.Errorf("err = %v, want connection reset by peer", err)
			}
		}},
		{name: "close", fault: rest.FaultClose, check: func(t *testing.T, err error) {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want EOF", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, rest.Config{Routes: []rest.Route{
				{Method: "POST", Path: "/f", Responses: []rest.Response{{Fault: tt.fault}, {JSON: map[string]any{"ok": true}}}},
			}})
			_, err := e.HTTP.Do(e.Request("POST", "/f", "application/json", `{"email":"a@contoso.com"}`))
			if err == nil {
				t.Fatal("the request succeeded, want a broken connection")
			}
			tt.check(t, err)
			// the sequence goes on: the second call succeeds
			if r := e.postJSON("/f", `{}`); r.StatusCode != 200 || r.JSON(t)["ok"] != true {
				t.Errorf("second call: %d %s", r.StatusCode, r.Text)
			}
			calls := e.Srv.Calls("/f")
			if len(calls) != 2 || calls[0].Status != 0 || calls[0].Attempt != 1 || calls[1].Status != 200 || calls[1].Attempt != 2 {
				t.Errorf("calls = %+v, want a fault (status 0) then 200", calls)
			}
			if calls[0].JSON["email"] != "a@contoso.com" {
				t.Errorf("the faulted call was not recorded with its body: %+v", calls[0])
			}
		})
	}
}

func TestFaultOverTLS(t *testing.T) {
	e := newTLSEnv(t, rest.Config{Routes: []rest.Route{{Path: "/f", Responses: []rest.Response{{Fault: rest.FaultReset}}}}})
	_, err := e.client().Get(e.ts.URL + "/f")
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("err = %v, want connection reset by peer", err)
	}
}

func TestFaultWithoutHijacker(t *testing.T) {
	srv, err := rest.New(rest.Config{Routes: []rest.Route{{Path: "/f", Responses: []rest.Response{{Fault: rest.FaultClose}}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler (net/http resets the stream)", p)
		}
	}()
	srv.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/f", nil))
	t.Error("the handler returned normally")
}

func TestDelayCutByClientTimeout(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/slow", Responses: []rest.Response{{Delay: time.Hour, Body: "{}"}}}}})
	client := &http.Client{Transport: freshTransport(), Timeout: 50 * time.Millisecond}
	_, err := client.Get(e.TS.URL + "/slow")
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a client timeout", err)
	}
	// the handler gave up too: closing the test server (which waits for handlers) returns,
	// and the call shows that nothing was answered
	e.TS.Close()
	if c := e.lastCall("/slow"); c.Status != 0 || c.Attempt != 1 {
		t.Errorf("call = status %d attempt %d, want 0 and 1", c.Status, c.Attempt)
	}
}

func TestDelayReleasedByClose(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/slow", Responses: []rest.Response{{Delay: time.Hour, Status: 202, Body: `{"late":true}`}}}}})
	if r := kittest.DelayReleasedByClose(t, e.Srv.Handler(), http.MethodGet, "/slow", "", e.Srv.Close); r.StatusCode != 202 || r.Text != `{"late":true}` {
		t.Fatalf("after Close: %d %s, want the 202 at once", r.StatusCode, r.Text)
	}
	if c := e.lastCall("/slow"); c.Status != 202 {
		t.Errorf("call status = %d, want 202", c.Status)
	}
}

func TestDelayThenAnswer(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/d", Responses: []rest.Response{{Delay: 20 * time.Millisecond, JSON: map[string]any{"a": 1}}}}}})
	start := time.Now()
	r := e.get("/d")
	if took := time.Since(start); took < 20*time.Millisecond {
		t.Errorf("answered after %s, want at least the 20ms delay", took)
	}
	if r.StatusCode != 200 || strings.TrimSpace(r.Text) != `{"a":1}` {
		t.Errorf("answer: %d %s", r.StatusCode, r.Text)
	}
}
