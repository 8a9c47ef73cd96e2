package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	gherkin "github.com/cucumber/gherkin/go/v26"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/reports"
)

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		in   string
		i, n int
	}{{"1/1", 1, 1}, {"2/3", 2, 3}, {"3/3", 3, 3}, {"10/12", 10, 12}} {
		i, n, err := parseShard(tt.in)
		if err != nil || i != tt.i || n != tt.n {
			t.Errorf("parseShard(%q) = %d, %d, %v; want %d, %d", tt.in, i, n, err, tt.i, tt.n)
		}
	}
}

// TestRunBadShard: every malformed --shard is one usage error, exit 2, before
// anything runs.
func TestRunBadShard(t *testing.T) {
	for _, tt := range []struct{ value, want string }{
		{"0/3", "shards are counted from 1"},
		{"4/3", "1 <= i <= 3"},
		{"-1/3", "1 <= i <= 3"},
		{"x", "want i/n"},
		{"2", "want i/n"},
		{"1/2/3", "want i/n"},
		{"a/b", "want i/n"},
		{"1/0", "want at least 1 shard"},
		{"0/0", "want at least 1 shard"},
	} {
		t.Run(tt.value, func(t *testing.T) {
			code, stdout, stderr := cli(t, "run", "--shard", tt.value, "--out", t.TempDir())
			if code != exitUsage {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitUsage, stdout, stderr)
			}
			want := fmt.Sprintf("iefconform: --shard %q: ", tt.value)
			if !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "iefconform:") != 1 {
				t.Errorf("stderr = %q, want one error %q... %q", stderr, want, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing: nothing runs", stdout)
			}
		})
	}
}

func TestRunHelpDocumentsSharding(t *testing.T) {
	code, stdout, _ := cli(t, "run", "--help")
	for _, w := range []string{"--shard i/n", "shard 2/3: N of M scenarios", "reports merge --out"} {
		if code != exitOK || !strings.Contains(stdout, w) {
			t.Errorf("run --help (exit %d) lacks %q:\n%s", code, w, stdout)
		}
	}
	code, stdout, _ = cli(t, "reports", "merge", "--help")
	for _, w := range []string{"--out", "cucumber.json", "junit.xml", "durations.json", "given twice"} {
		if code != exitOK || !strings.Contains(stdout, w) {
			t.Errorf("reports merge --help (exit %d) lacks %q:\n%s", code, w, stdout)
		}
	}
}

// scenarioAt is a scenario of a plan: its file and line.
type scenarioAt struct {
	uri  string
	line int
}

func places(ss []reports.PlannedScenario) []scenarioAt {
	out := make([]scenarioAt, len(ss))
	for i, s := range ss {
		out[i] = scenarioAt{s.URI, s.Line}
	}
	return out
}

