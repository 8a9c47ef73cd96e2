package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/server"
)

const validateLong = `Check policy files the way B2C checks an upload, without running them.

PATH is a policy file or a folder; a folder contributes its *.xml files (not
those of its subfolders). All the files given form one policy set, so a
relying-party policy finds its base policies among them. Every problem is
reported, each on its own line as

  file:line: path: CODE: message

for example

  policies/TrustFrameworkBase.xml:57: TechnicalProfile[Id=Facebook-OAUTH]/Metadata: AADB2C90023: technical profile "Facebook-OAUTH" is missing required metadata key "ClaimsEndpoint"

where path locates the element inside the policy and CODE is B2C's error code
when B2C has one. Files that cannot be read, malformed XML, documents that are
not a TrustFrameworkPolicy and {Settings:Name} placeholders without a value are
problems too. The checks cover inheritance (BasePolicy chains, duplicates),
references (technical profiles, claim types, claims transformations, journeys,
claims exchanges), journeys (DefaultUserJourney, SendClaims, step order,
selections) and, for the protocols the emulator implements, required metadata
and cryptographic keys.

Placeholders take their values from --settings (the appsettings.json of the
Azure AD B2C VS Code extension: a flat {"Name": "value"} object or its
"Environments" list) and from --set, which wins.

After the problems come warnings: what you need to know before running the
policies here, which does not make validate fail. Each is a line

  file:line: path: warning: message

and they report
  - values left in from Microsoft's starter pack: yourtenant.onmicrosoft.com,
    facebook_clientid, ProxyIdentityExperienceFrameworkAppId and
    IdentityExperienceFrameworkAppId as literal values (once per value and file);
  - policy keys that CryptographicKeys name (StorageReferenceId) and the key
    store given with --keys lacks; without --keys, each key the policies need,
    once (serve itself creates B2C_1A_TokenSigningKeyContainer and the mock
    parties' secrets, such as B2C_1A_FacebookSecret);
  - elements the schema does not have ("is not an element of ...": B2C rejects
    the upload) and elements the emulator ignores ("not supported by the
    emulator yet"), among the children of TrustFrameworkPolicy and
    BuildingBlocks (ContentDefinitions, Localization, DisplayControls, ...);
  - technical profiles a relying party's journey runs whose protocol or
    handler the emulator does not implement yet (the AzureActiveDirectory,
    PhoneFactor and OneTimePassword providers, ...) or that use a claims
    transformation method it does not implement: serve refuses such a policy.

Exit status: 0 and a "no problems" line when the set is clean; 0 and a count
line ("0 problems, 7 warnings in 3 files (...)") when there are only warnings;
1 when there is any problem (after a count line such as "2 problems, 7
warnings in 3 files"); 2 on a usage error.`

func newValidateCmd() *cobra.Command {
	var o validateOptions
	cmd := &cobra.Command{
		Use:   "validate [--settings FILE] [--set Name=Value]... [flags] PATH...",
		Short: "Check policy files and report every problem with file:line",
		Long:  validateLong,
		Example: `  # The built-in Facebook policies, with the settings the test stack would supply:
  iefconform validate \
    --set Tenant=contoso.onmicrosoft.com --set FacebookAppId=1234 \
    --set FacebookAuthorizationEndpoint=https://www.facebook.com/dialog/oauth \
    --set FacebookAccessTokenEndpoint=https://graph.facebook.com/oauth/access_token \
    --set FacebookClaimsEndpoint=https://graph.facebook.com/me \
    --set FacebookEndSessionEndpoint=https://www.facebook.com/logout.php \
    features/policies/facebook

  # A policy folder and the VS Code extension's settings, environment "Test":
  iefconform validate --settings appsettings.json --env Test policies/

  # A starter pack, checking the policy keys against your key store:
  iefconform validate --keys ./keys SocialAccounts/`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validate(o, args, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.settings, "settings", "", "read {Settings:Name} values from `FILE`, an appsettings.json (a flat object or the VS Code\nextension's Environments shape)")
	f.StringVar(&o.env, "env", "", "with --settings in the Environments shape, use the environment named `NAME` (default: the first)")
	f.StringVar(&o.keys, "keys", "", "check the policy keys the policies name against the key store `PATH` (as serve --keys: a\nfolder of NAME.secret / NAME.pem files or a YAML/JSON file)")
	f.StringArrayVar(&o.set, "set", nil, "set one {Settings:Name} value, as `Name=Value`; repeat for more; wins over --settings\n(e.g. --set Tenant=contoso.onmicrosoft.com)")
	return cmd
}

// validateOptions are the flags of validate.
type validateOptions struct {
	settings string
	env      string
	keys     string
	set      []string
}

// settingsFrom reads --settings and applies --set over it.
func settingsFrom(file, env string, sets []string) (policy.Settings, error) {
	settings := policy.Settings{}
	if file != "" {
		s, err := policy.LoadSettingsEnv(file, env)
		if err != nil {
			return nil, usagef("--settings: %w", err)
		}
		settings = s
	} else if env != "" {
		return nil, usagef("--env %q needs --settings", env)
	}
	for _, kv := range sets {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, usagef("--set %q: want Name=Value, e.g. --set Tenant=contoso.onmicrosoft.com", kv)
		}
		settings[strings.TrimSpace(name)] = value
	}
	return settings, nil
}

