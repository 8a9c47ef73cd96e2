// Package features embeds the built-in conformance suite: the Gherkin features
// by capability (oauth2/...) and the policies they run (policies/<name>/*.xml),
// so that `go test` and the iefconform binary run the same files.
package features

import (
	"embed"
	"io/fs"
)

// FS holds every feature file and policy folder.
//
//go:embed apps claims customclaims journey local oauth1 oauth2 policies rest
var FS embed.FS

// Policies is the policies folder within FS.
const Policies = "policies"

// Paths lists the feature folders of FS (every top-level folder but policies), sorted.
func Paths() ([]string, error) {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != Policies {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
