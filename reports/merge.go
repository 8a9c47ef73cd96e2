package reports

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The files of a run's reports, in the folder run --out names.
const (
	CucumberFile  = "cucumber.json"
	JUnitFile     = "junit.xml"
	DurationsFile = "durations.json"
)

// MergeResult describes merged reports.
type MergeResult struct {
	// Shards are the merged shards, in the order of their index.
	Shards []ShardRun
	// Features, Scenarios and Steps count the merged cucumber report.
	Features, Scenarios, Steps int
	// Summary counts the scenarios by outcome (the worst of their steps').
	Summary Summary
}

// shardReports are the three reports of one shard.
type shardReports struct {
	dir       string
	durations Durations
	cucumber  []cucumberFeature
	junit     *junitSuites
}

func (s shardReports) label() string {
	return ShardLabel(s.durations.Shard.Index, s.durations.Shard.Total)
}

func (s shardReports) file(name string) string { return filepath.Join(s.dir, name) }

// Merge joins the reports of the shards of one run, each in one of dirs (the
// folders `run --shard i/n --out DIR` wrote), into one set of reports in out,
// the set one unsharded run writes: cucumber.json's features (by file) and
// scenarios (by line) in the order godog gives them, junit.xml's testsuites
// with their counts summed, durations.json with every scenario and the median
// computed again.
//
// It fails, naming the file, when a report is missing or is not what a
// sharded run writes, when a shard is missing or given twice, when the shards
// come from different splits (their n or their selection differ), when a
// scenario is in two shards, and when the three reports of a shard disagree.
// The merged scenarios are then exactly the selection of the run. Nothing is
// written unless every input is right.
func Merge(out string, dirs []string) (MergeResult, error) {
	var res MergeResult
	if len(dirs) == 0 {
		return res, errors.New("no report folders to merge")
	}
	shards := make([]shardReports, 0, len(dirs))
	for _, dir := range dirs {
		s, err := readShard(dir)
		if err != nil {
			return res, err
		}
		shards = append(shards, s)
	}
	if err := checkShardSet(shards); err != nil {
		return res, err
	}
	slices.SortFunc(shards, func(a, b shardReports) int { return cmp.Compare(a.durations.Shard.Index, b.durations.Shard.Index) })

	features, owners, err := mergeCucumber(shards)
	if err != nil {
		return res, err
	}
	junit, err := mergeJUnit(shards, features, owners)
	if err != nil {
		return res, err
	}
	durations, err := mergeDurations(shards)
	if err != nil {
		return res, err
	}

	if err := os.MkdirAll(out, 0o755); err != nil {
		return res, err
	}
	if err := writeCucumber(filepath.Join(out, CucumberFile), features); err != nil {
		return res, err
	}
	if err := writeJUnit(filepath.Join(out, JUnitFile), junit); err != nil {
		return res, err
	}
	if err := durations.WriteFile(filepath.Join(out, DurationsFile)); err != nil {
		return res, err
	}

	res.Shards = durations.Shards
	res.Features = len(features)
	var scenarios []Scenario
	for _, f := range features {
		for _, e := range f.Elements {
			res.Steps += len(e.Steps)
			scenarios = append(scenarios, Scenario{Status: e.status()})
		}
	}
	res.Scenarios = len(scenarios)
	res.Summary = Summarize(scenarios)
	return res, nil
}

func readShard(dir string) (shardReports, error) {
	s := shardReports{dir: dir}
	d, err := readDurations(s.file(DurationsFile))
	if err != nil {
		return s, err
	}
	s.durations = d
	if s.cucumber, err = readCucumber(s.file(CucumberFile)); err != nil {
		return s, err
	}
	if s.junit, err = readJUnit(s.file(JUnitFile)); err != nil {
		return s, err
	}
	elements := 0
	for _, f := range s.cucumber {
		elements += len(f.Elements)
	}
	if elements != d.Count {
		return s, fmt.Errorf("%s has %d scenarios, %s counts %d: the reports are not of one run", s.file(CucumberFile), elements, s.file(DurationsFile), d.Count)
	}
	if s.junit.Tests != d.Count {
		return s, fmt.Errorf("%s has %d tests, %s counts %d: the reports are not of one run", s.file(JUnitFile), s.junit.Tests, s.file(DurationsFile), d.Count)
	}
	return s, nil
}

