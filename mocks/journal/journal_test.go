package journal_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/iefconform/iefconform/mocks/journal"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"client_secret", true},
		{"password", true},
		{"client_assertion", true},
		{"code", true},
		{"access_token", true},
		{"refresh_token", true},
		{"id_token", true},
		{"oauth_signature", true},
		{"oauth_token_secret", true},
		{"code_verifier", true},
		{"Authorization", true},
		{"cookie", true},
		{"Set-Cookie", true},
		{"Proxy-Authorization", true},
		{"CLIENT_SECRET", true},
		{"client_id", false},
		{"state", false},
		{"redirect_uri", false},
		{"oauth_token", false},
		{"Content-Type", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := journal.Redact(tt.key); got != tt.want {
				t.Errorf("Redact(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}

// echoForm answers with the form it parsed, proving that the journal restored the body.
func echoForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprint(w, r.PostForm.Encode())
}

func TestWrapRecordsAndRedacts(t *testing.T) {
	j := journal.New()
	srv := httptest.NewServer(j.Wrap("facebook", http.HandlerFunc(echoForm)))
	defer srv.Close()

	form := url.Values{
		"client_id":     {"app-1"},
		"client_secret": {"s3cret"},
		"code":          {"the-code"},
		"grant_type":    {"authorization_code"},
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/token?x=1&access_token=tok&state=a+b", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "Basic YWJjZDoxMjM0")
	req.Header.Set("Cookie", "session=1")
	req.Header.Set("X-Trace", "t-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got, want := string(body), form.Encode(); got != want {
		t.Fatalf("handler saw body %q, want %q (body not restored)", got, want)
	}

	entries := j.Entries()
	if len(entries) != 1 {
		t.Fatalf("want 1 entry, got %d:\n%s", len(entries), j)
	}
	e := entries[0]
	checks := []struct{ name, got, want string }{
		{"party", e.Party, "facebook"},
		{"method", e.Method, "POST"},
		{"path", e.Path, "/token"},
		{"url", e.URL, "/token?x=1&access_token=[redacted]&state=a+b"},
		{"query access_token", e.Query.Get("access_token"), journal.Redacted},
		{"query state", e.Query.Get("state"), "a b"},
		{"form client_id", e.Form.Get("client_id"), "app-1"},
		{"form client_secret", e.Form.Get("client_secret"), journal.Redacted},
		{"form code", e.Form.Get("code"), journal.Redacted},
		{"form grant_type", e.Form.Get("grant_type"), "authorization_code"},
		{"header Authorization", e.Header.Get("Authorization"), journal.Redacted},
		{"header Cookie", e.Header.Get("Cookie"), journal.Redacted},
		{"header X-Trace", e.Header.Get("X-Trace"), "t-1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if e.Status != http.StatusOK || e.Error != "" || e.Seq != 1 || e.Time.IsZero() {
		t.Errorf("status/error/seq/time = %d/%q/%d/%v, want 200/\"\"/1/non-zero", e.Status, e.Error, e.Seq, e.Time)
	}
	if s := j.String(); strings.Contains(s, "s3cret") || strings.Contains(s, "the-code") || strings.Contains(s, "tok&") {
		t.Errorf("String() leaks a secret:\n%s", s)
	}
}

func TestWrapLargeFormBodyPassesThrough(t *testing.T) {
	j := journal.New()
	var got int
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = len(b)
	})
	srv := httptest.NewServer(j.Wrap("api", h))
	defer srv.Close()
	big := "a=" + strings.Repeat("x", 2<<20)
	resp, err := http.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != len(big) {
		t.Errorf("handler read %d bytes, want %d", got, len(big))
	}
	if e := j.Entries()[0]; e.Form != nil {
		t.Errorf("form of an oversized body recorded: %d keys", len(e.Form))
	}
}

func TestWrapCapturesError(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		status      int
		location    string
		body        string
		want        string
	}{
		{"json", "application/json", 401, "", `{"error":"invalid_client","error_description":"bad secret"}`, "invalid_client"},
		{"json charset", "application/json; charset=utf-8", 400, "", `{"error_description":"x","error":"invalid_grant"}`, "invalid_grant"},
		{"problem json", "application/problem+json", 400, "", `{"error":"invalid_request"}`, "invalid_request"},
		{"graph api object", "application/json", 400, "", `{"error":{"message":"bad","type":"OAuthException","code":190}}`, "OAuthException"},
		{"json without error", "application/json", 200, "", `{"access_token":"x"}`, ""},
		{"json array", "application/json", 200, "", `[1,2]`, ""},
		{"form", "application/x-www-form-urlencoded", 400, "", "error=invalid_request&error_description=x", "invalid_request"},
		{"oauth1 problem", "text/plain", 401, "", "oauth_problem=signature_invalid", "signature_invalid"},
		{"error in 200", "application/json", 200, "", `{"error":"server_busy"}`, "server_busy"},
		{"redirect query", "", 302, "https://rp.example/cb?error=access_denied&state=s", "", "access_denied"},
		{"redirect fragment", "", 302, "https://rp.example/cb#error=unsupported_response_type&state=s", "", "unsupported_response_type"},
		{"redirect fragment with encoded semicolon", "", 302, "https://rp.example/cb#error=invalid_request&error_description=a%3Bb", "", "invalid_request"},
		{"redirect with code", "", 302, "https://rp.example/cb?code=c&state=s", "", ""},
		{"form post page", "text/html; charset=utf-8", 200, "",
			`<form id="response-form" method="post" action="https://b2c/authresp"><input type="hidden" name="error" value="access_denied"><input type="hidden" name="state" value="s"></form>`,
			"access_denied"},
		{"html page", "text/html", 200, "", `<div id="error">Incorrect username or password</div><input name="username">`, ""},
		{"sniffed json", "", 400, "", `{"error":"invalid_scope"}`, "invalid_scope"},
		{"plain text not form", "text/plain", 500, "", "something broke", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := journal.New()
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				if tt.location != "" {
					w.Header().Set("Location", tt.location)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			srv := httptest.NewServer(j.Wrap("p", h))
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Get(srv.URL + "/x")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			e := j.Entries()[0]
			if e.Status != tt.status {
				t.Errorf("status = %d, want %d", e.Status, tt.status)
			}
			if e.Error != tt.want {
				t.Errorf("error = %q, want %q", e.Error, tt.want)
			}
		})
	}
}

func TestWrapErrorBeyondCaptureLimit(t *testing.T) {
	j := journal.New()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		// the error member sits after 64 KiB of padding: not captured, and the response is intact
		fmt.Fprintf(w, `{"pad":"%s","error":"late"}`, strings.Repeat("x", 70<<10))
	})
	srv := httptest.NewServer(j.Wrap("p", h))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasSuffix(string(b), `"error":"late"}`) {
		t.Errorf("response body truncated by the journal: %d bytes", len(b))
	}
	if e := j.Entries()[0]; e.Error != "" || e.Status != http.StatusBadRequest {
		t.Errorf("status/error = %d/%q, want 400/\"\"", e.Status, e.Error)
	}
}

