package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/reports"
)

const feature = `Feature: outcomes
  Scenario: passes
    Given a step that passes
    And a step that passes

  Scenario: fails
    Given a step that passes
    And a step that fails
    And a step that passes

  Scenario: is pending
    Given a pending step

  Scenario: is undefined
    Given a step nobody wrote

  Scenario: skips
    Given a step that passes
    And a step that skips
    And a step that passes

  Scenario: fails in an After hook
    Given a step that passes
`

// steps defines the steps of feature and an After hook that fails the scenario
// named "fails in an After hook".
func steps(sc *godog.ScenarioContext) {
	sc.Step(`^a step that passes$`, func() error { return nil })
	sc.Step(`^a step that fails$`, func() error { return errors.New("want 1, got 2") })
	sc.Step(`^a pending step$`, func() error { return godog.ErrPending })
	sc.Step(`^a step that skips$`, func() error { return godog.ErrSkip })
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		if s.Name == "fails in an After hook" {
			return ctx, errors.New("close parties: boom")
		}
		return ctx, nil
	})
}

func run(t *testing.T, c *reports.Collector, concurrency int) int {
	t.Helper()
	return godog.TestSuite{
		Name:                "reports",
		ScenarioInitializer: c.Wrap(steps),
		Options: &godog.Options{
			Format:          "progress",
			Output:          io.Discard,
			Strict:          true,
			Concurrency:     concurrency,
			FeatureContents: []godog.Feature{{Name: "outcomes.feature", Contents: []byte(feature)}},
		},
	}.Run()
}

func TestCollectorStatuses(t *testing.T) {
	for _, concurrency := range []int{1, 3} {
		c := reports.NewCollector()
		if status := run(t, c, concurrency); status != 1 {
			t.Errorf("concurrency %d: godog status %d, want 1", concurrency, status)
		}
		got := map[string]reports.Status{}
		var names []string
		for _, sc := range c.Scenarios() {
			got[sc.Name] = sc.Status
			names = append(names, sc.Name)
		}
		want := map[string]reports.Status{
			"passes":                 reports.Passed,
			"fails":                  reports.Failed,
			"is pending":             reports.Pending,
			"is undefined":           reports.Undefined,
			"skips":                  reports.Skipped,
			"fails in an After hook": reports.Failed,
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("concurrency %d: scenario %q: status %q, want %q", concurrency, name, got[name], w)
			}
		}
		wantOrder := "passes,fails,is pending,is undefined,skips,fails in an After hook"
		if strings.Join(names, ",") != wantOrder {
			t.Errorf("concurrency %d: order %q, want the features' order %q", concurrency, strings.Join(names, ","), wantOrder)
		}
		if s := c.Summary().String(); s != "1 passed, 2 failed, 1 skipped, 1 undefined, 1 pending" {
			t.Errorf("concurrency %d: summary %q", concurrency, s)
		}
	}
}

func TestCollectorDurations(t *testing.T) {
	var ticks atomic.Int64
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return t0.Add(time.Duration(ticks.Add(1)) * 100 * time.Millisecond) }
	c := reports.NewCollector(reports.WithClock(clock))
	run(t, c, 1)
	scs := c.Scenarios()
	if len(scs) != 6 {
		t.Fatalf("got %d scenarios, want 6", len(scs))
	}
	for _, sc := range scs {
		// One tick in Before, one in After: 100ms each.
		if sc.Duration != 100*time.Millisecond {
			t.Errorf("scenario %q: duration %v, want 100ms", sc.Name, sc.Duration)
		}
	}
	if sc := scs[1]; sc.Error == "" || !strings.Contains(sc.Error, "want 1, got 2") {
		t.Errorf("failed scenario's error = %q, want the step's error", sc.Error)
	}
}

func TestSummaryString(t *testing.T) {
	tests := []struct {
		name string
		in   reports.Summary
		want string
	}{
		{"empty", reports.Summary{}, "0 passed, 0 failed"},
		{"passed", reports.Summary{Passed: 12}, "12 passed, 0 failed"},
		{"all", reports.Summary{Passed: 1, Failed: 2, Skipped: 3, Undefined: 4, Pending: 5}, "1 passed, 2 failed, 3 skipped, 4 undefined, 5 pending"},
		{"pending only", reports.Summary{Pending: 1}, "0 passed, 0 failed, 1 pending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
	if (reports.Summary{Passed: 1, Skipped: 1}).OK() != true || (reports.Summary{Pending: 1}).OK() != false {
		t.Error("OK: want skipped to pass and pending to fail a strict run")
	}
}

func TestMedian(t *testing.T) {
	ms := func(ns ...int) []reports.Scenario {
		var out []reports.Scenario
		for _, n := range ns {
			out = append(out, reports.Scenario{Duration: time.Duration(n) * time.Millisecond})
		}
		return out
	}
	tests := []struct {
		name string
		in   []reports.Scenario
		want time.Duration
	}{
		{"none", nil, 0},
		{"odd", ms(300, 100, 200), 200 * time.Millisecond},
		{"even", ms(400, 100, 200, 300), 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reports.Median(tt.in); got != tt.want {
				t.Errorf("Median = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDurationsFile(t *testing.T) {
	scs := []reports.Scenario{
		{Name: "a", URI: "x.feature", Duration: 100 * time.Millisecond},
		{Name: "b", URI: "x.feature", Duration: 300 * time.Millisecond},
		{Name: "b", URI: "y.feature", Duration: 200 * time.Millisecond},
		{Name: "b", URI: "y.feature", Duration: 400 * time.Millisecond},
	}
	path := filepath.Join(t.TempDir(), "durations.json")
	if err := reports.NewDurations(scs, 2*time.Second, 2).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got reports.Durations
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("durations.json is not JSON: %v\n%s", err, data)
	}
	want := map[string]int64{"a": 100, "b (x.feature)": 300, "b (y.feature)": 200, "b (y.feature) #2": 400}
	if len(got.Scenarios) != len(want) {
		t.Errorf("scenarios = %v, want %v", got.Scenarios, want)
	}
	for k, v := range want {
		if got.Scenarios[k] != v {
			t.Errorf("scenarios[%q] = %d, want %d (all: %v)", k, got.Scenarios[k], v, got.Scenarios)
		}
	}
	if got.MedianMs != 250 || got.WallMs != 2000 || got.Count != 4 || got.Concurrency != 2 {
		t.Errorf("medianMs=%d wallMs=%d count=%d concurrency=%d, want 250 2000 4 2", got.MedianMs, got.WallMs, got.Count, got.Concurrency)
	}
}

func TestWriteLines(t *testing.T) {
	var b bytes.Buffer
	err := reports.WriteLines(&b, []reports.Scenario{
		{Name: "Sign-in works", Status: reports.Passed, Duration: 412 * time.Millisecond},
		{Name: "Sign-in fails", URI: "oauth2/x.feature", Status: reports.Failed, Duration: 12345 * time.Millisecond, Error: "want a\nmore"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "  ✓  412ms  Sign-in works\n" +
		"  ✗  12.3s  Sign-in fails\n" +
		"           failed: want a … (oauth2/x.feature)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
