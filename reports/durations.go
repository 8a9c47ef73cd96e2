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
}

// NewDurations builds the durations document of a run.
func NewDurations(scenarios []Scenario, wall time.Duration, concurrency int) Durations {
	d := Durations{
		Scenarios:   make(map[string]int64, len(scenarios)),
		Count:       len(scenarios),
		MedianMs:    Median(scenarios).Milliseconds(),
		WallMs:      wall.Milliseconds(),
		Concurrency: concurrency,
	}
	names := map[string]int{}
	for _, sc := range scenarios {
		names[sc.Name]++
	}
	for _, sc := range scenarios {
		key := sc.Name
		if names[sc.Name] > 1 && sc.URI != "" {
			key += " (" + sc.URI + ")"
		}
		unique := key
		for n := 2; ; n++ {
			if _, taken := d.Scenarios[unique]; !taken {
				break
			}
			unique = fmt.Sprintf("%s #%d", key, n)
		}
		d.Scenarios[unique] = sc.Duration.Milliseconds()
	}
	return d
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
