package journal

import (
	"net/url"
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

// redactMap returns a copy of m (query or form values, or a header) whose secret values are
// replaced, keeping every key and the number of values under it so that presence and
// repetition can still be asserted.
func redactMap[M ~map[string][]string](m M) M {
	if m == nil {
		return nil
	}
	out := make(M, len(m))
	for k, vs := range m {
		out[k] = redactList(k, vs)
	}
	return out
}

func redactList(key string, vs []string) []string {
	out := make([]string, len(vs))
	if !Redact(key) {
		copy(out, vs)
		return out
	}
	for i := range out {
		out[i] = Redacted
	}
	return out
}

// redactRawQuery replaces secret values in a raw query string while keeping the order and the
// encoding of every other parameter, so the journal shows the query as it was sent.
func redactRawQuery(raw string) string {
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
		if hasValue && Redact(name) {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}