// TestShardPlanSplitsEverySelection: for the built-in suite under several tag
// expressions and for many n, the shards are disjoint, together they are the
// selection, their sizes differ by one at most, and the split does not depend
// on the shard asked for or on the order in which the files are given.
func TestShardPlanSplitsEverySelection(t *testing.T) {
	topDirs := func() []string {
		entries, err := fs.ReadDir(features.FS, ".")
		if err != nil {
			t.Fatal(err)
		}
		var dirs []string
		for _, e := range entries {
			if e.IsDir() && e.Name() != features.Policies {
				dirs = append(dirs, e.Name())
			}
		}
		slices.Reverse(dirs)
		return dirs
	}()
	for _, tags := range []string{"", "@oauth1", "~@inferred", "@oauth2 && ~@error", "@no-such-tag"} {
		whole, err := planShard(features.FS, []string{"."}, tags, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		all := places(whole.plan.Scenarios)
		if tags == "@oauth1" && len(all) != taggedScenarios(t, "@oauth1") {
			t.Errorf("--tags @oauth1 selects %d scenarios, the features have %d", len(all), taggedScenarios(t, "@oauth1"))
		}
		if tags == "" && len(all) < 100 {
			t.Errorf("the built-in suite has %d scenarios, want at least 100", len(all))
		}
		if !slices.IsSortedFunc(whole.plan.Scenarios, func(a, b reports.PlannedScenario) int {
			return strings.Compare(fmt.Sprintf("%s:%08d", a.URI, a.Line), fmt.Sprintf("%s:%08d", b.URI, b.Line))
		}) {
			t.Errorf("tags %q: the plan is not sorted by file and line", tags)
		}
		for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 13, len(all) + 2} {
			p, err := planShard(features.FS, topDirs, tags, n, n) // the last shard, files in another order
			if err != nil {
				t.Fatal(err)
			}
			if got := places(p.plan.Scenarios); !slices.Equal(got, all) {
				t.Fatalf("tags %q, n %d: the selection depends on the order of the paths", tags, n)
			}
			seen := map[scenarioAt]int{}
			minSize, maxSize := len(all), 0
			for i := 1; i <= n; i++ {
				p.plan.Index = i
				mine := p.plan.Mine()
				minSize, maxSize = min(minSize, len(mine)), max(maxSize, len(mine))
				for _, pl := range places(mine) {
					if prev, dup := seen[pl]; dup {
						t.Errorf("tags %q, n %d: %v in shards %d and %d", tags, n, pl, prev, i)
					}
					seen[pl] = i
				}
			}
			if len(seen) != len(all) {
				t.Errorf("tags %q, n %d: the shards run %d scenarios, the selection has %d", tags, n, len(seen), len(all))
			}
			if maxSize-minSize > 1 {
				t.Errorf("tags %q, n %d: shard sizes from %d to %d, want them to differ by one at most", tags, n, minSize, maxSize)
			}
			if n <= 3 {
				// Asking for another shard changes nothing in the split.
				q, err := planShard(features.FS, []string{"."}, tags, 1, n)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(q.plan.Scenarios, p.plan.Scenarios) {
					t.Errorf("tags %q, n %d: shard 1 and shard %d plan different splits", tags, n, n)
				}
			}
		}
	}
}

// TestShardRewriteKeepsLines: godog, reading a shard's feature files, finds
// exactly the shard's scenarios, each at its line with its steps, tags and
// arguments, and every comment of the files.
func TestShardRewriteKeepsLines(t *testing.T) {
	for _, src := range []struct {
		fsys  fs.FS
		paths []string
		tags  string
		ns    []int
	}{
		{features.FS, []string{"."}, "", []int{2, 3}},
		{nil, []string{"testdata/shard"}, "", []int{1, 2, 3, 4, 5, 6, 20}},
		{nil, []string{"testdata/shard/a.feature", "testdata/shard/sub"}, "~@slow", []int{2, 3}},
	} {
		base := src.fsys
		if base == nil {
			base = osFS{}
		}
		original, err := featureFiles(base, src.paths)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range src.ns {
			for i := 1; i <= n; i++ {
				sr, err := planShard(src.fsys, src.paths, src.tags, i, n)
				if err != nil {
					t.Fatal(err)
				}
				shard, err := featureFiles(sr.fsys, src.paths)
				if err != nil {
					t.Fatal(err)
				}
				if len(shard) != len(original) {
					t.Fatalf("%v %d/%d: %d files, want %d", src.paths, i, n, len(shard), len(original))
				}
				want := map[scenarioAt]bool{}
				for _, pl := range places(sr.plan.Mine()) {
					want[pl] = true
				}
				got := 0
				for k, f := range shard {
					o := original[k]
					if f.uri != o.uri || !reflect.DeepEqual(comments(f.doc), comments(o.doc)) {
						t.Errorf("%s %d/%d: the comments changed:\n%v\nwant\n%v", f.uri, i, n, comments(f.doc), comments(o.doc))
					}
					if f.doc.Feature != nil && f.doc.Feature.Description != o.doc.Feature.Description {
						t.Errorf("%s %d/%d: the feature's description changed", f.uri, i, n)
					}
					origByPlace := map[scenarioAt]*messages.Pickle{}
					for _, pk := range o.pickles {
						origByPlace[pickleLine(o, pk)] = pk
					}
					selected, err := selectByTags(src.tags, f.pickles)
					if err != nil {
						t.Fatal(err)
					}
					for j, pk := range f.pickles {
						if !selected[j] {
							continue
						}
						pl := pickleLine(f, pk)
						if !want[pl] {
							t.Errorf("%d/%d: %v (%q) runs, but is not of the shard", i, n, pl, pk.Name)
							continue
						}
						got++
						if op := origByPlace[pl]; op == nil || !samePickle(pk, op) {
							t.Errorf("%d/%d: %v (%q) differs from the feature file's scenario at that line", i, n, pl, pk.Name)
						}
					}
				}
				if got != len(want) {
					t.Errorf("%v %d/%d: %d scenarios run, the shard has %d", src.paths, i, n, got, len(want))
				}
			}
		}
	}
}

