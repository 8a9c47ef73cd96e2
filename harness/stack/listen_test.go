package stack

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/features"
)

// Every party's server (emulator, each mock, both REST listeners, plain and
// TLS) has every bound, not only ReadHeaderTimeout.
func TestPartyServersAreBounded(t *testing.T) {
	for _, tls := range []bool{false, true} {
		st, err := Start(Options{Policies: features.FS, TLS: tls})
		if err != nil {
			t.Fatal(err)
		}
		if len(st.parties) < 8 {
			t.Errorf("TLS %v: %d parties, want every one of them (emulator, 3 IdPs, twitter, rest x2, mailbox, rp)", tls, len(st.parties))
		}
		for name, l := range st.parties {
			srv := l.srv
			if srv.ReadHeaderTimeout != ReadHeaderTimeout || srv.ReadTimeout != ReadTimeout || srv.WriteTimeout != WriteTimeout ||
				srv.IdleTimeout != IdleTimeout || srv.MaxHeaderBytes != MaxHeaderBytes {
				t.Errorf("TLS %v: %s server: read header %v, read %v, write %v, idle %v, max header bytes %d; want %v, %v, %v, %v, %d",
					tls, name, srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes,
					ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout, MaxHeaderBytes)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if WriteTimeout <= 30*time.Second {
		t.Errorf("WriteTimeout %v: want longer than the emulator's 30 s request budget", WriteTimeout)
	}
}

// shortBounds make a server cut slow clients off quickly; the tests below
// wait for the cut with a far longer guard, so a loaded machine does not
// make them fail.
var shortBounds = serverBounds{readHeader: 100 * time.Millisecond, read: 100 * time.Millisecond, write: time.Minute, idle: time.Minute, maxHeaderBytes: MaxHeaderBytes}

const guard = 30 * time.Second

func dialParty(t *testing.T, l *listener) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", l.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetReadDeadline(time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	return c
}

// closedByServer reads from c until the server closes the connection; it
// fails the test when only the test's own guard ends the read.
func closedByServer(t *testing.T, c net.Conn) {
	t.Helper()
	_, err := io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept the connection of a slow client open for %v", guard)
	}
}

func TestSlowHeadersAreCutOff(t *testing.T) {
	l, err := listenWith("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request whose headers never ended was served: %s %s", r.Method, r.URL)
	}), shortBounds)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	c := dialParty(t, l)
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	closedByServer(t, c) // the header never ends
}

func TestSlowBodyIsCutOff(t *testing.T) {
	read := make(chan error, 1)
	l, err := listenWith("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		read <- err
	}), shortBounds)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	c := dialParty(t, l)
	if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly a little"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-read:
		if err == nil {
			t.Fatal("the handler read a body the client never finished")
		}
	case <-time.After(guard):
		t.Fatalf("the handler still waited for the body after %v", guard)
	}
	closedByServer(t, c)
}

func TestHugeHeadersAreRefused(t *testing.T) {
	l, err := listenWith("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request with %d bytes of headers was served", MaxHeaderBytes*2)
	}), partyBounds)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	c := dialParty(t, l)
	go func() {
		_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", MaxHeaderBytes*2)+"\r\n\r\n")
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want 431", resp.StatusCode)
	}
}

// The journal's bounds come from Options.
func TestJournalLimitsFromOptions(t *testing.T) {
	st, err := Start(Options{Policies: features.FS, JournalMaxEntries: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 5 {
		resp, err := http.Get(st.RPURL() + "/nothing")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n, dropped := len(st.Journal.Entries()), st.Journal.Dropped(); n != 2 || dropped != 3 {
		t.Errorf("5 requests with JournalMaxEntries 2: %d entries kept, %d dropped", n, dropped)
	}
}
