package oauth1

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Where protocol parameters can travel (RFC 5849 §3.5).
const (
	InHeader = "header" // Authorization: OAuth …
	InQuery  = "query"  // the request URI's query
	InBody   = "body"   // an application/x-www-form-urlencoded body
)

// param is one decoded name/value pair of a request.
type param struct{ name, value string }

// signedRequest is what the server reads from a request before checking it: the protocol
// parameters, where they were, and the signature base string (RFC 5849 §3.4.1).
type signedRequest struct {
	oauth   url.Values // every oauth_ parameter (oauth_signature included), from every place
	in      []string   // the places oauth_ parameters were found, in the order header, query, body
	realm   string
	baseURI string
	base    string // the signature base string; empty when the parameters could not be read
	err     error  // a Problem found while reading: a malformed header, query or body
}

// readSigned collects the parameters of r: the OAuth Authorization header, the query and, when
// form is true, the form-encoded body. trustProto takes the scheme from X-Forwarded-Proto.
func readSigned(r *http.Request, body string, form, trustProto bool) *signedRequest {
	sr := &signedRequest{oauth: url.Values{}, baseURI: baseStringURI(r, trustProto)}
	var params []param // the pairs of §3.4.1.3.1 that are signed
	take := func(place string, pairs []param) {
		found := false
		for _, p := range pairs {
			if strings.HasPrefix(p.name, "oauth_") {
				sr.oauth[p.name] = append(sr.oauth[p.name], p.value)
				found = true
			}
			if p.name != "oauth_signature" {
				params = append(params, p)
			}
		}
		if found {
			sr.in = append(sr.in, place)
		}
	}

	header, realm, err := authorizationParams(r.Header.Values("Authorization"))
	if err != nil && header == nil {
		sr.err = err
		return sr
	}
	sr.err = err // a problem that still leaves the parameters readable, for the record
	sr.realm = realm
	take(InHeader, header)

	query, err := formPairs(r.URL.RawQuery)
	if err != nil {
		sr.err = problem(ProblemParameterRejected, "the query cannot be decoded as application/x-www-form-urlencoded: "+err.Error())
		return sr
	}
	take(InQuery, query)

	if form {
		pairs, err := formPairs(body)
		if err != nil {
			sr.err = problem(ProblemParameterRejected, "the form body cannot be decoded as application/x-www-form-urlencoded: "+err.Error())
			return sr
		}
		take(InBody, pairs)
	}
	sr.base = signatureBase(r.Method, sr.baseURI, params)
	return sr
}

// formPairs decodes an application/x-www-form-urlencoded string into pairs in their order; a
// name without '=' has an empty value (RFC 5849 §3.4.1.3.1: "c2" in the body of its example).
func formPairs(s string) ([]param, error) {
	var out []param
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue
		}
		if strings.Contains(part, ";") {
			return nil, fmt.Errorf("%q holds a ';', which is not a separator here", part)
		}
		k, v, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("name %q: %w", k, err)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("value of %q: %w", name, err)
		}
		out = append(out, param{name, value})
	}
	return out, nil
}

// authorizationParams reads the OAuth Authorization header (RFC 5849 §3.5.1): its parameters,
// decoded, and its realm, which is not signed. Headers of other schemes are ignored. A header
// carrying other than oauth_ parameters is refused but still returned, so that the request's
// base string can be recorded.
func authorizationParams(values []string) ([]param, string, error) {
	var oauthHeaders []string
	for _, v := range values {
		scheme, _, _ := strings.Cut(strings.TrimLeft(v, " \t"), " ")
		if strings.EqualFold(scheme, "OAuth") {
			oauthHeaders = append(oauthHeaders, v)
		}
	}
	switch len(oauthHeaders) {
	case 0:
		return nil, "", nil
	case 1:
	default:
		return nil, "", problem(ProblemParameterRejected, fmt.Sprintf("the request has %d OAuth Authorization headers; send one", len(oauthHeaders)))
	}
	raw := strings.TrimLeft(oauthHeaders[0], " \t")[len("OAuth"):]
	pairs, err := parseAuthParams(raw)
	if err != nil {
		return nil, "", problem(ProblemParameterRejected, "malformed Authorization header: "+err.Error()+` (RFC 5849 §3.5.1: OAuth name="value", name="value", values percent-encoded)`)
	}
	var out []param
	var realm string
	var stray []string
	for _, p := range pairs {
		if p.name == "realm" {
			realm = p.value
			continue
		}
		name, err1 := url.PathUnescape(p.name)
		value, err2 := url.PathUnescape(p.value)
		if err := errors.Join(err1, err2); err != nil {
			return nil, "", problem(ProblemParameterRejected, "malformed percent-encoding in the Authorization header: "+err.Error())
		}
		if !strings.HasPrefix(name, "oauth_") {
			stray = append(stray, name)
		}
		out = append(out, param{name, value})
	}
	if len(stray) > 0 {
		return out, realm, problem(ProblemParameterRejected,
			"the Authorization header carries only realm and oauth_ protocol parameters (RFC 5849 §3.5.1); send "+strings.Join(stray, ", ")+" in the query or body",
			ParamParametersRejected, strings.Join(stray, "&"))
	}
	return out, realm, nil
}

