// Package features embeds the built-in conformance suite: the Gherkin features
// by capability (oauth2/...) and the policies they run (policies/<name>/*.xml),
// so that `go test` and the iefconform binary run the same files.
package features

import "embed"

// FS holds every feature file and policy folder.
//
//go:embed oauth2 policies
var FS embed.FS

// Policies is the policies folder within FS.
const Policies = "policies"
