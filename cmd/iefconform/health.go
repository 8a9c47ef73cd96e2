package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

const healthLong = `Check that a party answers: GET URL, and exit 0 when it answers with a
status below 500 within --timeout, else 1 (a malformed URL too: Docker reads
2 as reserved). A container built FROM scratch
has no curl; its HEALTHCHECK runs this:

  HEALTHCHECK CMD ["/iefconform", "health", "http://127.0.0.1:8080/healthz"]

The emulator's /healthz answers 200 once its policies are loaded (503
before); a mock answers any path, so any of its URLs will do.`

func newHealthCmd() *cobra.Command {
	timeout := 5 * time.Second
	cmd := &cobra.Command{
		Use:   "health URL",
		Short: "Exit 0 when the party at URL answers (a container's healthcheck)",
		Long:  healthLong,
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return health(cmd.Context(), args[0], timeout, cmd.OutOrStdout())
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", timeout, "give up after `DURATION`")
	return cmd
}

func health(ctx context.Context, target string, timeout time.Duration, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("health: %w", err) // exit 1: Docker reserves 2
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		return fmt.Errorf("health: %s answered %s", target, resp.Status)
	}
	fmt.Fprintf(out, "%s answered %s\n", target, resp.Status)
	return nil
}
