package journal

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// Redacted replaces the value of every secret header, query parameter and form field in a journal.
const Redacted = "[redacted]"

// Redact reports whether the value under key is a secret that a journal replaces with [Redacted].
// key is a query or form parameter name (client_secret, password, client_assertion, code,
// access_token, refresh_token, id_token, oauth_signature, oauth_token_secret, code_verifier,
// oauth_verifier), a header name (Authorization, Cookie, Set-Cookie, Proxy-Authorization, API key
// headers), or any name containing password, secret, an api key spelling or token (but
// oauth_token, OAuth 1.0a's public temporary token, and token_type); matching ignores case.
// Parties that record by hand use it to apply the same rule.
func Redact(key string) bool {
	k := strings.ToLower(key)
	switch k {
	case "client_secret", "password", "client_assertion", "code", "access_token", "refresh_token",
		"id_token", "oauth_signature", "oauth_token_secret", "code_verifier", "oauth_verifier":
		return true
	case "authorization", "cookie", "set-cookie", "proxy-authorization", "x-functions-key", "x-api-key", "ocp-apim-subscription-key":
		return true
	}
	// Any other name that says it holds a secret: newPassword, reenterPassword,
	// a configured ClaimsEndpointAccessTokenName, an API key header.
	for _, word := range []string{"password", "secret", "apikey", "api-key", "api_key"} {
		if strings.Contains(k, word) {
			return true
		}
	}
	return strings.Contains(k, "token") && k != "oauth_token" && k != "token_type"
}

// Rule is one way of hiding secrets: the value under every name Redact reports, and under each
// of Extra (names a party was configured with, such as an API-key header or an access-token
// parameter; compared without regard to case), becomes Mask. Names stay, so that presence and
// repetition can still be asserted. The journal's rule is Rule{Mask: Redacted}; the mocks' admin
// API applies the same names with its own mask. The zero Rule's Mask is empty.
type Rule struct {
	Mask  string
	Extra []string
}

// journalRule is the rule of every journal entry.
var journalRule = Rule{Mask: Redacted}

// Secret reports whether the value under name is a secret by r.
func (r Rule) Secret(name string) bool {
	return Redact(name) || slices.ContainsFunc(r.Extra, func(x string) bool { return strings.EqualFold(x, name) })
}

// Values returns a copy of m (query or form values, or a header) whose secret values are
// replaced, keeping every key and the number of values under it. Nil stays nil.
func (r Rule) Values(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, vs := range m {
		list := slices.Clone(vs)
		if r.Secret(k) {
			for i := range list {
				list[i] = r.Mask
			}
		}
		out[k] = list
	}
	return out
}

// Query replaces the secret values in a raw query string (or a form-encoded body) while keeping
// the order and the encoding of every other parameter, so that it reads as it was sent.
func (r Rule) Query(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && r.Secret(name) {
			parts[i] = k + "=" + r.Mask
		}
	}
	return strings.Join(parts, "&")
}

// URL replaces the secret values in the query of a path?query string, keeping everything else
// as it was.
func (r Rule) URL(u string) string {
	path, query, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	return path + "?" + r.Query(query)
}

// JSON returns a copy of a decoded JSON value in which every member of every object whose name
// is a secret holds Mask instead of its value (null members stay null). The rest is shared with
// v.
func (r Rule) JSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if e != nil && r.Secret(k) {
				out[k] = r.Mask
				continue
			}
			out[k] = r.JSON(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = r.JSON(e)
		}
		return out
	}
	return v
}

// Body replaces the secrets of a request body: the fields of a form-encoded body (form true), as
// Query does, or the members of a JSON body, as JSON does. A JSON body that holds a secret is
// written again (members sorted by name, numbers as sent); any other body comes back as it was.
func (r Rule) Body(body string, form bool) string {
	if form {
		return r.Query(body)
	}
	trimmed := strings.TrimSpace(body)
	if trimmed == "" || (trimmed[0] != '{' && trimmed[0] != '[') {
		return body
	}
	dec := json.NewDecoder(strings.NewReader(trimmed))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return body
	}
	if !r.hidesIn(v) {
		return body
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(r.JSON(v)) != nil {
		return body
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// hidesIn reports whether v has a non-null member whose name is a secret.
func (r Rule) hidesIn(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if (e != nil && r.Secret(k)) || r.hidesIn(e) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, r.hidesIn)
	}
	return false
}
