package kit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestServe(t *testing.T) {
	b, _ := newBase("mock", testConfig{})
	serve := func(resp Response, ct string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		if _, err := b.Serve(rec, httptest.NewRequest("GET", "/", nil), resp, ct); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	if rec := serve(Response{Body: "x"}, "text/html"); rec.Code != 200 || rec.Header().Get("Content-Type") != "text/html" || rec.Body.String() != "x" {
		t.Errorf("defaults: %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
	if rec := serve(Response{Status: 201, Header: map[string]string{"content-type": "text/plain"}, JSON: []int{1}}, "application/json"); rec.Code != 201 || rec.Header().Get("Content-Type") != "text/plain" || rec.Body.String() != "[1]" {
		t.Errorf("JSON with a Content-Type header: %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
	if _, err := b.Serve(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), Response{JSON: func() {}}, ""); err == nil {
		t.Error("a body that does not marshal: no error")
	}

	// a delay ends with the client (nothing written) or with Close (the answer written at once)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	if status, err := b.Serve(rec, httptest.NewRequest("GET", "/", nil).WithContext(ctx), Response{Delay: time.Hour}, ""); status != 0 || err != nil || rec.Body.Len() != 0 {
		t.Errorf("client gone: %d %v %q", status, err, rec.Body)
	}
	b.Close()
	b.Close()
	if rec := serve(Response{Delay: time.Hour, Body: "late"}, ""); rec.Body.String() != "late" {
		t.Errorf("after Close: %q", rec.Body)
	}
}

func TestServeFault(t *testing.T) {
	b, _ := newBase("mock", testConfig{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := b.Serve(w, r, Response{Fault: FaultClose}, ""); err != nil {
			t.Error(err)
		}
	}))
	defer ts.Close()
	_, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get(ts.URL)
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want EOF", err)
	}
}
