package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of a run.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// cli runs the command line in-process and returns its exit status and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr lockedBuffer
	code := execute(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestHelpAndUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string // in stdout
		wantErr  []string // in stderr
	}{
		{"root help", []string{"--help"}, exitOK,
			[]string{"emulates Azure AD B2C custom policies", "run", "serve", "validate", "version"}, nil},
		{"no command shows help", nil, exitOK, []string{"Available Commands"}, nil},
		{"run help explains every flag", []string{"run", "--help"}, exitOK,
			[]string{"--features", "--policies", "--tags", "--format", "--concurrency", "--out", "--browser", "cucumber.json", "junit.xml", "durations.json", "Examples:"}, nil},
		{"serve help", []string{"serve", "--help"}, exitOK,
			[]string{"--addr", "--facebook-addr", "--rp-addr", "--policy", "--policies", "--keys", "--verbose", "alice / wonderland"}, nil},
		{"validate help", []string{"validate", "--help"}, exitOK, []string{"file:line: path: CODE: message", "--settings", "--set"}, nil},
		{"version", []string{"version"}, exitOK, []string{"iefconform "}, nil},
		{"unknown command", []string{"frobnicate"}, exitUsage, nil, []string{`unknown command "frobnicate"`, "--help"}},
		{"unknown flag", []string{"run", "--frobnicate"}, exitUsage, nil, []string{"unknown flag: --frobnicate"}},
		{"bad format", []string{"run", "--format", "json"}, exitUsage, nil, []string{`--format "json": want progress or pretty`}},
		{"bad concurrency", []string{"run", "--concurrency", "0"}, exitUsage, nil, []string{"--concurrency 0"}},
		{"empty tag", []string{"run", "--tags", "@a,,@b"}, exitUsage, nil, []string{"empty tag"}},
		{"cucumber tag syntax", []string{"run", "--tags", "not @a"}, exitUsage, nil, []string{"~@a for not"}},
		{"missing features", []string{"run", "--features", "testdata/no-such-dir"}, exitUsage, nil, []string{"--features"}},
		{"missing browser", []string{"run", "--browser", "/no/such/chromium"}, exitUsage, nil, []string{"--browser"}},
		{"validate without paths", []string{"validate"}, exitUsage, nil, []string{"requires at least 1 arg"}},
		{"validate bad --set", []string{"validate", "--set", "NoEquals", "testdata/planted"}, exitUsage, nil, []string{"want Name=Value"}},
		{"validate --env without --settings", []string{"validate", "--env", "Test", "testdata/planted"}, exitUsage, nil, []string{"needs --settings"}},
		{"serve unknown policy", []string{"serve", "--policy", "nope"}, exitUsage, nil, []string{`--policy "nope": no such built-in policy folder; have `, "facebook"}},
		{"serve bad response mode", []string{"serve", "--response-mode", "query"}, exitUsage, nil, []string{"want form_post or fragment"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
