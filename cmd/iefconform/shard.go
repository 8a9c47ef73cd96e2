package main

// run --shard i/n: the split of a run's scenarios among the jobs of a CI
// matrix.
//
// The run selects its scenarios as an unsharded run does (the --features files,
// then --tags), sorts them by feature file and line (an example row of a
// Scenario Outline is a scenario, with the row's line) and deals them out in
// turn: the first to shard 1, the second to shard 2, ... So the shards differ
// in size by one at most, every selected scenario is in exactly one shard, and
// which one depends only on the selection, not on the machine or the order in
// which files are found.
//
// godog filters scenarios by tags and by a scenario's line, which cannot single
// out one example row. So the shard's godog reads the feature files through an
// fs.FS that empties the lines of the other shards' scenarios: an example row's
// line, or a Scenario's lines from its tags to the next scenario (comments
// kept). Every other line stays where it was, so the reports give the lines of
// the files, and godog parses the features as before.

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gherkin "github.com/cucumber/gherkin/go/v26"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/iefconform/iefconform/reports"
)

// parseShard reads the value of --shard: "i/n", the shard i (from 1) of n.
func parseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, errI := strconv.Atoi(a)
	n, errN := strconv.Atoi(b)
	switch {
	case !ok || errI != nil || errN != nil:
		return 0, 0, usagef("--shard %q: want i/n, the shard i of n shards, counted from 1 (e.g. --shard 2/3)", s)
	case n < 1:
		return 0, 0, usagef("--shard %q: want at least 1 shard (i/n with n >= 1)", s)
	case i < 1 || i > n:
		return 0, 0, usagef("--shard %q: want i/n with 1 <= i <= %d: shards are counted from 1", s, n)
	}
	return i, n, nil
}

// featureFile is one feature file of a run.
type featureFile struct {
	uri     string // as godog names it: the path it opens
	src     []byte
	doc     *messages.GherkinDocument
	pickles []*messages.Pickle
}

// osFS opens operating-system paths as godog does when it is given no fs.FS:
// relative, absolute, with "." and "..".
type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }

