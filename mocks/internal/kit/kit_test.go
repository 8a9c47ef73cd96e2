package kit

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

type testConfig struct {
	Clients []testClient `json:"clients"`
	Problem string       `json:"-"`
}

type testClient struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

func (c testConfig) Validate() error {
	if c.Problem != "" {
		return cfgfile.Check("test", []string{c.Problem})
	}
	return nil
}

type testServer struct {
	base *Base
	name string
}

func TestNew(t *testing.T) {
	opt := func(s *testServer) { s.name = "set" }
	s, err := New("test", testConfig{}, []func(*testServer){opt}, func(b *Base) *testServer { return &testServer{base: b} })
	if err != nil || s.name != "set" || s.base == nil || s.base.name != "test" {
		t.Fatalf("New = %+v, %v", s, err)
	}
	_, err = New("test", testConfig{Problem: "bad"}, []func(*testServer){opt}, func(b *Base) *testServer { return &testServer{base: b} })
	if !errors.Is(err, cfgfile.ErrInvalidConfig) || !strings.HasPrefix(err.Error(), "new test server: invalid test config:") {
		t.Errorf("err = %v", err)
	}
}

func TestSettings(t *testing.T) {
	b, err := newBase("mock", testConfig{})
	if err != nil {
		t.Fatal(err)
	}
	fixed := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, set := range []Setting{Clock(func() time.Time { return fixed }), Clock(nil), Logger(nil), AdminToken("tok"), Journal(nil, "")} {
		set(b)
	}
	if !b.Now().Equal(fixed) || b.logger == nil || b.adminToken != "tok" || b.party != "mock" {
		t.Errorf("base = %+v", b)
	}
}
