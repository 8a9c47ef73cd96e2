package oauth1_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth1"
)

func TestValidate(t *testing.T) {
	pub := kittest.ReadFile(t, "testdata/rsa-consumer.pub")
	tests := []struct {
		name string
		cfg  oauth1.Config
		want []string // every problem, in order; nil for a valid config
	}{
		{name: "empty is valid", cfg: oauth1.Config{}},
		{name: "RSA-only consumer needs no secret", cfg: oauth1.Config{Consumers: []oauth1.Consumer{{Key: "k", SignatureMethods: []string{"RSA-SHA1"}, PublicKeyPEM: pub}}}},
		{name: "consumers", cfg: oauth1.Config{Consumers: []oauth1.Consumer{
			{Secret: "s"},
			{Key: "a"},
			{Key: "b", Secret: "s", SignatureMethods: []string{"HMAC-SHA256", "PLAINTEXT", "PLAINTEXT"}},
			{Key: "c", Secret: "s", SignatureMethods: []string{"RSA-SHA1"}},
			{Key: "d", Secret: "s", PublicKeyPEM: pub},
			{Key: "e", SignatureMethods: []string{"RSA-SHA1"}, PublicKeyPEM: "not a key"},
			{Key: "f", Secret: "s", CallbackURLs: []string{"/relative", "https://x.example/cb#frag", "oob"}},
			{Key: "a", Secret: "s"},
		}}, want: []string{
			"consumers[0]: key is empty",
			"consumers[1]: secret is empty (only a consumer that signs with RSA-SHA1 alone may have none)",
			`consumers[2]: signatureMethods[0]: want HMAC-SHA1, PLAINTEXT or RSA-SHA1, got "HMAC-SHA256"`,
			`consumers[2]: signatureMethods[2]: duplicate "PLAINTEXT"`,
			"consumers[3]: signature method RSA-SHA1 needs publicKeyPEM",
			"consumers[4]: publicKeyPEM is set but signatureMethods does not list RSA-SHA1",
			"consumers[5]: publicKeyPEM: want PEM blocks (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----) and nothing else",
			`consumers[6]: callbackURLs[0]: want an absolute URL, got "/relative"`,
			`consumers[6]: callbackURLs[1]: want a URL without fragment, got "https://x.example/cb#frag"`,
			`consumers[6]: callbackURLs[2]: want an absolute URL, got "oob"`,
			`consumers[7]: duplicate key "a" (first at consumers[1])`,
		}},
		{name: "users", cfg: oauth1.Config{Users: []oauth1.User{
			{UserID: "1", Password: "p"},
			{Username: "a", Password: "p"},
			{Username: "b", UserID: "99999999999999999999", Password: "p"},
			{Username: "c", UserID: "3", Claims: map[string]any{"id": 1, "email": "x", "bad": func() {}}, Password: "p"},
			{Username: "a", UserID: "1"},
		}}, want: []string{
			"users[0]: username is empty",
			`users[1]: userID: want a decimal number such as "1001", got an empty string`,
			`users[2]: userID: want a number of at most 19 digits below 2^63, got "99999999999999999999"`,
			`users[3]: claims: "id" is a member the server writes itself (from userID, screenName or email)`,
			`users[3]: claims: "email" is a member the server writes itself (from userID, screenName or email)`,
			"users[3]: claims cannot be written as JSON: json: unsupported type: func()",
			"users[4]: password is empty: a user without one would sign in with an empty password",
			`users[4]: duplicate username "a" (first at users[1])`,
			`users[4]: duplicate userID "1" (first at users[0])`,
		}},
		{name: "durations and path", cfg: oauth1.Config{
			TimestampWindow: oauth1.Duration(-time.Second), TemporaryCredentialTTL: oauth1.Duration(-time.Minute), ClaimsPath: "relative",
		}, want: []string{
			"timestampWindow: want zero (default 5m0s) or positive, got -1s",
			"temporaryCredentialTTL: want zero (default 5m0s) or positive, got -1m0s",
			`claimsPath: want an absolute path without query or fragment, got "relative"`,
		}},
		{name: "claims path takes a route", cfg: oauth1.Config{ClaimsPath: oauth1.PathAccessToken}, want: []string{
			`claimsPath: "/oauth/access_token" is already a route of the server`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kittest.CheckValidate(t, tt.cfg, tt.want, kittest.WantExactProblems, oauth1.New)
		})
	}
}

