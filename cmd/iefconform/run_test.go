package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness/browser"
	"github.com/iefconform/iefconform/reports"
)

// summaryRE matches the summary line of a run.
var summaryRE = regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed(, \d+ (skipped|undefined|pending))*$`)

func TestRunNoMatchingTag(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := cli(t, "run", "--tags", "@no-such-tag", "--out", out)
	if code != exitOK {
		t.Fatalf("exit status %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !slices.Contains(outputLines(stdout), "0 passed, 0 failed") {
		t.Errorf("stdout lacks the line %q:\n%s", "0 passed, 0 failed", stdout)
	}
	if !strings.Contains(stdout, "No scenarios") {
		t.Errorf("stdout lacks godog's progress summary %q:\n%s", "No scenarios", stdout)
	}
	var cucumber []any
	readJSON(t, filepath.Join(out, "cucumber.json"), &cucumber)
	if len(cucumber) != 0 {
		t.Errorf("cucumber.json has %d features, want none", len(cucumber))
	}
	var d reports.Durations
	readJSON(t, filepath.Join(out, "durations.json"), &d)
	if d.Count != 0 || len(d.Scenarios) != 0 {
		t.Errorf("durations.json = %+v, want no scenarios", d)
	}
}

// requireBrowser skips the test when no Chromium can be found, unless CI is
// set: there a missing browser is a failure.
func requireBrowser(t *testing.T) {
	t.Helper()
	if _, err := browser.Find(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs Chromium for this test: %v", err)
		}
		t.Skipf("no Chromium to drive (install chromium or set %s): %v", browser.EnvBrowser, err)
	}
}

// taggedScenarios counts the built-in scenarios (examples of outlines each
// count) that carry tag, directly or through their feature.
func taggedScenarios(t *testing.T, tag string) int {
	t.Helper()
	n := 0
	err := fs.WalkDir(features.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".feature" {
			return err
		}
		data, err := fs.ReadFile(features.FS, p)
		if err != nil {
			return err
		}
		ids := (&messages.Incrementing{}).NewId
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), ids)
		if err != nil {
			return err
		}
		for _, pk := range gherkin.Pickles(*doc, p, ids) {
			if slices.ContainsFunc(pk.Tags, func(tg *messages.PickleTag) bool { return tg.Name == tag }) {
				n++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRunFacebookReports runs the built-in @facebook scenarios in Chromium and
// checks the console output and the three reports.
func TestRunFacebookReports(t *testing.T) {
	requireBrowser(t)
	want := taggedScenarios(t, "@facebook")
	if want < 12 {
		t.Fatalf("the built-in suite has %d @facebook scenarios, want at least 12", want)
	}
	out := t.TempDir()
	code, stdout, stderr := cli(t, "run", "--tags", "@facebook", "--out", out, "--concurrency", "3")
	if code != exitOK {
		t.Fatalf("exit status %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if m := summaryRE.FindStringSubmatch(stdout); m == nil || m[0] != strconv.Itoa(want)+" passed, 0 failed" {
		t.Errorf("summary line: got %q, want %q\n%s", m, strconv.Itoa(want)+" passed, 0 failed", stdout)
	}
	scenarioLine := regexp.MustCompile(`(?m)^  ✓ +\d+(ms|\.\ds)  \S.*$`)
	if got := len(scenarioLine.FindAllString(stdout, -1)); got != want {
		t.Errorf("%d scenario lines, want %d:\n%s", got, want, stdout)
	}
	t.Log(stdout)
	if !strings.Contains(stdout, "wall time ") {
		t.Errorf("stdout lacks the wall time:\n%s", stdout)
	}

	var cucumber []struct {
		Name     string `json:"name"`
		Elements []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"elements"`
	}
	readJSON(t, filepath.Join(out, "cucumber.json"), &cucumber)
	elements := 0
	for _, f := range cucumber {
		elements += len(f.Elements)
	}
	if elements != want {
		t.Errorf("cucumber.json has %d elements, want %d", elements, want)
	}

	var junit struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name   string `xml:"name,attr"`
				Status string `xml:"status,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	data, err := os.ReadFile(filepath.Join(out, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &junit); err != nil {
		t.Fatalf("junit.xml is not valid XML: %v", err)
	}
	cases := 0
	for _, s := range junit.Suites {
		cases += len(s.Cases)
	}
	if junit.Tests != want || cases != want || junit.Failures != 0 {
		t.Errorf("junit.xml: tests=%d testcases=%d failures=%d, want %d, %d, 0", junit.Tests, cases, junit.Failures, want, want)
	}

	var d reports.Durations
	readJSON(t, filepath.Join(out, "durations.json"), &d)
	if d.Count != want || len(d.Scenarios) != want || d.MedianMs <= 0 || d.WallMs <= 0 || d.Concurrency != 3 {
		t.Errorf("durations.json: count=%d scenarios=%d medianMs=%d wallMs=%d concurrency=%d", d.Count, len(d.Scenarios), d.MedianMs, d.WallMs, d.Concurrency)
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s is not valid JSON: %v\n%s", file, err, data)
	}
}
