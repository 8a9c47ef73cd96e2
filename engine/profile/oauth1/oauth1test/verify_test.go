package oauth1test_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/profile/oauth1/oauth1test"
)

// TestVerifierRFC5849 checks the verifier against the RFC's worked examples,
// so that tests against the Provider cannot pass with a broken verifier.
func TestVerifierRFC5849(t *testing.T) {
	const photosURL = "http://photos.example.net/photos?file=vacation.jpg&size=original"
	// a5 is the OAuth Core 1.0 §A.5 Authorization header, without its realm.
	const a5 = `OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", ` +
		`oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh", oauth_version="1.0"`
	request := func(method, u, header string) *http.Request {
		r := httptest.NewRequest(method, u, nil)
		r.Header.Set("Authorization", header)
		return r
	}
	photos := func(header string) *http.Request { return request(http.MethodGet, photosURL, header) }
	tokens := func(token string) (string, bool) { return "pfkkdhi9sl3r4s00", token == "nnch734d00sl2jdk" }
	tests := []struct {
		name     string
		req      *http.Request
		secret   string
		tokens   func(string) (string, bool)
		wantBase string
		wantErr  oauth1test.Problem
	}{
		{
			name: "photos example (OAuth Core 1.0 §A.5, with oauth_version)",
			req: photos(`OAuth realm="http://photos.example.net/", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ` +
				`oauth_signature_method="HMAC-SHA1", oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", ` +
				`oauth_nonce="kllo9940pd9333jh", oauth_version="1.0"`),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantBase: "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal",
		},
		{
			name: "photos example (RFC 5849 §1.2)",
			req: photos(`OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ` +
				`oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantBase: "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal",
		},
		{
			name:   "wrong token secret",
			req:    photos(a5),
			secret: "kd94hf93k423kf44", tokens: func(string) (string, bool) { return "other", true },
			wantErr: "signature_invalid",
		},
		{
			name:   "wrong consumer secret",
			req:    photos(a5),
			secret: "kd94hf93k423kf45", tokens: tokens,
			wantErr: "signature_invalid",
		},
		{
			name:   "a query parameter the signer left out of the base string",
			req:    request(http.MethodGet, photosURL+"&include_email=true", a5),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantErr: "signature_invalid",
		},
		{
			name:   "another method",
			req:    request(http.MethodPost, photosURL, a5),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantErr: "signature_invalid",
		},
		{
			name:   "another path",
			req:    request(http.MethodGet, "http://photos.example.net/photo?file=vacation.jpg&size=original", a5),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantErr: "signature_invalid",
		},
		{
			name: "unknown token",
			req: photos(`OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="other", oauth_signature_method="HMAC-SHA1", ` +
				`oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh"`),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantErr: "token_rejected",
		},
		{
			name: "PLAINTEXT refused",
			req: photos(`OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="PLAINTEXT", ` +
				`oauth_signature="kd94hf93k423kf44%26pfkkdhi9sl3r4s00", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh"`),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantErr: "signature_method_rejected",
		},
		{
			name:    "no Authorization header",
			req:     httptest.NewRequest(http.MethodGet, "http://photos.example.net/photos", nil),
			secret:  "kd94hf93k423kf44",
			wantErr: "parameter_absent",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base, err := oauth1test.Verify(tt.req, "http", "dpf43f3p2l4k3l03", tt.secret, tt.tokens)
			var p oauth1test.Problem
			if errors.As(err, &p); p != tt.wantErr {
				t.Fatalf("verify = %v, want problem %q", err, tt.wantErr)
			}
			if tt.wantBase != "" && base != tt.wantBase {
				t.Errorf("base string\n got %s\nwant %s", base, tt.wantBase)
			}
		})
	}
	// RFC 5849 §3.4.1.1: the base string of a POST with query and form-body
	// parameters, duplicates, spaces, "@" and an encoded "=" (no secrets are given).
	t.Run("RFC 5849 §3.4.1.1 base string", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h, err := oauth1test.AuthParams(`OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", ` +
			`oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`)
		if err != nil {
			t.Fatal(err)
		}
		const want = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
		if got := oauth1test.BaseString(r, "http", h); got != want {
			t.Errorf("base string\n got %s\nwant %s", got, want)
		}
	})
	t.Run("default ports and case in the base string URI (RFC 5849 §3.4.1.2)", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "https://WWW.Example.NET:443/r%20v/X?id=123", nil)
		if got, want := oauth1test.BaseString(r, "HTTPS", nil), "GET&https%3A%2F%2Fwww.example.net%2Fr%2520v%2FX&id%3D123"; got != want {
			t.Errorf("base string\n got %s\nwant %s", got, want)
		}
		r = httptest.NewRequest(http.MethodGet, "http://example.net:8080/", nil)
		if got, want := oauth1test.BaseString(r, "http", nil), "GET&http%3A%2F%2Fexample.net%3A8080%2F&"; got != want {
			t.Errorf("base string\n got %s\nwant %s", got, want)
		}
	})
}
