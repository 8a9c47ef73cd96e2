package directory

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Attribute names with a meaning of their own (spec DIR §1.8). Others are
// stored as given in User.Attributes.
const (
	AttrObjectID                       = "objectId"
	AttrUserPrincipalName              = "userPrincipalName"
	AttrAccountEnabled                 = "accountEnabled"
	AttrCreationType                   = "creationType"
	AttrCreatedDateTime                = "createdDateTime"
	AttrSignInNames                    = "signInNames"
	AttrAlternativeSecurityID          = "alternativeSecurityId"
	AttrAlternativeSecurityIDs         = "alternativeSecurityIds"
	AttrPassword                       = "password"
	AttrRefreshTokensValidFromDateTime = "refreshTokensValidFromDateTime"
	AttrDisplayName                    = "displayName"
	AttrOtherMails                     = "otherMails"
)

// SignInTypeFederated is the SignInType of a social identity.
const SignInTypeFederated = "federated"

// CreationTypeLocalAccount is the creationType of an account with a local identity.
const CreationTypeLocalAccount = "LocalAccount"

// collections are the attributes that hold a string collection.
var collections = []string{AttrOtherMails}

// wellKnown spells the ordinary attributes as B2C does, so that a profile
// writing "GivenName" and one reading "givenName" meet (ids ignore case, spec
// DIR §6.2). Extension attributes keep the case they are written in.
var wellKnown = []string{
	"ageGroup", "city", "consentProvidedForMinor", "country", "dateOfBirth", "department", AttrDisplayName,
	"facsimileTelephoneNumber", "givenName", "jobTitle", "immutableId", "legalAgeGroupClassification", "legalCountry",
	"mailNickName", "mobile", "netId", AttrOtherMails, "passwordPolicies", "physicalDeliveryOfficeName", "postalCode",
	"preferredLanguage", "state", "streetAddress", "strongAuthenticationAlternativePhoneNumber",
	"strongAuthenticationEmailAddress", "strongAuthenticationPhoneNumber", "surname", "telephoneNumber",
	"usageLocation", "userType",
}

// Identity is one way to sign in to an account (Graph identities).
type Identity struct {
	// SignInType is emailAddress, userName, phoneNumber (local) or federated.
	SignInType string
	// Issuer is the tenant's domain for a local identity, the identity
	// provider (facebook.com) for a federated one.
	Issuer string
	// IssuerAssignedID is the sign-in name, or the user's id at the issuer.
	IssuerAssignedID string
}

// Federated reports whether the identity is a social one.
func (id Identity) Federated() bool { return strings.EqualFold(id.SignInType, SignInTypeFederated) }

// AlternativeSecurityID is the identity as B2C's alternativeSecurityId claim
// carries it: {"issuer":"facebook.com","issuerUserId":"<base64 of the id>"}
// (spec DIR §4.2, as CreateAlternativeSecurityId builds it).
func (id Identity) AlternativeSecurityID() string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Encoding two strings cannot fail.
	_ = enc.Encode(alternativeSecurityID{Issuer: id.Issuer, IssuerUserID: base64.StdEncoding.EncodeToString([]byte(id.IssuerAssignedID))})
	return strings.TrimRight(buf.String(), "\n")
}

type alternativeSecurityID struct {
	Issuer       string `json:"issuer"`
	IssuerUserID string `json:"issuerUserId"`
}

// ParseAlternativeSecurityID decodes an alternativeSecurityId claim into a
// federated identity: the issuer as written, the issuer's user id decoded
// from base64.
func ParseAlternativeSecurityID(s string) (Identity, error) {
	var a alternativeSecurityID
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return Identity{}, fmt.Errorf("alternativeSecurityId %q: want a JSON object with issuer and issuerUserId: %w", s, err)
	}
	if a.Issuer == "" || a.IssuerUserID == "" {
		return Identity{}, fmt.Errorf("alternativeSecurityId %q: want issuer and issuerUserId", s)
	}
	raw, err := base64.StdEncoding.DecodeString(a.IssuerUserID)
	if err != nil {
		return Identity{}, fmt.Errorf("alternativeSecurityId %q: issuerUserId is not base64: %w", s, err)
	}
	return Identity{SignInType: SignInTypeFederated, Issuer: a.Issuer, IssuerAssignedID: string(raw)}, nil
}

