package policy

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Set is a group of policy files that may inherit from one another, indexed by
// PolicyId. PolicyIds are matched case-insensitively, as B2C does. A Set is not
// changed after it is built, so it is safe for concurrent use.
type Set struct {
	files    map[string]*File // by upper-cased PolicyId
	problems Problems         // found while loading
}

func policyKey(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

// NewSet builds a set from parsed files. Files without a PolicyId are skipped; a
// PolicyId used twice is a problem (the first file keeps it). The set is returned
// even when the error is not nil.
func NewSet(files ...*File) (*Set, error) {
	s := &Set{files: make(map[string]*File)}
	for _, f := range files {
		s.add(f)
	}
	return s, s.problems.Err()
}

func (s *Set) add(f *File) {
	if f == nil || strings.TrimSpace(f.PolicyID) == "" {
		return
	}
	k := policyKey(f.PolicyID)
	if prev, ok := s.files[k]; ok {
		s.problems = append(s.problems, problemAt(f.Pos, "", "", ErrDuplicateID,
			"PolicyId %q is already used by %s:%d", f.PolicyID, prev.Pos.File, prev.Pos.Line))
		return
	}
	s.files[k] = f
}

// LoadFiles reads and parses the given policy files into a set. Problems of all the
// files are collected and returned together as Problems; the set holds every file
// that could be decoded and is returned even when the error is not nil.
func LoadFiles(settings Settings, paths ...string) (*Set, error) {
	return load(settings, paths, os.ReadFile)
}

// load parses the named files, read by read, into a set, collecting every problem.
func load(settings Settings, names []string, read func(string) ([]byte, error)) (*Set, error) {
	s := &Set{files: make(map[string]*File)}
	for _, name := range names {
		data, err := read(name)
		if err != nil {
			s.problems = append(s.problems, Problem{File: name, Message: err.Error(),
				Err: fmt.Errorf("%w: %w", ErrRead, err)})
			continue
		}
		f, probs := parse(name, data, settings)
		s.problems = append(s.problems, probs...)
		s.add(f)
	}
	return s, s.problems.Err()
}

// LoadDir loads every *.xml file of dir (not its subdirectories), in name order.
// See LoadFiles.
func LoadDir(dir string, settings Settings) (*Set, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	return loadXML(settings, dir, entries, filepath.Join, os.ReadFile)
}

// loadXML loads the *.xml files among the entries of dir, in their order,
// naming each join(dir, name) and reading it with read.
func loadXML(settings Settings, dir string, entries []fs.DirEntry, join func(...string) string, read func(string) ([]byte, error)) (*Set, error) {
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(path.Ext(e.Name()), ".xml") {
			names = append(names, join(dir, e.Name()))
		}
	}
	if len(names) == 0 {
		return &Set{files: make(map[string]*File)}, fmt.Errorf("load policies: %s: %w (want *.xml)", dir, ErrNoFiles)
	}
	return load(settings, names, read)
}

// File returns the file with the given PolicyId.
func (s *Set) File(id string) (*File, bool) {
	f, ok := s.files[policyKey(id)]
	return f, ok
}

// IDs returns the PolicyIds of all files, sorted.
func (s *Set) IDs() []string {
	ids := make([]string, 0, len(s.files))
	for _, f := range s.files {
		ids = append(ids, f.PolicyID)
	}
	sort.Strings(ids)
	return ids
}

// RelyingParties returns the sorted PolicyIds of the files that have a RelyingParty.
func (s *Set) RelyingParties() []string {
	var ids []string
	for _, f := range s.files {
		if f.RelyingParty != nil {
			ids = append(ids, f.PolicyID)
		}
	}
	sort.Strings(ids)
	return ids
}

// Problems returns the problems found while loading the set (parse errors, unknown
// settings, duplicate PolicyIds). Validate reports them too.
func (s *Set) Problems() Problems {
	return append(Problems(nil), s.problems...)
}
