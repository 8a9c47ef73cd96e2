package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stackSettings are the --set flags that give the Facebook policies' placeholders a value.
var stackSettings = []string{
	"--set", "Tenant=contoso.onmicrosoft.com",
	"--set", "FacebookAppId=1234567890",
	"--set", "FacebookAuthorizationEndpoint=https://www.facebook.com/dialog/oauth",
	"--set", "FacebookAccessTokenEndpoint=https://graph.facebook.com/oauth/access_token",
	"--set", "FacebookClaimsEndpoint=https://graph.facebook.com/me",
	"--set", "FacebookEndSessionEndpoint=https://www.facebook.com/logout.php",
}

// lineOf returns the 1-based line of the first line of file containing s.
func lineOf(t *testing.T, file, s string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), s) {
			return n
		}
	}
	t.Fatalf("%s has no line containing %q", file, s)
	return 0
}

func outputLines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

// TestValidatePlanted checks that the three mistakes planted in three files of
// testdata/planted are each reported once, at their file and line.
func TestValidatePlanted(t *testing.T) {
	dir := filepath.Join("testdata", "planted")
	base := filepath.Join(dir, "TrustFrameworkBase.xml")
	ext := filepath.Join(dir, "TrustFrameworkExtensions.xml")
	rp := filepath.Join(dir, "SignUpOrSignin.xml")
	want := []string{
		// The relying party's journey names a technical profile that does not exist.
		fmt.Sprintf("%s:%d: UserJourney[Id=SocialSignInTypo]/OrchestrationStep[Order=1]/ClaimsExchange[Id=FacebookExchange]: ", rp, lineOf(t, rp, `TechnicalProfileReferenceId="Facebook-OAUTH2"`)),
		// The base maps an output claim of an undefined claim type.
		fmt.Sprintf("%s:%d: TechnicalProfile[Id=Facebook-OAUTH]/OutputClaim[ClaimTypeReferenceId=favouriteColour]: ", base, lineOf(t, base, `ClaimTypeReferenceId="favouriteColour"`)),
		// The extensions misspell client_id: the effective profile, last defined there, lacks it.
		fmt.Sprintf("%s:%d: TechnicalProfile[Id=Facebook-OAUTH]/Metadata: AADB2C90023: ", ext, lineOf(t, ext, `<TechnicalProfile Id="Facebook-OAUTH">`)),
	}
	wantWords := []string{`"Facebook-OAUTH2"`, `"favouriteColour"`, `"client_id"`}

	// The policy keys the policies need follow the problems as warnings (no --keys).
	wantWarnings := []string{
		fmt.Sprintf("%s:%d: TechnicalProfile[Id=Facebook-OAUTH]/CryptographicKeys/Key[Id=client_secret]: warning: the policies need policy key B2C_1A_FacebookSecret ", base, lineOf(t, base, `StorageReferenceId="B2C_1A_FacebookSecret"`)),
		fmt.Sprintf("%s:%d: TechnicalProfile[Id=JwtIssuer]/CryptographicKeys/Key[Id=issuer_secret]: warning: the policies need policy key B2C_1A_TokenSigningKeyContainer ", base, lineOf(t, base, `StorageReferenceId="B2C_1A_TokenSigningKeyContainer"`)),
		fmt.Sprintf("%s:%d: TechnicalProfile[Id=JwtIssuer]/CryptographicKeys/Key[Id=issuer_refresh_token_key]: warning: the policies need policy key B2C_1A_TokenEncryptionKeyContainer ", base, lineOf(t, base, `StorageReferenceId="B2C_1A_TokenEncryptionKeyContainer"`)),
	}

	code, stdout, stderr := cli(t, "validate", "--settings", filepath.Join("testdata", "appsettings.json"), dir)
	if code != exitFailure {
		t.Errorf("exit status %d, want %d", code, exitFailure)
	}
	lines := outputLines(stdout)
	if len(lines) != len(want)+len(wantWarnings)+1 {
		t.Fatalf("got %d lines, want 3 problems, 3 warnings and a count line:\n%s\nstderr:\n%s", len(lines), stdout, stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) || !strings.Contains(lines[i], wantWords[i]) {
			t.Errorf("line %d = %q\nwant prefix %q and %s", i+1, lines[i], w, wantWords[i])
		}
	}
	for i, w := range wantWarnings {
		if n := len(want) + i; !strings.HasPrefix(lines[n], w) {
			t.Errorf("line %d = %q\nwant prefix %q", n+1, lines[n], w)
		}
	}
	if got := lines[len(lines)-1]; got != "3 problems, 3 warnings in 3 files" {
		t.Errorf("count line = %q, want %q", got, "3 problems, 3 warnings in 3 files")
	}
}