func validate(o validateOptions, paths []string, out io.Writer) error {
	settings, err := settingsFrom(o.settings, o.env, o.set)
	if err != nil {
		return err
	}
	wo := policy.WarnOptions{
		Implemented:             server.Implemented,
		TransformationSupported: claims.Supported,
		Read:                    os.ReadFile,
	}
	if o.keys != "" {
		store, err := keys.Load(o.keys)
		if err != nil {
			return usagef("--keys: %w", err)
		}
		wo.HasKey = storeHas(store)
	}
	files, probs := policyFiles(paths)
	var set *policy.Set
	var warns policy.Warnings
	if len(files) > 0 {
		// LoadFiles returns the set even when files have problems; Validate
		// reports those problems along with its own.
		set, _ = policy.LoadFiles(settings, files...)
		probs = append(probs, server.Validate(set)...)
		warns = set.Warnings(wo)
	}
	probs.Sort()
	lines := make([]string, 0, len(probs)+len(warns))
	for _, p := range probs {
		lines = append(lines, p.String())
	}
	for _, w := range warns {
		lines = append(lines, w.String())
	}
	for _, l := range lines {
		if _, err := fmt.Fprintln(out, oneLine(l)); err != nil {
			return fmt.Errorf("validate: %w", err)
		}
	}
	var what string
	if set != nil {
		what = "no relying-party policy, so references and journeys were not checked"
		if rps := set.RelyingParties(); len(rps) > 0 {
			what = plural(len(rps), "relying-party policy") + ": " + strings.Join(rps, ", ")
		}
	}
	switch {
	case len(probs) > 0 && len(warns) > 0:
		fmt.Fprintf(out, "%s, %s in %s\n", plural(len(probs), "problem"), plural(len(warns), "warning"), plural(len(files), "file"))
		return errFailed
	case len(probs) > 0:
		fmt.Fprintf(out, "%s in %s\n", plural(len(probs), "problem"), plural(len(files), "file"))
		return errFailed
	case len(warns) > 0:
		_, err = fmt.Fprintf(out, "0 problems, %s in %s (%s)\n", plural(len(warns), "warning"), plural(len(files), "file"), what)
	default:
		_, err = fmt.Fprintf(out, "no problems in %s (%s)\n", plural(len(files), "file"), what)
	}
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	return nil
}

// storeHas reports whether the store has a container, its name compared
// ignoring case as B2C compares ids.
func storeHas(store *keys.Store) func(string) bool {
	names := store.Containers()
	return func(name string) bool {
		return store.Has(name) || slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) })
	}
}

// policyFiles expands the paths into policy files. A path that cannot be read
// or a folder without *.xml files is a problem.
func policyFiles(paths []string) ([]string, policy.Problems) {
	var files []string
	var probs policy.Problems
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			probs = append(probs, policy.Problem{File: p, Message: "cannot read: " + pathError(err), Err: fmt.Errorf("%w: %w", policy.ErrRead, err)})
			continue
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			probs = append(probs, policy.Problem{File: p, Message: "cannot read folder: " + pathError(err), Err: fmt.Errorf("%w: %w", policy.ErrRead, err)})
			continue
		}
		n := 0
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".xml") {
				files = append(files, filepath.Join(p, e.Name()))
				n++
			}
		}
		if n == 0 {
			probs = append(probs, policy.Problem{File: p, Message: "the folder has no *.xml policy files", Err: policy.ErrNoFiles})
		}
	}
	// The same file named twice (a folder and one of its files) is loaded once.
	var unique []string
	seen := map[string]bool{}
	for _, f := range files {
		k := filepath.Clean(f)
		if abs, err := filepath.Abs(f); err == nil {
			k = abs
		}
		if !seen[k] {
			seen[k] = true
			unique = append(unique, f)
		}
	}
	return slices.Clip(unique), probs
}

// pathError is the reason of an *os.PathError without the repeated path.
func pathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// oneLine keeps a problem on one line.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", "; ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "policy") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
