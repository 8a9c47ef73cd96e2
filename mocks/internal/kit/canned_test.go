package kit

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestResponseWire(t *testing.T) {
	r := Response{Status: 409, Header: map[string]string{"X-A": "1"}, ContentType: "application/problem+json", JSON: map[string]any{"n": json.Number("12345678901234567890")}, Delay: 1500 * time.Millisecond}
	b, err := json.Marshal(r)
	if want := `{"status":409,"header":{"X-A":"1"},"contentType":"application/problem+json","json":{"n":12345678901234567890},"delay":"1.5s"}`; err != nil || string(b) != want {
		t.Fatalf("JSON = %s %v, want %s", b, err, want)
	}
	var back Response
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("JSON round trip = %+v %v", back, err)
	}
	y, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var yback Response
	if err := yaml.Unmarshal(y, &yback); err != nil || yback.Delay != r.Delay || yback.Status != 409 {
		t.Errorf("YAML round trip = %+v %v\n%s", yback, err, y)
	}
	for in, want := range map[string]string{
		`{"stauts":1}`:   `unknown field "stauts"`,
		`{"delay":5}`:    `response: delay: want a string such as "2s", got 5`,
		`{"delay":"no"}`: `time: invalid duration`,
	} {
		if err := json.Unmarshal([]byte(in), &back); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", in, err, want)
		}
	}
	if err := yaml.Unmarshal([]byte("{status: 200, jsno: {}}"), &yback); err == nil || !strings.Contains(err.Error(), `response: unknown key "jsno" (want one of status, header, contentType, body, json, delay, fault)`) {
		t.Errorf("YAML unknown key: %v", err)
	}
}

func TestResponseProblems(t *testing.T) {
	r := Response{Status: 99, Header: map[string]string{"Bad Name": "x", "X-Ok": "a\nb"}, ContentType: "text/plain; =x", Body: "b", JSON: func() {}, Delay: -1, Fault: "explode"}
	want := []string{
		"status: want 100-599, got 99",
		`header: want a header name, got "Bad Name"`,
		`header X-Ok: value "a\nb" cannot be sent`,
		`contentType: want a media type such as application/json, got "text/plain; =x"`,
		"body and json are both set; set one",
		"json cannot be marshalled: json: unsupported type: func()",
		"delay: want zero or positive, got -1ns",
		`fault: want reset or close, got "explode"`,
	}
	if got := r.Problems(100); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if got := (Response{Fault: FaultReset, Status: 200}).Problems(200); len(got) != 1 || !strings.Contains(got[0], "sends no response") {
		t.Errorf("fault with a status: %v", got)
	}
	if got := (Response{Status: 200}).Problems(200); got != nil {
		t.Errorf("a good response: %v", got)
	}
}

func TestQueueAndLog(t *testing.T) {
	var q Queue[string]
	if _, ok := q.Pop("a"); ok {
		t.Error("Pop of an empty queue")
	}
	h := map[string]string{"X": "1"}
	q.Push("a", Response{Body: "1", Header: h})
	q.Push("a", Response{Body: "2"})
	h["X"] = "changed"
	if r, _ := q.Pop("a"); r.Body != "1" || r.Header["X"] != "1" {
		t.Errorf("first = %+v", r)
	}
	if r, _ := q.Pop("a"); r.Body != "2" {
		t.Errorf("second = %+v", r)
	}

	l := NewLog[string](Request.Clone)
	if _, ok := l.Last("a"); ok {
		t.Error("Last of an empty log")
	}
	in := Request{Method: "GET", Query: url.Values{"a": {"1"}}}
	l.Add("a", in)
	in.Query.Set("a", "changed")
	all := l.All("a")
	all[0].Query.Set("a", "changed too")
	if last, _ := l.Last("a"); last.Query.Get("a") != "1" || len(l.All("b")) != 0 {
		t.Errorf("the log shares memory: %+v", last)
	}
}
