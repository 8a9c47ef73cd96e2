package server

import (
	"testing"
	"time"
)

// BenchmarkJourney runs one full journey per iteration through a real loopback
// server: authorize, the fake IdP's form_post answer at authresp, the token and
// claims calls, and the id_token by fragment to the relying party.
//
//	go test -run '^$' -bench BenchmarkJourney -benchtime 2s ./engine/server/
func BenchmarkJourney(b *testing.B) {
	e := newEmulator(b, emuOptions{})
	n := 0
	start := time.Now()
	for b.Loop() {
		o := signIn(b, e, newBrowser(b), policySignIn, nil, "")
		if o.Mode != "fragment" || o.Params.Get("id_token") == "" {
			b.Fatalf("want an id_token by fragment, got %s", o)
		}
		n++
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(elapsed)/float64(time.Millisecond)/float64(n), "ms/journey")
}