func TestRecordByHand(t *testing.T) {
	j := journal.New()
	q := url.Values{"oauth_token": {"t"}, "oauth_signature": {"sig"}}
	j.Record(journal.Entry{
		Party:  "twitter",
		Method: "POST",
		URL:    "/oauth/request_token?oauth_signature=sig&oauth_token=t",
		Path:   "/oauth/request_token",
		Query:  q,
		Header: http.Header{"Authorization": {`OAuth oauth_signature="sig"`}},
		Status: 401,
		Error:  "signature_invalid",
	})
	q.Set("oauth_token", "changed") // must not reach the journal
	e := j.Party("twitter")[0]
	if e.Seq != 1 || e.Time.IsZero() {
		t.Errorf("seq/time = %d/%v, want 1/now", e.Seq, e.Time)
	}
	if got := e.Query.Get("oauth_signature"); got != journal.Redacted {
		t.Errorf("oauth_signature = %q, want redacted", got)
	}
	if got := e.Query.Get("oauth_token"); got != "t" {
		t.Errorf("oauth_token = %q, want %q (copy taken at Record)", got, "t")
	}
	if got := e.Header.Get("Authorization"); got != journal.Redacted {
		t.Errorf("Authorization = %q, want redacted", got)
	}
	if want := "/oauth/request_token?oauth_signature=[redacted]&oauth_token=t"; e.URL != want {
		t.Errorf("URL = %q, want %q", e.URL, want)
	}
	// callers get copies
	e.Query.Set("oauth_token", "mutated")
	if got := j.Entries()[0].Query.Get("oauth_token"); got != "t" {
		t.Errorf("Entries returned shared maps: oauth_token = %q", got)
	}
}

