package server

import (
	"bytes"
	"net/url"
	"testing"
)

// TestFormPostPageKeepsValues: the values of a form_post page reach the relying
// party exactly, CRLF included (a browser turns a literal CRLF in an attribute
// into LF; spec §5.9).
func TestFormPostPageKeepsValues(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	values := []string{
		"AADB2C90273: x\r\nCorrelation ID: 1\r\nTimestamp: 2024-05-01 12:00:00Z\r\n",
		`quotes " and ' and <tags> & ampersands`,
		"tab\there, lone\rCR, lone\nLF",
		"ünïcødé €",
		"",
	}
	var fields []param
	for i, v := range values {
		fields = append(fields, param{Name: "f" + string(rune('a'+i)), Value: v})
	}
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, "formpost.html", formPostPage{Action: "https://rp.example/cb?x=1&y=2", Fields: fields}); err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://emulator.example/")
	fs, _ := forms(t, &outcome{Body: buf.String(), URL: base})
	if len(fs) != 1 {
		t.Fatalf("forms: %d, want 1\n%s", len(fs), buf.String())
	}
	if fs[0].Action.String() != "https://rp.example/cb?x=1&y=2" || fs[0].Method != "POST" {
		t.Errorf("form %s %s, want POST https://rp.example/cb?x=1&y=2", fs[0].Method, fs[0].Action)
	}
	for _, f := range fields {
		if got := fs[0].Fields[f.Name]; len(got) != 1 || got[0] != f.Value {
			t.Errorf("field %s = %q, want %q", f.Name, got, f.Value)
		}
	}
}