// TestValidateWarnings checks that warnings alone leave the exit status 0, are
// counted, and that --keys turns the list of needed keys into the missing ones.
func TestValidateWarnings(t *testing.T) {
	builtin := filepath.Join("..", "..", "features", "policies", "facebook")
	base := filepath.Join(builtin, "TrustFrameworkBase.xml")
	keyDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(keyDir, "B2C_1A_FacebookSecret.secret"), []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	encLine := lineOf(t, base, `StorageReferenceId="B2C_1A_TokenEncryptionKeyContainer"`)
	tests := []struct {
		name    string
		args    []string
		want    []string // lines that must appear, each a prefix of one line
		notWant []string // substrings no line may have
		count   string
	}{
		{
			name: "no key store: every key the policies need, once",
			args: append(append([]string{"validate"}, stackSettings...), builtin),
			want: []string{
				fmt.Sprintf("%s:%d: TechnicalProfile[Id=JwtIssuer]/CryptographicKeys/Key[Id=issuer_refresh_token_key]: warning: the policies need policy key B2C_1A_TokenEncryptionKeyContainer", base, encLine),
			},
			count: "0 problems, 4 warnings in 4 files (2 relying-party policies: B2C_1A_signup_signin, B2C_1A_signup_signin_picker)",
		},
		{
			name: "a key store: only the keys it lacks",
			args: append(append([]string{"validate", "--keys", keyDir}, stackSettings...), builtin),
			want: []string{
				fmt.Sprintf("%s:%d: TechnicalProfile[Id=JwtIssuer]/CryptographicKeys/Key[Id=issuer_refresh_token_key]: warning: policy key B2C_1A_TokenEncryptionKeyContainer (technical profile \"JwtIssuer\") is not in the key store", base, encLine),
			},
			notWant: []string{"B2C_1A_FacebookSecret"},
			count:   "0 problems, 3 warnings in 4 files (2 relying-party policies: B2C_1A_signup_signin, B2C_1A_signup_signin_picker)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.args...)
			if code != exitOK {
				t.Errorf("exit status %d, want %d (warnings only)\nstdout:\n%s\nstderr:\n%s", code, exitOK, stdout, stderr)
			}
			lines := outputLines(stdout)
			for _, w := range tt.want {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) }) {
					t.Errorf("no line starts with %q\nstdout:\n%s", w, stdout)
				}
			}
			for _, l := range lines {
				for _, nw := range tt.notWant {
					if strings.Contains(l, nw) {
						t.Errorf("line %q mentions %s", l, nw)
					}
				}
				if l != lines[len(lines)-1] && !strings.Contains(l, ": warning: ") {
					t.Errorf("line %q is not a warning", l)
				}
			}
			if got := lines[len(lines)-1]; got != tt.count {
				t.Errorf("count line = %q, want %q", got, tt.count)
			}
		})
	}
}

func TestValidateBadKeys(t *testing.T) {
	code, _, stderr := cli(t, "validate", "--keys", filepath.Join("testdata", "no-such-keys"), filepath.Join("..", "..", "features", "policies", "facebook"))
	if code != exitUsage || !strings.Contains(stderr, "--keys") {
		t.Errorf("exit status %d, stderr %q: want %d and a --keys message", code, stderr, exitUsage)
	}
}

func TestValidate(t *testing.T) {
	builtin := filepath.Join("..", "..", "features", "policies", "facebook")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string // lines of stdout, each a prefix of the line
	}{
		{
			name:     "built-in facebook policies with the stack's settings",
			args:     append(append([]string{"validate"}, stackSettings...), builtin),
			wantCode: exitOK,
			want:     []string{"0 problems, 4 warnings in 4 files"},
		},
		{
			name:     "built-in facebook policies, files one by one, settings from appsettings.json",
			args:     []string{"validate", "--settings", filepath.Join("testdata", "appsettings.json"), "--env", "test", filepath.Join(builtin, "SignUpOrSignin.xml"), filepath.Join(builtin, "TrustFrameworkBase.xml"), filepath.Join(builtin, "TrustFrameworkExtensions.xml")},
			wantCode: exitOK,
			want:     []string{"0 problems, 4 warnings in 3 files (1 relying-party policy: B2C_1A_signup_signin)"},
		},
		{
			name:     "a missing setting is a problem at its line",
			args:     append(append([]string{"validate"}, stackSettings[2:]...), builtin), // no Tenant
			wantCode: exitFailure,
			want: []string{
				fmt.Sprintf("%s:%d: setting \"Tenant\" has no value", filepath.Join(builtin, "SignUpOrSignin.xml"), lineOf(t, filepath.Join(builtin, "SignUpOrSignin.xml"), "{Settings:Tenant}")),
			},
		},
		{
			name:     "malformed XML",
			args:     []string{"validate", filepath.Join("testdata", "malformed")},
			wantCode: exitFailure,
			want: []string{
				filepath.Join("testdata", "malformed", "Broken.xml") + ":6: malformed XML: element <ClaimsSchema> closed by </ClaimsSchem>",
				"1 problem in 1 file",
			},
		},
		{
			name:     "an XML file that is not a policy",
			args:     []string{"validate", filepath.Join("testdata", "notpolicy", "pom.xml")},
			wantCode: exitFailure,
			want: []string{
				filepath.Join("testdata", "notpolicy", "pom.xml") + `:2: not a TrustFrameworkPolicy: root element is <project> in namespace "http://maven.apache.org/POM/4.0.0"`,
				"1 problem in 1 file",
			},
		},
		{
			name:     "paths that cannot be read and folders without policies",
			args:     []string{"validate", filepath.Join("testdata", "no-such-file.xml"), "testdata"},
			wantCode: exitFailure,
			want: []string{
				"testdata: the folder has no *.xml policy files",
				filepath.Join("testdata", "no-such-file.xml") + ": cannot read: no such file or directory",
				"2 problems in 0 files",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			// Problems come first; warnings (": warning: ") follow them.
			var lines []string
			for _, l := range outputLines(stdout) {
				if !strings.Contains(l, ": warning: ") {
					lines = append(lines, l)
				}
			}
			for i, w := range tt.want {
				if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d: want prefix %q\nstdout:\n%s", i+1, w, stdout)
				}
			}
			if tt.wantCode == exitFailure {
				last := lines[len(lines)-1]
				if !strings.Contains(last, "problem") {
					t.Errorf("last line %q: want a count line", last)
				}
			}
		})
	}
}
