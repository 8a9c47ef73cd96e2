package httpdriver

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func page(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, body)
}

func TestFormsRedirectsAndAutoSubmit(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/start", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "42", Path: "/"})
		http.Redirect(w, r, "/login", http.StatusFound)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, _ *http.Request) {
		page(w, `<form id="login" method="post" action="/submit?x=1">
			<input type="hidden" name="tx" value="abc">
			<input name="user" value="">
			<input type="submit" name="ignored" value="no">
			<button name="action" value="signin">Go</button></form>`)
	})
	mux.HandleFunc("/submit", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("sid"); err != nil || c.Value != "42" {
			http.Error(w, "no cookie", http.StatusBadRequest)
			return
		}
		if r.Method != http.MethodPost || r.URL.Query().Get("x") != "1" || r.PostFormValue("tx") != "abc" ||
			r.PostFormValue("user") != "alice" || r.PostFormValue("action") != "signin" || r.PostForm.Has("ignored") {
			http.Error(w, "bad form: "+r.PostForm.Encode(), http.StatusBadRequest)
			return
		}
		page(w, `<form method="post" action="/done"><input type="hidden" name="code" value="c&d"></form>
			<script>document.forms[0].submit();</script>`)
	})
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<p id="result">code=`+r.PostFormValue("code")+`</p>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c, err := New(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Get(srv.URL + "/start")
	if err != nil {
		t.Fatal(err)
	}
	if p.URL.Path != "/login" {
		t.Fatalf("want the redirect followed to /login, at %s", p.URL)
	}
	f, err := p.Form("login")
	if err != nil {
		t.Fatal(err)
	}
	f.Fields.Set("user", "alice")
	done, err := c.Submit(f, "action", "signin")
	if err != nil {
		t.Fatal(err)
	}
	if got := done.Text("result"); got != "code=c&d" {
		t.Fatalf("want the auto-submitted form followed to /done with code=c&d, got %q (HTTP %d at %s)", got, done.Status, done.URL)
	}
	if _, err := done.Form("login"); !errors.Is(err, ErrNoForm) {
		t.Fatalf("want ErrNoForm, got %v", err)
	}
}

func TestAutoSubmitLoopIsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		page(w, `<form method="post" action="/again"></form><script>document.forms[0].submit()</script>`)
	}))
	defer srv.Close()
	c, _ := New(time.Second)
	if _, err := c.Get(srv.URL); err == nil || !strings.Contains(err.Error(), "auto-submitting") {
		t.Fatalf("want an error about an endless chain of forms, got %v", err)
	}
}

func TestErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"not":"html"}`)
	}))
	c, _ := New(time.Second)
	p, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Form("x"); !errors.Is(err, ErrNoForm) {
		t.Errorf("a JSON page has no forms: want ErrNoForm, got %v", err)
	}
	if p.Text("x") != "" {
		t.Error("a JSON page has no text by id")
	}
	if _, err := c.SignIn(srv.URL, "login-form", map[string]string{"username": "u"}, "signin"); !errors.Is(err, ErrNoForm) {
		t.Errorf("SignIn on a page without the form: want ErrNoForm, got %v", err)
	}
	url := srv.URL
	srv.Close()
	if _, err := c.Get(url); err == nil {
		t.Error("want an error from a closed server")
	}
	if _, err := c.Get("::not a url"); err == nil {
		t.Error("want an error for a malformed URL")
	}
}