func comments(doc *messages.GherkinDocument) []string {
	var out []string
	for _, c := range doc.Comments {
		out = append(out, fmt.Sprintf("%d:%s", c.Location.Line, c.Text))
	}
	return out
}

// pickleLine is the line of a pickle's scenario, or of its example row.
func pickleLine(f *featureFile, pk *messages.Pickle) scenarioAt {
	scenarios, rows := astIndex(f.doc)
	if len(pk.AstNodeIds) > 1 {
		return scenarioAt{f.uri, rows[pk.AstNodeIds[1]].line}
	}
	return scenarioAt{f.uri, int(scenarios[pk.AstNodeIds[0]].Location.Line)}
}

// samePickle compares what godog runs and reports of two pickles, ids aside.
func samePickle(a, b *messages.Pickle) bool {
	strip := func(p *messages.Pickle) string {
		type step struct {
			Text string
			Arg  *messages.PickleStepArgument
		}
		var steps []step
		for _, s := range p.Steps {
			steps = append(steps, step{s.Text, s.Argument})
		}
		var tags []string
		for _, t := range p.Tags {
			tags = append(tags, t.Name)
		}
		b, _ := json.Marshal(struct {
			Name  string
			Tags  []string
			Steps []step
		}{p.Name, tags, steps})
		return string(b)
	}
	return strip(a) == strip(b)
}

func TestSelectByTags(t *testing.T) {
	src := `@f
Feature: f
  Scenario: plain
    Given x

  @a
  Scenario: a
    Given x

  @a @b
  Scenario: a b
    Given x

  @b
  Scenario Outline: b <n>
    Given x

    Examples:
      | n |
      | 1 |

    @c
    Examples:
      | n |
      | 2 |
`
	ids := (&messages.Incrementing{}).NewId
	doc, err := gherkin.ParseGherkinDocument(strings.NewReader(src), ids)
	if err != nil {
		t.Fatal(err)
	}
	pickles := gherkin.Pickles(*doc, "f.feature", ids)
	for _, tt := range []struct{ expr, want string }{
		{"", "plain,a,a b,b 1,b 2"},
		{"@f", "plain,a,a b,b 1,b 2"},
		{"@a", "a,a b"},
		{"~@a", "plain,b 1,b 2"},
		{"@a,@c", "a,a b,b 2"},
		{"@b && ~@a", "b 1,b 2"},
		{"@b && ~@c", "a b,b 1"},
		{"@none", ""},
	} {
		selected, err := selectByTags(tt.expr, pickles)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i, pk := range pickles {
			if selected[i] {
				got = append(got, pk.Name)
			}
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("--tags %q selects %q, want %q", tt.expr, strings.Join(got, ","), tt.want)
		}
	}
}

// fakeSteps are the steps of testdata/shard, without a browser.
func fakeSteps(suiteInput, runOptions) (func(*godog.ScenarioContext), func() error, error) {
	return func(sc *godog.ScenarioContext) {
		sc.Step(`^a step that passes$`, func() error { return nil })
		sc.Step(`^a step that fails$`, func() error { return errors.New("it fails") })
		sc.Step(`^a step that skips$`, func() error { return godog.ErrSkip })
	}, func() error { return nil }, nil
}

// runFake runs testdata/shard (or paths) with fakeSteps and returns the output.
func runFake(t *testing.T, o runOptions) string {
	t.Helper()
	if o.features == nil {
		o.features = []string{"testdata/shard"}
	}
	o.format, o.concurrency = "progress", 3
	var stdout lockedBuffer
	err := runFeatures(context.Background(), o, &stdout, fakeSteps)
	if err != nil && !errors.Is(err, errFailed) {
		t.Fatalf("run %+v: %v\n%s", o, err, stdout.String())
	}
	return stdout.String()
}

