package server

import (
	"strings"
)

// urlEncode encodes s as .NET's HttpUtility.UrlEncode does, which is what B2C
// puts on the wire (spec §0.2): space becomes '+', hex escapes are lowercase, and
// only letters, digits and -_.!*() stay as they are.
func urlEncode(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '!', c == '*', c == '(', c == ')':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// param is one response parameter; responses keep B2C's parameter order.
type param struct{ Name, Value string }

// encodeParams joins params in order with .NET encoding.
func encodeParams(ps []param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(urlEncode(p.Name))
		b.WriteByte('=')
		b.WriteString(urlEncode(p.Value))
	}
	return b.String()
}

// redirectLocation is where a query or fragment response sends the browser:
// the redirect URI exactly as the relying party registered it, then the
// encoded parameters after '#' (fragment), or after '?' or, when the URI has
// a query already, '&' (query).
func redirectLocation(redirectURI, mode string, ps []param) string {
	enc := encodeParams(ps)
	if mode != "query" {
		return redirectURI + "#" + enc
	}
	_, query, hasQuery := strings.Cut(redirectURI, "?")
	switch {
	case !hasQuery:
		return redirectURI + "?" + enc
	case query == "" || strings.HasSuffix(query, "&"):
		return redirectURI + enc
	}
	return redirectURI + "&" + enc
}
