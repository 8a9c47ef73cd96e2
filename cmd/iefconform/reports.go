package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iefconform/iefconform/reports"
)

func newReportsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reports",
		Short: "Work with the reports of runs",
		Long:  `Work with the reports iefconform run writes (cucumber.json, junit.xml, durations.json).`,
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newReportsMergeCmd())
	return cmd
}

const mergeLong = `Join the reports of the shards of one run ('iefconform run --shard i/n --out DIR',
one folder per shard) into the reports one unsharded run writes:

  cucumber.json   every feature once (its scenarios from all shards, in the
                  order of the file), as godog writes it
  junit.xml       one testsuite per feature with the testcases of all shards;
                  its counts and time are the sums of the shards' parts, the
                  testsuites' time the longest shard's (shards run side by side)
  durations.json  every scenario's duration, the median of them all, wallMs the
                  longest shard's, and "shards": each shard's folder, count and
                  wallMs

The folders may be given in any order. The merge fails, naming the file, when
a report is missing or is not one a sharded run writes, when a shard is missing
or given twice, when the folders come from different runs (another n or another
selection), when a scenario is in two shards, or when a shard's three reports
disagree; then it writes nothing. The merged reports hold exactly the scenarios
the run selected.

Exit status: 0 when the reports were merged (also when they record failed
scenarios: each shard's run has already failed its job), 1 when they could not
be, 2 on a usage error (no folder, a folder that does not exist, --out one of
the folders).`

func newReportsMergeCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge --out DIR DIR1 DIR2 ...",
		Short: "Join the reports of a sharded run's shards into one run's reports",
		Long:  mergeLong,
		Example: `  # After the jobs of a CI matrix ran 'iefconform run --shard 1/2 --out shard-1'
  # and 'iefconform run --shard 2/2 --out shard-2':
  iefconform reports merge --out reports/out shard-1 shard-2`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			return mergeReports(out, dirs, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&out, "out", filepath.Join("reports", "out"),
		"write the merged cucumber.json, junit.xml and durations.json into the folder `DIR` (created if needed)")
	return cmd
}

func mergeReports(out string, dirs []string, stdout io.Writer) error {
	if out == "" {
		return usagef("--out is empty: want a folder")
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return usagef("--out: %w", err)
	}
	for _, d := range dirs {
		if err := isDir(d); err != nil {
			return usagef("report folder: %w", err)
		}
		if abs, err := filepath.Abs(d); err == nil && abs == absOut {
			return usagef("--out %s is one of the folders to merge: write the merged reports elsewhere", out)
		}
	}
	res, err := reports.Merge(out, dirs)
	if err != nil {
		return fmt.Errorf("reports merge: %w", err)
	}
	labels := make([]string, len(res.Shards))
	for i, s := range res.Shards {
		labels[i] = s.Shard
	}
	fmt.Fprintf(stdout, "merged shards %s: %s, %s, %s\n", strings.Join(labels, ", "),
		plural(res.Features, "feature"), plural(res.Scenarios, "scenario"), plural(res.Steps, "step"))
	fmt.Fprintln(stdout, res.Summary.String())
	fmt.Fprintf(stdout, "reports: %s, %s, %s\n",
		filepath.Join(out, reports.CucumberFile), filepath.Join(out, reports.JUnitFile), filepath.Join(out, reports.DurationsFile))
	return nil
}
