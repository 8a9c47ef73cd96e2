package selfasserted

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// The starter pack's Restriction patterns, copied from the RegularExpression
// attributes of SocialAndLocalAccounts/TrustFrameworkBase.xml (the same in
// LocalAccounts and SocialAndLocalAccountsWithMfa), XML entities decoded.
const (
	// ClaimType email (and signInName).
	packEmailPattern = "^[a-zA-Z0-9!#$%&'+^_`{}~-]+(?:\\.[a-zA-Z0-9!#$%&'+^_`{}~-]+)*@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$"
	// ClaimTypes newPassword and reenterPassword.
	packPasswordPattern = "^((?=.*[a-z])(?=.*[A-Z])(?=.*\\d)|(?=.*[a-z])(?=.*[A-Z])(?=.*[^A-Za-z0-9])|(?=.*[a-z])(?=.*\\d)(?=.*[^A-Za-z0-9])|(?=.*[A-Z])(?=.*\\d)(?=.*[^A-Za-z0-9]))([A-Za-z\\d@#$%^&*\\-_+=[\\]{}|\\\\:',?/`~\"();!]|\\.(?!@)){8,16}$"
	// ClaimType issuerUserId.
	packIssuerUserIDPattern = "^[a-zA-Z0-9]+[a-zA-Z0-9_-]*$"
)

func TestRegexStarterPackPatterns(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		value   string
		want    bool
	}{
		{"email plain", packEmailPattern, "alice@example.com", true},
		{"email dotted local part and subdomain", packEmailPattern, "alice.o'hara+b2c@mail.contoso.co.uk", true},
		{"email without a dot in the domain (SA-04)", packEmailPattern, "a@b", false},
		{"email with two @", packEmailPattern, "a@b@example.com", false},
		{"email with a leading dot", packEmailPattern, ".alice@example.com", false},
		{"email with a space", packEmailPattern, "alice @example.com", false},
		{"password three classes (SA-05)", packPasswordPattern, "Passw0rd", true},
		{"password with a dot not before @ (SA-05)", packPasswordPattern, "Pass.word1", true},
		{"password 16 characters with symbols", packPasswordPattern, `Aa1@#$%^&*-_+=[]`, true},
		{"password with quote and backslash", packPasswordPattern, `abc"\DEF(1)`, true},
		{"password two classes (SA-05)", packPasswordPattern, "password1", false},
		{"password dot before @ (SA-05)", packPasswordPattern, "Pass.@word1", false},
		{"password 17 characters (SA-05)", packPasswordPattern, "Passw0rd12345678X", false},
		{"password with a space (SA-05)", packPasswordPattern, "Pass word1", false},
		{"password 7 characters", packPasswordPattern, "Passw0r", false},
		{"password with a symbol outside the list", packPasswordPattern, "Passw0rd<", false},
		{"issuerUserId", packIssuerUserIDPattern, "1234567890_abc-DEF", true},
		{"issuerUserId starting with a dash", packIssuerUserIDPattern, "-1234", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re, err := compileRegex(tt.pattern)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got, err := re.match(tt.value)
			if err != nil {
				t.Fatalf("match %q: %v", tt.value, err)
			}
			if got != tt.want {
				t.Errorf("match %q = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

// TestRegexDotNetDefaults pins the .NET behaviour chosen for B2C's patterns:
// Regex.IsMatch with RegexOptions.None.
func TestRegexDotNetDefaults(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		value   string
		want    bool
	}{
		{"a search, not anchored to the whole value", `b+`, "abbc", true},
		{"anchors in the pattern hold", `^b+$`, "abbc", false},
		{"case-sensitive", `^abc$`, "ABC", false},
		{"$ also before a final newline", `^abc$`, "abc\n", true},
		{"\\d is any Unicode digit", `^\d+$`, "١٢٣", true},
		{"lookbehind", `(?<!@)example\.com$`, "a@example.com", false},
		{"atomic group", `^(?>a+)b$`, "aaab", true},
		{"named backreference", `^(?<x>ab)\k<x>$`, "abab", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re, err := compileRegex(tt.pattern)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got, err := re.match(tt.value)
			if err != nil || got != tt.want {
				t.Errorf("match %q = %v, %v; want %v", tt.value, got, err, tt.want)
			}
		})
	}
}

func TestRegexCatastrophicPatternTimesOut(t *testing.T) {
	re, err := compileRegex(`(a+)+$`)
	if err != nil {
		t.Fatal(err)
	}
	value := strings.Repeat("a", 64) + "b"
	ok, err := re.match(value)
	if !errors.Is(err, ErrRegexTimeout) {
		t.Fatalf("match = %v, %v; want ErrRegexTimeout", ok, err)
	}
	if strings.Contains(err.Error(), value) {
		t.Errorf("the error repeats the value, which may be a password: %v", err)
	}
}

// restrictedProfile is a self-asserted profile with one output claim, c,
// whose type has the Restriction pattern expr, declared at TrustFrameworkBase.xml:42.
func restrictedProfile(expr string) (*Profile, policy.Problems) {
	p := &policy.Policy{ClaimTypes: map[string]*policy.ClaimType{
		"c": {ID: "c", Pos: policy.Pos{File: "TrustFrameworkBase.xml", Line: 42},
			Restriction: &policy.Restriction{Pattern: &policy.Pattern{RegularExpression: expr, HelpText: "Wrong."}}},
	}}
	return New(p, &policy.TechnicalProfile{ID: "SA", OutputClaims: []policy.ClaimRef{{ClaimTypeReferenceID: "c"}}})
}

func TestNewRejectsAnInvalidPattern(t *testing.T) {
	for _, expr := range []string{`(abc`, `[a-`, `a{2,1}`, `(?<name`, `\k<missing>`} {
		t.Run(expr, func(t *testing.T) {
			_, probs := restrictedProfile(expr)
			if len(probs) != 1 {
				t.Fatalf("want one problem, got %v", probs)
			}
			got := probs[0].String()
			if !strings.HasPrefix(got, "TrustFrameworkBase.xml:42: ClaimType[Id=c]/Restriction/Pattern: the RegularExpression does not compile: ") {
				t.Errorf("problem %q", got)
			}
		})
	}
}

func TestSubmitWithStarterPackPassword(t *testing.T) {
	sp, probs := restrictedProfile(packPasswordPattern)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	for value, wantErr := range map[string]bool{"Passw0rd": false, "Pass.@word1": true} {
		err := sp.Submit(context.Background(), &profile.Env{Claims: claims.NewBag()}, url.Values{"c": {value}}, nil)
		var fe *profile.FormError
		if got := errors.As(err, &fe) && fe.Fields["c"] == "Wrong."; got != wantErr || (!wantErr && err != nil) {
			t.Errorf("submit %q: err = %v, want a field error %v", value, err, wantErr)
		}
	}
}

func TestSubmitPatternTimeoutEndsTheSubmission(t *testing.T) {
	sp, probs := restrictedProfile(`^(a+)+$`)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	err := sp.Submit(context.Background(), &profile.Env{Claims: claims.NewBag()}, url.Values{"c": {strings.Repeat("a", 64) + "b"}}, nil)
	var fe *profile.FormError
	if !errors.Is(err, ErrRegexTimeout) || errors.As(err, &fe) {
		t.Fatalf("want ErrRegexTimeout, not a field error; got %v", err)
	}
}
