// Package oauth1test provides a fake OAuth 1.0a identity provider
// (Twitter-like) for tests, as net/http/httptest provides test servers. It
// verifies HMAC-SHA1 signatures by RFC 5849 §3.4 on its own: it shares no
// code with the signing library the emulator uses, so a test against it
// checks that library's wire format. The verifier is itself checked against
// the RFC's worked examples.
package oauth1test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Encode is RFC 5849 §3.6 percent-encoding: everything but ALPHA, DIGIT and
// "-._~" as %XX with uppercase hex.
func Encode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// AuthParams reads an `Authorization: OAuth k="v", ...` header (RFC 5849 §3.5.1).
func AuthParams(h string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		return nil, fmt.Errorf("no OAuth Authorization header: %q", h)
	}
	out := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("bad Authorization parameter %q", part)
		}
		k, err1 := url.PathUnescape(k)
		v, err2 := url.PathUnescape(v[1 : len(v)-1])
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("bad Authorization parameter %q: %w", part, err)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("duplicate Authorization parameter %q", k)
		}
		out[k] = v
	}
	return out, nil
}

// BaseString is the signature base string of a request (RFC 5849 §3.4.1):
// method, base string URI (scheme and host lowercase, default port dropped, no
// query) and the normalised query, form-body and header parameters (except
// realm and oauth_signature), each encoded, sorted by name then value. It
// reads a form body.
func BaseString(r *http.Request, scheme string, header map[string]string) string {
	var ps [][2]string
	add := func(vs url.Values) {
		for k, l := range vs {
			for _, v := range l {
				ps = append(ps, [2]string{Encode(k), Encode(v)})
			}
		}
	}
	add(r.URL.Query())
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) == "application/x-www-form-urlencoded" && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		add(form)
	}
	for k, v := range header {
		if k != "realm" && k != "oauth_signature" {
			ps = append(ps, [2]string{Encode(k), Encode(v)})
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i][0] != ps[j][0] {
			return ps[i][0] < ps[j][0]
		}
		return ps[i][1] < ps[j][1]
	})
	pairs := make([]string, len(ps))
	for i, p := range ps {
		pairs[i] = p[0] + "=" + p[1]
	}
	host := strings.ToLower(r.Host)
	scheme = strings.ToLower(scheme)
	if h, port, ok := strings.Cut(host, ":"); ok && (scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = h
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	return strings.ToUpper(r.Method) + "&" + Encode(scheme+"://"+host+path) + "&" + Encode(strings.Join(pairs, "&"))
}

// Sign is HMAC-SHA1 of a base string with the key
// Encode(consumer secret)&Encode(token secret) (RFC 5849 §3.4.2), in base64.
func Sign(base, consumerSecret, tokenSecret string) string {
	m := hmac.New(sha1.New, []byte(Encode(consumerSecret)+"&"+Encode(tokenSecret)))
	m.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Problem is an OAuth Problem Reporting name, sent back as oauth_problem.
type Problem string

func (p Problem) Error() string { return "oauth_problem=" + string(p) }

// Verify checks the signature of r. tokenSecret gives the secret of the
// request's oauth_token (nil: the request must carry none, as a request-token
// call). It returns the Authorization parameters and the base string; its
// error holds a Problem.
func Verify(r *http.Request, scheme, consumerKey, consumerSecret string, tokenSecret func(token string) (string, bool)) (map[string]string, string, error) {
	h, err := AuthParams(r.Header.Get("Authorization"))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", Problem("parameter_absent"), err)
	}
	for _, k := range []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"} {
		if h[k] == "" {
			return h, "", fmt.Errorf("%w: %s", Problem("parameter_absent"), k)
		}
	}
	switch {
	case h["oauth_signature_method"] != "HMAC-SHA1":
		return h, "", Problem("signature_method_rejected")
	case h["oauth_consumer_key"] != consumerKey:
		return h, "", Problem("consumer_key_unknown")
	case h["oauth_version"] != "" && h["oauth_version"] != "1.0":
		return h, "", Problem("version_rejected")
	}
	ts := ""
	if tokenSecret == nil {
		if _, has := h["oauth_token"]; has {
			return h, "", fmt.Errorf("%w: oauth_token in a request-token call", Problem("parameter_rejected"))
		}
	} else {
		var ok bool
		if ts, ok = tokenSecret(h["oauth_token"]); !ok {
			return h, "", Problem("token_rejected")
		}
	}
	base := BaseString(r, scheme, h)
	got, err1 := base64.StdEncoding.DecodeString(h["oauth_signature"])
	want, err2 := base64.StdEncoding.DecodeString(Sign(base, consumerSecret, ts))
	if err1 != nil || err2 != nil || !hmac.Equal(got, want) {
		return h, base, Problem("signature_invalid")
	}
	return h, base, nil
}
