package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iefconform/iefconform/engine/extension"
)

func newCertifyCmd() *cobra.Command {
	certify := &cobra.Command{
		Use:   "certify",
		Short: "Check a real API against the contract a B2C or Entra feature expects of it",
		Long: `Run contract checks against an API you host and print a pass/fail table.
Each subcommand certifies one kind of API.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	certify.AddCommand(newCertifyCustomExtensionCmd())
	return certify
}

func newCertifyCustomExtensionCmd() *cobra.Command {
	var target, token, resource, caFile string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "customextension --url https://...",
		Short: "Certify an Entra custom claims provider API (token issuance start)",
		Long: `Send one tokenIssuanceStart event, as Microsoft Entra does at token issuance,
to a custom claims provider API and check its answer against the contract:
HTTP 200 in time, Content-Type application/json, the response schema with
exactly one provideClaimsForToken action, claims that are not null, no empty
key, string or string-array values, at most 3 KB of claims and a bounded body.
It prints one row per check with the error code Entra would log
(1003002 … 1003027) and exits with status 1 when any check fails.

Without --token the bearer token is signed by a throwaway key, so an API that
checks Entra's keys refuses it (the first row then fails with 1003002): pass a
real token for that API with --token.`,
		Example: `  iefconform certify customextension --url https://claims.contoso.com/api/tokenissuancestart
  iefconform certify customextension --url https://localhost:7071/api/claims --ca dev-ca.pem --token "$TOKEN"`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, err := url.Parse(target)
			if target == "" || err != nil || u.Scheme != "https" || u.Host == "" {
				return usagef("--url must be an https:// URL, got %q", target)
			}
			client := &http.Client{}
			if caFile != "" {
				pem, err := os.ReadFile(caFile)
				if err != nil {
					return usagef("--ca: %v", err)
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pem) {
					return usagef("--ca %s holds no PEM certificate", caFile)
				}
				client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
			}
			rows, err := extension.Certify(cmd.Context(), target, extension.CertifyOptions{Token: token, ResourceID: resource, Timeout: timeout, HTTP: client})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "CHECK\tCODE\tRESULT\tDETAIL\n")
			failed := 0
			for _, r := range rows {
				codes := make([]string, len(r.Codes))
				for i, c := range r.Codes {
					codes[i] = fmt.Sprint(c)
				}
				if r.Status == extension.CheckFail {
					failed++
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, strings.Join(codes, ","), r.Status, r.Detail)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if failed > 0 {
				fmt.Fprintf(out, "\n%s does not meet the custom claims provider contract.\n", target)
				return errFailed
			}
			fmt.Fprintf(out, "\n%s meets the custom claims provider contract.\n", target)
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "url", "", "the API's https URL (the extension's targetUrl)")
	cmd.Flags().StringVar(&token, "token", "", "the bearer token to send (default: one signed by a throwaway key)")
	cmd.Flags().StringVar(&resource, "resource", "", "the aud of the generated token, the API's identifier URI (default api://certify.local/certify)")
	cmd.Flags().StringVar(&caFile, "ca", "", "a PEM file of CA certificates to trust for the API (default: the system's)")
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Second, "how long the API may take (Entra allows 200ms to 2s)")
	return cmd
}
