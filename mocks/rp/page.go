package rp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
)

// Names of the templates in pageTemplates.
const (
	fragmentPage = "fragment"
	resultPage   = "result"
)

// errRender marks a failure to render a page: a server error.
var errRender = errors.New("render page")

// pageTemplates are the RP's pages. The result page keeps the element ids steps
// look for: mode, state, error, error_description, verify_error, header, claims, raw.
const pageTemplates = `
{{define "fragment"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Relying party: reading the response</title></head>
<body>
<form id="fragment-form" method="post" action="{{.Action}}"><input type="hidden" name="fragment" id="fragment"></form>
<script>
(function () {
  var h = window.location.hash;
  document.getElementById("fragment").value = h.charAt(0) === "#" ? h.substring(1) : h;
  document.getElementById("fragment-form").submit();
})();
</script>
<noscript><p id="noscript">This relying party reads the response from the URL fragment, which needs JavaScript.
Enable JavaScript, or sign in with response_mode=query or response_mode=form_post.</p></noscript>
</body></html>
{{end}}
{{define "result"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Relying party: {{if .Error}}error{{else}}token{{end}}</title>
<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em;white-space:pre-wrap;word-break:break-all}</style>
</head>
<body>
<h1>Relying party</h1>
<dl>
<dt>Response mode</dt><dd id="mode">{{.Mode}}</dd>
<dt>State</dt><dd id="state">{{.State}}</dd>
{{if .Error}}<dt>Error</dt><dd id="error">{{.Error}}</dd>
<dt>Error description</dt><dd><pre id="error_description">{{.ErrorDescription}}</pre></dd>
{{end}}{{if .VerifyError}}<dt>Verification</dt><dd id="verify_error">{{.VerifyError}}</dd>
{{else if .Claims}}<dt>Verification</dt><dd id="verified">signature and claims verified</dd>
{{end}}</dl>
<h2>Decoded token</h2>
<pre id="header">{{.HeaderJSON}}</pre>
<pre id="claims">{{.ClaimsJSON}}</pre>
<h2>Encoded token</h2>
<pre id="raw">{{.IDToken}}</pre>
<h2>Response as received</h2>
<pre id="response">{{.Raw}}</pre>
</body></html>
{{end}}`

// fragmentView is the data of the fragment page.
type fragmentView struct {
	Action string
}

// resultView is the data of the result page.
type resultView struct {
	Result
	HeaderJSON string
	ClaimsJSON string
}

// newResultView prepares res for display. Claims of a token that did not verify
// are decoded without checks so the page shows them like jwt.ms does.
func newResultView(res Result) resultView {
	v := resultView{Result: res}
	header, claims := res.Header, res.Claims
	if res.IDToken != "" && claims == nil {
		if h, c, err := decodeUnverified(res.IDToken); err == nil {
			header, claims = h, c
		}
	}
	if header != nil {
		v.HeaderJSON = prettyJSON(header)
	}
	if claims != nil {
		v.ClaimsJSON = prettyJSON(claims)
	}
	return v
}

// prettyJSON indents v, or says why it cannot.
func prettyJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprintf("(cannot show as JSON: %v)", err)
	}
	return string(b)
}

// parsePages parses pageTemplates.
func parsePages() (*template.Template, error) {
	t, err := template.New("pages").Parse(pageTemplates)
	if err != nil {
		return nil, fmt.Errorf("parse pages: %w", err)
	}
	return t, nil
}

// render writes the page name with data, buffered so a failure becomes a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.writeError(w, r, fmt.Errorf("%w %s: %w", errRender, name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
