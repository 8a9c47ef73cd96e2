package reports

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A sharded run (iefconform run --shard i/n) runs its share of the scenarios
// the whole run selected. godog numbers some things by what it runs: the row of
// a Scenario Outline's example in the cucumber id, a repeated scenario name in
// JUnit ("name #2"), and durations.json disambiguates repeated names among the
// run's scenarios. ApplyShard and NewShardDurations give each scenario of a
// shard the name the unsharded run gives it, so that a shard's reports name a
// scenario as every other run does and the merged reports equal one run's.

// PlannedScenario is one scenario of a sharded run's selection.
type PlannedScenario struct {
	// URI is the feature file, as godog names it in the reports.
	URI string
	// Line is the scenario's line, or for an example row of a Scenario Outline
	// the row's line: one scenario per (URI, Line).
	Line int
	// Name is the scenario's name (an example's values filled in).
	Name string
	// Row numbers an example row as the cucumber id does: its index in its
	// Examples table plus 2 (the first row is 2). 0 for a Scenario.
	Row int
	// Shard is the shard that runs the scenario, from 1.
	Shard int
}

// ShardPlan is the split of a run's selection into shards.
type ShardPlan struct {
	// Index is this run's shard, 1 to Total.
	Index, Total int
	// Scenarios is every scenario the run selected, in every shard, sorted by
	// URI then Line.
	Scenarios []PlannedScenario
}

// Label is "Index/Total", for example "2/3".
func (p ShardPlan) Label() string { return ShardLabel(p.Index, p.Total) }

// ShardLabel is "i/n".
func ShardLabel(i, n int) string { return strconv.Itoa(i) + "/" + strconv.Itoa(n) }

// Mine returns the scenarios of shard Index, sorted by URI then Line.
func (p ShardPlan) Mine() []PlannedScenario {
	var out []PlannedScenario
	for _, s := range p.Scenarios {
		if s.Shard == p.Index {
			out = append(out, s)
		}
	}
	return out
}

// byURI groups scenarios by feature file, each group in the order given.
func byURI(scenarios []PlannedScenario) map[string][]PlannedScenario {
	m := map[string][]PlannedScenario{}
	for _, s := range scenarios {
		m[s.URI] = append(m[s.URI], s)
	}
	return m
}

// junitNames returns the testcase names godog's junit formatter gives the
// scenarios of one feature, in their order: a name that occurs more than once
// gets " #1", " #2"... in order.
func junitNames(names []string) []string {
	count := map[string]int{}
	for _, n := range names {
		count[n]++
	}
	seen := map[string]int{}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n
		if count[n] > 1 {
			seen[n]++
			out[i] = fmt.Sprintf("%s #%d", n, seen[n])
		}
	}
	return out
}

func planNames(scenarios []PlannedScenario) []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.Name
	}
	return names
}

// ApplyShard corrects the cucumber.json and junit.xml that godog wrote into dir
// for shard p.Index: the example rows' cucumber ids and the JUnit testcase
// names become those of the unsharded run, and each JUnit testsuite gets the
// properties "shard" (p.Label()) and "uri" (its feature file). It fails when
// the reports do not hold exactly the plan's scenarios of the shard.
func ApplyShard(dir string, p ShardPlan) error {
	cucumberPath := filepath.Join(dir, CucumberFile)
	junitPath := filepath.Join(dir, JUnitFile)
	features, err := readCucumber(cucumberPath)
	if err != nil {
		return err
	}
	suites, err := readJUnit(junitPath)
	if err != nil {
		return err
	}
	mine := byURI(p.Mine())
	all := byURI(p.Scenarios)

	// cucumber.json: every element is a scenario of the shard; rows get their
	// unsharded index.
	n := 0
	for fi := range features {
		f := &features[fi]
		planned := map[int]PlannedScenario{}
		for _, s := range mine[f.URI] {
			planned[s.Line] = s
		}
		if len(f.Elements) != len(planned) {
			return fmt.Errorf("%s: %s has %d scenarios, shard %s runs %d of it", cucumberPath, f.URI, len(f.Elements), p.Label(), len(planned))
		}
		for ei := range f.Elements {
			e := &f.Elements[ei]
			s, ok := planned[e.Line]
			if !ok || s.Name != e.Name {
				return fmt.Errorf("%s: scenario %q (%s:%d) is not one shard %s runs", cucumberPath, e.Name, f.URI, e.Line, p.Label())
			}
			if s.Row > 0 {
				i := strings.LastIndexByte(e.ID, ';')
				if i < 0 {
					return fmt.Errorf("%s: example %q (%s:%d) has the id %q, without a row number", cucumberPath, e.Name, f.URI, e.Line, e.ID)
				}
				e.ID = e.ID[:i+1] + strconv.Itoa(s.Row)
			}
			n++
		}
	}
	if want := len(p.Mine()); n != want {
		return fmt.Errorf("%s: %d scenarios, shard %s runs %d", cucumberPath, n, p.Label(), want)
	}

	// junit.xml: each testsuite is one of cucumber.json's features.
	uris, err := suiteURIs(features, suites)
	if err != nil {
		return fmt.Errorf("%s: %w", junitPath, err)
	}
	for i, s := range suites.Suites {
		uri := uris[i]
		shardNames := junitNames(planNames(mine[uri]))
		var full []string // the unsharded run's names of the shard's scenarios
		for j, name := range junitNames(planNames(all[uri])) {
			if all[uri][j].Shard == p.Index {
				full = append(full, name)
			}
		}
		// suiteURIs matched the testcases to the feature's scenarios one to
		// one, in order.
		if len(s.Cases) != len(shardNames) || len(full) != len(shardNames) {
			return fmt.Errorf("%s: testsuite %q has %d testcases, shard %s runs %d scenarios of %s", junitPath, s.Name, len(s.Cases), p.Label(), len(shardNames), uri)
		}
		for j, c := range s.Cases {
			c.Name = full[j]
		}
		s.Properties = &junitProperties{Properties: []junitProperty{
			{Name: propertyShard, Value: p.Label()},
			{Name: propertyURI, Value: uri},
		}}
	}
	if err := writeCucumber(cucumberPath, features); err != nil {
		return err
	}
	return writeJUnit(junitPath, suites)
}

