package oauth1_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	dg "github.com/dghubble/oauth1"

	"github.com/iefconform/iefconform/mocks/oauth1"
)

func TestClaimsEmail(t *testing.T) {
	e, cfg := newConsumerEnv(t)
	c := e.flow(cfg)
	for _, tt := range []struct {
		query     string
		wantEmail bool
	}{
		{"include_email=true", true},
		{"", false},
		{"include_email=false", false},
		{"include_email=TRUE", false},
		{"skip_status=true&include_email=true", true},
	} {
		t.Run(tt.query, func(t *testing.T) {
			r := e.claims(cfg, c, tt.query)
			var m map[string]any
			if err := json.Unmarshal([]byte(r.Text), &m); err != nil || r.StatusCode != http.StatusOK {
				t.Fatalf("%d %s", r.StatusCode, r.Text)
			}
			if _, has := m["email"]; has != tt.wantEmail {
				t.Errorf("email present = %v, want %v: %s", has, tt.wantEmail, r.Text)
			}
		})
	}
}

// TestClaimsDefaultsAndBigIDs: name falls back to the screen name, the screen name to the
// username, and an id above 2^53 is written exactly.
func TestClaimsDefaultsAndBigIDs(t *testing.T) {
	e := newEnv(t, testConfig(t))
	if err := e.Srv.AddAccessToken(oauth1.AccessToken{Token: "bob-token", Secret: "bob-secret", ConsumerKey: consumerKey, Username: "bob"}); err != nil {
		t.Fatal(err)
	}
	cfg := e.config(consumerKey, consumerSecret)
	r := e.claims(cfg, creds{token: "bob-token", secret: "bob-secret"}, "include_email=true")
	want := `{"id":9007199254740993,"id_str":"9007199254740993","name":"bob","screen_name":"bob"}` + "\n"
	if r.StatusCode != http.StatusOK || r.Text != want {
		t.Errorf("%d %s\nwant %s", r.StatusCode, r.Text, want)
	}

	// a replaced user is seen by tokens already issued
	if err := e.Srv.AddUser(oauth1.User{Username: "bob", Password: "pw", UserID: "9007199254740993", ScreenName: "bobby", Claims: map[string]any{"lang": "nb"}}); err != nil {
		t.Fatal(err)
	}
	r = e.claims(cfg, creds{token: "bob-token", secret: "bob-secret"}, "")
	if !strings.Contains(r.Text, `"screen_name":"bobby"`) || !strings.Contains(r.Text, `"lang":"nb"`) {
		t.Errorf("after AddUser: %s", r.Text)
	}
}

func TestClaimsMethod(t *testing.T) {
	e, cfg := newConsumerEnv(t)
	c := e.flow(cfg)
	req := e.signed(cfg, dg.NewToken(c.token, c.secret), http.MethodPost, e.TS.URL+oauth1.DefaultClaimsPath, "")
	if r := e.Do(req); r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET" {
		t.Errorf("POST: %d Allow=%q %s", r.StatusCode, r.Header.Get("Allow"), r.Text)
	}
}

func TestClaimsPath(t *testing.T) {
	cfg := testConfig(t)
	cfg.ClaimsPath = "/2/users/me"
	e := newEnv(t, cfg)
	c := e.flow(e.config(consumerKey, consumerSecret))
	if r := e.claims(e.config(consumerKey, consumerSecret), c, ""); r.StatusCode != http.StatusOK || e.Srv.ClaimsPath() != "/2/users/me" {
		t.Errorf("%d %s", r.StatusCode, r.Text)
	}
	if r := e.Get(oauth1.DefaultClaimsPath, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("the default path still answers: %d", r.StatusCode)
	}
}

func TestAddAccessToken(t *testing.T) {
	e := newEnv(t, testConfig(t))
	tests := []struct {
		name string
		tok  oauth1.AccessToken
		want error
	}{
		{"unknown consumer", oauth1.AccessToken{Token: "t", Secret: "s", ConsumerKey: "nobody", Username: "alice"}, oauth1.ErrUnknownConsumer},
		{"unknown user", oauth1.AccessToken{Token: "t", Secret: "s", ConsumerKey: consumerKey, Username: "nobody"}, oauth1.ErrUnknownUser},
		{"empty token", oauth1.AccessToken{Secret: "s", ConsumerKey: consumerKey, Username: "alice"}, oauth1.ErrInvalidConfig},
		{"empty secret", oauth1.AccessToken{Token: "t", ConsumerKey: consumerKey, Username: "alice"}, oauth1.ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.Srv.AddAccessToken(tt.tok); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
