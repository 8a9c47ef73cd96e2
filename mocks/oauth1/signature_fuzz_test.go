package oauth1

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	dg "github.com/dghubble/oauth1"
)

// FuzzSignatureBase signs requests built from fuzzed methods, hosts, paths, queries, form bodies
// and secrets with github.com/dghubble/oauth1, an independent RFC 5849 client, and checks three
// ways that the server reads them as the RFC says: its base string equals one built here from
// the inputs by §3.4.1 (with dghubble's percent-encoding), dghubble's HMAC-SHA1 signature is
// the one of that base string, and the server's verifier accepts the signature.
//
// Inputs dghubble cannot sign as the RFC says are skipped: repeated parameter names (it keeps
// one value of each), port 443 on http (it drops the port whatever the scheme), methods that
// need encoding (it does not encode the method, §3.4.1.1 says to), and queries or bodies that
// do not decode (it signs what decoded; the server refuses them as a Problem).
func FuzzSignatureBase(f *testing.F) {
	// RFC 5849 §3.4.1.1's example request, and requests B2C's OAuth1 technical profile sends
	f.Add("POST", "example.com", uint16(80), "/request", "b5=%3D%253D&a3=a&c%40=&a2=r%20b", "c2&a4=2+q", "j49sk3j29djd", "dh893hdasih9") // a3 made a4: dghubble signs one value a name
	f.Add("GET", "api.twitter.example", uint16(0), "/1.1/account/verify_credentials.json", "include_email=true", "", "consumer secret&+/%é", "token secret")
	f.Add("POST", "Mock.Twitter.Example", uint16(8443), "/oauth/request_token", "", "", "s3cret", "")
	f.Add("get", "h", uint16(80), "/r v/ü", "a=1&b=&=c&d", "x=%FF&y=+", "", "")
	f.Fuzz(func(t *testing.T, method, host string, port uint16, path, query, body, consumerSecret, tokenSecret string) {
		host = strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '-' {
				return r
			}
			return -1
		}, host)
		if host == "" || port == 443 || dg.PercentEncode(method) != method || !validParams(query, body) {
			t.Skip()
		}
		authority := host
		if port != 0 {
			authority += ":" + strconv.Itoa(int(port))
		}
		u := &url.URL{Scheme: "http", Host: authority, Path: "/" + strings.TrimPrefix(path, "/"), RawQuery: query}
		req, err := http.NewRequest(method, u.String(), strings.NewReader(body))
		if err != nil || req.URL.RawQuery != query {
			t.Skip()
		}
		req.URL = u
		if body != "" {
			req.Header.Set("Content-Type", formContentType)
		}

		signed := signWithDghubble(t, req, consumerSecret, tokenSecret)
		header := signed.Header.Get("Authorization")
		oauth := headerParams(t, header)
		sig := oauth.Get("oauth_signature")
		oauth.Del("oauth_signature")

		want := referenceBase(req.Method, u, query, body, oauth)
		sr := readSigned(signed, body, body != "", false)
		if sr.err != nil {
			t.Fatalf("the server cannot read dghubble's request: %v\nAuthorization: %s", sr.err, header)
		}
		if sr.base != want {
			t.Fatalf("base string\n got  %s\n want %s (RFC 5849 §3.4.1)", sr.base, want)
		}
		mac := hmac.New(sha1.New, []byte(dg.PercentEncode(consumerSecret)+"&"+dg.PercentEncode(tokenSecret)))
		mac.Write([]byte(want))
		if got := base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != sig {
			t.Fatalf("dghubble signed another base string than %s", want)
		}
		if err := verifySignature(HMACSHA1, sig, sr.base, Consumer{Key: "c", Secret: consumerSecret}, tokenSecret); err != nil {
			t.Fatalf("the server refuses dghubble's signature: %v", err)
		}
	})
}

// validParams reports whether query and body decode, carry no name twice (across both) and no
// oauth_ parameter.
func validParams(query, body string) bool {
	seen := map[string]bool{}
	for _, s := range []string{query, body} {
		if strings.Contains(s, ";") {
			return false
		}
		v, err := url.ParseQuery(s)
		if err != nil {
			return false
		}
		for name, values := range v {
			if len(values) > 1 || seen[name] || strings.HasPrefix(name, "oauth_") {
				return false
			}
			seen[name] = true
		}
	}
	return true
}

// capturing keeps the request it is given instead of sending it.
type capturing struct{ req *http.Request }

func (c *capturing) RoundTrip(r *http.Request) (*http.Response, error) {
	c.req = r
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
}

// signWithDghubble returns req as dghubble's client signs it with HMAC-SHA1 for an access token.
func signWithDghubble(t *testing.T, req *http.Request, consumerSecret, tokenSecret string) *http.Request {
	t.Helper()
	c := &capturing{}
	cfg := &dg.Config{ConsumerKey: "c", ConsumerSecret: consumerSecret}
	hc := dg.NewClient(context.WithValue(context.Background(), dg.HTTPClient, &http.Client{Transport: c}), cfg, dg.NewToken("t", tokenSecret))
	resp, err := hc.Do(req)
	if err != nil {
		t.Skipf("dghubble does not sign it: %v", err)
	}
	_ = resp.Body.Close()
	return c.req
}

var authParam = regexp.MustCompile(`([^ ,=]+)="([^"]*)"`)

// headerParams decodes the parameters of an OAuth Authorization header.
func headerParams(t *testing.T, header string) url.Values {
	t.Helper()
	if !strings.HasPrefix(header, "OAuth ") {
		t.Fatalf("Authorization = %q, want OAuth", header)
	}
	v := url.Values{}
	for _, m := range authParam.FindAllStringSubmatch(header, -1) {
		value, err := url.PathUnescape(m[2])
		if err != nil {
			t.Fatalf("Authorization %q: %v", header, err)
		}
		v.Set(m[1], value)
	}
	return v
}

// referenceBase builds the signature base string of RFC 5849 §3.4.1 from the request's parts:
// the method in upper case, encoded, the base string URI (scheme and host in lower case, no default
// port, the path as sent) and the normalized parameters (every name and value encoded, sorted
// by name then value, name=value joined with &), each part encoded and joined with &.
func referenceBase(method string, u *url.URL, query, body string, oauth url.Values) string {
	host := strings.ToLower(u.Host)
	host = strings.TrimSuffix(host, ":80")
	uri := strings.ToLower(u.Scheme) + "://" + host + u.EscapedPath()

	var pairs [][2]string
	for _, v := range []url.Values{mustParse(query), mustParse(body), oauth} {
		for name, values := range v {
			for _, value := range values {
				pairs = append(pairs, [2]string{dg.PercentEncode(name), dg.PercentEncode(value)})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int { return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1])) })
	joined := make([]string, len(pairs))
	for i, p := range pairs {
		joined[i] = p[0] + "=" + p[1]
	}
	return dg.PercentEncode(strings.ToUpper(method)) + "&" + dg.PercentEncode(uri) + "&" + dg.PercentEncode(strings.Join(joined, "&"))
}

func mustParse(s string) url.Values {
	v, _ := url.ParseQuery(s) // validParams checked it decodes
	return v
}
