package reports

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cucumber/godog"
)

// everything has what godog's cucumber and junit formatters write: comments,
// tags at every level, a background, doc strings with a media type, data
// tables, outlines with repeated names, a rule, every step outcome and an
// attachment.
const everything = `# a comment
@feature
Feature: everything
  A description.

  Background:
    Given a step that passes

  @scenario
  Scenario: passes with arguments
    Given a step that passes
      """json
      {"a": "b"}
      """
    And a step that passes
      | a | b |
      | 1 | 2 |

  Scenario: fails with an attachment
    Given a step that attaches
    And a step that fails
    And a step that passes

  Scenario Outline: repeated
    Given a step that <does>

    @examples
    Examples: named
      | does    |
      | passes  |
      | skips   |

    Examples:
      | does    |
      | is pending |

  Scenario: undefined
    Given a step nobody wrote

  Rule: a rule
    Scenario: in a rule
      Given a step that passes
`

// runEverything runs everything with godog and returns the folder of its
// cucumber.json and junit.xml.
func runEverything(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	godog.TestSuite{
		Name: "everything",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			sc.Step(`^a step that passes$`, func() error { return nil })
			sc.Step(`^a step that fails$`, func() error { return errors.New("want 1, got 2") })
			sc.Step(`^a step that skips$`, func() error { return godog.ErrSkip })
			sc.Step(`^a step that is pending$`, func() error { return godog.ErrPending })
			sc.Step(`^a step that attaches$`, func(ctx context.Context) context.Context {
				return godog.Attach(ctx, godog.Attachment{Body: []byte("<html></html>"), FileName: "page.html", MediaType: "text/html"})
			})
		},
		Options: &godog.Options{
			Format:          "cucumber:" + filepath.Join(dir, CucumberFile) + ",junit:" + filepath.Join(dir, JUnitFile),
			Output:          io.Discard,
			Strict:          true,
			Concurrency:     2,
			FeatureContents: []godog.Feature{{Name: "everything.feature", Contents: []byte(everything)}},
		},
	}.Run()
	return dir
}

// TestCucumberRoundTrip: a cucumber.json of godog read and written again is
// the same to the byte, so the types miss no field of godog's.
func TestCucumberRoundTrip(t *testing.T) {
	dir := runEverything(t)
	path := filepath.Join(dir, CucumberFile)
	before := readBytes(t, path)
	for _, want := range []string{`"embeddings"`, `"doc_string"`, `"rows"`, `"comments"`, `"error_message"`, `"undefined"`, `"pending"`, `"skipped"`, `;named;3"`} {
		if !strings.Contains(string(before), want) {
			t.Errorf("godog's cucumber.json lacks %s: the test covers less than it says", want)
		}
	}
	features, err := readCucumber(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), CucumberFile)
	if err := writeCucumber(out, features); err != nil {
		t.Fatal(err)
	}
	if after := readBytes(t, out); string(after) != string(before) {
		t.Errorf("written again, cucumber.json changed:\n%s\nwas\n%s", after, before)
	}
}

// TestJUnitRoundTrip: the same for junit.xml.
func TestJUnitRoundTrip(t *testing.T) {
	dir := runEverything(t)
	path := filepath.Join(dir, JUnitFile)
	before := readBytes(t, path)
	for _, want := range []string{"<failure ", `type="skipped"`, `type="undefined"`, `type="pending"`, `repeated #1`} {
		if !strings.Contains(string(before), want) {
			t.Errorf("godog's junit.xml lacks %s: the test covers less than it says", want)
		}
	}
	suites, err := readJUnit(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), JUnitFile)
	if err := writeJUnit(out, suites); err != nil {
		t.Fatal(err)
	}
	if after := readBytes(t, out); string(after) != string(before) {
		t.Errorf("written again, junit.xml changed:\n%s\nwas\n%s", after, before)
	}
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJUnitNames(t *testing.T) {
	got := junitNames([]string{"a", "b", "a", "c", "a", "b"})
	want := []string{"a #1", "b #1", "a #2", "c", "a #3", "b #2"}
	if !slices.Equal(got, want) {
		t.Errorf("junitNames = %q, want %q", got, want)
	}
}

// TestApplyShardRefusesOtherScenarios: reports that do not hold the plan's
// scenarios of the shard are not corrected but refused, naming the file.
func TestApplyShardRefusesOtherScenarios(t *testing.T) {
	dir := runEverything(t)
	before := readBytes(t, filepath.Join(dir, CucumberFile))
	plan := ShardPlan{Index: 1, Total: 2, Scenarios: []PlannedScenario{
		{URI: "everything.feature", Line: 11, Name: "passes with arguments", Shard: 1},
		{URI: "everything.feature", Line: 20, Name: "fails with an attachment", Shard: 2},
	}}
	err := ApplyShard(dir, plan)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, CucumberFile)) {
		t.Errorf("ApplyShard = %v, want an error naming cucumber.json", err)
	}
	if after := readBytes(t, filepath.Join(dir, CucumberFile)); string(after) != string(before) {
		t.Error("ApplyShard changed cucumber.json it refused")
	}
}
