package steps

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/browser"
)

// localSteps: unmodified starter-pack policies, the directory's local
// accounts, the unified sign-in page and email verification (spec DIR §2, §3).
func localSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the relying party uses the starter pack policy "([^"]*)" from "([^"]*)"$`, func(ctx context.Context, policyID, pack string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		err = w.UseStarterPack(pack, policyID)
		if errors.Is(err, harness.ErrNoStarterPack) && os.Getenv("CI") == "" {
			// A user's machine without the public starter pack: nothing to run.
			return godog.ErrSkip
		}
		return err
	})
	sc.Step(`^the directory has a local account "([^"]*)" with password "([^"]*)"$`, func(ctx context.Context, email, password string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.AddLocalAccount(email, password, nil)
	})
	sc.Step(`^the directory has a local account "([^"]*)" with password "([^"]*)" and the attributes:$`, func(ctx context.Context, email, password string, t *godog.Table) error {
		w, rows, err := worldRows(ctx, t)
		if err != nil {
			return err
		}
		attrs := map[string]string{}
		for _, r := range rows {
			attrs[r[0]] = w.Expand(r[1])
		}
		return w.AddLocalAccount(email, password, attrs)
	})
	sc.Step(`^the user signs in with the email "([^"]*)" and the password "([^"]*)"$`, func(ctx context.Context, email, password string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		if err := w.FillPage(ctx, [][2]string{{"signInName", email}, {"password", password}}); err != nil {
			return err
		}
		return w.PressPageButton(ctx, "next")
	})
	sc.Step(`^the user (?:follows the link|presses) "([^"]*)"$`, func(ctx context.Context, id string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.PressPageButton(ctx, id)
	})
	sc.Step(`^the user verifies the email "([^"]*)"$`, func(ctx context.Context, email string) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		return w.VerifyEmail(ctx, "email", email)
	})
	sc.Step(`^the sign-in page shows the error "([^"]*)"$`, func(ctx context.Context, want string) error {
		return pageSelectorContains(ctx, "#localAccountForm .error.pageLevel", want)
	})
	sc.Step(`^the page shows the message "([^"]*)" in "([^"]*)"$`, func(ctx context.Context, want, id string) error {
		return pageTextContains(ctx, id, want)
	})
	sc.Step(`^the page (has|has no) field "([^"]*)"$`, func(ctx context.Context, has, id string) error {
		var last string
		return eventually(func() error {
			sess, html, err := pageHTML(ctx)
			if err != nil {
				return err
			}
			if strings.Contains(html, `id="`+id+`"`) == (has == "has") {
				return nil
			}
			if text, err := sess.Text("body"); err == nil {
				last = strings.Join(strings.Fields(text), " ")
			}
			return fmt.Errorf("want the page at %s to have %s %q; it shows: %.400s", sess.URL(), map[bool]string{true: "a field", false: "no field"}[has == "has"], id, last)
		})
	})
	sc.Step(`^the field "([^"]*)" is of type "([^"]*)"$`, func(ctx context.Context, id, typ string) error {
		return pageSelectorAttr(ctx, "[id="+strconv.Quote(id)+"]", "type", typ)
	})
	sc.Step(`^the directory has a local account "([^"]*)" named "([^"]*)"$`, func(ctx context.Context, email, name string) error {
		return localAccountAttribute(ctx, email, "displayName", name)
	})
	sc.Step(`^the directory account "([^"]*)" has "([^"]*)" equal to "([^"]*)"$`, localAccountAttribute)
	sc.Step(`^the directory has (\d+) accounts?$`, func(ctx context.Context, n int) error {
		w, err := world(ctx)
		if err != nil {
			return err
		}
		if got := len(w.Stack.Directory.Users()); got != n {
			return fmt.Errorf("want %d accounts in the directory, it has %d", n, got)
		}
		return nil
	})
}

// pageSelectorAttr checks the attribute of the element matching selector.
func pageSelectorAttr(ctx context.Context, selector, attr, want string) error {
	sess, err := session(ctx)
	if err != nil {
		return err
	}
	el, err := sess.Page().Timeout(5 * time.Second).Element(selector)
	if err != nil {
		return fmt.Errorf("no element %s: %w", selector, err)
	}
	got, err := el.Attribute(attr)
	if err != nil {
		return err
	}
	if got == nil || *got != want {
		return fmt.Errorf("want %s to have %s=%q, it has %v", selector, attr, want, got)
	}
	return nil
}

// pageSelectorContains waits for the element matching selector and checks its text.
func pageSelectorContains(ctx context.Context, selector, want string) error {
	sess, err := session(ctx)
	if err != nil {
		return err
	}
	if err := sess.WaitVisible(selector); err != nil {
		return err
	}
	got, err := sess.Text(selector)
	if err != nil {
		return err
	}
	if !strings.Contains(got, want) {
		return fmt.Errorf("want %s to show %q, it shows %q", selector, want, got)
	}
	return nil
}

// session is the scenario's browser session.
func session(ctx context.Context) (*browser.Session, error) {
	w, err := world(ctx)
	if err != nil {
		return nil, err
	}
	return w.Session(ctx)
}

// localAccountAttribute checks an attribute of the local account whose sign-in
// email is email.
func localAccountAttribute(ctx context.Context, email, attr, want string) error {
	w, err := world(ctx)
	if err != nil {
		return err
	}
	u, err := w.LocalAccount(email)
	if err != nil {
		return fmt.Errorf("want a local account %s: %w", email, err)
	}
	if got := fmt.Sprint(u.Attributes[attr]); got != want {
		return fmt.Errorf("want the account %s to have %s %q, it has %q", email, attr, want, got)
	}
	return nil
}
