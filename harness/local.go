package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/directory"
)

// ErrNoStarterPack: the public starter pack's files are not on this machine.
var ErrNoStarterPack = errors.New("the starter pack is not on this machine")

// StarterPackDir is the folder of Microsoft's starter packs (LocalAccounts,
// SocialAccounts, ...): env IEFCONFORM_STARTERPACK, else ../shared/starterpack
// beside the module root. It fails with ErrNoStarterPack when the folder is
// not there; users get the packs from
// github.com/Azure-Samples/active-directory-b2c-custom-policy-starterpack.
func StarterPackDir() (string, error) {
	dir := os.Getenv("IEFCONFORM_STARTERPACK")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		for root := wd; ; root = filepath.Dir(root) {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				dir = filepath.Join(root, "..", "shared", "starterpack")
				break
			}
			if filepath.Dir(root) == root {
				return "", fmt.Errorf("%w: no go.mod above %s and IEFCONFORM_STARTERPACK is not set", ErrNoStarterPack, wd)
			}
		}
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%w: no folder %s (set IEFCONFORM_STARTERPACK to the folder holding LocalAccounts, SocialAccounts, ...)", ErrNoStarterPack, dir)
	}
	return dir, nil
}

// StarterPackForTest is StarterPackDir for a test or benchmark: on a machine
// without the packs it is skipped, except under CI (env CI set), where it
// fails.
func StarterPackForTest(tb testing.TB) string {
	tb.Helper()
	dir, err := StarterPackDir()
	if errors.Is(err, ErrNoStarterPack) && os.Getenv("CI") == "" {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// UseStarterPack makes the starter pack's folder pack (LocalAccounts,
// SocialAndLocalAccounts, ...), read unchanged from StarterPackDir, and its
// relying-party policy policyID the ones sign-ins use. Real identity-provider
// hosts reach the stack's mocks through stack.DefaultHostMap.
func (w *World) UseStarterPack(pack, policyID string) error {
	root, err := StarterPackDir()
	if err != nil {
		return err
	}
	if fi, err := os.Stat(filepath.Join(root, pack)); err != nil || !fi.IsDir() {
		return fmt.Errorf("no starter pack %q in %s", pack, root)
	}
	w.policyOpts.FS = os.DirFS(root)
	w.PolicyID, w.policyDir, w.dirty = policyID, pack, true
	return nil
}

// AddLocalAccount creates a local account in the stack's directory: sign-in
// email, password and optional attributes (displayName, givenName, surname).
func (w *World) AddLocalAccount(email, password string, attrs map[string]string) error {
	hash, err := directory.HashPassword(password)
	if err != nil {
		return err
	}
	u := directory.User{
		AccountEnabled: true,
		CreationType:   directory.CreationTypeLocalAccount,
		Identities:     []directory.Identity{{SignInType: "emailAddress", Issuer: w.Stack.Settings()["Tenant"], IssuerAssignedID: email}},
		PasswordHash:   hash,
		Attributes:     map[string]any{},
	}
	for k, v := range attrs {
		if err := u.Set(k, v); err != nil {
			return fmt.Errorf("local account %s: %w", email, err)
		}
	}
	_, err = w.Stack.Directory.Create(context.Background(), u)
	return err
}

// LocalAccount is the directory account whose sign-in email is email.
func (w *World) LocalAccount(email string) (directory.User, error) {
	key, err := directory.KeyFor("signInNames.emailAddress", email)
	if err != nil {
		return directory.User{}, err
	}
	return w.Stack.Directory.Find(context.Background(), key)
}

// VerifyEmail runs the verification controls of the page's claim (email):
// types the address, sends the code, reads it from the stack's mailbox,
// types it and verifies, and waits for the success message.
func (w *World) VerifyEmail(ctx context.Context, claim, address string) error {
	if err := w.FillPage(ctx, [][2]string{{claim, address}}); err != nil {
		return err
	}
	before := len(w.Stack.Mailbox.Messages(address))
	if err := w.PressPageButton(ctx, claim+"_ver_but_send"); err != nil {
		return err
	}
	sess, err := w.Session(ctx)
	if err != nil {
		return err
	}
	if err := sess.WaitVisible(idSelector(claim + "_ver_input")); err != nil {
		text, _ := w.PageText(ctx, claim+"_fail_server")
		return fmt.Errorf("no code box after sending the code (%s): %w", strings.TrimSpace(text), err)
	}
	if len(w.Stack.Mailbox.Messages(address)) == before {
		return fmt.Errorf("the mailbox received no message for %s", address)
	}
	code, _ := w.Stack.Mailbox.Code(address)
	if err := sess.Fill(idSelector(claim+"_ver_input"), code); err != nil {
		return err
	}
	if err := w.PressPageButton(ctx, claim+"_ver_but_verify"); err != nil {
		return err
	}
	if err := sess.WaitVisible(idSelector(claim + "_success")); err != nil {
		return fmt.Errorf("the code was not accepted: %w", err)
	}
	return nil
}
