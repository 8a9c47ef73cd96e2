package iefconform_test

import (
	"flag"
	"io/fs"
	"os"
	"testing"

	"github.com/cucumber/godog"

	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/browser"
	"github.com/iefconform/iefconform/steps"
)

// opts are godog's options, bound to -godog.* flags:
// go test -run TestFeatures -godog.tags=@oauth2 -godog.concurrency=2
var opts = godog.Options{
	Format:      "progress",
	Strict:      true,
	Concurrency: 2,
	Randomize:   0,
}

func TestMain(m *testing.M) {
	godog.BindFlags("godog.", flag.CommandLine, &opts)
	flag.Parse()
	os.Exit(m.Run())
}

// TestFeatures runs the built-in conformance suite against the emulator in a
// real headless Chromium.
func TestFeatures(t *testing.T) {
	policies, err := fs.Sub(features.FS, features.Policies)
	if err != nil {
		t.Fatal(err)
	}
	suite, err := harness.NewSuite(harness.Options{Policies: policies, Browser: browser.OptionsFromEnv()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := suite.Close(); err != nil {
			t.Errorf("close browser: %v", err)
		}
	})
	o := opts
	o.TestingT = t
	if len(o.Paths) == 0 {
		o.FS = features.FS
		if o.Paths, err = features.Paths(); err != nil {
			t.Fatal(err)
		}
	}
	status := godog.TestSuite{
		Name:                "iefconform",
		ScenarioInitializer: steps.Initialize(suite),
		Options:             &o,
	}.Run()
	if status != 0 {
		t.Fatalf("conformance suite failed with status %d", status)
	}
}
