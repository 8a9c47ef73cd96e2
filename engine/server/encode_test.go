package server

import (
	"net/url"
	"testing"
)

// TestURLEncode checks urlEncode against .NET's HttpUtility.UrlEncode (spec §0.2).
func TestURLEncode(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"letters and digits kept", "AZaz09", "AZaz09"},
		{"space becomes plus", "a b", "a+b"},
		{"plus is escaped", "a+b", "a%2bb"},
		{"CRLF lowercase hex", "\r\n", "%0d%0a"},
		{"colon", "a:b", "a%3ab"},
		{"slash", "https://x/y", "https%3a%2f%2fx%2fy"},
		{"unreserved .NET set kept", "-_.!*()", "-_.!*()"},
		{"tilde escaped", "~", "%7e"},
		{"ampersand equals question", "&=?#", "%26%3d%3f%23"},
		{"percent", "%", "%25"},
		{"quote and apostrophe", `"'`, "%22%27"},
		{"UTF-8 bytes escaped in lowercase", "ó€", "%c3%b3%e2%82%ac"},
		{"NUL and DEL", "\x00\x7f", "%00%7f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := urlEncode(tt.in)
			if got != tt.want {
				t.Fatalf("urlEncode(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// Whatever the encoding, a standard decoder gets the input back.
			back, err := url.QueryUnescape(got)
			if err != nil || back != tt.in {
				t.Fatalf("QueryUnescape(%q) = %q, %v; want %q", got, back, err, tt.in)
			}
		})
	}
}

// TestEncodeParamsSeed000 is seed 000's exact wire example (ERR-01, spec §5.9/§6.3).
func TestEncodeParamsSeed000(t *testing.T) {
	ps := []param{
		{"error", "access_denied"},
		{"error_description", "AAD_Custom_1234: My custom error message\r\nCorrelation ID: 233bf9bd-747a-4800-9062-6236f3f69a47\r\nTimestamp: 2021-03-25 14:01:23Z\r\n"},
	}
	const want = `error=access_denied&error_description=AAD_Custom_1234%3a+My+custom+error+message%0d%0aCorrelation+ID%3a+233bf9bd-747a-4800-9062-6236f3f69a47%0d%0aTimestamp%3a+2021-03-25+14%3a01%3a23Z%0d%0a`
	if got := encodeParams(ps); got != want {
		t.Fatalf("encodeParams:\n got %s\nwant %s", got, want)
	}
}

func TestEncodeParamsKeepsOrder(t *testing.T) {
	got := encodeParams([]param{{"z", "1"}, {"a", "2 3"}, {"state", "s&t"}})
	if want := "z=1&a=2+3&state=s%26t"; got != want {
		t.Fatalf("encodeParams = %q, want %q", got, want)
	}
	if got := encodeParams(nil); got != "" {
		t.Fatalf("encodeParams(nil) = %q, want empty", got)
	}
}
