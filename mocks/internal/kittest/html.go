package kittest

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// ParseHTML parses a page, failing t when it cannot.
func ParseHTML(t testing.TB, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// walk calls visit on n and every node below it, depth first, until visit returns false.
func walk(n *html.Node, visit func(*html.Node) bool) bool {
	if !visit(n) {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !walk(c, visit) {
			return false
		}
	}
	return true
}

// ByID returns the element under n whose id is id, or nil.
func ByID(n *html.Node, id string) *html.Node {
	var found *html.Node
	walk(n, func(x *html.Node) bool {
		if x.Type == html.ElementNode && Attr(x, "id") == id {
			found = x
		}
		return found == nil
	})
	return found
}

// FindAll returns the elements named tag under n, in document order.
func FindAll(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	walk(n, func(x *html.Node) bool {
		if x.Type == html.ElementNode && x.Data == tag {
			out = append(out, x)
		}
		return true
	})
	return out
}

// Attr returns the value of n's attribute key, or "".
func Attr(n *html.Node, key string) string {
	if i := slices.IndexFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key }); i >= 0 {
		return n.Attr[i].Val
	}
	return ""
}

// HasAttr reports whether n has the attribute key, valued or not.
func HasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

// Text is the text under n, trimmed.
func Text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(x *html.Node) bool {
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
		}
		return true
	})
	return strings.TrimSpace(b.String())
}

// HiddenFields collects the hidden inputs under n.
func HiddenFields(n *html.Node) url.Values {
	v := url.Values{}
	for _, in := range FindAll(n, "input") {
		if Attr(in, "type") == "hidden" {
			v.Add(Attr(in, "name"), Attr(in, "value"))
		}
	}
	return v
}

// LoginForm reads the hidden fields of a page's form#login-form and adds the user's input: the
// username, the password and the action button pressed.
func LoginForm(t testing.TB, page, username, password, action string) url.Values {
	t.Helper()
	form := ByID(ParseHTML(t, page), "login-form")
	if form == nil {
		t.Fatalf("no form#login-form in page:\n%s", page)
	}
	v := HiddenFields(form)
	v.Set("username", username)
	v.Set("password", password)
	v.Set("action", action)
	return v
}
