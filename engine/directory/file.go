package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrFile: a directory file that cannot be read as accounts, or written.
var ErrFile = errors.New("directory file")

// FileUser is an account as a directory file holds it, and as the stack's
// admin API takes and shows it (JSON). Password, when set, is a plain-text
// password a person wrote to seed the account: it is hashed when read and
// never written back; PasswordHash is what the directory stores.
type FileUser struct {
	ObjectID          string `json:"objectId,omitempty"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	// AccountEnabled defaults to true.
	AccountEnabled *bool `json:"accountEnabled,omitempty"`
	// CreationType defaults to LocalAccount for an account with a local identity.
	CreationType                   string         `json:"creationType,omitempty"`
	CreatedDateTime                time.Time      `json:"createdDateTime,omitzero"`
	Identities                     []FileIdentity `json:"identities,omitempty"`
	Password                       string         `json:"password,omitempty"`
	PasswordHash                   string         `json:"passwordHash,omitempty"`
	LastPasswordChangeDateTime     time.Time      `json:"lastPasswordChangeDateTime,omitzero"`
	RefreshTokensValidFromDateTime time.Time      `json:"refreshTokensValidFromDateTime,omitzero"`
	// Attributes are the other attributes by their B2C names: a string, or
	// an array of strings for otherMails.
	Attributes map[string]any `json:"attributes,omitempty"`
}

// FileIdentity is an identity of a FileUser: signInType emailAddress,
// userName or phoneNumber with the sign-in name, or federated with the
// identity provider's issuer and the user's id there.
type FileIdentity struct {
	SignInType       string `json:"signInType"`
	Issuer           string `json:"issuer,omitempty"`
	IssuerAssignedID string `json:"issuerAssignedId"`
}

// fileDoc is a directory file: {"users": [...]}.
type fileDoc struct {
	Users []FileUser `json:"users"`
}

// User converts a FileUser to an account, hashing a plain-text password.
func (f FileUser) User() (User, error) {
	u := User{
		ObjectID: f.ObjectID, UserPrincipalName: f.UserPrincipalName, AccountEnabled: f.AccountEnabled == nil || *f.AccountEnabled,
		CreationType: f.CreationType, CreatedDateTime: f.CreatedDateTime, PasswordHash: f.PasswordHash,
		LastPasswordChangeDateTime: f.LastPasswordChangeDateTime, RefreshTokensValidFromDateTime: f.RefreshTokensValidFromDateTime,
		Attributes: map[string]any{},
	}
	for _, id := range f.Identities {
		if strings.TrimSpace(id.SignInType) == "" || strings.TrimSpace(id.IssuerAssignedID) == "" {
			return User{}, fmt.Errorf("%w: an identity needs signInType and issuerAssignedId", ErrInvalidAttribute)
		}
		u.Identities = append(u.Identities, Identity(id))
		if !u.Identities[len(u.Identities)-1].Federated() && u.CreationType == "" {
			u.CreationType = CreationTypeLocalAccount
		}
	}
	if f.Password != "" {
		if f.PasswordHash != "" {
			return User{}, fmt.Errorf("%w: give password or passwordHash, not both", ErrInvalidAttribute)
		}
		h, err := HashPassword(f.Password)
		if err != nil {
			return User{}, err
		}
		u.PasswordHash = h
	}
	for name, v := range f.Attributes {
		switch t := v.(type) {
		case []any:
			coll := make([]string, 0, len(t))
			for _, e := range t {
				s, ok := e.(string)
				if !ok {
					return User{}, fmt.Errorf("%w: %s: want strings, got %T", ErrInvalidAttribute, name, e)
				}
				coll = append(coll, s)
			}
			v = coll
		case string, []string:
		default:
			return User{}, fmt.Errorf("%w: %s: want a string or an array of strings, got %T", ErrInvalidAttribute, name, v)
		}
		if err := u.Set(name, v); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// NewFileUser is the file form of an account; withHash keeps its password
// hash, which the admin API leaves out unless asked.
func NewFileUser(u User, withHash bool) FileUser {
	enabled := u.AccountEnabled
	f := FileUser{ObjectID: u.ObjectID, UserPrincipalName: u.UserPrincipalName, AccountEnabled: &enabled, CreationType: u.CreationType,
		CreatedDateTime: u.CreatedDateTime, LastPasswordChangeDateTime: u.LastPasswordChangeDateTime,
		RefreshTokensValidFromDateTime: u.RefreshTokensValidFromDateTime}
	if withHash {
		f.PasswordHash = u.PasswordHash
	}
	for _, id := range u.Identities {
		f.Identities = append(f.Identities, FileIdentity(id))
	}
	if len(u.Attributes) > 0 {
		f.Attributes = make(map[string]any, len(u.Attributes))
		for k, v := range u.Attributes {
			f.Attributes[k] = v
		}
	}
	return f
}

// ReadUsers reads a directory file's accounts: JSON {"users": [...]} of
// FileUser, no unknown fields.
func ReadUsers(r io.Reader) ([]User, error) {
	d := json.NewDecoder(r)
	d.DisallowUnknownFields()
	var doc fileDoc
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFile, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: more than one JSON value", ErrFile)
	}
	users := make([]User, 0, len(doc.Users))
	for i, f := range doc.Users {
		u, err := f.User()
		if err != nil {
			return nil, fmt.Errorf("%w: users[%d]: %w", ErrFile, i, err)
		}
		users = append(users, u)
	}
	return users, nil
}

// WriteUsers writes accounts as a directory file, password hashes included.
func WriteUsers(w io.Writer, users []User) error {
	doc := fileDoc{Users: make([]FileUser, 0, len(users))}
	for _, u := range users {
		doc.Users = append(doc.Users, NewFileUser(u, true))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// Open returns a directory kept in the file at path: its accounts are read
// when it exists (a file that cannot be read is an error, never
// overwritten), and every change is written back to it (a temporary file
// renamed over it). A change whose file cannot be written is kept in memory
// and reported as ErrFile.
func Open(path string, opts ...Option) (*Memory, error) {
	m := New(opts...)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrFile, err)
	default:
		users, err := ReadUsers(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := m.Seed(users...); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrFile, path, err)
		}
	}
	m.path = path
	return m, nil
}

// save writes the accounts to m.path; the caller holds m.mu.
func (m *Memory) save() error {
	if m.path == "" {
		return nil
	}
	users := make([]User, 0, len(m.order))
	for _, id := range m.order {
		users = append(users, *m.users[id])
	}
	var buf bytes.Buffer
	if err := WriteUsers(&buf, users); err != nil {
		return fmt.Errorf("%w: %w", ErrFile, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(m.path), "."+filepath.Base(m.path)+".*")
	if err != nil {
		return fmt.Errorf("%w: the change is kept in memory only: %w", ErrFile, err)
	}
	_, werr := tmp.Write(buf.Bytes())
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("%w: the change is kept in memory only: %w", ErrFile, err)
	}
	if err := os.Rename(tmp.Name(), m.path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("%w: the change is kept in memory only: %w", ErrFile, err)
	}
	return nil
}