func TestLoadConfig(t *testing.T) {
	kittest.EachFile(t, oauth1.LoadConfig, func(t *testing.T, cfg oauth1.Config) {
		wantConsumers := []oauth1.Consumer{
			{Key: "b2c-consumer", Secret: "consumer-secret", CallbackURLs: []string{"https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1a_signin/oauth1/authresp"}},
			{Key: "any-callback", Secret: "s2", SignatureMethods: []string{"HMAC-SHA1", "PLAINTEXT"}},
		}
		if !reflect.DeepEqual(cfg.Consumers, wantConsumers) {
			t.Errorf("consumers = %+v", cfg.Consumers)
		}
		if cfg.TimestampWindow != oauth1.Duration(2*time.Minute) || cfg.TemporaryCredentialTTL != oauth1.Duration(90*time.Second) || cfg.ClaimsPath != oauth1.DefaultClaimsPath {
			t.Errorf("durations/path = %s %s %s", cfg.TimestampWindow, cfg.TemporaryCredentialTTL, cfg.ClaimsPath)
		}
		if len(cfg.Users) != 1 {
			t.Fatalf("users = %+v", cfg.Users)
		}
		u := cfg.Users[0]
		if u.Username != "alice" || u.UserID != "1001" || u.ScreenName != "alice_s" || u.Email != "alice@example.com" {
			t.Errorf("user = %+v", u)
		}
		// the claims endpoint writes the same JSON whichever format the file was in
		kittest.WantJSON(t, u.Claims, `{"entities":{"url":{"urls":[{"expanded_url":"https://example.com/alice"}]}},"followers_count":42,"name":"Alice Smith"}`)
		if _, err := oauth1.New(cfg); err != nil {
			t.Errorf("New(loaded config): %v", err)
		}
	}, "testdata/config.yaml", "testdata/config.json")
}

func TestLoadConfigErrors(t *testing.T) {
	kittest.CheckLoadErrors(t, oauth1.LoadConfig,
		kittest.LoadError{File: "testdata/unknown-key.yaml", Want: []string{"callbackUrl"}},
		kittest.LoadError{File: "testdata/bad-duration.json", Want: []string{`want a string such as "60s"`}},
		kittest.LoadError{File: "testdata/invalid.yaml", Invalid: true, Want: []string{
			"consumers[0]: key is empty",
			`consumers[2]: duplicate key "dup" (first at consumers[1])`,
			`users[0]: userID: want decimal digits only, got "12a"`,
			"timestampWindow: want zero (default 5m0s) or positive, got -1s",
		}},
	)
}

func TestConfigRoundTrip(t *testing.T) {
	srv, err := oauth1.New(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config()
	if cfg.TimestampWindow != oauth1.Duration(oauth1.DefaultTimestampWindow) || cfg.TemporaryCredentialTTL != oauth1.Duration(oauth1.DefaultTemporaryCredentialTTL) || cfg.ClaimsPath != oauth1.DefaultClaimsPath {
		t.Errorf("defaults = %s %s %s", cfg.TimestampWindow, cfg.TemporaryCredentialTTL, cfg.ClaimsPath)
	}
	for _, format := range []string{"json", "yaml"} {
		var b []byte
		var back oauth1.Config
		if format == "json" {
			b, err = json.Marshal(cfg)
			if err == nil {
				err = json.Unmarshal(b, &back)
			}
		} else {
			b, err = yaml.Marshal(cfg)
			if err == nil {
				err = yaml.Unmarshal(b, &back)
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !strings.Contains(string(b), "timestampWindow") || !strings.Contains(string(b), "publicKeyPEM") {
			t.Errorf("%s keys are not lowerCamel:\n%s", format, b)
		}
		if back.TimestampWindow != cfg.TimestampWindow || len(back.Consumers) != len(cfg.Consumers) || back.Consumers[3].PublicKeyPEM != cfg.Consumers[3].PublicKeyPEM {
			t.Errorf("%s round trip lost data:\n%s", format, b)
		}
	}

	// the copies are the caller's own
	cs := srv.Consumers()
	cs[0].CallbackURLs[0] = "changed"
	us := srv.Users()
	us[0].Claims["location"].(map[string]any)["city"] = "changed"
	if srv.Consumers()[0].CallbackURLs[0] == "changed" || srv.Users()[0].Claims["location"].(map[string]any)["city"] == "changed" {
		t.Error("Consumers or Users shares memory with the server")
	}
}

func TestAddConsumerAndUser(t *testing.T) {
	srv, err := oauth1.New(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddConsumer(oauth1.Consumer{Key: consumerKey, Secret: "new"}); err != nil {
		t.Fatal(err)
	}
	if cs := srv.Consumers(); len(cs) != 4 || cs[0].Secret != "new" {
		t.Errorf("replace by key: %+v", cs)
	}
	if err := srv.AddConsumer(oauth1.Consumer{Key: "x"}); !errors.Is(err, oauth1.ErrInvalidConfig) {
		t.Errorf("AddConsumer without secret: %v", err)
	}
	if err := srv.AddUser(oauth1.User{Username: "carol", UserID: userID, Password: "p"}); !errors.Is(err, oauth1.ErrInvalidConfig) {
		t.Errorf("AddUser with alice's id: %v", err)
	}
	if err := srv.AddUser(oauth1.User{Username: "carol", UserID: "3"}); !errors.Is(err, oauth1.ErrInvalidConfig) || !strings.Contains(err.Error(), "password is empty") {
		t.Errorf("AddUser without a password: %v", err)
	}
	if err := srv.AddUser(oauth1.User{Username: "carol", UserID: "3", Password: "p"}); err != nil || len(srv.Users()) != 3 {
		t.Errorf("AddUser: %v, %d users", err, len(srv.Users()))
	}
}
