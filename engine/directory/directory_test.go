package directory

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func seeded(t *testing.T) *Memory {
	t.Helper()
	m := New(WithClock(func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }))
	alice := User{ObjectID: "A0000000-0000-0000-0000-000000000001", AccountEnabled: true,
		Identities:        []Identity{{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "Alice@Example.com"}},
		UserPrincipalName: "alice@contoso.onmicrosoft.com", Attributes: map[string]any{"displayName": "Alice"}}
	if err := alice.SetPassword("Secret-1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	bob := User{Identities: []Identity{{SignInType: SignInTypeFederated, Issuer: "facebook.com", IssuerAssignedID: "1234"}}}
	if err := m.Seed(alice, bob); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFind(t *testing.T) {
	m := seeded(t)
	bobKey, err := KeyFor("AlternativeSecurityId", Identity{Issuer: "Facebook.com", IssuerAssignedID: "1234"}.AlternativeSecurityID())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		key     Key
		wantOID string
		wantErr error
	}{
		{"objectId ignores case", Key{Kind: ByObjectID, Value: "a0000000-0000-0000-0000-000000000001"}, "a0000000-0000-0000-0000-000000000001", nil},
		// DIR-04: sign-in names match ignoring case.
		{"email ignores case", Key{Kind: BySignInName, SignInType: "emailAddress", Value: "alice@example.COM"}, "a0000000-0000-0000-0000-000000000001", nil},
		{"any sign-in name", Key{Kind: BySignInName, Value: "alice@example.com"}, "a0000000-0000-0000-0000-000000000001", nil},
		{"other sign-in type", Key{Kind: BySignInName, SignInType: "userName", Value: "alice@example.com"}, "", ErrNotFound},
		{"upn", Key{Kind: ByUserPrincipalName, Value: "ALICE@contoso.onmicrosoft.com"}, "a0000000-0000-0000-0000-000000000001", nil},
		{"identity issuer ignores case", bobKey, "", nil},
		{"identity id exact", Key{Kind: ByIdentity, Issuer: "facebook.com", Value: "1234 "}, "", ErrNotFound},
		{"empty", Key{Kind: ByObjectID}, "", ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := m.Find(context.Background(), tt.key)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Find: err %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && tt.wantOID != "" && u.ObjectID != tt.wantOID {
				t.Errorf("objectId %q, want %q", u.ObjectID, tt.wantOID)
			}
		})
	}
}

func TestUniqueAndUpdate(t *testing.T) {
	m := seeded(t)
	ctx := context.Background()
	// DIR-03: an address registered in another case is taken.
	_, err := m.Create(ctx, User{Identities: []Identity{{SignInType: "emailAddress", IssuerAssignedID: "ALICE@example.com"}}})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("Create duplicate: %v, want ErrExists", err)
	}
	if n := len(m.Users()); n != 2 {
		t.Fatalf("%d users, want 2", n)
	}
	if err := m.Seed(User{}, User{UserPrincipalName: "alice@contoso.onmicrosoft.com"}); !errors.Is(err, ErrExists) {
		t.Fatalf("Seed: %v, want ErrExists", err)
	}
	if n := len(m.Users()); n != 2 {
		t.Fatalf("Seed is not all-or-none: %d users", n)
	}
	oid := m.Users()[0].ObjectID
	u, err := m.Update(ctx, oid, func(u *User) error {
		return u.Set("signInNames.emailAddress", "alice2@example.com")
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Find(ctx, Key{Kind: BySignInName, Value: "alice@example.com"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("old sign-in name still found: %v", err)
	}
	if v, _ := u.Get("signInNames.emailAddress"); v != "alice2@example.com" {
		t.Errorf("signInNames.emailAddress = %v", v)
	}
	if !u.CheckPassword("Secret-1") || u.CheckPassword("secret-1") {
		t.Error("CheckPassword: want the exact password to match and no other")
	}
	u.Attributes["displayName"] = "changed"
	if v, _ := m.Users()[0].Get("displayName"); v != "Alice" {
		t.Errorf("stored user changed through a copy: displayName %v", v)
	}
	if err := m.Delete(ctx, oid); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(ctx, oid); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}
}

func TestConcurrentCreate(t *testing.T) {
	m := New()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := m.Create(context.Background(), User{Identities: []Identity{{SignInType: "emailAddress", IssuerAssignedID: "same@example.com"}}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, ErrExists) {
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d creates succeeded, want 1", ok)
	}
}

func TestAttributes(t *testing.T) {
	var u User
	for _, c := range []struct {
		name string
		v    any
	}{{"GivenName", "Al"}, {"otherMails", "a@b.c"}, {"accountEnabled", "True"}, {"extension_1111_loyaltyId", "L1"}} {
		if err := u.Set(c.name, c.v); err != nil {
			t.Fatalf("Set %s: %v", c.name, err)
		}
	}
	if v, _ := u.Get("givenName"); v != "Al" {
		t.Errorf("givenName %v", v)
	}
	if v, _ := u.Get("otherMails"); len(v.([]string)) != 1 {
		t.Errorf("otherMails %v", v)
	}
	if v, _ := u.Get("accountEnabled"); v != "True" {
		t.Errorf("accountEnabled %v", v)
	}
	if _, ok := u.Get("extension_1111_LoyaltyId"); ok {
		t.Error("extension attribute names keep their case")
	}
	if err := u.Set("objectId", "x"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Set objectId: %v, want ErrReadOnly", err)
	}
	if _, err := ParseAlternativeSecurityID(`{"issuer":"facebook.com","issuerUserId":"!!"}`); err == nil {
		t.Error("want an error for an issuerUserId that is not base64")
	}
}