// parseAuthParams splits `name="value", name="value"` (RFC 2617 auth-params as RFC 5849
// §3.5.1 writes them: every value quoted). A backslash escapes the next character inside quotes.
func parseAuthParams(s string) ([]param, error) {
	var out []param
	i := 0
	skipSpace := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	if s != "" && s[0] != ' ' && s[0] != '\t' {
		return nil, errors.New("want a space after OAuth")
	}
	for {
		skipSpace()
		for i < len(s) && s[i] == ',' { // empty list elements are allowed
			i++
			skipSpace()
		}
		if i == len(s) {
			return out, nil
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ',' && s[i] != ' ' && s[i] != '\t' && s[i] != '"' {
			i++
		}
		name := s[start:i]
		if name == "" || i == len(s) || s[i] != '=' {
			return nil, fmt.Errorf("want name=\"value\" at %q", s[start:])
		}
		i++
		if i == len(s) || s[i] != '"' {
			return nil, fmt.Errorf("the value of %s is not quoted", name)
		}
		i++
		var value strings.Builder
		closed := false
		for i < len(s) {
			c := s[i]
			i++
			if c == '\\' && i < len(s) {
				value.WriteByte(s[i])
				i++
				continue
			}
			if c == '"' {
				closed = true
				break
			}
			value.WriteByte(c)
		}
		if !closed {
			return nil, fmt.Errorf("the value of %s has no closing quote", name)
		}
		out = append(out, param{name, value.String()})
		skipSpace()
		if i < len(s) && s[i] != ',' {
			return nil, fmt.Errorf("want a comma after the value of %s, got %q", name, s[i:])
		}
	}
}

// baseStringURI is the base string URI of RFC 5849 §3.4.1.2 for the URL the request reached:
// scheme and host lowercase, the port dropped when it is the scheme's default, the path as
// received, no query.
func baseStringURI(r *http.Request, trustProto bool) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if trustProto {
		p, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
		if p = strings.ToLower(strings.TrimSpace(p)); p == "http" || p == "https" {
			scheme = p
		}
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && i > strings.LastIndexByte(host, ']') {
		if port := host[i+1:]; scheme == "http" && port == "80" || scheme == "https" && port == "443" {
			host = host[:i]
		}
	}
	return scheme + "://" + host + receivedPath(r)
}

// receivedPath is the path of the request target exactly as received, falling back to the
// escaped form of r.URL for requests that were built rather than received.
func receivedPath(r *http.Request) string {
	if target := r.RequestURI; target != "" && target != "*" {
		target, _, _ = strings.Cut(target, "?")
		if !strings.HasPrefix(target, "/") { // absolute-form: scheme://authority/path
			if _, rest, ok := strings.Cut(target, "://"); ok {
				if i := strings.IndexByte(rest, '/'); i >= 0 {
					return rest[i:]
				}
				return "/"
			}
		}
		if target != "" {
			return target
		}
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// signatureBase builds the signature base string of RFC 5849 §3.4.1.1 from the method, the base
// string URI and the signed parameters, normalised as §3.4.1.3.2 says: each name and value
// percent-encoded, sorted by name then value, joined with '=' and '&'.
func signatureBase(method, baseURI string, params []param) string {
	enc := make([]param, len(params))
	for i, p := range params {
		enc[i] = param{PercentEncode(p.name), PercentEncode(p.value)}
	}
	slices.SortFunc(enc, func(a, b param) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	pairs := make([]string, len(enc))
	for i, p := range enc {
		pairs[i] = p.name + "=" + p.value
	}
	return PercentEncode(strings.ToUpper(method)) + "&" + PercentEncode(baseURI) + "&" + PercentEncode(strings.Join(pairs, "&"))
}

// PercentEncode encodes s as RFC 5849 §3.6 requires: every byte of its UTF-8 form except the
// unreserved ALPHA, DIGIT, '-', '.', '_' and '~' becomes %XX with uppercase hex.
func PercentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// signingKey is the HMAC-SHA1 key and the PLAINTEXT signature (RFC 5849 §3.4.2, §3.4.4).
func signingKey(consumerSecret, tokenSecret string) string {
	return PercentEncode(consumerSecret) + "&" + PercentEncode(tokenSecret)
}

// verifySignature checks sig, as sent, against the base string with the consumer's method and
// keys, comparing in constant time.
func verifySignature(method, sig, base string, c Consumer, tokenSecret string) error {
	invalid := func(why string) error {
		return problem(ProblemSignatureInvalid, why+"; the server signed this base string: "+base)
	}
	switch method {
	case HMACSHA1:
		got, err := base64.StdEncoding.Strict().DecodeString(sig)
		if err != nil {
			return invalid("oauth_signature is not base64")
		}
		mac := hmac.New(sha1.New, []byte(signingKey(c.Secret, tokenSecret)))
		mac.Write([]byte(base))
		if !hmac.Equal(got, mac.Sum(nil)) {
			return invalid("the HMAC-SHA1 signature does not match (key: percent-encoded consumer secret & percent-encoded token secret)")
		}
		return nil
	case PLAINTEXT:
		if subtle.ConstantTimeCompare([]byte(sig), []byte(signingKey(c.Secret, tokenSecret))) != 1 {
			return problem(ProblemSignatureInvalid, "the PLAINTEXT signature is not the percent-encoded consumer secret & percent-encoded token secret (RFC 5849 §3.4.4)")
		}
		return nil
	case RSASHA1:
		got, err := base64.StdEncoding.Strict().DecodeString(sig)
		if err != nil {
			return invalid("oauth_signature is not base64")
		}
		keys, err := parseRSAKeys(c.PublicKeyPEM)
		if err != nil {
			return fmt.Errorf("consumer %s: public key: %w", c.Key, err)
		}
		digest := sha1.Sum([]byte(base))
		for _, k := range keys {
			if rsa.VerifyPKCS1v15(k, crypto.SHA1, digest[:], got) == nil {
				return nil
			}
		}
		return invalid("the RSA-SHA1 signature does not verify with the consumer's public key")
	}
	return problem(ProblemSignatureMethodRejected, "unsupported signature method "+method)
}