// readDurations reads the durations.json of a sharded run.
func readDurations(path string) (Durations, error) {
	var d Durations
	data, err := os.ReadFile(path)
	if err != nil {
		return d, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("%s: not a durations.json of iefconform run: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return d, fmt.Errorf("%s: not a durations.json of iefconform run: data after the document", path)
	}
	switch {
	case d.Shard == nil && d.Shards != nil:
		return d, fmt.Errorf("%s: these reports were merged already; merge the shards' own folders", path)
	case d.Shard == nil:
		return d, fmt.Errorf("%s: no shard: merge joins the reports of `iefconform run --shard i/n`", path)
	case d.Shard.Total < 1 || d.Shard.Index < 1 || d.Shard.Index > d.Shard.Total:
		return d, fmt.Errorf("%s: shard %d/%d: want i/n with 1 <= i <= n", path, d.Shard.Index, d.Shard.Total)
	case d.Count != len(d.Scenarios):
		return d, fmt.Errorf("%s: count %d, but %d scenarios", path, d.Count, len(d.Scenarios))
	case d.Count > d.Shard.Selected:
		return d, fmt.Errorf("%s: %d scenarios of the %d selected", path, d.Count, d.Shard.Selected)
	}
	return d, nil
}

// checkShardSet checks that shards are every shard of one split, once.
func checkShardSet(shards []shardReports) error {
	first := shards[0]
	byIndex := map[int]shardReports{}
	for _, s := range shards {
		if s.durations.Shard.Total != first.durations.Shard.Total || s.durations.Shard.Selected != first.durations.Shard.Selected {
			return fmt.Errorf("%s is shard %s of %d scenarios, %s shard %s of %d: the shards come from different runs",
				s.file(DurationsFile), s.label(), s.durations.Shard.Selected,
				first.file(DurationsFile), first.label(), first.durations.Shard.Selected)
		}
		if prev, dup := byIndex[s.durations.Shard.Index]; dup {
			return fmt.Errorf("shard %s is given twice: %s and %s", s.label(), prev.dir, s.dir)
		}
		byIndex[s.durations.Shard.Index] = s
	}
	n := first.durations.Shard.Total
	var missing []string
	for i := 1; i <= n; i++ {
		if _, ok := byIndex[i]; !ok {
			missing = append(missing, ShardLabel(i, n))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("shard %s missing: merge needs the folders of all %d shards", strings.Join(missing, ", "), n)
	}
	return nil
}

// place is where a scenario is: its feature file and line.
type place struct {
	uri  string
	line int
}

// mergeCucumber joins the shards' cucumber reports: features by file,
// scenarios by line, in godog's order (features by name, scenarios by their
// place in the file). owners maps each scenario to the folder of its shard.
func mergeCucumber(shards []shardReports) (features []cucumberFeature, owners map[place]string, err error) {
	from := map[place]string{} // a scenario -> the file it came from
	owners = map[place]string{}
	byURI := map[string]int{} // a feature file -> its index in features
	features = []cucumberFeature{}
	for _, s := range shards {
		path := s.file(CucumberFile)
		for _, f := range s.cucumber {
			i, ok := byURI[f.URI]
			if !ok {
				i = len(features)
				byURI[f.URI] = i
				g := f
				g.Elements = nil
				features = append(features, g)
			} else if features[i].Name != f.Name {
				return nil, nil, fmt.Errorf("%s names the feature %s %q, another shard %q: the shards ran different features", path, f.URI, f.Name, features[i].Name)
			}
			for _, e := range f.Elements {
				p := place{f.URI, e.Line}
				if prev, dup := from[p]; dup {
					return nil, nil, fmt.Errorf("scenario %q (%s:%d) is in %s and in %s", e.Name, f.URI, e.Line, prev, path)
				}
				from[p] = path
				owners[p] = s.dir
				features[i].Elements = append(features[i].Elements, e)
			}
		}
	}
	if selected := shards[0].durations.Shard.Selected; len(from) != selected {
		return nil, nil, fmt.Errorf("the shards hold %d scenarios, their run selected %d", len(from), selected)
	}
	slices.SortStableFunc(features, func(a, b cucumberFeature) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.URI, b.URI))
	})
	for _, f := range features {
		slices.SortFunc(f.Elements, func(a, b cucumberElement) int { return cmp.Compare(a.Line, b.Line) })
	}
	return features, owners, nil
}

