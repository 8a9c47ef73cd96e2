package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Memory is an in-memory Store, safe for concurrent use.
type Memory struct {
	now func() time.Time

	mu    sync.RWMutex
	users map[string]*User // by objectId
	order []string         // objectIds in creation order
	ids   map[string]string
	upns  map[string]string
	// path is the file every change is written to (Open); "" keeps the
	// accounts in memory only.
	path string
}

var _ Store = (*Memory)(nil)

// Option configures a Memory.
type Option func(*Memory)

// WithClock sets the clock that stamps CreatedDateTime. Default time.Now.
func WithClock(now func() time.Time) Option {
	return func(m *Memory) {
		if now != nil {
			m.now = now
		}
	}
}

// New returns an empty in-memory directory.
func New(opts ...Option) *Memory {
	m := &Memory{now: time.Now, users: map[string]*User{}, ids: map[string]string{}, upns: map[string]string{}}
	for _, o := range opts {
		o(m)
	}
	return m
}

// identityIndex is an identity's entry in the unique index: issuer and
// issuer-assigned id for a federated identity (issuer ignoring case, id
// exact); the sign-in name ignoring case for a local one, whose issuer is
// the tenant (spec DIR §1.3).
func identityIndex(id Identity) string {
	if id.Federated() {
		return "federated\x00" + strings.ToLower(id.Issuer) + "\x00" + id.IssuerAssignedID
	}
	return "local\x00" + strings.ToLower(id.IssuerAssignedID)
}

// Find returns the account the key names.
func (m *Memory) Find(_ context.Context, key Key) (User, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u, err := m.find(key)
	if err != nil {
		return User{}, err
	}
	return u.Clone(), nil
}

func (m *Memory) find(key Key) (*User, error) {
	if key.Value == "" {
		return nil, fmt.Errorf("find %s: %w: empty value", key, ErrInvalidKey)
	}
	var oid string
	switch key.Kind {
	case ByObjectID:
		oid = strings.ToLower(key.Value)
	case ByUserPrincipalName:
		oid = m.upns[strings.ToLower(key.Value)]
	case BySignInName:
		oid = m.ids[identityIndex(Identity{SignInType: key.SignInType, IssuerAssignedID: key.Value})]
		if u, ok := m.users[oid]; ok && key.SignInType != "" {
			if _, has := m.localIdentity(u, key); !has {
				oid = ""
			}
		}
	case ByIdentity:
		oid = m.ids[identityIndex(Identity{SignInType: SignInTypeFederated, Issuer: key.Issuer, IssuerAssignedID: key.Value})]
	default:
		return nil, fmt.Errorf("find %s: %w", key, ErrInvalidKey)
	}
	u, ok := m.users[oid]
	if !ok {
		return nil, fmt.Errorf("find %s: %w", key, ErrNotFound)
	}
	return u, nil
}

// localIdentity returns the identity of u that a BySignInName key with a
// sign-in type matches.
func (m *Memory) localIdentity(u *User, key Key) (Identity, bool) {
	for _, id := range u.Identities {
		if !id.Federated() && strings.EqualFold(id.SignInType, key.SignInType) && strings.EqualFold(id.IssuerAssignedID, key.Value) {
			return id, true
		}
	}
	return Identity{}, false
}

// Create stores a new account.
func (m *Memory) Create(_ context.Context, u User) (User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	stored, err := m.create(u)
	if err != nil {
		return User{}, err
	}
	return stored.Clone(), m.save()
}

func (m *Memory) create(u User) (*User, error) {
	u = u.Clone()
	if u.ObjectID == "" {
		u.ObjectID = uuid.NewString()
	}
	oid, err := uuid.Parse(u.ObjectID)
	if err != nil {
		return nil, fmt.Errorf("create account: %w: objectId %q is not a GUID", ErrInvalidAttribute, u.ObjectID)
	}
	u.ObjectID = oid.String()
	if _, ok := m.users[u.ObjectID]; ok {
		return nil, fmt.Errorf("create account %s: %w", u.ObjectID, ErrExists)
	}
	if err := m.checkUnique(&u); err != nil {
		return nil, fmt.Errorf("create account %s: %w", u.ObjectID, err)
	}
	if u.CreatedDateTime.IsZero() {
		u.CreatedDateTime = m.now().UTC()
	}
	m.users[u.ObjectID] = &u
	m.order = append(m.order, u.ObjectID)
	m.index(&u)
	return &u, nil
}

