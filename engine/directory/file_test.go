package directory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenKeepsAccountsAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "directory.json")
	seed := `{"users": [{"identities": [{"signInType": "emailAddress", "issuer": "t.onmicrosoft.com", "issuerAssignedId": "Bob@Example.com"}],
	  "password": "Passw0rd!", "attributes": {"displayName": "Bob", "otherMails": ["b@example.com"]}}]}`
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := m.Find(context.Background(), Key{Kind: BySignInName, Value: "bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(bob.PasswordHash, "Passw0rd!") || !bob.AccountEnabled || bob.CreationType != CreationTypeLocalAccount {
		t.Fatalf("seeded account: %+v", bob)
	}
	data, _ := os.ReadFile(path)
	if string(data) != seed {
		t.Error("Open rewrote the file before any change")
	}
	if _, err := m.Create(context.Background(), User{AccountEnabled: true, Identities: []Identity{{SignInType: "emailAddress", IssuerAssignedID: "ann@example.com"}},
		Attributes: map[string]any{"displayName": "Ann"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Update(context.Background(), bob.ObjectID, func(u *User) error { return u.Set("givenName", "Robert") }); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(path)
	if strings.Contains(string(data), `"password"`) || !strings.Contains(string(data), `"passwordHash"`) {
		t.Errorf("the file keeps a plain-text password or lost the hash:\n%s", data)
	}
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	users := again.Users()
	if len(users) != 2 || users[0].ObjectID != bob.ObjectID || users[0].Attributes["givenName"] != "Robert" || !CheckPassword(users[0].PasswordHash, "Passw0rd!") {
		t.Fatalf("after a restart: %+v", users)
	}
	if err := again.Delete(context.Background(), users[1].ObjectID); err != nil {
		t.Fatal(err)
	}
	if third, err := Open(path); err != nil || len(third.Users()) != 1 {
		t.Fatalf("after a delete: %v %v", err, third.Users())
	}
}

func TestOpenRefusesABadFile(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage":          `{"users": [`,
		"unknown field":    `{"users": [], "extra": 1}`,
		"two values":       `{"users": []} {}`,
		"number attribute": `{"users": [{"attributes": {"displayName": 3}}]}`,
		"hash and plain":   `{"users": [{"password": "a", "passwordHash": "b"}]}`,
		"duplicate name": `{"users": [{"identities": [{"signInType": "emailAddress", "issuerAssignedId": "a@b.c"}]},
		                              {"identities": [{"signInType": "emailAddress", "issuerAssignedId": "A@b.c"}]}]}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(path); !errors.Is(err, ErrFile) {
			t.Errorf("%s: got %v, want ErrFile", name, err)
		}
		if data, _ := os.ReadFile(path); string(data) != content {
			t.Errorf("%s: the file was changed", name)
		}
	}
}

func TestChangeKeptWhenTheFileCannotBeWritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	m, err := Open(filepath.Join(dir, "directory.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	_, err = m.Create(context.Background(), User{AccountEnabled: true, Identities: []Identity{{SignInType: "userName", IssuerAssignedID: "ann"}}})
	if !errors.Is(err, ErrFile) {
		t.Fatalf("got %v, want ErrFile", err)
	}
	if len(m.Users()) != 1 {
		t.Error("the change was lost in memory too")
	}
}
