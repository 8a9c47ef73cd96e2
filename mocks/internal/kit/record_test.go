package kit

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCapture(t *testing.T) {
	now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	req := httptest.NewRequest("POST", "/p?q=1", strings.NewReader("a=1&b=%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	in, err := Capture(req, now)
	if !errors.Is(err, ErrBadForm) || !strings.HasPrefix(err.Error(), "parse form body: ") {
		t.Errorf("err = %v", err)
	}
	if in.Method != "POST" || in.URL != "/p?q=1" || in.Query.Get("q") != "1" || in.Body != "a=1&b=%zz" || in.Form.Get("a") != "1" || !in.Time.Equal(now) {
		t.Errorf("captured %+v", in)
	}
	in, err = Capture(httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", MaxBody+1))), now)
	if !errors.Is(err, ErrBodyTooLarge) || len(in.Body) != MaxBody || in.Form != nil {
		t.Errorf("too large: %v, %d bytes", err, len(in.Body))
	}
}

func TestRegistry(t *testing.T) {
	validate := func(c testClient) error {
		if c.ID == "" {
			return errors.New("id is empty")
		}
		return nil
	}
	g := NewRegistry("client", func(c testClient) string { return c.ID }, func(c testClient) testClient { return c }, validate, []testClient{{"a", "1"}, {"b", "2"}})
	if err := g.Add(testClient{}); err == nil || err.Error() != "add client: id is empty" {
		t.Errorf("Add(invalid) = %v", err)
	}
	taken := errors.New("taken")
	if err := g.Add(testClient{"c", "3"}, func(held []testClient) error { return fmt.Errorf("%d held: %w", len(held), taken) }); !errors.Is(err, taken) || err.Error() != "add client: 2 held: taken" {
		t.Errorf("Add with a failing check = %v", err)
	}
	if err := g.Add(testClient{"a", "new"}); err != nil {
		t.Fatal(err)
	}
	if !g.Update("b", func(c *testClient) { c.Secret = "updated" }) || g.Update("z", func(*testClient) {}) {
		t.Error("Update")
	}
	if got := g.All(); !reflect.DeepEqual(got, []testClient{{"a", "new"}, {"b", "updated"}}) {
		t.Errorf("All = %v", got)
	}
	if c, ok := g.Get("b"); !ok || c.Secret != "updated" {
		t.Errorf("Get = %v %v", c, ok)
	}
	if _, ok := g.Get("z"); ok {
		t.Error("Get of an unknown key")
	}
}

// TestLogIsBounded: a Log keeps the latest requests of each endpoint within its limits, by
// count and by bytes, and by default within DefaultLogCount.
func TestLogIsBounded(t *testing.T) {
	l := NewLog[string](Request.Clone)
	if got := l.Limits(); got != (Limits{Count: DefaultLogCount, Bytes: DefaultLogBytes}) {
		t.Errorf("default limits %+v", got)
	}
	for i := range DefaultLogCount + 10 {
		l.Add("a", Request{Method: "GET", URL: fmt.Sprintf("/%d", i)})
	}
	l.Add("b", Request{Method: "GET", URL: "/b"})
	if all := l.All("a"); len(all) != DefaultLogCount || all[0].URL != "/10" || all[len(all)-1].URL != fmt.Sprintf("/%d", DefaultLogCount+9) {
		t.Errorf("default: %d requests of a kept, from %s", len(all), all[0].URL)
	}
	l.SetLimits(Limits{Count: 3})
	if all := l.All("a"); len(all) != 3 || len(l.All("b")) != 1 {
		t.Errorf("after SetLimits 3: %d and %d requests", len(all), len(l.All("b")))
	}
	for i := range 5 {
		l.Add("a", Request{Method: "POST", URL: fmt.Sprintf("/new/%d", i)})
	}
	if all := l.All("a"); len(all) != 3 || all[0].URL != "/new/2" || all[2].URL != "/new/4" {
		t.Errorf("count limit 3: %+v", all)
	}

	body := strings.Repeat("x", 1000)
	l.SetLimits(Limits{Bytes: 2500})
	for range 10 {
		l.Add("c", Request{Method: "POST", URL: "/c", Body: body})
	}
	if n := len(l.All("c")); n != 2 {
		t.Errorf("bodies of 1000 bytes under 2500: %d kept, want 2", n)
	}
	l.Add("c", Request{Method: "POST", URL: "/c", Body: strings.Repeat(body, 10)})
	if all := l.All("c"); len(all) != 1 || len(all[0].Body) != 10000 {
		t.Errorf("a request over the byte limit: %d kept, want it alone", len(all))
	}
	if last, ok := l.Last("c"); !ok || len(last.Body) != 10000 {
		t.Error("Last is not the newest request")
	}
}