// TestShardPipelineMergesToOneRun: testdata/shard (comments, doc strings,
// repeated names, outlines, a rule, two features of one name) run whole and in
// n shards; the shards' merged reports are the whole run's, timings aside, with
// the shards' folders given in any order.
func TestShardPipelineMergesToOneRun(t *testing.T) {
	for _, tags := range []string{"", "~@slow"} {
		whole := t.TempDir()
		out := runFake(t, runOptions{tags: tags, out: whole})
		if strings.Contains(out, "shard ") {
			t.Errorf("an unsharded run prints a shard line:\n%s", out)
		}
		var total int
		for _, n := range []int{1, 2, 3, 4, 7, 30} {
			var dirs []string
			var counts []int
			for i := 1; i <= n; i++ {
				dir := t.TempDir()
				out := runFake(t, runOptions{tags: tags, out: dir, shard: fmt.Sprintf("%d/%d", i, n)})
				m := regexp.MustCompile(fmt.Sprintf(`(?m)^shard %d/%d: (\d+) of (\d+) scenarios$`, i, n)).FindAllStringSubmatch(out, -1)
				if len(m) != 2 {
					t.Fatalf("shard %d/%d: want the shard line at the start and above the summary:\n%s", i, n, out)
				}
				var mine int
				fmt.Sscan(m[0][1], &mine)
				fmt.Sscan(m[0][2], &total)
				counts = append(counts, mine)
				dirs = append(dirs, dir)
			}
			if s := sum(counts); s != total || slices.Max(counts)-slices.Min(counts) > 1 {
				t.Errorf("tags %q, n %d: shard sizes %v of %d", tags, n, counts, total)
			}
			slices.Reverse(dirs)
			merged := t.TempDir()
			code, stdout, stderr := cli(t, append([]string{"reports", "merge", "--out", merged}, dirs...)...)
			if code != exitOK {
				t.Fatalf("merge: exit %d\n%s%s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, fmt.Sprintf("%d scenarios", total)) {
				t.Errorf("merge prints %q, want %d scenarios", stdout, total)
			}
			compareReports(t, fmt.Sprintf("tags %q, n %d", tags, n), whole, merged)
		}
		if tags == "" && total != 15 {
			t.Errorf("testdata/shard has %d scenarios, want 15", total)
		}
	}
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// compareReports checks that the merged reports equal the whole run's but for
// timings (and the list of merged shards).
func compareReports(t *testing.T, name, whole, merged string) {
	t.Helper()
	var a, b any
	readJSON(t, filepath.Join(whole, "cucumber.json"), &a)
	readJSON(t, filepath.Join(merged, "cucumber.json"), &b)
	a, b = dropKey(a, "duration"), dropKey(b, "duration")
	if !reflect.DeepEqual(a, b) {
		ja, _ := json.MarshalIndent(a, "", " ")
		jb, _ := json.MarshalIndent(b, "", " ")
		t.Errorf("%s: merged cucumber.json differs from one run's:\n%s", name, firstDiff(string(ja), string(jb)))
	}
	times := regexp.MustCompile(` time="[^"]*"`)
	ja, jb := readFile(t, filepath.Join(whole, "junit.xml")), readFile(t, filepath.Join(merged, "junit.xml"))
	if x, y := times.ReplaceAllString(ja, ""), times.ReplaceAllString(jb, ""); x != y {
		t.Errorf("%s: merged junit.xml differs from one run's:\n%s", name, firstDiff(x, y))
	}
	var da, db reports.Durations
	readJSON(t, filepath.Join(whole, "durations.json"), &da)
	readJSON(t, filepath.Join(merged, "durations.json"), &db)
	if da.Count != db.Count || da.Concurrency != db.Concurrency || !slices.Equal(durationNames(da.Scenarios), durationNames(db.Scenarios)) {
		t.Errorf("%s: merged durations.json: count %d, concurrency %d, scenarios %q; one run's: %d, %d, %q",
			name, db.Count, db.Concurrency, durationNames(db.Scenarios), da.Count, da.Concurrency, durationNames(da.Scenarios))
	}
}

func dropKey(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, key)
		for k, x := range v {
			v[k] = dropKey(x, key)
		}
	case []any:
		for i, x := range v {
			v[i] = dropKey(x, key)
		}
	}
	return v
}

