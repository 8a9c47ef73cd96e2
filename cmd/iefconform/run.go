package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/spf13/cobra"

	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/browser"
	"github.com/iefconform/iefconform/reports"
	"github.com/iefconform/iefconform/steps"
)

const runLong = `Run Gherkin conformance features against the emulator in headless Chromium.

Without --features, the built-in suite runs (the features and policy folders
compiled into this binary). Each scenario gets its own stack (the emulator, a
Facebook-like identity provider and a relying party, on random loopback ports)
and its own incognito browser context, so scenarios run concurrently.

Output: godog's progress (or pretty) output, then one line per scenario with
its outcome and duration, for example

  ✓ 412ms  Sign-in gives the claims the policy mapped (OA2-01, OA2-05)

then the summary line "N passed, N failed" (followed by ", N skipped",
", N undefined" and ", N pending" when those are not zero) and the wall time.
A scenario's duration includes starting and stopping its parties.

Reports written to --out:
  cucumber.json   cucumber JSON (godog's cucumber formatter)
  junit.xml       JUnit XML (godog's junit formatter), for CI test tabs
  durations.json  {"scenarios": {name: ms}, "count", "medianMs", "wallMs", "concurrency"}

Runs are strict: an undefined or pending step fails its scenario.

Sharding, for the jobs of a CI matrix: --shard i/n runs the i-th of n shares
of the scenarios the run selects (after --features and --tags). The selected
scenarios (each example row of a Scenario Outline is one) are sorted by
feature file and line and dealt out in turn, so the n shards together run every
scenario exactly once, differ in size by one at most, and a scenario's shard
depends only on the selection: give every shard the same --features and --tags.
A sharded run prints "shard 2/3: N of M scenarios" at its start and above the
summary line. Its reports name each scenario as the unsharded run does (the
cucumber id of an example row, a repeated name's "#2" in JUnit, durations.json's
keys); each JUnit testsuite gets the properties "shard" (2/3) and "uri" (its
feature file), and durations.json a "shard" object {index, total, selected}.
'iefconform reports merge --out DIR DIR1 DIR2 ...' joins the shards' reports
into the reports of one run.

Exit status: 0 when every scenario passed or was skipped (also when none
matched --tags), 1 when any failed, 2 on a usage error (bad flag, unreadable
--features or --policies, a feature file that does not parse).

Browser: --browser, else $IEFCONFORM_BROWSER (a path or a name on PATH), else
the first found on PATH of chromium-headless-shell (the fastest), chromium,
chromium-browser, google-chrome and google-chrome-stable. Nothing is downloaded
unless IEFCONFORM_BROWSER_DOWNLOAD=1. IEFCONFORM_BROWSER_URL connects to a
running Chromium over CDP instead, IEFCONFORM_HEADFUL=1 shows the window,
IEFCONFORM_BROWSER_TIMEOUT=20s sets the per-action timeout. The browser starts
at the first step that needs it.`

const runExample = `  # The built-in suite:
  iefconform run

  # Only the Facebook features, with the full Gherkin text:
  iefconform run --tags @facebook --format pretty

  # Everything except the inferred-behaviour scenarios, four at a time:
  iefconform run --tags '~@inferred' --concurrency 4

  # Your own features and policy folders, reports for CI into build/reports:
  iefconform run --features ./features --policies ./policies --out build/reports

  # A CI matrix of two jobs, then one job that joins their reports:
  iefconform run --shard 1/2 --out shard-1     # job 1
  iefconform run --shard 2/2 --out shard-2     # job 2
  iefconform reports merge --out reports/out shard-1 shard-2`

// runOptions are the flags of run.
type runOptions struct {
	features    []string
	policies    string
	tags        string
	format      string
	concurrency int
	out         string
	browser     string
	shard       string
}

