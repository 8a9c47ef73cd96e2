package extension_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/extension"
)

func TestNewEntry(t *testing.T) {
	tests := []struct {
		name string
		out  *extension.Outcome
		f    *extension.Failure
		want extension.Entry
	}{
		{
			name: "success",
			out:  &extension.Outcome{HTTPStatus: 200, Duration: 120 * time.Millisecond, Retries: 1, Attempts: 2},
			want: extension.Entry{CorrelationID: "c", Time: now, AppID: "a", ExtensionID: "e", Status: "success", HTTPStatus: 200, Duration: 120 * time.Millisecond, Retries: 1},
		},
		{
			name: "failure",
			f:    &extension.Failure{Code: 1003005, Name: "CustomExtensionTimedOut", Duration: 2 * time.Second, Retries: 1},
			want: extension.Entry{CorrelationID: "c", Time: now, AppID: "a", ExtensionID: "e", Status: "failure", Code: 1003005, Name: "CustomExtensionTimedOut", Duration: 2 * time.Second, Retries: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := extension.NewEntry(now, "c", "a", "e", tt.out, tt.f); got != tt.want {
				t.Errorf("want %+v, got %+v", tt.want, got)
			}
		})
	}
}

func TestSignInLogFromCalls(t *testing.T) {
	f := newFake(t, sequence(answer(500, "application/json", ""), okJSON(claimsBody(`{}`)), answer(200, "text/plain", "x")))
	b := mustResolve(t, baseConfig(f.url()))
	c := newCaller(t, f)
	var log extension.SignInLog
	for _, id := range []string{"one", "two"} {
		out, fail := c.Call(context.Background(), b, extension.Input{CorrelationID: id, TenantID: tenantID})
		log.Add(extension.NewEntry(now, id, clientAppID, b.Extension.ID, out, fail))
	}
	one, two := log.ByCorrelationID("one"), log.ByCorrelationID("two")
	if len(one) != 1 || one[0].Status != "success" || one[0].Retries != 1 || one[0].HTTPStatus != 200 {
		t.Errorf("one: want a success after 1 retry, got %+v", one)
	}
	if len(two) != 1 || two[0].Status != "failure" || two[0].Code != 1003006 || two[0].Name != "CustomExtensionInvalidResponseContentType" {
		t.Errorf("two: want 1003006, got %+v", two)
	}
}

func TestSignInLogConcurrent(t *testing.T) {
	var log extension.SignInLog
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			id := fmt.Sprintf("corr-%d", i%4)
			log.Add(extension.Entry{CorrelationID: id, Status: "success"})
			_ = log.ByCorrelationID(id)
			_ = log.All()
		})
	}
	wg.Wait()
	if n := len(log.All()); n != 20 {
		t.Errorf("want 20 entries, got %d", n)
	}
	if n := len(log.ByCorrelationID("corr-1")); n != 5 {
		t.Errorf("want 5 entries of corr-1, got %d", n)
	}
	all := log.All()
	all[0].CorrelationID = "changed"
	if log.All()[0].CorrelationID == "changed" {
		t.Error("All shares its slice with the log")
	}
	if got := log.ByCorrelationID("none"); got == nil || len(got) != 0 {
		t.Errorf("want an empty, non-nil list, got %#v", got)
	}
}

func TestSignInLogHandler(t *testing.T) {
	var log extension.SignInLog
	e1 := extension.Entry{CorrelationID: "c1", Time: now, AppID: clientAppID, ExtensionID: extensionID, Status: "failure",
		Code: 1003005, Name: "CustomExtensionTimedOut", Duration: 2500 * time.Millisecond, Retries: 1}
	e2 := extension.Entry{CorrelationID: "c1", Time: now.Add(time.Second), AppID: clientAppID, ExtensionID: extensionID, Status: "success",
		HTTPStatus: 200, Duration: 80 * time.Millisecond}
	log.Add(e1)
	log.Add(extension.Entry{CorrelationID: "c2", Status: "success"})
	log.Add(e2)
	srv := httptest.NewServer(log.Handler())
	t.Cleanup(srv.Close)

	tests := []struct {
		name       string
		method     string
		query      string
		wantStatus int
		wantBody   string // JSON; "" for not checked
	}{
		{
			name: "entries of a sign-in", method: "GET", query: "?correlationId=c1", wantStatus: 200,
			wantBody: `[
			  {"correlationId":"c1","time":"2024-05-01T12:00:00Z","appId":"` + clientAppID + `","extensionId":"` + extensionID + `","status":"failure","code":1003005,"name":"CustomExtensionTimedOut","durationMs":2500,"retries":1},
			  {"correlationId":"c1","time":"2024-05-01T12:00:01Z","appId":"` + clientAppID + `","extensionId":"` + extensionID + `","status":"success","httpStatus":200,"durationMs":80,"retries":0}
			]`,
		},
		{name: "unknown sign-in", method: "GET", query: "?correlationId=nope", wantStatus: 200, wantBody: `[]`},
		{name: "no correlationId", method: "GET", query: "", wantStatus: 400},
		{name: "empty correlationId", method: "GET", query: "?correlationId=", wantStatus: 400},
		{name: "POST", method: "POST", query: "?correlationId=c1", wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("want %d, got %d", tt.wantStatus, resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("want JSON, got %q", ct)
			}
			var got any
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if tt.wantStatus != 200 {
				if m, ok := got.(map[string]any); !ok || m["error"] != "invalid_request" {
					t.Errorf("want an invalid_request error, got %v", got)
				}
				return
			}
			var want any
			if err := json.Unmarshal([]byte(tt.wantBody), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("want %v, got %v", want, got)
			}
		})
	}
	t.Run("round trip", func(t *testing.T) {
		data, err := json.Marshal([]extension.Entry{e1, e2})
		if err != nil {
			t.Fatal(err)
		}
		var back []extension.Entry
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, []extension.Entry{e1, e2}) {
			t.Errorf("want %+v, got %+v", []extension.Entry{e1, e2}, back)
		}
	})
}
