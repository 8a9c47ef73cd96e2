package oauth1_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/oauth1"
)

// TestRFC5849BaseStringExample sends RFC 5849 §3.4.1.1's example request, with the RFC's
// folded header whitespace, and compares the base string the server computed with the RFC's
// byte for byte. The RFC does not give the secrets behind its signature, so only the base string
// is checked; the example is served as the claims endpoint at /request, which takes GET only.
func TestRFC5849BaseStringExample(t *testing.T) {
	cfg := oauth1.Config{
		Consumers:  []oauth1.Consumer{{Key: "9djdj82h48djs9d2", Secret: "unknown"}},
		ClaimsPath: "/request",
	}
	srv, err := oauth1.New(cfg, oauth1.WithClock(func() time.Time { return time.Unix(137131201, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "OAuth realm=\"Example\","+
		"\t oauth_consumer_key=\"9djdj82h48djs9d2\",  oauth_token=\"kkk9d7dh3k39sjv7\",\t"+
		"oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131201\", oauth_nonce=\"7d8f3e4a\","+
		" oauth_signature=\"bYT5CMsGcbgUdFHObYMEfcx6bsw%3D\"")
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("status = %d, want 405 (the claims endpoint takes GET)", w.Code)
	}

	last, ok := srv.LastRequest(oauth1.EndpointClaims)
	if !ok {
		t.Fatal("the request was not recorded")
	}
	const want = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
	if last.BaseString != want {
		t.Errorf("base string\n got %s\nwant %s", last.BaseString, want)
	}
	if last.BaseURI != "http://example.com/request" || last.Realm != "Example" || !reflect.DeepEqual(last.OAuthIn, []string{oauth1.InHeader}) {
		t.Errorf("baseURI %q, realm %q, oauthIn %v", last.BaseURI, last.Realm, last.OAuthIn)
	}
	if got := last.OAuth.Get("oauth_signature"); got != "bYT5CMsGcbgUdFHObYMEfcx6bsw=" {
		t.Errorf("decoded oauth_signature = %q", got)
	}
	if last.Body != "c2&a3=2+q" || last.Form.Get("a3") != "2 q" {
		t.Errorf("body %q, form %v", last.Body, last.Form)
	}
}

// TestPhotosExamples verifies, through the HTTP handler at a fixed clock, the photos requests
// whose signatures the specifications give: RFC 5849 §1.2's and OAuth Core 1.0 Appendix A.5's
// (the one with oauth_version=1.0 and signature tR3+Ty81lMeYAr/Fid0kMTYa/WM=).
func TestPhotosExamples(t *testing.T) {
	tests := []struct {
		name      string
		timestamp int64
		header    string
		wantBase  string
	}{
		{
			name:      "RFC 5849 section 1.2",
			timestamp: 137131202,
			header: `OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ` +
				`oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", ` +
				`oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`,
			wantBase: "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal",
		},
		{
			name:      "OAuth Core 1.0 appendix A.5",
			timestamp: 1191242096,
			header: `OAuth realm="http://photos.example.net/", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ` +
				`oauth_signature_method="HMAC-SHA1", oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", ` +
				`oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh", oauth_version="1.0"`,
			wantBase: "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Unix(tt.timestamp, 0).Add(90 * time.Second) // inside the window, not on it
			srv, err := oauth1.New(oauth1.Config{
				Consumers:  []oauth1.Consumer{{Key: "dpf43f3p2l4k3l03", Secret: "kd94hf93k423kf44"}},
				Users:      []oauth1.User{{Username: "jane", Password: "x", UserID: "42", ScreenName: "jane_doe"}},
				ClaimsPath: "/photos",
			}, oauth1.WithClock(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.AddAccessToken(oauth1.AccessToken{Token: "nnch734d00sl2jdk", Secret: "pfkkdhi9sl3r4s00", ConsumerKey: "dpf43f3p2l4k3l03", Username: "jane"}); err != nil {
				t.Fatal(err)
			}
			send := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, "http://photos.example.net/photos?file=vacation.jpg&size=original", nil)
				req.Header.Set("Authorization", tt.header)
				w := httptest.NewRecorder()
				srv.Handler().ServeHTTP(w, req)
				return w
			}
			w := send()
			body, _ := io.ReadAll(w.Body)
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200\n%s", w.Code, body)
			}
			var claims map[string]any
			if err := json.Unmarshal(body, &claims); err != nil || claims["screen_name"] != "jane_doe" || claims["id_str"] != "42" {
				t.Errorf("claims = %s (%v)", body, err)
			}
			if last, _ := srv.LastRequest(oauth1.EndpointClaims); last.BaseString != tt.wantBase {
				t.Errorf("base string\n got %s\nwant %s", last.BaseString, tt.wantBase)
			}
			// the same request again is a replay
			w = send()
			if b, _ := io.ReadAll(w.Body); w.Code != http.StatusUnauthorized || !strings.HasPrefix(string(b), "oauth_problem=nonce_used&") {
				t.Errorf("replay: %d %s", w.Code, b)
			}
		})
	}
}
