// Package directory is the emulator's Azure AD B2C directory: the user
// accounts that directory technical profiles (profile/aad) read and write and
// that local-account sign-in checks passwords against (spec DIR §1.8, §1.9).
//
// Store is the small interface the profiles use, so that a file-backed or
// remote store can replace the in-memory one (Memory, from New). Accounts are
// found by a Key: their objectId, userPrincipalName, a sign-in name
// (case-insensitive) or a social identity (issuer case-insensitive,
// issuerUserId exact). Attributes are named as B2C names them
// (displayName, givenName, signInNames.emailAddress, extension_<appId>_<name>);
// see User.Get and User.Set.
package directory

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrNotFound: no account matches the key.
	ErrNotFound = errors.New("account not found")
	// ErrExists: another account already has the object id, user principal
	// name or one of the identities.
	ErrExists = errors.New("account already exists")
	// ErrInvalidKey: the key cannot name an account (empty value, a malformed
	// alternativeSecurityId, an unknown attribute).
	ErrInvalidKey = errors.New("invalid directory key")
	// ErrInvalidAttribute: an attribute value the directory cannot store.
	ErrInvalidAttribute = errors.New("invalid directory attribute")
	// ErrReadOnly: the attribute is set by the directory alone.
	ErrReadOnly = errors.New("read-only directory attribute")
)

// Store is a B2C directory. Implementations are safe for concurrent use and
// hand out copies: changing a returned User changes nothing stored.
type Store interface {
	// Find returns the account the key names, or ErrNotFound.
	Find(ctx context.Context, key Key) (User, error)
	// Create stores a new account and returns it as stored. An empty
	// ObjectID is generated; CreatedDateTime is set when zero. An account that
	// shares the object id, the user principal name or an identity with
	// another is refused with ErrExists.
	Create(ctx context.Context, u User) (User, error)
	// Update applies fn to a copy of the account with objectID and stores the
	// result unless fn fails. The object id cannot change; identities and the
	// user principal name stay unique (ErrExists).
	Update(ctx context.Context, objectID string, fn func(*User) error) (User, error)
	// Delete removes the account with objectID, or returns ErrNotFound.
	Delete(ctx context.Context, objectID string) error
	// Seed creates accounts for tests and the harness, all or none.
	Seed(users ...User) error
	// Users lists every account in the order they were created.
	Users() []User
}

// KeyKind says which attribute a Key matches.
type KeyKind int

// Key kinds (spec DIR §1.3).
const (
	// ByObjectID matches objectId, a GUID compared ignoring case.
	ByObjectID KeyKind = iota + 1
	// ByUserPrincipalName matches userPrincipalName ignoring case.
	ByUserPrincipalName
	// BySignInName matches a local identity ignoring case: of SignInType, or
	// of any local type when SignInType is empty (the signInNames key).
	BySignInName
	// ByIdentity matches a federated identity: Issuer ignoring case, Value
	// (the issuer's user id) exactly.
	ByIdentity
)

// Key names one account.
type Key struct {
	Kind KeyKind
	// SignInType is the local identity type of BySignInName (emailAddress,
	// userName, phoneNumber), or "" for any.
	SignInType string
	// Issuer is the identity provider of ByIdentity, e.g. facebook.com.
	Issuer string
	// Value is the object id, user principal name, sign-in name or the
	// issuer's user id.
	Value string
}

func (k Key) String() string {
	switch k.Kind {
	case ByObjectID:
		return "objectId " + k.Value
	case ByUserPrincipalName:
		return "userPrincipalName " + k.Value
	case BySignInName:
		if k.SignInType == "" {
			return "signInNames " + k.Value
		}
		return "signInNames." + k.SignInType + " " + k.Value
	case ByIdentity:
		return fmt.Sprintf("identity %s/%s", k.Issuer, k.Value)
	}
	return fmt.Sprintf("key(%d) %s", int(k.Kind), k.Value)
}

// KeyFor builds the Key of a directory profile's input claim: attribute is
// its PartnerClaimType or claim id (objectId, userPrincipalName, signInNames,
// signInNames.<type>, alternativeSecurityId; compared ignoring case) and
// value the claim's value. An alternativeSecurityId value is the JSON of
// ParseAlternativeSecurityID.
func KeyFor(attribute, value string) (Key, error) {
	if value == "" {
		return Key{}, fmt.Errorf("%w: %s has no value", ErrInvalidKey, attribute)
	}
	switch a := attribute; {
	case equalFold(a, AttrObjectID):
		return Key{Kind: ByObjectID, Value: value}, nil
	case equalFold(a, AttrUserPrincipalName):
		return Key{Kind: ByUserPrincipalName, Value: value}, nil
	case equalFold(a, AttrSignInNames):
		return Key{Kind: BySignInName, Value: value}, nil
	case hasPrefixFold(a, AttrSignInNames+"."):
		t := a[len(AttrSignInNames)+1:]
		if t == "" {
			return Key{}, fmt.Errorf("%w: %q names no sign-in type", ErrInvalidKey, a)
		}
		return Key{Kind: BySignInName, SignInType: t, Value: value}, nil
	case equalFold(a, AttrAlternativeSecurityID):
		id, err := ParseAlternativeSecurityID(value)
		if err != nil {
			return Key{}, fmt.Errorf("%w: %w", ErrInvalidKey, err)
		}
		return Key{Kind: ByIdentity, Issuer: id.Issuer, Value: id.IssuerAssignedID}, nil
	}
	return Key{}, fmt.Errorf("%w: %q is not a directory key attribute", ErrInvalidKey, attribute)
}