// featureFiles reads the feature files godog runs for paths in fsys: a
// folder's .feature files (subfolders included), or the file a path names;
// each once.
func featureFiles(fsys fs.FS, paths []string) ([]*featureFile, error) {
	var files []*featureFile
	seen := map[string]bool{}
	add := func(p string) error {
		if seen[p] {
			return nil
		}
		seen[p] = true
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ids := (&messages.Incrementing{}).NewId
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(src), ids)
		if err != nil {
			return fmt.Errorf("%s - %v", p, err)
		}
		doc.Uri = p
		files = append(files, &featureFile{uri: p, src: src, doc: doc, pickles: gherkin.Pickles(*doc, p, ids)})
		return nil
	}
	for _, p := range paths {
		fi, err := fs.Stat(fsys, p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		err = fs.WalkDir(fsys, p, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
				return err
			}
			return add(p)
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// selectByTags reports which pickles godog runs under the tag expression
// expr. godog evaluates the expression itself, on one probe scenario per
// distinct set of tags, so that the selection is godog's to the letter.
func selectByTags(expr string, pickles []*messages.Pickle) ([]bool, error) {
	selected := make([]bool, len(pickles))
	if strings.TrimSpace(expr) == "" {
		for i := range selected {
			selected[i] = true
		}
		return selected, nil
	}
	setOf := make([]int, len(pickles)) // pickle -> its tag set
	sets := map[string]int{}
	var probe strings.Builder
	probe.WriteString("Feature: tag probe\n")
	for i, pk := range pickles {
		var names []string
		for _, t := range pk.Tags {
			names = append(names, t.Name)
		}
		slices.Sort(names)
		key := strings.Join(slices.Compact(names), " ")
		n, ok := sets[key]
		if !ok {
			n = len(sets)
			sets[key] = n
			fmt.Fprintf(&probe, "\n  %s\n  Scenario: tag set %d\n    Given tag set %d\n", key, n, n)
		}
		setOf[i] = n
	}
	var mu sync.Mutex
	matched := map[int]bool{}
	status := godog.TestSuite{
		Name: "tag probe",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			sc.Step(`^tag set (\d+)$`, func(n int) {
				mu.Lock()
				defer mu.Unlock()
				matched[n] = true
			})
		},
		Options: &godog.Options{
			Format:          "progress",
			Output:          io.Discard,
			NoColors:        true,
			Strict:          true,
			Tags:            expr,
			FeatureContents: []godog.Feature{{Name: "tag-probe.feature", Contents: []byte(probe.String())}},
		},
	}.Run()
	if status != 0 {
		return nil, fmt.Errorf("--tags %q: godog could not apply the expression to the scenarios' tags (status %d)", expr, status)
	}
	for i := range pickles {
		selected[i] = matched[setOf[i]]
	}
	return selected, nil
}

// shardRun is what a sharded run executes.
type shardRun struct {
	plan reports.ShardPlan
	// fsys serves the feature files with the other shards' scenarios
	// emptied; godog reads the run's --features paths (or the built-in
	// features) through it.
	fsys fs.FS
}

// planShard splits the scenarios of the features at paths in fsys (nil: the
// operating system's paths) that tags selects into total shards, and prepares
// shard index.
func planShard(fsys fs.FS, paths []string, tags string, index, total int) (shardRun, error) {
	base := fsys
	if base == nil {
		base = osFS{}
	}
	files, err := featureFiles(base, paths)
	if err != nil {
		return shardRun{}, err
	}
	var pickles []*messages.Pickle
	for _, f := range files {
		pickles = append(pickles, f.pickles...)
	}
	selected, err := selectByTags(tags, pickles)
	if err != nil {
		return shardRun{}, err
	}

	plan := reports.ShardPlan{Index: index, Total: total}
	type place struct {
		uri  string
		line int
	}
	empty := map[place]func(lines []string){} // a scenario -> what empties its lines
	k := 0
	for _, f := range files {
		scenarios, rows := astIndex(f.doc)
		for _, pk := range f.pickles {
			ok := selected[k]
			k++
			if !ok {
				continue
			}
			sc := scenarios[pk.AstNodeIds[0]]
			s := reports.PlannedScenario{URI: f.uri, Line: int(sc.Location.Line), Name: pk.Name}
			if len(pk.AstNodeIds) > 1 {
				r := rows[pk.AstNodeIds[1]]
				s.Line, s.Row = r.line, r.index+2
				empty[place{f.uri, s.Line}] = func(lines []string) { emptyLine(lines, r.line) }
			} else {
				doc := f.doc
				empty[place{f.uri, s.Line}] = func(lines []string) { emptyScenario(lines, doc, sc) }
			}
			plan.Scenarios = append(plan.Scenarios, s)
		}
	}
	slices.SortFunc(plan.Scenarios, func(a, b reports.PlannedScenario) int {
		return cmp.Or(cmp.Compare(a.URI, b.URI), cmp.Compare(a.Line, b.Line))
	})
	for i := range plan.Scenarios {
		plan.Scenarios[i].Shard = i%total + 1
	}

	rewritten := map[string][]byte{}
	for _, f := range files {
		rewritten[f.uri] = f.src
	}
	for _, f := range files {
		lines := strings.Split(string(f.src), "\n")
		changed := false
		for _, s := range plan.Scenarios {
			if s.URI == f.uri && s.Shard != index {
				empty[place{s.URI, s.Line}](lines)
				changed = true
			}
		}
		if changed {
			rewritten[f.uri] = []byte(strings.Join(lines, "\n"))
		}
	}
	return shardRun{plan: plan, fsys: shardFS{base: base, files: rewritten}}, nil
}

// exampleRow is where an example row of a Scenario Outline is.
type exampleRow struct {
	line  int
	index int // in its Examples table, from 0
}

// astIndex maps the ids of a document's scenarios to them, and those of its
// example rows to where they are.
func astIndex(doc *messages.GherkinDocument) (map[string]*messages.Scenario, map[string]exampleRow) {
	scenarios := map[string]*messages.Scenario{}
	rows := map[string]exampleRow{}
	addScenario := func(sc *messages.Scenario) {
		scenarios[sc.Id] = sc
		for _, ex := range sc.Examples {
			for i, r := range ex.TableBody {
				rows[r.Id] = exampleRow{line: int(r.Location.Line), index: i}
			}
		}
	}
	if doc.Feature == nil {
		return scenarios, rows
	}
	for _, c := range doc.Feature.Children {
		if c.Scenario != nil {
			addScenario(c.Scenario)
		}
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					addScenario(rc.Scenario)
				}
			}
		}
	}
	return scenarios, rows
}

