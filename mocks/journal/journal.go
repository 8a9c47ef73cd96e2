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

// Default bounds of a Journal: a long run (serve, a container) keeps the latest requests, not
// every one the parties ever got. A scenario's journal stays far below them.
const (
	// DefaultMaxEntries is how many entries a journal keeps.
	DefaultMaxEntries = 10000
	// DefaultMaxBytes is about how many bytes of entries (URLs, headers, parameters) a journal
	// keeps.
	DefaultMaxBytes = 64 << 20
)

// Journal is the record of one scenario: the latest entries within its limits (WithLimits),
// the oldest dropped first. It is safe for concurrent use.
type Journal struct {
	mu         sync.Mutex
	entries    []Entry
	bytes      int    // about how many bytes entries hold (size)
	dropped    int    // entries dropped from the front since the last Reset
	gen        uint64 // incremented by Reset so that late completions of old requests are dropped
	maxEntries int
	maxBytes   int
}

// Option configures a Journal.
type Option func(*Journal)

// WithLimits bounds the journal to the latest maxEntries entries and about maxBytes bytes of them
// (URLs, headers, query and form parameters); the newest entry is always kept. Zero (or negative)
// keeps a default, DefaultMaxEntries and DefaultMaxBytes.
func WithLimits(maxEntries, maxBytes int) Option {
	return func(j *Journal) {
		if maxEntries > 0 {
			j.maxEntries = maxEntries
		}
		if maxBytes > 0 {
			j.maxBytes = maxBytes
		}
	}
}

// New returns an empty journal, by default within DefaultMaxEntries and DefaultMaxBytes.
func New(opts ...Option) *Journal {
	j := &Journal{maxEntries: DefaultMaxEntries, maxBytes: DefaultMaxBytes}
	for _, opt := range opts {
		opt(j)
	}
	return j
}

// Record appends an entry for a party that records by hand. It assigns Seq, sets Time to now when
// it is zero, redacts secret values in Header, Query, Form and URL, and copies every map so later
// changes by the caller do not reach the journal.
func (j *Journal) Record(e Entry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.URL = journalRule.URL(e.URL)
	e.Query = journalRule.Values(e.Query)
	e.Form = journalRule.Values(e.Form)
	e.Header = journalRule.Values(e.Header)
	j.begin(e)
}

// begin appends e, numbering it, drops the oldest entries past the limits, and returns e's
// sequence number and the journal generation.
func (j *Journal) begin(e Entry) (seq int, gen uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.Seq = j.dropped + len(j.entries) + 1
	j.entries = append(j.entries, e)
	j.bytes += e.size()
	for len(j.entries) > 1 && (len(j.entries) > j.maxEntries || j.bytes > j.maxBytes) {
		j.bytes -= j.entries[0].size()
		j.entries[0] = Entry{} // let what it held be collected
		j.entries = j.entries[1:]
		j.dropped++
	}
	return e.Seq, j.gen
}

// finish completes the entry numbered seq unless the journal was reset since it began or the
// entry was dropped.
func (j *Journal) finish(seq int, gen uint64, status int, errCode string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i := seq - j.dropped - 1
	if gen != j.gen || i < 0 || i >= len(j.entries) {
		return
	}
	j.entries[i].Status = status
	j.entries[i].Error = errCode
}

// Dropped is how many of the oldest entries the journal dropped to stay within its limits since
// it was made or Reset. Seq keeps counting every request.
func (j *Journal) Dropped() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.dropped
}

// size is about how many bytes e holds, Status and Error aside (they change).
func (e Entry) size() int {
	n := len(e.Party) + len(e.Method) + len(e.URL) + len(e.Path)
	for _, v := range []map[string][]string{e.Query, e.Header, e.Form} {
		for k, vs := range v {
			n += len(k)
			for _, s := range vs {
				n += len(s)
			}
		}
	}
	return n
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
	j.entries, j.bytes, j.dropped = nil, 0, 0
	j.gen++
}

// String renders the journal for humans, one line per entry followed by indented query and form
// lines:
//
//	#3 facebook POST /token 401 invalid_client
//	    form: client_id=app client_secret=[redacted] code=[redacted] grant_type=authorization_code
func (j *Journal) String() string {
	entries, dropped := j.Entries(), j.Dropped()
	if len(entries) == 0 {
		return "(journal is empty)\n"
	}
	var b strings.Builder
	if dropped > 0 {
		fmt.Fprintf(&b, "(%d earlier entries dropped)\n", dropped)
	}
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
