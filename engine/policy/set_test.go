package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/iefconform/iefconform/engine/policy"
)

func loadValid(t *testing.T) *policy.Set { return loadTestdata(t, "testdata/valid") }

// loadTestdata loads dir with the settings of testdata/valid and fails the
// test on any load problem.
func loadTestdata(t *testing.T, dir string) *policy.Set {
	t.Helper()
	settings, err := policy.LoadSettings("testdata/valid/appsettings.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := policy.LoadDir(dir, settings)
	if err != nil {
		t.Fatalf("LoadDir() error:\n%v", err)
	}
	return s
}

func TestLoadDir(t *testing.T) {
	s := loadValid(t)
	wantIDs := []string{"B2C_1A_TrustFrameworkBase", "B2C_1A_TrustFrameworkExtensions", "B2C_1A_signup_signin"}
	if got := s.IDs(); !reflect.DeepEqual(got, wantIDs) {
		t.Errorf("IDs() = %v, want %v", got, wantIDs)
	}
	if got, want := s.RelyingParties(), []string{"B2C_1A_signup_signin"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RelyingParties() = %v, want %v", got, want)
	}
	f, ok := s.File("b2c_1a_SIGNUP_signin")
	if !ok || f.PolicyID != "B2C_1A_signup_signin" {
		t.Fatalf("File() is not case-insensitive: %v %v", f, ok)
	}
	if f.Pos.File != filepath.Join("testdata", "valid", "SignUpOrSignin.xml") {
		t.Errorf("Pos.File = %q", f.Pos.File)
	}
	if f.TenantID != "contoso.onmicrosoft.com" {
		t.Errorf("TenantId = %q, want the {Settings:Tenant} value", f.TenantID)
	}
	if _, ok := s.File("B2C_1A_nope"); ok {
		t.Error("File() found an unknown policy")
	}
}

func TestLoadFilesCollectsProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a := write("a.xml", doc("B2C_1A_A", "", "  <BuildingBlocks>{Settings:Missing}</BuildingBlocks>"))
	b := write("b.xml", "<notapolicy/>")
	c := write("c.xml", doc("b2c_1a_a", "", ""))
	d := write("d.xml", doc("B2C_1A_D", "", "<Broken>"))
	missing := filepath.Join(dir, "missing.xml")

	s, err := policy.LoadFiles(nil, a, b, c, d, missing)
	if s == nil {
		t.Fatal("LoadFiles() returned no set")
	}
	ps := asProblems(t, err)
	want := []struct {
		file string
		err  error
	}{
		{a, policy.ErrUnknownSetting},
		{b, policy.ErrNotPolicy},
		{c, policy.ErrDuplicateID},
		{d, policy.ErrSyntax},
		{missing, policy.ErrRead},
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(want), err)
	}
	for i, w := range want {
		if ps[i].File != w.file || !errors.Is(ps[i], w.err) {
			t.Errorf("problem %d = %v, want %s with %v", i, ps[i], w.file, w.err)
		}
	}
	if !errors.Is(ps[4], os.ErrNotExist) {
		t.Errorf("read problem does not wrap os.ErrNotExist: %v", ps[4])
	}
	if got := s.IDs(); !reflect.DeepEqual(got, []string{"B2C_1A_A"}) {
		t.Errorf("IDs() = %v, want the first file with the duplicated id only", got)
	}
	if got := s.Validate(nil); len(got) != len(want) {
		t.Errorf("Validate() = %d problems, want the %d load problems:\n%v", len(got), len(want), got)
	}
}

func TestLoadDirErrors(t *testing.T) {
	if _, err := policy.LoadDir(filepath.Join(t.TempDir(), "nope"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadDir(missing) error = %v, want os.ErrNotExist", err)
	}
	if _, err := policy.LoadDir(t.TempDir(), nil); !errors.Is(err, policy.ErrNoFiles) {
		t.Errorf("LoadDir(empty) error = %v, want ErrNoFiles", err)
	}
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"policies/b.xml":        {Data: []byte(doc("B2C_1A_B", "B2C_1A_A", "  <RelyingParty><DefaultUserJourney ReferenceId=\"J\" /></RelyingParty>"))},
		"policies/a.XML":        {Data: []byte(doc("B2C_1A_A", "", "  <BuildingBlocks>{Settings:X}</BuildingBlocks>"))},
		"policies/readme.md":    {Data: []byte("not a policy")},
		"policies/nested/c.xml": {Data: []byte("<broken")},
		"empty/readme.md":       {Data: []byte("")},
	}
	s, err := policy.LoadFS(fsys, "policies", policy.Settings{"X": ""})
	if err != nil {
		t.Fatalf("LoadFS() error:\n%v", err)
	}
	if got, want := s.IDs(), []string{"B2C_1A_A", "B2C_1A_B"}; !reflect.DeepEqual(got, want) {
		t.Errorf("IDs() = %v, want %v", got, want)
	}
	if f, _ := s.File("B2C_1A_A"); f.Pos.File != "policies/a.XML" {
		t.Errorf("Pos.File = %q, want policies/a.XML", f.Pos.File)
	}
	if got, want := s.RelyingParties(), []string{"B2C_1A_B"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RelyingParties() = %v, want %v", got, want)
	}
	if _, err := policy.LoadFS(fsys, "empty", nil); !errors.Is(err, policy.ErrNoFiles) {
		t.Errorf("LoadFS(empty) error = %v, want ErrNoFiles", err)
	}
	if _, err := policy.LoadFS(fsys, "nope", nil); err == nil {
		t.Error("LoadFS(missing) error = nil")
	}
	_, err = policy.LoadFS(fstest.MapFS{"p/x.xml": {Data: []byte("<x/>")}}, "p", nil)
	if ps := asProblems(t, err); len(ps) != 1 || ps[0].File != "p/x.xml" || !errors.Is(err, policy.ErrNotPolicy) {
		t.Errorf("LoadFS(non-policy) = %v, want one ErrNotPolicy problem in p/x.xml", err)
	}
}
