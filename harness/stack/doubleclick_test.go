package stack_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/iefconform/iefconform/harness/httpdriver"
	"github.com/iefconform/iefconform/harness/stack"
)

// doubleClickRepeats and doubleClickPosts: issue #18 asks for 20 posts at once
// in each of 100 journeys.
const doubleClickRepeats, doubleClickPosts = 100, 20

// postAtOnce submits f posts times at once from one browser (one cookie jar),
// pressing the button action=button, and returns the pages the posts ended on.
func postAtOnce(t *testing.T, c *httpdriver.Client, f *httpdriver.Form, button string, posts int) []*httpdriver.Page {
	t.Helper()
	pages := make([]*httpdriver.Page, posts)
	errs := make([]error, posts)
	var wg sync.WaitGroup
	for i := range posts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pages[i], errs[i] = c.Submit(f, "action", button)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return pages
}

// oneAnswer checks that the relying party got exactly one answer for state, an
// id_token, and that every other post ended on the emulator's 400 page.
func oneAnswer(t *testing.T, s *stack.Stack, state string, pages []*httpdriver.Page) {
	t.Helper()
	answers := 0
	for _, r := range s.RP.Results() {
		if r.State != state {
			continue
		}
		answers++
		if r.Error != "" || r.VerifyError != "" || r.IDToken == "" {
			t.Fatalf("the relying party got error=%q %q verify=%q", r.Error, r.ErrorDescription, r.VerifyError)
		}
	}
	if answers != 1 {
		t.Fatalf("the relying party got %d answers for one journey, want exactly 1", answers)
	}
	refused := 0
	for _, p := range pages {
		if p.Status == http.StatusBadRequest && p.Text("error-message") != "" {
			refused++
		}
	}
	if refused != len(pages)-1 {
		t.Fatalf("%d of %d duplicate posts got the error page, want all", refused, len(pages)-1)
	}
}

// TestSelfAssertedDoubleClick (#18): the local sign-in form and the sign-up
// page posted 20 times at once, in 100 journeys each: the relying party gets
// exactly one id_token, the sign-up writes one account, and the duplicates get
// the error page without failing the journey.
func TestSelfAssertedDoubleClick(t *testing.T) {
	s := startStarterPack(t)
	t.Run("sign-in", func(t *testing.T) {
		for range doubleClickRepeats {
			c, page, state, err := openSignIn(s, "B2C_1A_signup_signin", "form_post")
			if err != nil {
				t.Fatal(err)
			}
			f, err := page.FillForm("localAccountForm", map[string]string{"signInName": "bob@example.com", "password": "Passw0rd!2024"})
			if err != nil {
				t.Fatal(err)
			}
			oneAnswer(t, s, state, postAtOnce(t, c, f, "continue", doubleClickPosts))
		}
	})
	t.Run("sign-up", func(t *testing.T) {
		before := len(s.Directory.Users())
		for i := range doubleClickRepeats {
			email := fmt.Sprintf("double%d@example.com", i)
			c, page, state, err := openSignIn(s, "B2C_1A_signup_signin", "form_post")
			if err != nil {
				t.Fatal(err)
			}
			link, err := page.Href("createAccount")
			if err != nil {
				t.Fatal(err)
			}
			if page, err = c.Get(link); err != nil {
				t.Fatal(err)
			}
			// Each button of the page clicked 20 times at once: every post
			// ends on the same next page, and the form is applied once.
			clickAtOnce := func(action string, fields map[string]string) *httpdriver.Form {
				t.Helper()
				f, err := page.FillForm("attributeVerification", fields)
				if err != nil {
					t.Fatal(err)
				}
				if action == "continue" {
					return f
				}
				pages := postAtOnce(t, c, f, action, doubleClickPosts)
				for _, p := range pages[1:] {
					if string(p.Body) != string(pages[0].Body) {
						t.Fatalf("%s clicked twice: two different pages:\n%s\n---\n%s", action, pages[0].Body, p.Body)
					}
				}
				page = pages[0]
				return nil
			}
			clickAtOnce("email_ver_but_send", map[string]string{"email": email})
			if n := len(s.Mailbox.Messages(email)); n != 1 {
				t.Fatalf("%d verification mails for one click, want 1", n)
			}
			if _, err := page.Form("attributeVerification"); err != nil || page.Status != http.StatusOK {
				t.Fatalf("after sending the code: HTTP %d %v", page.Status, err)
			}
			code, ok := s.Mailbox.Code(email)
			if !ok {
				t.Fatalf("no code for %s", email)
			}
			clickAtOnce("email_ver_but_verify", map[string]string{"email_ver_input": code})
			f := clickAtOnce("continue", map[string]string{"newPassword": "Passw0rd!2024", "reenterPassword": "Passw0rd!2024", "displayName": "Ann Smith"})
			oneAnswer(t, s, state, postAtOnce(t, c, f, "continue", doubleClickPosts))
		}
		if n := len(s.Directory.Users()) - before; n != doubleClickRepeats {
			t.Errorf("%d accounts written for %d sign-ups", n, doubleClickRepeats)
		}
	})
}