func newRunCmd() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:     "run [flags]",
		Short:   "Run conformance features against the emulator in headless Chromium",
		Long:    runLong,
		Example: runExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFeatures(cmd.Context(), o, cmd.OutOrStdout(), harnessSteps)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.features, "features", nil,
		"run the .feature files of `PATH`, a folder (subfolders included) or one file, instead of the\n"+
			"built-in features; repeat for more (e.g. --features ./features/oauth2)")
	f.StringVar(&o.policies, "policies", "",
		"`DIR` holds your policy folders, one subfolder per policy set, named as in the step\n"+
			"'Given the relying party uses the policy \"B2C_1A_signup_signin\" from \"facebook\"'\n"+
			"(e.g. --policies ./policies for ./policies/facebook/*.xml); default: the built-in policy folders")
	f.StringVar(&o.tags, "tags", "",
		"run only the scenarios whose tags match the godog tag expression `EXPR`: @a,@b is a or b,\n"+
			"@a && @b is a and b, ~@a is not a (e.g. --tags @oauth2, --tags '~@inferred', --tags '@oauth2 && ~@error')")
	f.StringVar(&o.format, "format", "progress", "console output while scenarios run: `FORMAT` is progress (a dot per step) or pretty (the Gherkin text)")
	f.IntVar(&o.concurrency, "concurrency", 2, "run `N` scenarios at once, each with its own stack and incognito browser context")
	f.StringVar(&o.out, "out", filepath.Join("reports", "out"), "write cucumber.json, junit.xml and durations.json into the folder `DIR` (created if needed)")
	f.StringVar(&o.browser, "browser", "",
		"the Chromium executable `PATH`, or a name on $PATH (e.g. --browser /usr/bin/chromium);\n"+
			"default: $IEFCONFORM_BROWSER, else chromium-headless-shell, chromium, ... on PATH (see above)")
	f.StringVar(&o.shard, "shard", "",
		"run only shard `i/n` of the selected scenarios, i from 1 to n (e.g. --shard 2/3 in the second of\n"+
			"three CI jobs); the n shards run every scenario once (see Sharding above)")
	return cmd
}

// suiteInput is what a run executes: the features and the policies they use.
type suiteInput struct {
	policies     fs.FS
	featuresFS   fs.FS // nil: Paths are operating-system paths
	featurePaths []string
	// shardIndex of shardTotal is the shard to run; 0 of 0 without --shard.
	shardIndex, shardTotal int
}

func (o runOptions) check() (suiteInput, error) {
	var in suiteInput
	switch o.format {
	case "progress", "pretty":
	default:
		return in, usagef("--format %q: want progress or pretty", o.format)
	}
	if o.concurrency < 1 {
		return in, usagef("--concurrency %d: want 1 or more", o.concurrency)
	}
	if err := checkTags(o.tags); err != nil {
		return in, err
	}
	if o.out == "" {
		return in, usagef("--out is empty: want a folder")
	}
	if o.shard != "" {
		i, n, err := parseShard(o.shard)
		if err != nil {
			return in, err
		}
		in.shardIndex, in.shardTotal = i, n
	}
	if strings.Contains(o.out, ",") {
		// godog separates its formats with commas.
		return in, usagef("--out %q: the folder name may not contain a comma", o.out)
	}
	if o.browser != "" {
		if _, err := exec.LookPath(o.browser); err != nil {
			return in, usagef("--browser %q: %w", o.browser, err)
		}
	}
	if o.policies == "" {
		sub, err := fs.Sub(features.FS, features.Policies)
		if err != nil {
			return in, fmt.Errorf("built-in policies: %w", err)
		}
		in.policies = sub
	} else {
		if err := isDir(o.policies); err != nil {
			return in, usagef("--policies: %w", err)
		}
		in.policies = os.DirFS(o.policies)
	}
	if len(o.features) == 0 {
		in.featuresFS, in.featurePaths = features.FS, []string{"."}
		return in, nil
	}
	for _, p := range o.features {
		if _, err := os.Stat(p); err != nil {
			return in, usagef("--features: %w", err)
		}
	}
	in.featurePaths = o.features
	return in, nil
}

// checkTags rejects tag expressions godog would misread or choke on.
func checkTags(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	for _, and := range strings.Split(expr, "&&") {
		for _, term := range strings.Split(and, ",") {
			t := strings.TrimSpace(term)
			name := strings.TrimPrefix(strings.ReplaceAll(t, "@", ""), "~")
			switch {
			case name == "":
				return usagef("--tags %q: empty tag in the expression", expr)
			case strings.ContainsAny(name, " \t"):
				return usagef("--tags %q: %q is not a tag; write ~@a for not, @a,@b for or, @a && @b for and", expr, t)
			}
		}
	}
	return nil
}

func isDir(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", p)
	}
	return nil
}

// stepsFunc returns the step definitions of a run (a godog scenario
// initializer) and what to do when the run ends.
type stepsFunc func(in suiteInput, o runOptions) (init func(*godog.ScenarioContext), done func() error, err error)