func durationNames(m map[string]int64) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// firstDiff shows where a and b first differ, by line.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(la), len(lb)); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  one run: %s\n  merged:  %s", i+1, x, y)
		}
	}
	return "(no difference by line)"
}

// shardDirs runs testdata/shard in two shards and returns their folders.
func shardDirs(t *testing.T) (string, string) {
	t.Helper()
	a, b := t.TempDir(), t.TempDir()
	runFake(t, runOptions{out: a, shard: "1/2"})
	runFake(t, runOptions{out: b, shard: "2/2"})
	return a, b
}

// copyDir copies the reports of dir into a new folder.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	for _, name := range []string{"cucumber.json", "junit.xml", "durations.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// shard1As2 makes a folder shard 1's reports, saying shard 2.
func shard1As2(t *testing.T, s1 string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		for _, name := range []string{"cucumber.json", "junit.xml", "durations.json"} {
			b := readFile(t, filepath.Join(s1, name))
			if name == "durations.json" {
				b = strings.Replace(b, `"index": 1`, `"index": 2`, 1)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestReportsMergeErrors: each wrong input is one error naming the file (or
// the shard), a non-zero exit status, and no merged reports.
func TestReportsMergeErrors(t *testing.T) {
	s1, s2 := shardDirs(t)
	write := func(name, content string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	edit := func(name, old, new string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			b := readFile(t, filepath.Join(dir, name))
			if !strings.Contains(b, old) {
				t.Fatalf("%s lacks %q", name, old)
			}
			write(name, strings.Replace(b, old, new, 1))(t, dir)
		}
	}
	remove := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	appendTo := func(name, more string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			write(name, readFile(t, filepath.Join(dir, name))+more)(t, dir)
		}
	}
	dropShard := func(t *testing.T, dir string) {
		var d map[string]any
		readJSON(t, filepath.Join(dir, "durations.json"), &d)
		delete(d, "shard")
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		write("durations.json", string(b))(t, dir)
	}
	tests := []struct {
		name   string
		break2 func(t *testing.T, dir string) // spoils shard 2's copy
		file   string                         // the file the error names, in shard 2's copy
		want   string
	}{
		{"missing cucumber.json", remove("cucumber.json"), "cucumber.json", "no such file"},
		{"missing junit.xml", remove("junit.xml"), "junit.xml", "no such file"},
		{"missing durations.json", remove("durations.json"), "durations.json", "no such file"},
		{"cucumber.json not JSON", write("cucumber.json", "[{\"uri\": "), "cucumber.json", "not a cucumber JSON report"},
		{"cucumber.json an object", write("cucumber.json", "{}"), "cucumber.json", "not a cucumber JSON report"},
		{"cucumber.json with an unknown field", edit("cucumber.json", `"keyword": "Feature",`, `"keyword": "Feature", "extra": 1,`), "cucumber.json", `unknown field "extra"`},
		{"cucumber.json with data after it", appendTo("cucumber.json", "[]"), "cucumber.json", "data after the report"},
		{"cucumber.json empty", write("cucumber.json", ""), "cucumber.json", "not a cucumber JSON report"},
		{"junit.xml not XML", write("junit.xml", "<testsuites><testsuite"), "junit.xml", "not a JUnit XML report"},
		{"junit.xml empty", write("junit.xml", ""), "junit.xml", "not a JUnit XML report"},
		{"junit.xml of another root", write("junit.xml", "<testsuite/>"), "junit.xml", "not a JUnit XML report"},
		{"junit.xml bad time", edit("junit.xml", `time="`, `time="soon`), "junit.xml", "not a number of seconds"},
		{"junit.xml without the uri property", edit("junit.xml", `<property name="uri"`, `<property name="file"`), "junit.xml", `no "uri" property`},
		{"junit.xml counts another run", edit("junit.xml", `<testsuites name="iefconform" tests="`, `<testsuites name="iefconform" tests="9`), "junit.xml", "not of one run"},
		{"junit.xml with a testcase of no scenario", edit("junit.xml", `<testcase name="`, `<testcase name="renamed `), "junit.xml", "is not a scenario of the cucumber.json reports"},
		{"durations.json not JSON", write("durations.json", "{"), "durations.json", "not a durations.json"},
		{"durations.json with an unknown field", edit("durations.json", `"shard": {`, `"other": {`), "durations.json", `unknown field "other"`},
		{"durations.json without shard", dropShard, "durations.json", "no shard"},
		{"durations.json shard 3/2", edit("durations.json", `"index": 2`, `"index": 3`), "durations.json", "shard 3/2"},
		{"durations.json counts another run", edit("durations.json", `"count": `, `"count": 1`), "durations.json", "count 1"},
		{"a scenario in two shards", shard1As2(t, s1), "cucumber.json", "is in " + filepath.Join(s1, "cucumber.json") + " and in "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := copyDir(t, s2)
			tt.break2(t, bad)
			out := filepath.Join(t.TempDir(), "merged")
			code, stdout, stderr := cli(t, "reports", "merge", "--out", out, s1, bad)
			file := filepath.Join(bad, tt.file)
			if code != exitFailure || !strings.Contains(stderr, file) || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit status %d, stderr %q; want 1 and one line naming %s with %q\nstdout: %s", code, stderr, file, tt.want, stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a failed merge wrote %s", out)
			}
		})
	}
}

