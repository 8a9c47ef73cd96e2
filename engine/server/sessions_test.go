package server

import (
	"fmt"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	c := newClock()
	s := newSessions(15*time.Minute, 0, c.Now)
	a := &session{id: "a", state: "sa", created: c.Now()}
	s.add(a)
	if got, ok := s.byCookie("a"); !ok || got != a {
		t.Fatalf("byCookie(a) = %v, %v", got, ok)
	}
	if got, ok := s.byStateValue("sa"); !ok || got != a {
		t.Fatalf("byStateValue(sa) = %v, %v", got, ok)
	}
	if _, ok := s.byStateValue(""); ok {
		t.Fatal("the empty state finds a session")
	}
	c.Advance(15*time.Minute + time.Second)
	if _, ok := s.byCookie("a"); ok {
		t.Error("an expired session is found by cookie")
	}
	if _, ok := s.byStateValue("sa"); ok {
		t.Error("an expired session is found by state")
	}
	b := &session{id: "b", state: "sb", created: c.Now()}
	s.add(b) // drops the expired one
	s.mu.Lock()
	n, m := len(s.byID), len(s.byState)
	s.mu.Unlock()
	if n != 1 || m != 1 {
		t.Errorf("after expiry: %d sessions by id, %d by state; want 1 and 1", n, m)
	}
	s.remove(b)
	if _, ok := s.byCookie("b"); ok {
		t.Error("a removed session is found")
	}
}

func TestCodes(t *testing.T) {
	c := newClock()
	cs := newOnceStore[issuedCode](32, codeTTL, c.Now)
	code := cs.put(issuedCode{clientID: "rp"})
	other := cs.put(issuedCode{clientID: "rp"})
	if code == other || len(code) < 32 {
		t.Fatalf("codes %q and %q: want distinct random codes", code, other)
	}
	if ic, ok := cs.take(code); !ok || ic.clientID != "rp" {
		t.Fatalf("take = %+v, %v", ic, ok)
	}
	if _, ok := cs.take(code); ok {
		t.Fatal("a code was redeemed twice")
	}
	c.Advance(codeTTL + time.Second)
	if _, ok := cs.take(other); ok {
		t.Fatal("an expired code was redeemed")
	}
	cs.put(issuedCode{}) // expired by the next Advance: dropped by the next put
	c.Advance(codeTTL + time.Second)
	cs.put(issuedCode{})
	cs.put(issuedCode{})
	cs.mu.Lock()
	n := len(cs.m)
	cs.mu.Unlock()
	if n != 2 {
		t.Errorf("codes kept: %d, want 2 (expired ones are dropped)", n)
	}
}

// TestSessionsCapped (#18 item 5): journeys in progress are capped; a new one
// past the cap drops the oldest, never grows the store.
func TestSessionsCapped(t *testing.T) {
	c := newClock()
	s := newSessions(15*time.Minute, 3, c.Now)
	for i := range 10 {
		c.Advance(time.Second)
		s.add(&session{id: fmt.Sprint("id", i), state: fmt.Sprint("st", i), created: c.Now()})
	}
	s.mu.Lock()
	n, m := len(s.byID), len(s.byState)
	s.mu.Unlock()
	if n != 3 || m != 3 {
		t.Fatalf("%d sessions by id, %d by state; want 3 and 3", n, m)
	}
	for i := range 10 {
		_, ok := s.byCookie(fmt.Sprint("id", i))
		if want := i >= 7; ok != want {
			t.Errorf("session %d kept = %v, want %v (the newest three)", i, ok, want)
		}
	}
}
