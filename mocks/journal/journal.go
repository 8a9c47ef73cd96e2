package journal

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Entry is one request a party received, with secret values redacted.
type Entry struct {
	// Seq numbers entries from 1 in the order requests arrived.
	Seq int `json:"seq"`
	// Time is when the request arrived.
	Time time.Time `json:"time"`
	// Party names the receiver, for example "facebook" or "rest".
	Party  string `json:"party"`
	Method string `json:"method"`
	// URL is the request's path and query (path?query) as sent, secret values redacted.
	URL    string      `json:"url"`
	Path   string      `json:"path"`
	Query  url.Values  `json:"query,omitempty"`
	Header http.Header `json:"header,omitempty"`
	// Form holds the parameters of an application/x-www-form-urlencoded body, not the query.
	Form url.Values `json:"form,omitempty"`
	// Status is the response status, 0 while the request is being served.
	Status int `json:"status"`
	// Error is the RFC 6749 "error" member (or OAuth 1.0a oauth_problem) of the response when it
	// had one: in a JSON or form-encoded body, in the query or fragment of a redirect, or in an
	// auto-submitting response form.
	Error string `json:"error,omitempty"`
}

// Journal is the record of one scenario. It is safe for concurrent use.
type Journal struct {
	mu      sync.Mutex
	entries []Entry
	gen     uint64 // incremented by Reset so that late completions of old requests are dropped
}

// New returns an empty journal.
func New() *Journal {
	return &Journal{}
}

// Record appends an entry for a party that records by hand. It assigns Seq, sets Time to now when
// it is zero, redacts secret values in Header, Query, Form and URL, and copies every map so later
// changes by the caller do not reach the journal.
func (j *Journal) Record(e Entry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.URL = redactURL(e.URL)
	e.Query = redactMap(e.Query)
	e.Form = redactMap(e.Form)
	e.Header = redactMap(e.Header)
	j.begin(e)
}

// begin appends e, numbering it, and returns its sequence number and the journal generation.
func (j *Journal) begin(e Entry) (seq int, gen uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.Seq = len(j.entries) + 1
	j.entries = append(j.entries, e)
	return e.Seq, j.gen
}

// finish completes the entry numbered seq unless the journal was reset since it began.
func (j *Journal) finish(seq int, gen uint64, status int, errCode string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if gen != j.gen || seq < 1 || seq > len(j.entries) {
		return
	}
	j.entries[seq-1].Status = status
	j.entries[seq-1].Error = errCode
}

// Entries returns a copy of every entry, in the order requests arrived.
func (j *Journal) Entries() []Entry {
	return j.filter(func(Entry) bool { return true })
}

// Party returns a copy of the entries of one party, in the order requests arrived.
func (j *Journal) Party(name string) []Entry {
	return j.filter(func(e Entry) bool { return e.Party == name })
}

func (j *Journal) filter(keep func(Entry) bool) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, 0, len(j.entries))
	for _, e := range j.entries {
		if keep(e) {
			out = append(out, e.clone())
		}
	}
	return out
}

// Reset forgets every entry; numbering starts again at 1. Requests still being served when Reset
// is called are not recorded.
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = nil
	j.gen++
}

// String renders the journal for humans, one line per entry followed by indented query and form
// lines:
//
//	#3 facebook POST /token 401 invalid_client
//	    form: client_id=app client_secret=[redacted] code=[redacted] grant_type=authorization_code
func (j *Journal) String() string {
	entries := j.Entries()
	if len(entries) == 0 {
		return "(journal is empty)\n"
	}
	var b strings.Builder
	for _, e := range entries {
		status := "pending"
		if e.Status != 0 {
			status = strconv.Itoa(e.Status)
		}
		fmt.Fprintf(&b, "#%d %s %s %s %s", e.Seq, e.Party, e.Method, e.Path, status)
		if e.Error != "" {
			b.WriteString(" " + e.Error)
		}
		b.WriteByte('\n')
		writeValues(&b, "query", e.Query)
		writeValues(&b, "form", e.Form)
	}
	return b.String()
}

func writeValues(b *strings.Builder, label string, v url.Values) {
	if len(v) == 0 {
		return
	}
	b.WriteString("    " + label + ":")
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, val := range v[k] {
			if val == "" || strings.ContainsAny(val, " \t\r\n\"") {
				val = strconv.Quote(val)
			}
			b.WriteString(" " + k + "=" + val)
		}
	}
	b.WriteByte('\n')
}

func (e Entry) clone() Entry {
	e.Query = cloneValues(e.Query)
	e.Form = cloneValues(e.Form)
	e.Header = e.Header.Clone()
	return e
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	return url.Values(http.Header(v).Clone())
}

// redactURL redacts the query of a path?query string, keeping everything else as it was.
func redactURL(u string) string {
	path, query, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	return path + "?" + redactRawQuery(query)
}
