package kit

import (
	"fmt"
	"slices"
	"sync"
)

// Registry holds the items of one kind a mock is configured with (clients, consumers, users),
// each under a unique key, in the order they were added. Items go in and come out as copies.
// It is safe for concurrent use, and locks only itself: a mock may call it holding its own lock.
type Registry[T any] struct {
	what     string
	key      func(T) string
	clone    func(T) T
	validate func(T) error

	mu    sync.Mutex
	items []T
}

// NewRegistry returns a registry of items called what (for errors: "add client: ..."), keyed by
// key, copied with clone, checked by validate on Add, holding copies of items.
func NewRegistry[T any](what string, key func(T) string, clone func(T) T, validate func(T) error, items []T) *Registry[T] {
	g := &Registry[T]{what: what, key: key, clone: clone, validate: validate}
	for _, it := range items {
		g.items = append(g.items, clone(it))
	}
	return g
}

// Add validates item, runs checks against the items held, and adds a copy of it or replaces the
// item with the same key in its place. Errors say "add <what>".
func (g *Registry[T]) Add(item T, checks ...func(held []T) error) error {
	if err := g.validate(item); err != nil {
		return fmt.Errorf("add %s: %w", g.what, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, check := range checks {
		if err := check(g.items); err != nil {
			return fmt.Errorf("add %s: %w", g.what, err)
		}
	}
	item = g.clone(item)
	if i := slices.IndexFunc(g.items, func(x T) bool { return g.key(x) == g.key(item) }); i >= 0 {
		g.items[i] = item
	} else {
		g.items = append(g.items, item)
	}
	return nil
}

// Get returns a copy of the item with key k, and whether there is one.
func (g *Registry[T]) Get(k string) (T, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if i := slices.IndexFunc(g.items, func(x T) bool { return g.key(x) == k }); i >= 0 {
		return g.clone(g.items[i]), true
	}
	var zero T
	return zero, false
}

// Update changes the item with key k in place with change, and reports whether there is one.
func (g *Registry[T]) Update(k string, change func(*T)) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := slices.IndexFunc(g.items, func(x T) bool { return g.key(x) == k })
	if i >= 0 {
		change(&g.items[i])
	}
	return i >= 0
}

// All returns a copy of every item, in the order they were added.
func (g *Registry[T]) All() []T {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]T, len(g.items))
	for i, it := range g.items {
		out[i] = g.clone(it)
	}
	return out
}
