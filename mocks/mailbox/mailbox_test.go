package mailbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/journal"
	"github.com/iefconform/iefconform/mocks/mailbox"
)

func TestMailbox(t *testing.T) {
	j := journal.New()
	box := mailbox.New(mailbox.WithJournal(j, ""))
	srv := httptest.NewServer(box.Handler())
	defer srv.Close()

	if err := box.SendMail(context.Background(), "Ann@Example.com", "Your code", "Your code is: 123456\n"); err != nil {
		t.Fatal(err)
	}
	if err := box.SendMail(context.Background(), "Ann <ann@example.com>", "s", "b"); !errors.Is(err, mailbox.ErrAddress) {
		t.Errorf("a named address: got %v", err)
	}
	resp, err := http.Post(srv.URL+"/messages", "application/json", strings.NewReader(`{"to":"bob@example.com","subject":"s","body":"code 654321"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /messages: %d", resp.StatusCode)
	}
	for _, body := range []string{`{"to":"not an address"}`, `{`} {
		resp, err := http.Post(srv.URL+"/messages", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST %s: %d, want 400", body, resp.StatusCode)
		}
	}
	if c, ok := box.Code("ANN@example.com"); !ok || c != "123456" {
		t.Errorf("Code = %q, %v", c, ok)
	}
	if _, ok := box.Code("nobody@example.com"); ok {
		t.Error("a code for an address that got nothing")
	}
	resp, err = http.Get(srv.URL + "/_admin/messages?to=bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var got []mailbox.Message
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || len(got) != 1 || got[0].Body != "code 654321" {
		t.Fatalf("admin messages: %v %+v", err, got)
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/_admin/messages", nil)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := len(box.Messages("")); n != 0 {
		t.Errorf("%d messages after DELETE", n)
	}
	if n := len(j.Entries()); n == 0 {
		t.Error("the HTTP delivery was not journaled")
	}
}
