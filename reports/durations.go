package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Durations is the content of durations.json: how long each scenario of a run
// took, in milliseconds, with the figures a benchmark table cites.
type Durations struct {
	// Scenarios maps a scenario's name to its duration in milliseconds. A name
	// that occurs more than once gets its feature file appended, then " #2", " #3"...
	Scenarios map[string]int64 `json:"scenarios"`
	// Count is the number of scenarios.
	Count int `json:"count"`
	// MedianMs is the median scenario duration.
	MedianMs int64 `json:"medianMs"`
	// WallMs is the wall time of the whole run, browser start included.
	WallMs int64 `json:"wallMs"`
	// Concurrency is how many scenarios ran at once.
	Concurrency int `json:"concurrency"`
	// Shard says which shard of the selection a sharded run (run --shard) ran.
	Shard *ShardInfo `json:"shard,omitempty"`
	// Shards lists the shards merged reports (reports merge) were joined from;
	// then WallMs is the longest shard's, Concurrency the highest.
	Shards []ShardRun `json:"shards,omitempty"`
}

// ShardRun is one shard of merged reports.
type ShardRun struct {
	// Shard is "i/n".
	Shard string `json:"shard"`
	// Dir is the folder its reports were read from.
	Dir string `json:"dir"`
	// Count is the number of scenarios it ran.
	Count int `json:"count"`
	// WallMs is its wall time.
	WallMs int64 `json:"wallMs"`
}

// NewDurations builds the durations document of a run.
func NewDurations(scenarios []Scenario, wall time.Duration, concurrency int) Durations {
	return newDurations(scenarios, durationKeys(scenarios), wall, concurrency)
}

// newDurations builds the durations document of a run whose scenarios are
// named keys[i] in it.
func newDurations(scenarios []Scenario, keys []string, wall time.Duration, concurrency int) Durations {
	d := Durations{
		Scenarios:   make(map[string]int64, len(scenarios)),
		Count:       len(scenarios),
		MedianMs:    Median(scenarios).Milliseconds(),
		WallMs:      wall.Milliseconds(),
		Concurrency: concurrency,
	}
	for i, sc := range scenarios {
		d.Scenarios[keys[i]] = sc.Duration.Milliseconds()
	}
	return d
}

// durationKeys returns the names of the scenarios in durations.json: a name
// that occurs more than once gets its feature file appended, then " #2", " #3"
// in the order of scenarios.
func durationKeys(scenarios []Scenario) []string {
	names := map[string]int{}
	for _, sc := range scenarios {
		names[sc.Name]++
	}
	taken := make(map[string]bool, len(scenarios))
	keys := make([]string, len(scenarios))
	for i, sc := range scenarios {
		key := sc.Name
		if names[sc.Name] > 1 && sc.URI != "" {
			key += " (" + sc.URI + ")"
		}
		unique := key
		for n := 2; taken[unique]; n++ {
			unique = fmt.Sprintf("%s #%d", key, n)
		}
		taken[unique] = true
		keys[i] = unique
	}
	return keys
}

// WriteFile writes d as indented JSON to path.
func (d Durations) WriteFile(path string) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("write durations: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write durations: %w", err)
	}
	return nil
}