// User is one account. The zero value of AccountEnabled is a disabled account.
type User struct {
	// ObjectID is a lowercase hyphenated GUID.
	ObjectID          string
	UserPrincipalName string
	AccountEnabled    bool
	// CreationType is LocalAccount for accounts created with a local identity.
	CreationType    string
	CreatedDateTime time.Time
	Identities      []Identity
	// PasswordHash is HashPassword's result; empty for social accounts.
	PasswordHash               string
	LastPasswordChangeDateTime time.Time
	// RefreshTokensValidFromDateTime revokes refresh tokens issued before it.
	RefreshTokensValidFromDateTime time.Time
	// Attributes holds every other attribute by its B2C name (displayName,
	// givenName, surname, passwordPolicies, mailNickName,
	// extension_<appIdWithoutDashes>_<name>, ...): a string, or a []string
	// for otherMails.
	Attributes map[string]any
}

// Clone returns a deep copy.
func (u User) Clone() User {
	u.Identities = slices.Clone(u.Identities)
	attrs := make(map[string]any, len(u.Attributes))
	for k, v := range u.Attributes {
		if c, ok := v.([]string); ok {
			v = slices.Clone(c)
		}
		attrs[k] = v
	}
	u.Attributes = attrs
	return u
}

// Identity returns the first identity of signInType (ignoring case).
func (u *User) Identity(signInType string) (Identity, bool) {
	for _, id := range u.Identities {
		if strings.EqualFold(id.SignInType, signInType) {
			return id, true
		}
	}
	return Identity{}, false
}

// SetIdentity replaces the identity of the same local type, or the federated
// identity of the same issuer and user id, or adds it.
func (u *User) SetIdentity(id Identity) {
	for i, have := range u.Identities {
		same := strings.EqualFold(have.SignInType, id.SignInType)
		if id.Federated() {
			same = same && strings.EqualFold(have.Issuer, id.Issuer) && have.IssuerAssignedID == id.IssuerAssignedID
		}
		if same {
			u.Identities[i] = id
			return
		}
	}
	u.Identities = append(u.Identities, id)
}

// Get returns an attribute by its B2C name (ignoring case, except for the
// name part of extension attributes): a string, or a []string for
// collections. Booleans read True or False, dates ISO 8601 in UTC. The
// password cannot be read.
func (u *User) Get(name string) (any, bool) {
	switch {
	case equalFold(name, AttrObjectID):
		return u.ObjectID, u.ObjectID != ""
	case equalFold(name, AttrUserPrincipalName):
		return u.UserPrincipalName, u.UserPrincipalName != ""
	case equalFold(name, AttrAccountEnabled):
		if u.AccountEnabled {
			return "True", true
		}
		return "False", true
	case equalFold(name, AttrCreationType):
		return u.CreationType, u.CreationType != ""
	case equalFold(name, AttrCreatedDateTime):
		return isoTime(u.CreatedDateTime)
	case equalFold(name, AttrRefreshTokensValidFromDateTime):
		return isoTime(u.RefreshTokensValidFromDateTime)
	case equalFold(name, AttrPassword):
		return nil, false
	case hasPrefixFold(name, AttrSignInNames+"."):
		id, ok := u.Identity(name[len(AttrSignInNames)+1:])
		if !ok || id.Federated() {
			return nil, false
		}
		return id.IssuerAssignedID, true
	case equalFold(name, AttrAlternativeSecurityID):
		for _, id := range u.Identities {
			if id.Federated() {
				return id.AlternativeSecurityID(), true
			}
		}
		return nil, false
	case equalFold(name, AttrAlternativeSecurityIDs):
		var out []string
		for _, id := range u.Identities {
			if id.Federated() {
				out = append(out, id.AlternativeSecurityID())
			}
		}
		return out, len(out) > 0
	}
	v, ok := u.Attributes[canonical(name)]
	if c, isColl := v.([]string); isColl {
		return slices.Clone(c), ok && len(c) > 0
	}
	return v, ok
}