// mergeJUnit joins the shards' JUnit reports: one testsuite per feature of the
// merged cucumber report, in its order, with the feature's testcases from every
// shard in the order of its scenarios, named as godog names them in one run.
// The counts of the parts are summed, and so are their times; the run's time is
// the longest shard's (shards run side by side).
func mergeJUnit(shards []shardReports, features []cucumberFeature, owners map[place]string) (*junitSuites, error) {
	type part struct {
		suite *junitSuite
		path  string
	}
	parts := map[string][]part{} // a feature file -> its testsuites
	merged := &junitSuites{Name: shards[0].junit.Name}
	var wall float64
	for _, s := range shards {
		path := s.file(JUnitFile)
		for _, suite := range s.junit.Suites {
			uri := suite.property(propertyURI)
			if uri == "" {
				return nil, fmt.Errorf("%s: testsuite %q has no %q property: merge joins the reports of `iefconform run --shard i/n`", path, suite.Name, propertyURI)
			}
			parts[uri] = append(parts[uri], part{suite, path})
		}
		merged.Tests += s.junit.Tests
		merged.Skipped += s.junit.Skipped
		merged.Failures += s.junit.Failures
		merged.Errors += s.junit.Errors
		t, _ := parseSeconds(s.junit.Time) // checked by readJUnit
		wall = max(wall, t)
	}
	merged.Time = formatSeconds(wall)

	for _, f := range features {
		names := make([]string, len(f.Elements))
		for i, e := range f.Elements {
			names[i] = e.Name
		}
		suite := &junitSuite{Name: f.Name}
		type found struct {
			c    *junitCase
			path string
		}
		cases := map[string]found{}
		var seconds float64
		for _, p := range parts[f.URI] {
			if p.suite.Name != f.Name {
				return nil, fmt.Errorf("%s: testsuite %q of %s: cucumber.json names the feature %q", p.path, p.suite.Name, f.URI, f.Name)
			}
			for _, c := range p.suite.Cases {
				if _, dup := cases[c.Name]; dup {
					return nil, fmt.Errorf("%s: testcase %q of %s is in %s too", p.path, c.Name, f.URI, cases[c.Name].path)
				}
				cases[c.Name] = found{c, p.path}
			}
			suite.Tests += p.suite.Tests
			suite.Skipped += p.suite.Skipped
			suite.Failures += p.suite.Failures
			suite.Errors += p.suite.Errors
			t, _ := parseSeconds(p.suite.Time)
			seconds += t
		}
		names = junitNames(names)
		for _, p := range parts[f.URI] {
			for _, c := range p.suite.Cases {
				if !slices.Contains(names, c.Name) {
					return nil, fmt.Errorf("%s: testcase %q of %s is not a scenario of the cucumber.json reports", p.path, c.Name, f.URI)
				}
			}
		}
		for i, name := range names {
			want := filepath.Join(owners[place{f.URI, f.Elements[i].Line}], JUnitFile)
			c, ok := cases[name]
			if !ok || c.path != want {
				return nil, fmt.Errorf("%s lacks the testcase %q of %s, which its cucumber.json has", want, name, f.URI)
			}
			suite.Cases = append(suite.Cases, c.c)
		}
		delete(parts, f.URI)
		suite.Time = formatSeconds(seconds)
		merged.Suites = append(merged.Suites, suite)
	}
	for _, s := range shards {
		for _, suite := range s.junit.Suites {
			if uri := suite.property(propertyURI); parts[uri] != nil {
				return nil, fmt.Errorf("%s: testsuite %q of %s is not a feature of the cucumber.json reports", s.file(JUnitFile), suite.Name, uri)
			}
		}
	}
	if merged.Tests != shards[0].durations.Shard.Selected {
		return nil, fmt.Errorf("the shards' junit.xml count %d tests, their run selected %d scenarios", merged.Tests, shards[0].durations.Shard.Selected)
	}
	return merged, nil
}

// mergeDurations joins the shards' durations.json: every scenario, the median
// of them all, the longest shard's wall time and the highest concurrency.
func mergeDurations(shards []shardReports) (Durations, error) {
	d := Durations{Scenarios: map[string]int64{}}
	from := map[string]string{}
	var all []Scenario
	for _, s := range shards {
		path := s.file(DurationsFile)
		for name, ms := range s.durations.Scenarios {
			if prev, dup := from[name]; dup {
				return d, fmt.Errorf("scenario %q is in %s and in %s", name, prev, path)
			}
			from[name] = path
			d.Scenarios[name] = ms
			all = append(all, Scenario{Duration: time.Duration(ms) * time.Millisecond})
		}
		d.Count += s.durations.Count
		d.WallMs = max(d.WallMs, s.durations.WallMs)
		d.Concurrency = max(d.Concurrency, s.durations.Concurrency)
		d.Shards = append(d.Shards, ShardRun{Shard: s.label(), Dir: s.dir, Count: s.durations.Count, WallMs: s.durations.WallMs})
	}
	d.MedianMs = Median(all).Milliseconds()
	return d, nil
}