// elementStarts returns the first line of every Background, Scenario and Rule
// of doc (their tags included), in order.
func elementStarts(doc *messages.GherkinDocument) []int {
	var starts []int
	start := func(line int64, tags []*messages.Tag) {
		first := int(line)
		for _, t := range tags {
			first = min(first, int(t.Location.Line))
		}
		starts = append(starts, first)
	}
	if doc.Feature == nil {
		return nil
	}
	for _, c := range doc.Feature.Children {
		switch {
		case c.Background != nil:
			start(c.Background.Location.Line, nil)
		case c.Scenario != nil:
			start(c.Scenario.Location.Line, c.Scenario.Tags)
		case c.Rule != nil:
			start(c.Rule.Location.Line, c.Rule.Tags)
			for _, rc := range c.Rule.Children {
				switch {
				case rc.Background != nil:
					start(rc.Background.Location.Line, nil)
				case rc.Scenario != nil:
					start(rc.Scenario.Location.Line, rc.Scenario.Tags)
				}
			}
		}
	}
	slices.Sort(starts)
	return starts
}

// emptyLine empties line n (from 1) of lines, keeping a carriage return.
func emptyLine(lines []string, n int) {
	if n < 1 || n > len(lines) {
		return
	}
	if strings.HasSuffix(lines[n-1], "\r") {
		lines[n-1] = "\r"
	} else {
		lines[n-1] = ""
	}
}

// emptyScenario empties the lines of the Scenario sc of doc: from its first
// tag to the line before the next Background, Scenario or Rule (or the end),
// except comments outside doc strings, which stay comments of the feature.
func emptyScenario(lines []string, doc *messages.GherkinDocument, sc *messages.Scenario) {
	first := int(sc.Location.Line)
	for _, t := range sc.Tags {
		first = min(first, int(t.Location.Line))
	}
	last := len(lines)
	for _, s := range elementStarts(doc) {
		if s > first {
			last = s - 1
			break
		}
	}
	docString := map[int]bool{}
	for _, st := range sc.Steps {
		if st.DocString == nil {
			continue
		}
		open := int(st.DocString.Location.Line)
		for n := open; n <= last; n++ {
			docString[n] = true
			if n > open && strings.HasPrefix(strings.TrimSpace(lines[n-1]), st.DocString.Delimiter) {
				break
			}
		}
	}
	for n := first; n <= last; n++ {
		if !docString[n] && strings.HasPrefix(strings.TrimSpace(lines[n-1]), "#") {
			continue
		}
		emptyLine(lines, n)
	}
}

// shardFS serves the rewritten feature files of a shard, and everything else
// (the folders godog walks) from base.
type shardFS struct {
	base  fs.FS
	files map[string][]byte
}

func (s shardFS) Open(name string) (fs.File, error) {
	if b, ok := s.files[name]; ok {
		return &memFile{Reader: bytes.NewReader(b), name: path.Base(name), size: int64(len(b))}, nil
	}
	if strings.HasSuffix(name, ".feature") {
		// A feature file the plan did not read would run in every shard.
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("not a feature file of the shard plan")}
	}
	return s.base.Open(name)
}

// memFile is a file of shardFS.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Name() string               { return f.name }
func (f *memFile) Size() int64                { return f.size }
func (f *memFile) Mode() fs.FileMode          { return 0o444 }
func (f *memFile) ModTime() time.Time         { return time.Time{} }
func (f *memFile) IsDir() bool                { return false }
func (f *memFile) Sys() any                   { return nil }