// suiteURIs finds the feature file of each JUnit testsuite: the feature of
// cucumber.json with the testsuite's name whose scenarios godog would name as
// the testsuite's testcases are named. Features with the same name and the same
// scenario names are taken in the order of their files.
func suiteURIs(features []cucumberFeature, suites *junitSuites) ([]string, error) {
	if len(suites.Suites) != len(features) {
		return nil, fmt.Errorf("%d testsuites, cucumber.json has %d features", len(suites.Suites), len(features))
	}
	order := slices.Clone(features)
	slices.SortStableFunc(order, func(a, b cucumberFeature) int { return cmp.Compare(a.URI, b.URI) })
	used := make([]bool, len(order))
	uris := make([]string, len(suites.Suites))
	for i, s := range suites.Suites {
		cases := make([]string, len(s.Cases))
		for j, c := range s.Cases {
			cases[j] = c.Name
		}
		found := false
		for k, f := range order {
			if used[k] || f.Name != s.Name {
				continue
			}
			names := make([]string, len(f.Elements))
			for j, e := range f.Elements {
				names[j] = e.Name
			}
			if slices.Equal(junitNames(names), cases) {
				used[k], uris[i], found = true, f.URI, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("testsuite %q matches no feature of cucumber.json", s.Name)
		}
	}
	return uris, nil
}

// ShardInfo is what durations.json says of a sharded run.
type ShardInfo struct {
	// Index is the shard, 1 to Total.
	Index int `json:"index"`
	// Total is the number of shards.
	Total int `json:"total"`
	// Selected is the number of scenarios the run selected in all shards.
	Selected int `json:"selected"`
}

// NewShardDurations builds durations.json for shard p.Index: scenarios are the
// shard's finished scenarios (Collector.Scenarios), named as the unsharded run
// names them. It fails when they are not the plan's scenarios of the shard.
func NewShardDurations(p ShardPlan, scenarios []Scenario, wall time.Duration, concurrency int) (Durations, error) {
	// The unsharded run's keys, by (URI, Line).
	type place struct {
		uri  string
		line int
	}
	all := make([]Scenario, len(p.Scenarios))
	for i, s := range p.Scenarios {
		all[i] = Scenario{Name: s.Name, URI: s.URI}
	}
	keys := map[place]string{}
	for i, k := range durationKeys(all) {
		keys[place{p.Scenarios[i].URI, p.Scenarios[i].Line}] = k
	}

	// The shard's scenarios of each file ran in the order of their lines (the
	// collector orders them by godog's pickle id, given in the file's order).
	mine := byURI(p.Mine())
	ran := map[string][]Scenario{}
	for _, sc := range scenarios {
		ran[sc.URI] = append(ran[sc.URI], sc)
	}
	var keyed []Scenario
	var names []string
	for uri, scs := range ran {
		planned := mine[uri]
		if len(scs) != len(planned) {
			return Durations{}, fmt.Errorf("shard %s: %d scenarios of %s ran, %d planned", p.Label(), len(scs), uri, len(planned))
		}
		for i, sc := range scs {
			if sc.Name != planned[i].Name {
				return Durations{}, fmt.Errorf("shard %s: %s: scenario %q ran where %q (line %d) was planned", p.Label(), uri, sc.Name, planned[i].Name, planned[i].Line)
			}
			keyed = append(keyed, sc)
			names = append(names, keys[place{uri, planned[i].Line}])
		}
	}
	if len(keyed) != len(p.Mine()) {
		return Durations{}, fmt.Errorf("shard %s: %d scenarios ran, %d planned", p.Label(), len(keyed), len(p.Mine()))
	}
	d := newDurations(keyed, names, wall, concurrency)
	d.Shard = &ShardInfo{Index: p.Index, Total: p.Total, Selected: len(p.Scenarios)}
	return d, nil
}