// checkUnique reports an identity or user principal name of u that another
// account has, or that u has twice.
func (m *Memory) checkUnique(u *User) error {
	seen := map[string]bool{}
	for _, id := range u.Identities {
		if id.IssuerAssignedID == "" {
			return fmt.Errorf("%w: identity %s without a value", ErrInvalidAttribute, id.SignInType)
		}
		k := identityIndex(id)
		if seen[k] {
			return fmt.Errorf("%w: identity %s %q listed twice", ErrExists, id.SignInType, id.IssuerAssignedID)
		}
		seen[k] = true
		if other, ok := m.ids[k]; ok && other != u.ObjectID {
			return fmt.Errorf("%w: identity %s %q belongs to %s", ErrExists, id.SignInType, id.IssuerAssignedID, other)
		}
	}
	if u.UserPrincipalName != "" {
		if other, ok := m.upns[strings.ToLower(u.UserPrincipalName)]; ok && other != u.ObjectID {
			return fmt.Errorf("%w: userPrincipalName %q belongs to %s", ErrExists, u.UserPrincipalName, other)
		}
	}
	return nil
}

func (m *Memory) index(u *User) {
	for _, id := range u.Identities {
		m.ids[identityIndex(id)] = u.ObjectID
	}
	if u.UserPrincipalName != "" {
		m.upns[strings.ToLower(u.UserPrincipalName)] = u.ObjectID
	}
}

func (m *Memory) unindex(u *User) {
	for _, id := range u.Identities {
		delete(m.ids, identityIndex(id))
	}
	if u.UserPrincipalName != "" {
		delete(m.upns, strings.ToLower(u.UserPrincipalName))
	}
}

// Update applies fn to a copy of the account and stores it.
func (m *Memory) Update(_ context.Context, objectID string, fn func(*User) error) (User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.find(Key{Kind: ByObjectID, Value: objectID})
	if err != nil {
		return User{}, fmt.Errorf("update account: %w", err)
	}
	next := u.Clone()
	if err := fn(&next); err != nil {
		return User{}, fmt.Errorf("update account %s: %w", u.ObjectID, err)
	}
	if next.ObjectID != u.ObjectID {
		return User{}, fmt.Errorf("update account %s: %w: objectId", u.ObjectID, ErrReadOnly)
	}
	if err := m.checkUnique(&next); err != nil {
		return User{}, fmt.Errorf("update account %s: %w", u.ObjectID, err)
	}
	m.unindex(u)
	*u = next
	m.index(u)
	return u.Clone(), m.save()
}

// Delete removes the account.
func (m *Memory) Delete(_ context.Context, objectID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.find(Key{Kind: ByObjectID, Value: objectID})
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	m.unindex(u)
	delete(m.users, u.ObjectID)
	m.order = slices.DeleteFunc(m.order, func(id string) bool { return id == u.ObjectID })
	return m.save()
}

// Seed creates the accounts, all or none.
func (m *Memory) Seed(users ...User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var created []*User
	for _, u := range users {
		stored, err := m.create(u)
		if err != nil {
			for _, c := range created {
				m.unindex(c)
				delete(m.users, c.ObjectID)
			}
			m.order = m.order[:len(m.order)-len(created)]
			return fmt.Errorf("seed: %w", err)
		}
		created = append(created, stored)
	}
	return m.save()
}

// Users lists every account in creation order.
func (m *Memory) Users() []User {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]User, 0, len(m.order))
	for _, id := range m.order {
		out = append(out, m.users[id].Clone())
	}
	return out
}
