package reports

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Summary counts scenarios by status.
type Summary struct {
	Passed, Failed, Skipped, Undefined, Pending int
}

// Summarize counts scenarios by status.
func Summarize(scenarios []Scenario) Summary {
	var s Summary
	for _, sc := range scenarios {
		switch sc.Status {
		case Passed:
			s.Passed++
		case Skipped:
			s.Skipped++
		case Pending:
			s.Pending++
		case Undefined:
			s.Undefined++
		default:
			s.Failed++
		}
	}
	return s
}

// Total is the number of scenarios counted.
func (s Summary) Total() int { return s.Passed + s.Failed + s.Skipped + s.Undefined + s.Pending }

// OK reports whether the run succeeded: no scenario failed, and, because runs
// are strict, none is undefined or pending.
func (s Summary) OK() bool { return s.Failed+s.Undefined+s.Pending == 0 }

// String is the summary line: "N passed, N failed", followed by the skipped,
// undefined and pending counts when they are not zero.
func (s Summary) String() string {
	parts := []string{strconv.Itoa(s.Passed) + " passed", strconv.Itoa(s.Failed) + " failed"}
	for _, c := range []struct {
		n    int
		word string
	}{{s.Skipped, "skipped"}, {s.Undefined, "undefined"}, {s.Pending, "pending"}} {
		if c.n > 0 {
			parts = append(parts, strconv.Itoa(c.n)+" "+c.word)
		}
	}
	return strings.Join(parts, ", ")
}

// Mark is the one-character sign of a status in scenario lines.
func (s Status) Mark() string {
	switch s {
	case Passed:
		return "✓"
	case Skipped:
		return "-"
	case Pending:
		return "…"
	case Undefined:
		return "?"
	default:
		return "✗"
	}
}

// WriteLines writes one line per scenario: its mark, its duration and its
// name, for example "  ✓  412ms  Sign-in gives the claims the policy mapped".
// Scenarios that did not pass get a second line with their status and error.
func WriteLines(w io.Writer, scenarios []Scenario) error {
	for _, sc := range scenarios {
		if _, err := fmt.Fprintf(w, "  %s %6s  %s\n", sc.Status.Mark(), FormatDuration(sc.Duration), sc.Name); err != nil {
			return fmt.Errorf("write scenario lines: %w", err)
		}
		if sc.Status == Passed {
			continue
		}
		detail := string(sc.Status)
		if sc.Error != "" {
			detail += ": " + firstLine(sc.Error)
		}
		if _, err := fmt.Fprintf(w, "           %s (%s)\n", detail, sc.URI); err != nil {
			return fmt.Errorf("write scenario lines: %w", err)
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// FormatDuration shows d in milliseconds below ten seconds ("412ms") and in
// seconds with one decimal above ("12.3s").
func FormatDuration(d time.Duration) string {
	if d < 10*time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// Median is the median duration of the scenarios, 0 when there are none.
func Median(scenarios []Scenario) time.Duration {
	if len(scenarios) == 0 {
		return 0
	}
	ds := make([]time.Duration, len(scenarios))
	for i, sc := range scenarios {
		ds[i] = sc.Duration
	}
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}
