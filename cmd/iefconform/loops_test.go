package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loopProblems are the two problems testdata/loops holds: a sub journey that
// invokes itself and two that invoke each other.
func loopProblems(t *testing.T) []string {
	self := filepath.Join("testdata", "loops", "SelfLoop.xml")
	mutual := filepath.Join("testdata", "loops", "MutualLoop.xml")
	return []string{
		fmt.Sprintf(`%s:%d: SubJourney[Id=Pong]/OrchestrationStep[Order=1]: sub journey "Ping" invokes itself in a loop: Ping -> Pong -> Ping`,
			mutual, lineOf(t, mutual, `<SubJourney Id="Pong"`)+2),
		fmt.Sprintf(`%s:%d: SubJourney[Id=Again]/OrchestrationStep[Order=1]: sub journey "Again" invokes itself (Again -> Again)`,
			self, lineOf(t, self, `<SubJourney Id="Again"`)+2),
	}
}

// TestValidateSubJourneyLoops: validate rejects a self-calling and a
// mutually-calling sub journey, each at the step that closes the loop.
func TestValidateSubJourneyLoops(t *testing.T) {
	code, stdout, stderr := cli(t, "validate", "--set", "Tenant=contoso.onmicrosoft.com", "--set", "RestApiUrl=https://api.example.com",
		filepath.Join("testdata", "loops"))
	if code != exitFailure {
		t.Errorf("exit status %d, want %d\n%s\n%s", code, exitFailure, stdout, stderr)
	}
	var lines []string // the problems and the count line; warnings follow the problems
	for _, l := range outputLines(stdout) {
		if !strings.Contains(l, ": warning: ") {
			lines = append(lines, l)
		}
	}
	want := loopProblems(t)
	if len(lines) != len(want)+1 {
		t.Fatalf("got %d lines, want the 2 loops and a count line:\n%s\nstderr:\n%s", len(lines), stdout, stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q\nwant prefix %q", i+1, lines[i], w)
		}
	}
}

// TestServeRefusesSubJourneyLoops: serve does not start with a looping
// policy: it prints the loops and ends with status 1, instead of serving a
// sign-in that would never answer.
func TestServeRefusesSubJourneyLoops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr lockedBuffer
	code := execute(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--policies", filepath.Join("testdata", "loops")}, &stdout, &stderr)
	if ctx.Err() != nil {
		t.Fatal("serve with a looping policy was still running after 30 s")
	}
	if code != exitFailure {
		t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFailure, stdout.String(), stderr.String())
	}
	for _, w := range loopProblems(t) {
		w = strings.TrimPrefix(w, filepath.Join("testdata", "loops")+string(filepath.Separator)) // serve names files within the folder
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
		}
	}
}
