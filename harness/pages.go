package harness

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// FillPage types values into the self-asserted page's fields, by claim type
// id; a select field takes the option's value.
func (w *World) FillPage(ctx context.Context, values [][2]string) error {
	sess, err := w.Session(ctx)
	if err != nil {
		return err
	}
	if err := sess.WaitVisible("#attributeVerification, #localAccountForm"); err != nil {
		return fmt.Errorf("expected a self-asserted or sign-in page: %w", err)
	}
	for _, kv := range values {
		sel := idSelector(kv[0])
		el, err := sess.Page().Timeout(5 * time.Second).Element(sel)
		if err != nil {
			return fmt.Errorf("no field %q on the page: %w", kv[0], err)
		}
		tag, err := el.Eval(`() => this.tagName`)
		if err != nil {
			return fmt.Errorf("field %q: %w", kv[0], err)
		}
		if strings.EqualFold(tag.Value.Str(), "select") {
			if _, err := el.Eval(`(v) => { this.value = v; this.dispatchEvent(new Event("change", {bubbles: true})) }`, kv[1]); err != nil {
				return fmt.Errorf("select %q in %q: %w", kv[1], kv[0], err)
			}
			continue
		}
		if err := sess.Fill(sel, kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// PressPageButton presses Continue or Cancel on the self-asserted page.
func (w *World) PressPageButton(ctx context.Context, id string) error {
	sess, err := w.Session(ctx)
	if err != nil {
		return err
	}
	return sess.Click("#" + id)
}

// PageText waits for the element with the id on the current page and returns its text.
func (w *World) PageText(ctx context.Context, id string) (string, error) {
	sess, err := w.Session(ctx)
	if err != nil {
		return "", err
	}
	if err := sess.WaitVisible(idSelector(id)); err != nil {
		return "", err
	}
	return sess.Text(idSelector(id))
}

// FieldValue is the current value of a field of the page.
func (w *World) FieldValue(ctx context.Context, id string) (string, error) {
	sess, err := w.Session(ctx)
	if err != nil {
		return "", err
	}
	el, err := sess.Page().Timeout(5 * time.Second).Element(idSelector(id))
	if err != nil {
		return "", fmt.Errorf("no field %q: %w", id, err)
	}
	v, err := el.Eval(`() => this.value`)
	if err != nil {
		return "", fmt.Errorf("field %q: %w", id, err)
	}
	return v.Value.Str(), nil
}