// harnessSteps are the conformance steps on the harness: a stack per scenario,
// Chromium started at the first step that needs it.
func harnessSteps(in suiteInput, o runOptions) (func(*godog.ScenarioContext), func() error, error) {
	bopts := browser.OptionsFromEnv()
	bopts.Bin = o.browser
	suite, err := harness.NewSuite(harness.Options{Policies: in.policies, Browser: bopts})
	if err != nil {
		return nil, nil, err
	}
	return steps.Initialize(suite), func() error {
		if err := suite.Close(); err != nil {
			return fmt.Errorf("close the browser: %w", err)
		}
		return nil
	}, nil
}

// runFeatures runs the features with the steps of newSteps and writes the
// reports.
func runFeatures(ctx context.Context, o runOptions, stdout io.Writer, newSteps stepsFunc) error {
	in, err := o.check()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return usagef("--out: %w", err)
	}
	cucumberPath := filepath.Join(o.out, reports.CucumberFile)
	junitPath := filepath.Join(o.out, reports.JUnitFile)
	durationsPath := filepath.Join(o.out, reports.DurationsFile)

	var shard *shardRun
	if in.shardTotal > 0 {
		sr, err := planShard(in.featuresFS, in.featurePaths, o.tags, in.shardIndex, in.shardTotal)
		if err != nil {
			// A feature file that does not parse, as godog would say.
			return usagef("--shard: %w", err)
		}
		shard = &sr
		in.featuresFS = sr.fsys
		fmt.Fprintln(stdout, shardLine(sr.plan))
	}

	initSteps, done, err := newSteps(in, o)
	if err != nil {
		return err
	}
	defer func() {
		if err := done(); err != nil {
			fmt.Fprintf(stdout, "warning: %v\n", err)
		}
	}()

	collector := reports.NewCollector()
	start := time.Now()
	status := godog.TestSuite{
		Name:                "iefconform",
		ScenarioInitializer: collector.Wrap(initSteps),
		Options: &godog.Options{
			Format:         o.format + ",cucumber:" + cucumberPath + ",junit:" + junitPath,
			Output:         stdout,
			NoColors:       !isTerminal(stdout),
			Strict:         true,
			Concurrency:    o.concurrency,
			Tags:           o.tags,
			FS:             in.featuresFS,
			Paths:          in.featurePaths,
			DefaultContext: ctx,
		},
	}.Run()
	wall := time.Since(start)
	if status == exitUsage {
		// godog has printed why to stderr: a feature that does not parse, an
		// output file it cannot create.
		return usagef("the features could not be run (see the message above)")
	}

	scenarios := collector.Scenarios()
	summary := reports.Summarize(scenarios)
	fmt.Fprintln(stdout)
	if len(scenarios) > 0 {
		fmt.Fprintln(stdout, "Scenarios (each duration includes starting and stopping the scenario's parties):")
		if err := reports.WriteLines(stdout, scenarios); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	}
	if shard != nil {
		fmt.Fprintln(stdout, shardLine(shard.plan))
	}
	fmt.Fprintln(stdout, summary.String())
	fmt.Fprintf(stdout, "wall time %s, concurrency %d, median scenario %s\n",
		wall.Round(time.Millisecond), o.concurrency, reports.FormatDuration(reports.Median(scenarios)))
	durations := reports.NewDurations(scenarios, wall, o.concurrency)
	var shardErr error
	if shard != nil {
		// Without the shard's corrections the reports are written as they are
		// and durations.json says no shard, so that reports merge refuses them.
		if shardErr = reports.ApplyShard(o.out, shard.plan); shardErr == nil {
			durations, shardErr = reports.NewShardDurations(shard.plan, scenarios, wall, o.concurrency)
		}
		if shardErr != nil {
			durations = reports.NewDurations(scenarios, wall, o.concurrency)
		}
	}
	if err := durations.WriteFile(durationsPath); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reports: %s, %s, %s\n", cucumberPath, junitPath, durationsPath)
	if shardErr != nil {
		return fmt.Errorf("shard %s reports: %w", shard.plan.Label(), shardErr)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "interrupted: scenarios that were running or still to run failed")
		return errFailed
	}
	if status != 0 || !summary.OK() {
		return errFailed
	}
	return nil
}

// isTerminal reports whether w is a terminal, where colours help.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// shardLine is the console line of a sharded run: "shard 2/3: 4 of 11 scenarios".
func shardLine(p reports.ShardPlan) string {
	return fmt.Sprintf("shard %s: %d of %d scenarios", p.Label(), len(p.Mine()), len(p.Scenarios))
}