// Set writes an attribute by its B2C name; v is a string or a []string.
// signInNames.<type> sets that local identity (Issuer left as it was, or
// empty for the caller to fill in), alternativeSecurityId adds a federated
// one. objectId, creationType, createdDateTime and
// refreshTokensValidFromDateTime are the directory's (ErrReadOnly); the
// password is set with SetPassword.
func (u *User) Set(name string, v any) error {
	s, isString := v.(string)
	coll, isColl := v.([]string)
	if !isString && !isColl {
		return fmt.Errorf("%w: %s: want a string or a string collection, got %T", ErrInvalidAttribute, name, v)
	}
	scalar := func() (string, error) {
		if isColl {
			if len(coll) > 1 {
				return "", fmt.Errorf("%w: %s holds one value, got %d", ErrInvalidAttribute, name, len(coll))
			}
			if len(coll) == 1 {
				return coll[0], nil
			}
			return "", nil
		}
		return s, nil
	}
	switch {
	case equalFold(name, AttrObjectID), equalFold(name, AttrCreationType), equalFold(name, AttrCreatedDateTime),
		equalFold(name, AttrRefreshTokensValidFromDateTime), equalFold(name, AttrSignInNames):
		return fmt.Errorf("%w: %s", ErrReadOnly, name)
	case equalFold(name, AttrPassword):
		return fmt.Errorf("%w: %s: use SetPassword", ErrInvalidAttribute, name)
	case equalFold(name, AttrUserPrincipalName):
		val, err := scalar()
		if err != nil {
			return err
		}
		u.UserPrincipalName = val
	case equalFold(name, AttrAccountEnabled):
		val, err := scalar()
		if err != nil {
			return err
		}
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("%w: %s: want true or false, got %q", ErrInvalidAttribute, name, val)
		}
		u.AccountEnabled = b
	case hasPrefixFold(name, AttrSignInNames+"."):
		val, err := scalar()
		if err != nil {
			return err
		}
		t := name[len(AttrSignInNames)+1:]
		if t == "" || strings.EqualFold(t, SignInTypeFederated) {
			return fmt.Errorf("%w: %q is not a local sign-in type", ErrInvalidAttribute, name)
		}
		issuer := ""
		if have, ok := u.Identity(t); ok {
			issuer = have.Issuer
		}
		u.SetIdentity(Identity{SignInType: t, Issuer: issuer, IssuerAssignedID: val})
	case equalFold(name, AttrAlternativeSecurityID), equalFold(name, AttrAlternativeSecurityIDs):
		vals := coll
		if isString {
			vals = []string{s}
		}
		for _, val := range vals {
			id, err := ParseAlternativeSecurityID(val)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrInvalidAttribute, err)
			}
			u.SetIdentity(id)
		}
	default:
		if u.Attributes == nil {
			u.Attributes = map[string]any{}
		}
		name = canonical(name)
		if slices.Contains(collections, name) {
			if isString {
				coll = []string{s}
			}
			u.Attributes[name] = slices.Clone(coll)
			return nil
		}
		val, err := scalar()
		if err != nil {
			return err
		}
		u.Attributes[name] = val
	}
	return nil
}

// Clear removes an attribute (DeleteClaims). Identities of signInNames.<type>
// and alternativeSecurityId are removed; the directory's own attributes
// cannot be cleared (ErrReadOnly).
func (u *User) Clear(name string) error {
	switch {
	case equalFold(name, AttrObjectID), equalFold(name, AttrCreationType), equalFold(name, AttrCreatedDateTime),
		equalFold(name, AttrRefreshTokensValidFromDateTime), equalFold(name, AttrUserPrincipalName),
		equalFold(name, AttrAccountEnabled), equalFold(name, AttrSignInNames):
		return fmt.Errorf("%w: %s", ErrReadOnly, name)
	case equalFold(name, AttrPassword):
		u.PasswordHash = ""
	case hasPrefixFold(name, AttrSignInNames+"."):
		t := name[len(AttrSignInNames)+1:]
		u.Identities = slices.DeleteFunc(u.Identities, func(id Identity) bool {
			return !id.Federated() && strings.EqualFold(id.SignInType, t)
		})
	case equalFold(name, AttrAlternativeSecurityID), equalFold(name, AttrAlternativeSecurityIDs):
		u.Identities = slices.DeleteFunc(u.Identities, Identity.Federated)
	default:
		delete(u.Attributes, canonical(name))
	}
	return nil
}

// SetPassword stores the hash of password and when it changed.
func (u *User) SetPassword(password string, now time.Time) error {
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	u.PasswordHash = h
	u.LastPasswordChangeDateTime = now.UTC()
	return nil
}

// CheckPassword reports whether password is the account's password.
func (u *User) CheckPassword(password string) bool {
	return u.PasswordHash != "" && CheckPassword(u.PasswordHash, password)
}

// AttributeNames lists the names Attributes holds, sorted.
func (u *User) AttributeNames() []string {
	return slices.Sorted(maps.Keys(u.Attributes))
}

func isoTime(t time.Time) (any, bool) {
	if t.IsZero() {
		return nil, false
	}
	return t.UTC().Format(time.RFC3339), true
}

// canonical spells a well-known attribute name as B2C does; other names
// (extension attributes) stay as given.
func canonical(name string) string {
	for _, w := range wellKnown {
		if strings.EqualFold(w, name) {
			return w
		}
	}
	return name
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