func TestPartyResetAndString(t *testing.T) {
	j := journal.New()
	j.Record(journal.Entry{Party: "facebook", Method: "GET", Path: "/authorize", Status: 200,
		Query: url.Values{"client_id": {"app"}, "state": {"a b"}}})
	j.Record(journal.Entry{Party: "rest", Method: "POST", Path: "/validate", Status: 200})
	j.Record(journal.Entry{Party: "facebook", Method: "POST", Path: "/token", Status: 401, Error: "invalid_client",
		Form: url.Values{"client_id": {"app"}, "client_secret": {"x"}}})

	fb := j.Party("facebook")
	if len(fb) != 2 || fb[0].Seq != 1 || fb[1].Seq != 3 {
		t.Fatalf("Party(facebook) = %+v, want seq 1 and 3", fb)
	}
	want := "#1 facebook GET /authorize 200\n" +
		"    query: client_id=app state=\"a b\"\n" +
		"#2 rest POST /validate 200\n" +
		"#3 facebook POST /token 401 invalid_client\n" +
		"    form: client_id=app client_secret=[redacted]\n"
	if got := j.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	j.Reset()
	if n := len(j.Entries()); n != 0 {
		t.Errorf("after Reset: %d entries", n)
	}
	j.Record(journal.Entry{Party: "rp", Method: "GET", Path: "/"})
	if e := j.Entries()[0]; e.Seq != 1 {
		t.Errorf("after Reset numbering starts at %d, want 1", e.Seq)
	}
}

func TestPendingEntryAndResetDuringRequest(t *testing.T) {
	j := journal.New()
	entered := make(chan struct{})
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		w.WriteHeader(http.StatusTeapot)
	})
	srv := httptest.NewServer(j.Wrap("slow", h))
	defer srv.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.Get(srv.URL + "/slow"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	if e := j.Entries(); len(e) != 1 || e[0].Status != 0 {
		t.Fatalf("in-flight entry = %+v, want one with status 0", e)
	}
	if !strings.Contains(j.String(), "#1 slow GET /slow pending") {
		t.Errorf("String() does not show the pending request:\n%s", j)
	}
	j.Reset()
	j.Record(journal.Entry{Party: "other", Method: "GET", Path: "/new", Status: 200})
	close(release)
	<-done
	e := j.Entries()
	if len(e) != 1 || e[0].Party != "other" || e[0].Status != 200 {
		t.Errorf("entries after reset = %+v, want only the new one untouched", e)
	}
}