// TestReportsMergeShardSets: the folders must be every shard of one split,
// each once.
func TestReportsMergeShardSets(t *testing.T) {
	s1, s2 := shardDirs(t)
	whole := t.TempDir()
	runFake(t, runOptions{out: whole})
	three := t.TempDir()
	runFake(t, runOptions{out: three, shard: "1/3"})
	merged := t.TempDir()
	if code, _, stderr := cli(t, "reports", "merge", "--out", merged, s1, s2); code != exitOK {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	twin := copyDir(t, s1)
	tests := []struct {
		name string
		dirs []string
		code int
		want string
	}{
		{"a shard missing", []string{s1}, exitFailure, "shard 2/2 missing"},
		{"a shard twice", []string{s1, s2, s1}, exitFailure, "shard 1/2 is given twice: " + s1 + " and " + s1},
		{"a shard's copy", []string{s1, twin, s2}, exitFailure, "shard 1/2 is given twice: " + s1 + " and " + twin},
		{"another split", []string{s1, s2, three}, exitFailure, "the shards come from different runs"},
		{"an unsharded run", []string{whole}, exitFailure, filepath.Join(whole, "durations.json") + ": no shard"},
		{"merged reports", []string{merged}, exitFailure, filepath.Join(merged, "durations.json") + ": these reports were merged already"},
		{"no folder", nil, exitUsage, "requires at least 1 arg"},
		{"no such folder", []string{s1, filepath.Join(s2, "nope")}, exitUsage, filepath.Join(s2, "nope")},
		{"a file for a folder", []string{s1, filepath.Join(s2, "junit.xml")}, exitUsage, "is not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "merged")
			code, _, stderr := cli(t, append([]string{"reports", "merge", "--out", out}, tt.dirs...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit status %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a failed merge wrote %s", out)
			}
		})
	}
	t.Run("out is an input", func(t *testing.T) {
		code, _, stderr := cli(t, "reports", "merge", "--out", s2, s1, s2)
		if code != exitUsage || !strings.Contains(stderr, "is one of the folders to merge") {
			t.Errorf("exit status %d, stderr %q", code, stderr)
		}
	})
}

// TestRunShardsOfTheSuite runs the built-in @oauth1 scenarios in Chromium
// whole and in two shards: the shards' scenarios are disjoint, together they are
// the whole run's, and their merged reports count what the whole run's count.
func TestRunShardsOfTheSuite(t *testing.T) {
	requireBrowser(t)
	const tag = "@oauth1"
	want := taggedScenarios(t, tag)
	if want < 5 || want > 15 {
		t.Fatalf("%s has %d scenarios; the test wants a tag with 5 to 15", tag, want)
	}
	run := func(args ...string) string {
		t.Helper()
		dir := t.TempDir()
		code, stdout, stderr := cli(t, append([]string{"run", "--tags", tag, "--concurrency", "3", "--out", dir}, args...)...)
		if code != exitOK {
			t.Fatalf("run %v: exit status %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
		}
		if len(args) > 0 {
			line := fmt.Sprintf("shard %s: %d of %d scenarios", args[1], map[string]int{"1/2": (want + 1) / 2, "2/2": want / 2}[args[1]], want)
			if strings.Count(stdout, line+"\n") != 2 {
				t.Errorf("stdout lacks %q at the start and above the summary:\n%s", line, stdout)
			}
		}
		return dir
	}
	whole := run()
	s1 := run("--shard", "1/2")
	s2 := run("--shard", "2/2")

	type element struct {
		URI, Name string
		Line      int
	}
	scenarios := func(dir string) map[element]bool {
		var cucumber []struct {
			URI      string `json:"uri"`
			Elements []struct {
				Name string `json:"name"`
				Line int    `json:"line"`
			} `json:"elements"`
		}
		readJSON(t, filepath.Join(dir, "cucumber.json"), &cucumber)
		set := map[element]bool{}
		for _, f := range cucumber {
			for _, e := range f.Elements {
				set[element{f.URI, e.Name, e.Line}] = true
			}
		}
		return set
	}
	all, a, b := scenarios(whole), scenarios(s1), scenarios(s2)
	if len(all) != want || len(a) == 0 || len(b) == 0 {
		t.Fatalf("scenarios: whole %d (want %d), shard 1 %d, shard 2 %d", len(all), want, len(a), len(b))
	}
	for e := range a {
		if b[e] {
			t.Errorf("%v runs in both shards", e)
		}
	}
	union := map[element]bool{}
	for _, s := range []map[element]bool{a, b} {
		for e := range s {
			union[e] = true
		}
	}
	if !reflect.DeepEqual(union, all) {
		t.Errorf("the shards run %v, the whole run %v", union, all)
	}

	merged := t.TempDir()
	code, stdout, stderr := cli(t, "reports", "merge", "--out", merged, s1, s2)
	if code != exitOK {
		t.Fatalf("merge: exit status %d\n%s%s", code, stdout, stderr)
	}
	if got := counts(t, merged); got != counts(t, whole) {
		t.Errorf("merged reports count %+v, one run's %+v", got, counts(t, whole))
	}
	t.Log(stdout)
	compareReports(t, tag, whole, merged)
}

// reportCounts are what a run's reports count.
type reportCounts struct {
	Features, Scenarios, Steps                     int
	StepsPassed, StepsFailed, StepsSkipped         int
	JUnitSuites, JUnitTests, JUnitFailures, Errors int
	Durations                                      int
}

func counts(t *testing.T, dir string) reportCounts {
	t.Helper()
	var c reportCounts
	var cucumber []struct {
		Elements []struct {
			Steps []struct {
				Result struct {
					Status string `json:"status"`
				} `json:"result"`
			} `json:"steps"`
		} `json:"elements"`
	}
	readJSON(t, filepath.Join(dir, "cucumber.json"), &cucumber)
	c.Features = len(cucumber)
	for _, f := range cucumber {
		c.Scenarios += len(f.Elements)
		for _, e := range f.Elements {
			c.Steps += len(e.Steps)
			for _, s := range e.Steps {
				switch s.Result.Status {
				case "passed":
					c.StepsPassed++
				case "failed":
					c.StepsFailed++
				case "skipped":
					c.StepsSkipped++
				}
			}
		}
	}
	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Cases []struct{} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(readFile(t, filepath.Join(dir, "junit.xml"))), &junit); err != nil {
		t.Fatal(err)
	}
	c.JUnitSuites, c.JUnitTests, c.JUnitFailures, c.Errors = len(junit.Suites), junit.Tests, junit.Failures, junit.Errors
	var d reports.Durations
	readJSON(t, filepath.Join(dir, "durations.json"), &d)
	c.Durations = len(d.Scenarios)
	return c
}
