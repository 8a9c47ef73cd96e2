package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestMalformedRequests (#18 item 10): a form that does not parse gets the
// emulator's error page (or, at the token endpoint, an RFC 6749 error), in
// words, never Go's own error text.
func TestMalformedRequests(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	tenant := e.base + "/" + DefaultTenant
	policyURL := e.srv.policyURL(policySignIn)
	goText := []string{"invalid URL escape", "mime:", "invalid semicolon", "strconv.", "runtime error"}
	for _, u := range []string{
		e.srv.AuthorizeURL(policySignIn),
		tenant + "/oauth2/authresp",
		policyURL + "/oauth2/authresp",
		policyURL + "/oauth1/authresp",
		policyURL + "/api/selection",
		policyURL + "/api/selfasserted",
		e.srv.TokenURL(policySignIn),
	} {
		for _, c := range []struct{ name, contentType, body, query string }{
			{"bad escape in the body", "application/x-www-form-urlencoded", "a=%zz", ""},
			{"bad escape in the query", "application/x-www-form-urlencoded", "a=b", "?x=%zz"},
			{"bad media type", "application/x-www-form-urlencoded; =x", "a=b", ""},
			{"semicolon in the query", "application/x-www-form-urlencoded", "a=b", "?a=1;b=2"},
		} {
			t.Run(strings.TrimPrefix(u, e.base)+" "+c.name, func(t *testing.T) {
				req, err := http.NewRequest(http.MethodPost, u+c.query, strings.NewReader(c.body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", c.contentType)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body := readBody(t, resp)
				if resp.StatusCode/100 != 4 {
					t.Errorf("HTTP %d, want 4xx", resp.StatusCode)
				}
				for _, g := range goText {
					if strings.Contains(body, g) {
						t.Errorf("HTTP %d answer holds Go's text %q: %.400s", resp.StatusCode, g, body)
					}
				}
				ct := resp.Header.Get("Content-Type")
				if strings.HasSuffix(u, "/token") {
					if !strings.HasPrefix(ct, "application/json") || !strings.Contains(body, `"error":"invalid_request"`) {
						t.Errorf("token endpoint: %s %.300s, want an RFC 6749 invalid_request", ct, body)
					}
				} else if !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, `id="error-message"`) {
					t.Errorf("%s %.300s, want the emulator's error page", ct, body)
				}
			})
		}
	}
}