func TestConcurrentOrdering(t *testing.T) {
	j := journal.New()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"e%s"}`, r.URL.Query().Get("n"))
	})
	srvA := httptest.NewServer(j.Wrap("a", h))
	defer srvA.Close()
	srvB := httptest.NewServer(j.Wrap("b", h))
	defer srvB.Close()

	const workers, perWorker = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := srvA.URL
			if w%2 == 1 {
				base = srvB.URL
			}
			// each worker's requests are sequential, so they must appear in its own order
			for i := range perWorker {
				resp, err := http.Get(fmt.Sprintf("%s/w%d?n=%d", base, w, i))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				_ = j.Entries()
				_ = j.String()
			}
		}()
	}
	wg.Wait()

	entries := j.Entries()
	if len(entries) != workers*perWorker {
		t.Fatalf("got %d entries, want %d", len(entries), workers*perWorker)
	}
	next := map[string]int{}
	for i, e := range entries {
		if e.Seq != i+1 {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		n := e.Query.Get("n")
		if want := fmt.Sprint(next[e.Path]); n != want {
			t.Fatalf("%s: request n=%s recorded before n=%s", e.Path, n, want)
		}
		next[e.Path]++
		if e.Status != http.StatusBadRequest || e.Error != "e"+n {
			t.Fatalf("entry %d: status/error = %d/%q", e.Seq, e.Status, e.Error)
		}
	}
	if got := len(j.Party("a")) + len(j.Party("b")); got != len(entries) {
		t.Errorf("Party(a)+Party(b) = %d, want %d", got, len(entries))
	}
}

// TestJournalIsBounded: a journal keeps the latest entries within its limits (count and bytes),
// Seq keeps counting, String says how many were dropped, the default bound holds, and a request
// whose entry was dropped while it was served does not complete another entry.
func TestJournalIsBounded(t *testing.T) {
	j := journal.New(journal.WithLimits(3, 0))
	for i := range 10 {
		j.Record(journal.Entry{Party: "p", Method: "GET", Path: fmt.Sprintf("/%d", i)})
	}
	es := j.Entries()
	if len(es) != 3 || es[0].Seq != 8 || es[2].Seq != 10 || es[2].Path != "/9" || j.Dropped() != 7 {
		t.Fatalf("after 10 entries with a limit of 3: %d entries %+v, dropped %d", len(es), es, j.Dropped())
	}
	if s := j.String(); !strings.HasPrefix(s, "(7 earlier entries dropped)\n#8 p GET /7") {
		t.Errorf("String:\n%s", s)
	}
	j.Reset()
	j.Record(journal.Entry{Party: "p", Method: "GET", Path: "/again"})
	if es := j.Entries(); len(es) != 1 || es[0].Seq != 1 || j.Dropped() != 0 {
		t.Errorf("after Reset: %+v, dropped %d", es, j.Dropped())
	}

	// by bytes: entries of about 1 KiB under a 3 KiB limit
	j = journal.New(journal.WithLimits(0, 3<<10))
	big := strings.Repeat("x", 1<<10)
	for range 10 {
		j.Record(journal.Entry{Party: "p", Method: "GET", Path: "/" + big})
	}
	if n := len(j.Entries()); n < 1 || n > 3 {
		t.Errorf("entries of 1 KiB under a 3 KiB limit: %d kept", n)
	}
	// the newest entry stays, however large
	j.Record(journal.Entry{Party: "p", Method: "GET", Path: "/" + strings.Repeat(big, 8)})
	if es := j.Entries(); len(es) != 1 || len(es[0].Path) != 8<<10+1 {
		t.Errorf("an entry over the byte limit: %d entries", len(es))
	}

	// the default bound
	j = journal.New()
	for range journal.DefaultMaxEntries + 5 {
		j.Record(journal.Entry{Party: "p", Method: "GET", Path: "/"})
	}
	if n := len(j.Entries()); n != journal.DefaultMaxEntries || j.Dropped() != 5 {
		t.Errorf("default limit: %d entries kept, %d dropped; want %d and 5", n, j.Dropped(), journal.DefaultMaxEntries)
	}

	// a wrapped request whose entry is dropped while it is served
	j = journal.New(journal.WithLimits(2, 0))
	h := j.Wrap("p", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 3 {
			j.Record(journal.Entry{Party: "q", Method: "GET", Path: fmt.Sprintf("/by-hand/%d", i)})
		}
		w.WriteHeader(http.StatusCreated)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/wrapped", nil))
	for _, e := range j.Entries() {
		if e.Path == "/wrapped" || e.Status != 0 {
			t.Errorf("entry %+v: the dropped request's completion reached it", e)
		}
	}
}
