package kit

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/iefconform/iefconform/mocks/adminauth"
)

// WriteJSON writes v as a JSON response that no cache keeps (RFC 6749 §5.1: Cache-Control
// no-store, Pragma no-cache). A value that cannot be marshalled is answered with 500
// {"error":"server_error"}; mocks marshal only values they built.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	WriteBody(w, status, "application/json; charset=utf-8", append(b, '\n'))
}

// WriteBody writes a response of contentType that no cache keeps.
func WriteBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// ErrorBody is an RFC 6749 §5.2 error body: {"error": code, "error_description": description},
// the description left out when empty.
func ErrorBody(code, description string) map[string]string {
	body := map[string]string{"error": code}
	if description != "" {
		body["error_description"] = description
	}
	return body
}

// ErrorText is the text of a mock's error: "code: detail", or the code alone.
func ErrorText(code, detail string) string {
	if detail == "" {
		return code
	}
	return code + ": " + detail
}

// Challenge renders a WWW-Authenticate value: scheme realm="realm" followed by the name, value
// pairs of params, each value kept inside its quoted-string by QuoteSafe.
func Challenge(scheme, realm string, params ...string) string {
	var b strings.Builder
	b.WriteString(scheme + ` realm="` + QuoteSafe(realm) + `"`)
	for i := 0; i+1 < len(params); i += 2 {
		b.WriteString(", " + params[i] + `="` + QuoteSafe(params[i+1]) + `"`)
	}
	return b.String()
}

// QuoteSafe keeps a value inside a quoted-string: RFC 6750 §3 allows %x20-21 / %x23-5B /
// %x5D-7E, and every other byte becomes a space.
func QuoteSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return ' '
		}
		return r
	}, s)
}

// BearerToken returns the token of an Authorization: Bearer header (the scheme in any case),
// and whether there was such a header.
func BearerToken(r *http.Request) (string, bool) { return adminauth.BearerToken(r) }

// Equal compares two secrets in constant time, their lengths included.
func Equal(got, want string) bool { return adminauth.Equal(got, want) }
