// Package reports turns a conformance run into reports for people and for CI:
// one line per scenario with its outcome and duration, a summary line, and
// durations.json. The cucumber JSON and JUnit XML reports come from godog's own
// formatters; this package adds what they lack.
//
// Outcomes and durations are recorded by a Collector through godog scenario and
// step hooks rather than by a formatter: when scenarios run concurrently godog
// buffers every formatter event of a scenario and replays them when the
// scenario ends, so a formatter cannot time scenarios. Hooks run as the
// scenario runs. A Collector belongs to one run; nothing here is global.
//
// A sharded run (run --shard i/n) corrects godog's reports of its share so that
// they name each scenario as the unsharded run does (ApplyShard,
// NewShardDurations), and Merge joins the shards' reports into the reports of
// one run. For that the package reads and writes godog's cucumber JSON and
// JUnit XML with types that mirror godog's formatters.
package reports

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cucumber/godog"
)

// Status is the outcome of a scenario.
type Status string

// Scenario outcomes, from best to worst.
const (
	Passed    Status = "passed"
	Skipped   Status = "skipped"
	Pending   Status = "pending"
	Undefined Status = "undefined"
	Failed    Status = "failed"
)

// rank orders the statuses: a scenario has the worst status of its steps.
func (s Status) rank() int {
	switch s {
	case Passed:
		return 0
	case Skipped:
		return 1
	case Pending:
		return 2
	case Undefined:
		return 3
	default:
		return 4
	}
}

// Scenario is one finished scenario.
type Scenario struct {
	// Name is the scenario's name; for a Scenario Outline, with the example's values filled in.
	Name string
	// URI is the feature file the scenario comes from.
	URI string
	// ID is godog's pickle id, unique within a run.
	ID     string
	Status Status
	// Duration runs from the collector's Before hook to its After hook: it
	// includes the other hooks (starting and stopping the scenario's parties).
	Duration time.Duration
	// Error is the error the scenario ended with, if any.
	Error string
}

// Option configures a Collector.
type Option func(*Collector)

// WithClock sets the clock used to time scenarios. Default time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *Collector) {
		if now != nil {
			c.now = now
		}
	}
}

// Collector records the outcome and duration of every scenario of one run. It
// is safe for concurrent use by concurrently running scenarios.
type Collector struct {
	now func() time.Time

	mu        sync.Mutex
	scenarios []Scenario
}

// NewCollector returns an empty collector.
func NewCollector(opts ...Option) *Collector {
	c := &Collector{now: time.Now}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// record is one running scenario's state, carried in its context. Hooks of one
// scenario run one after another, so it needs no lock.
type record struct {
	start  time.Time
	status Status
}

type recordKey struct{}

// Wrap returns a scenario initializer that registers the collector's hooks
// around init's: its Before hook first, so that a scenario's time includes the
// other Before hooks, and its After hook last, so that it sees errors the other
// After hooks add.
func (c *Collector) Wrap(init func(*godog.ScenarioContext)) func(*godog.ScenarioContext) {
	return func(sc *godog.ScenarioContext) {
		sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
			return context.WithValue(ctx, recordKey{}, &record{start: c.now(), status: Passed}), nil
		})
		if init != nil {
			init(sc)
		}
		sc.StepContext().After(func(ctx context.Context, _ *godog.Step, status godog.StepResultStatus, _ error) (context.Context, error) {
			if r, ok := ctx.Value(recordKey{}).(*record); ok {
				r.status = worst(r.status, stepStatus(status))
			}
			return ctx, nil
		})
		sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
			c.finish(ctx, s, err)
			return ctx, nil
		})
	}
}

// finish records a scenario when its After hooks run.
func (c *Collector) finish(ctx context.Context, s *godog.Scenario, err error) {
	end := c.now()
	r, ok := ctx.Value(recordKey{}).(*record)
	if !ok {
		r = &record{start: end, status: Passed}
	}
	sc := Scenario{Name: s.Name, URI: s.Uri, ID: s.Id, Status: worst(r.status, errStatus(err)), Duration: end.Sub(r.start)}
	if err != nil {
		sc.Error = err.Error()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.scenarios = append(c.scenarios, sc)
}

func worst(a, b Status) Status {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

func stepStatus(s godog.StepResultStatus) Status {
	switch s {
	case godog.StepPassed:
		return Passed
	case godog.StepSkipped:
		return Skipped
	case godog.StepPending:
		return Pending
	case godog.StepUndefined:
		return Undefined
	default: // failed, ambiguous
		return Failed
	}
}

func errStatus(err error) Status {
	switch {
	case err == nil:
		return Passed
	case errors.Is(err, godog.ErrSkip):
		return Skipped
	case errors.Is(err, godog.ErrPending):
		return Pending
	case errors.Is(err, godog.ErrUndefined):
		return Undefined
	default:
		return Failed
	}
}

// Scenarios returns the finished scenarios in the order of the features: by
// godog's pickle id, which counts up as godog parses the features.
func (c *Collector) Scenarios() []Scenario {
	c.mu.Lock()
	out := slices.Clone(c.scenarios)
	c.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Scenario) int {
		ai, aerr := strconv.Atoi(a.ID)
		bi, berr := strconv.Atoi(b.ID)
		if aerr == nil && berr == nil {
			return cmp.Compare(ai, bi)
		}
		return cmp.Or(cmp.Compare(a.URI, b.URI), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Summary counts the finished scenarios by status.
func (c *Collector) Summary() Summary {
	return Summarize(c.Scenarios())
}
