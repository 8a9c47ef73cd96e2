package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
)

const (
	// maxCapture bounds how much of a response body Wrap keeps to find its error member.
	maxCapture = 64 << 10
	// maxForm bounds how much of a form request body Wrap reads to record its fields; a larger
	// body is passed on untouched and its fields are not recorded.
	maxForm = 1 << 20
)

// Wrap returns a handler that records every request h receives under party: method, path and
// query, headers, the fields of an application/x-www-form-urlencoded body (read and restored, so h
// still sees the whole body), then the response status and the error member of the response.
// At most 64 KiB of the response body are kept for finding the error, and only until the
// request ends.
func (j *Journal) Wrap(party string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := Entry{
			Time:   time.Now(),
			Party:  party,
			Method: r.Method,
			URL:    journalRule.URL(r.URL.RequestURI()),
			Path:   r.URL.Path,
			Query:  journalRule.Values(r.URL.Query()),
			Header: journalRule.Values(r.Header),
			Form:   journalRule.Values(readForm(r)),
		}
		seq, gen := j.begin(e)
		rec := &recorder{ResponseWriter: w}
		defer func() { j.finish(seq, gen, rec.statusCode(), rec.errorCode()) }()
		h.ServeHTTP(rec, r)
	})
}

// readForm returns the fields of a form-encoded request body and puts the body back so that the
// next reader sees it unchanged. It returns nil for any other body.
func readForm(r *http.Request) url.Values {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil
	}
	orig := r.Body
	buf, readErr := io.ReadAll(io.LimitReader(orig, maxForm+1))
	r.Body = &restoredBody{Reader: io.MultiReader(bytes.NewReader(buf), orig), closer: orig}
	if readErr != nil || len(buf) > maxForm {
		return nil
	}
	form, _ := url.ParseQuery(string(buf)) // keeps every pair that parsed
	return form
}

// restoredBody replays the bytes read by readForm, then the rest of the original body.
type restoredBody struct {
	io.Reader
	closer io.Closer
}

func (b *restoredBody) Close() error { return b.closer.Close() }

// recorder passes a response through while noting its status and the start of its body.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := maxCapture - r.body.Len(); room > 0 {
		r.body.Write(p[:min(room, len(p))])
	}
	return r.ResponseWriter.Write(p)
}

// Flush lets streaming handlers work through the wrapper.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack lets connection-taking handlers work through the wrapper.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("hijack: %w", errors.ErrUnsupported)
	}
	return h.Hijack()
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) statusCode() int {
	if r.status == 0 {
		return http.StatusOK // what net/http sends when a handler writes nothing
	}
	return r.status
}

// errorCode finds the OAuth error of the response: in a redirect's query or fragment, or in a
// JSON, form-encoded or HTML form-post body.
func (r *recorder) errorCode() string {
	h := r.Header()
	if loc := h.Get("Location"); loc != "" && r.statusCode()/100 == 3 {
		if code := errorFromLocation(loc); code != "" {
			return code
		}
	}
	body := r.body.Bytes()
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return errorFromJSON(body)
	case mt == "application/x-www-form-urlencoded" || mt == "text/plain":
		return errorFromForm(body)
	case mt == "text/html":
		return errorFromHTML(body)
	case mt == "" || mt == "application/octet-stream":
		if trimmed := bytes.TrimSpace(body); trimmed[0] == '{' {
			return errorFromJSON(body)
		}
		return errorFromForm(body)
	}
	return ""
}

func errorFromLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	if code := errorFromValues(u.Query()); code != "" {
		return code
	}
	frag, _ := url.ParseQuery(u.EscapedFragment()) // keeps every pair that parsed
	return errorFromValues(frag)
}

func errorFromValues(v url.Values) string {
	if code := v.Get("error"); code != "" {
		return code
	}
	return v.Get("oauth_problem")
}

func errorFromForm(body []byte) string {
	v, err := url.ParseQuery(string(bytes.TrimSpace(body)))
	if err != nil {
		return ""
	}
	return errorFromValues(v)
}

// errorFromJSON reads an RFC 6749 {"error":"..."} member, or the type of a Graph API style
// {"error":{"type":"OAuthException",...}} object.
func errorFromJSON(body []byte) string {
	var doc struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.Error) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(doc.Error, &s) == nil {
		return s
	}
	var obj struct {
		Type string `json:"type"`
		Code any    `json:"code"`
	}
	if json.Unmarshal(doc.Error, &obj) == nil {
		if obj.Type != "" {
			return obj.Type
		}
		if obj.Code != nil {
			return fmt.Sprint(obj.Code)
		}
	}
	return ""
}

// errorFromHTML reads the error field of an auto-submitting response form (response_mode=form_post).
func errorFromHTML(body []byte) string {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "input" || !hasAttr {
				continue
			}
			var field, value string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "name":
					field = string(v)
				case "value":
					value = string(v)
				}
				if !more {
					break
				}
			}
			if (field == "error" || field == "oauth_problem") && value != "" {
				return value
			}
		}
	}
}
