package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHostMap(t *testing.T) {
	party := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.RequestURI())
	}))
	defer party.Close()
	hm, err := newHostMap(map[string]string{"Graph.Facebook.com": party.URL, "www.facebook.com": party.URL + "/fb/"})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"https://www.facebook.com/dialog/oauth?client_id=a%20b": party.URL + "/fb/dialog/oauth?client_id=a%20b",
		"https://WWW.FACEBOOK.COM:443/dialog/oauth":             party.URL + "/fb/dialog/oauth",
		"https://login.example.com/authorize":                   "https://login.example.com/authorize",
		"::not a url":                                           "::not a url",
	} {
		if got := hm.rewrite(in); got != want {
			t.Errorf("rewrite(%q) = %q, want %q", in, got, want)
		}
	}
	c := hm.mapClient(&http.Client{})
	resp, err := c.Get("https://graph.facebook.com/me?fields=id,name")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "/me?fields=id,name" {
		t.Errorf("the mapped request reached %q", body)
	}
	for _, bad := range []map[string]string{{"www.facebook.com": "ftp://x"}, {"a/b": "http://x"}, {"": "http://x"}, {"h": "http://"}} {
		if _, err := newHostMap(bad); err == nil {
			t.Errorf("newHostMap(%v) accepted", bad)
		}
	}
	if got := (hostMap{}).mapClient(http.DefaultClient); got != http.DefaultClient {
		t.Error("an empty map must leave the client alone")
	}
}
