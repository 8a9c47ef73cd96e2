// Command iefconform runs the iefconform conformance suite, serves the emulator
// and its mock parties for manual sign-ins, and checks policy files.
//
//	iefconform run [--tags EXPR] [--features DIR --policies DIR] [--out DIR] [--shard i/n]
//	iefconform reports merge --out DIR DIR1 DIR2...
//	iefconform serve [--addr HOST:PORT] [--policy NAME | --policies DIR] [--config FILE]
//	iefconform mock oauth2|oauth1|rest|rp [--config FILE] [--addr HOST:PORT]
//	iefconform health URL
//	iefconform validate [--settings FILE] [--set Name=Value]... PATH...
//	iefconform version
//
// Exit status: 0 success, 1 failed scenarios or policy problems or a runtime
// error, 2 a usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// errFailed ends a command with status 1 after it has printed why (failed
// scenarios, policy problems).
var errFailed = errors.New("failed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal ends the process at once
	}()
	code := execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// execute runs the command line args and returns the exit status.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errFailed) {
		return exitFailure
	}
	fmt.Fprintf(stderr, "iefconform: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitUsage
	}
	return exitFailure
}

const rootLong = `iefconform emulates Azure AD B2C custom policies (the Identity Experience
Framework) on your machine, together with mock identity providers and a mock
relying party. It runs Gherkin conformance features against the emulator in
headless Chromium, serves the same stack for sign-ins by hand, and checks
policy files for the mistakes B2C would reject.`

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "iefconform",
		Short: "Local Azure AD B2C custom-policy emulator and conformance suite",
		Long:  rootLong,
		Example: `  iefconform run                        # the built-in suite against the emulator
  iefconform run --tags @facebook --format pretty
  iefconform run --shard 2/3 --out shard-2   # the second of three CI jobs
  iefconform serve                      # sign in by hand at the printed link
  iefconform validate --settings appsettings.json policies/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newRunCmd(), newServeCmd(), newValidateCmd(), newCertifyCmd(), newReportsCmd(), newMockCmd(), newHealthCmd(), newVersionCmd())
	return root
}

// usageArgs turns an argument validator's error into a usage error.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
