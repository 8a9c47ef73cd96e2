package rp

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// offline is a transport that refuses every call: fuzzed responses carry no state begun by the
// RP, so it must never redeem a code or fetch keys for them.
type offline struct{}

func (offline) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, errors.New("the relying party called " + r.URL.String() + " for a response it did not begin")
}

// FuzzCapture sends whatever comes back to the relying party, in each response mode (a query
// to /callback, a form_post body, a fragment posted by the fragment page), and checks that the
// RP never panics, answers with its result page, and keeps exactly what it received: Raw byte
// for byte, Params as the form decoding of Raw, and the OAuth parameters from Params.
func FuzzCapture(f *testing.F) {
	// what B2C and the emulator send back: an id_token, a code, an error, and broken encodings
	f.Add(uint8(0), "id_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln&state=StateProperties%3DeyJTSUQiOiJ4In0")
	f.Add(uint8(1), "code=Q2xpZW50&state=abc&session_state=1")
	f.Add(uint8(2), "error=access_denied&error_description=AADB2C90091%3A+The+user+has+cancelled+entering+self-asserted+information.%0D%0ACorrelation+ID%3A+x&state=s")
	f.Add(uint8(0), "error=server_error&error_description=%zz&state=%")
	f.Add(uint8(1), "state=a&state=b&=&&id_token")
	f.Add(uint8(2), "")
	f.Fuzz(func(t *testing.T, mode uint8, raw string) {
		s, err := New(Config{BaseURL: "http://rp.test/app", ClientID: testClientID}, WithHTTPClient(&http.Client{Transport: offline{}}))
		if err != nil {
			t.Fatal(err)
		}
		var req *http.Request
		want := []string{"query", "form_post", "fragment"}[mode%3]
		switch want {
		case "query":
			req = httptest.NewRequest(http.MethodGet, "/app/callback", nil)
			req.URL.RawQuery = raw
		case "form_post":
			req = httptest.NewRequest(http.MethodPost, "/app/callback", strings.NewReader(raw))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		case "fragment":
			req = httptest.NewRequest(http.MethodPost, "/app/callback/fragment", strings.NewReader(url.Values{"fragment": {raw}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("%s %q: %d %s", want, raw, rec.Code, rec.Body)
		}

		results := s.Results()
		if want == "query" && raw == "" { // no query: the page that reads the fragment
			if len(results) != 0 {
				t.Fatalf("a result without a response: %+v", results)
			}
			return
		}
		if len(results) != 1 {
			t.Fatalf("%d results, want 1", len(results))
		}
		res := results[0]
		params, perr := url.ParseQuery(raw)
		switch {
		case res.Mode != want || res.Raw != raw:
			t.Errorf("captured %s %q, want %s %q", res.Mode, res.Raw, want, raw)
		case !reflect.DeepEqual(res.Params, params):
			t.Errorf("Params = %v, want %v", res.Params, params)
		case res.State != params.Get("state") || res.Error != params.Get("error") || res.ErrorDescription != params.Get("error_description") ||
			res.IDToken != params.Get("id_token") || res.Code != params.Get("code"):
			t.Errorf("result %+v does not hold the parameters %v", res, params)
		case perr != nil && !strings.Contains(res.VerifyError, "parse "+want+" response"):
			t.Errorf("VerifyError = %q, want the parse error %v", res.VerifyError, perr)
		}
		if got, ok := s.Result(res.State); !ok || got.Raw != raw {
			t.Errorf("Result(%q) = %+v, %v", res.State, got, ok)
		}
	})
}
