package oauth1

import (
	"crypto/tls"
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"
)

// TestBaseStringURI checks §3.4.1.2 on the URL the request reached: scheme and host lowercase,
// the port dropped only when it is the scheme's own default, the path as received, no query.
func TestBaseStringURI(t *testing.T) {
	tests := []struct {
		name   string
		target string
		host   string
		tls    bool
		proto  string // X-Forwarded-Proto
		trust  bool   // WithForwardedProto
		want   string
	}{
		{"RFC example", "/r%20v/X?id=123", "EXAMPLE.COM:80", false, "", false, "http://example.com/r%20v/X"},
		{"https default port", "/r%20v/X", "www.example.net:443", true, "", false, "https://www.example.net/r%20v/X"},
		{"https on 8080 keeps it", "/", "www.example.net:8080", true, "", false, "https://www.example.net:8080/"},
		{"port 80 is not https's default", "/a", "example.com:80", true, "", false, "https://example.com:80/a"},
		{"port 443 is not http's default", "/a", "example.com:443", false, "", false, "http://example.com:443/a"},
		{"IPv6 host", "/a", "[::1]:80", false, "", false, "http://[::1]/a"},
		{"IPv6 host without port", "/a", "[::1]", false, "", false, "http://[::1]/a"},
		{"path as received", "/1.1/account/verify%5Fcredentials.json", "h", false, "", false, "http://h/1.1/account/verify%5Fcredentials.json"},
		{"path case kept", "/Photos", "H", false, "", false, "http://h/Photos"},
		{"forwarded proto ignored by default", "/a", "h", false, "https", false, "http://h/a"},
		{"forwarded proto trusted", "/a", "h:443", false, "HTTPS", true, "https://h/a"},
		{"forwarded proto list", "/a", "h", true, "http, https", true, "http://h/a"},
		{"forwarded proto junk", "/a", "h", false, "gopher", true, "http://h/a"},
		{"absolute-form target", "http://h/x?y=1", "h", false, "", false, "http://h/x"},
		{"absolute-form target without path", "http://h?y=1", "h", false, "", false, "http://h/"},
		{"built, not received", "/a%2Fb?y=1", "h", false, "", false, "http://h/a%2Fb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.target, nil)
			if tt.name == "built, not received" {
				req.RequestURI = ""
			}
			req.Host = tt.host
			req.TLS = nil
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			if tt.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if got := baseStringURI(req, tt.trust); got != tt.want {
				t.Errorf("baseStringURI = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPercentEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abcXYZ019-._~", "abcXYZ019-._~"},
		{"a b+c", "a%20b%2Bc"},
		{"=%3D", "%3D%253D"},
		{"é", "%C3%A9"},
		{"!*'();:@&=+$,/?#[]", "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := PercentEncode(tt.in); got != tt.want {
			t.Errorf("PercentEncode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseAuthParams(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []param
		wantErr bool
	}{
		{"plain", ` a="1", b="2"`, []param{{"a", "1"}, {"b", "2"}}, false},
		{"folded whitespace", " \ta=\"1\",\t  b=\"\" ,c=\"3\"", []param{{"a", "1"}, {"b", ""}, {"c", "3"}}, false},
		{"empty elements", ` a="1",, ,b="2",`, []param{{"a", "1"}, {"b", "2"}}, false},
		{"quoted escape", ` realm="a\"b,c"`, []param{{"realm", `a"b,c`}}, false},
		{"nothing", ``, nil, false},
		{"unquoted", ` a=1`, nil, true},
		{"no closing quote", ` a="1`, nil, true},
		{"missing comma", ` a="1" b="2"`, nil, true},
		{"no value", ` a`, nil, true},
		{"no space after scheme", `a="1"`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAuthParams(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSignatureBaseSortsByNameThenValue(t *testing.T) {
	got := signatureBase("get", "http://h/p", []param{{"b", "2"}, {"a", "z"}, {"a", "Z"}, {"a", "a b"}, {"a", ""}})
	want := "GET&http%3A%2F%2Fh%2Fp&a%3D%26a%3DZ%26a%3Da%2520b%26a%3Dz%26b%3D2"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFormPairs(t *testing.T) {
	got, err := formPairs("c2&a3=2+q&=x&&c%40=")
	want := []param{{"c2", ""}, {"a3", "2 q"}, {"", "x"}, {"c@", ""}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %q (%v), want %q", got, err, want)
	}
	for _, bad := range []string{"a=%zz", "a=1;b=2", "%g=1"} {
		if _, err := formPairs(bad); err == nil {
			t.Errorf("formPairs(%q): no error", bad)
		}
	}
}

func TestProblemIs(t *testing.T) {
	p := problem(ProblemNonceUsed, "seen", ParamParametersAbsent, "x")
	if !errors.Is(p, ErrNonceUsed) || errors.Is(p, ErrTokenRejected) {
		t.Errorf("errors.Is by name failed for %v", p)
	}
	if p.Error() != "nonce_used: seen" || ErrNonceUsed.Error() != "nonce_used" {
		t.Errorf("Error() = %q, %q", p.Error(), ErrNonceUsed.Error())
	}
	if got := problemBody(p); got != "oauth_problem=nonce_used&oauth_problem_advice=seen&oauth_parameters_absent=x" {
		t.Errorf("problemBody = %q", got)
	}
}

// FuzzReadSigned checks that no Authorization header, query or body makes reading a request
// panic, and that a readable request always has a base string.
func FuzzReadSigned(f *testing.F) {
	f.Add(`OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_nonce="7d8f3e4a"`, "b5=%3D%253D&a3=a&c%40=&a2=r%20b", "c2&a3=2+q")
	f.Add(`OAuth a="\`, "a=%zz", "=;=")
	f.Add(`oauth  ,,, x="", , realm="a\"b"`, "", "&&")
	f.Fuzz(func(t *testing.T, header, query, body string) {
		req := httptest.NewRequest("POST", "http://h/p", nil)
		req.URL.RawQuery = query
		req.Header.Set("Authorization", header)
		sr := readSigned(req, body, true, false)
		if sr.err == nil && sr.base == "" {
			t.Errorf("no error and no base string for %q %q %q", header, query, body)
		}
	})
}
