package policy

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// LoadFS loads every *.xml file of the folder dir of fsys (not its
// subfolders), in name order, as LoadDir does for the operating system's files.
// Problems name files as dir/name.
func LoadFS(fsys fs.FS, dir string, settings Settings) (*Set, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	s := &Set{files: make(map[string]*File)}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(path.Ext(e.Name()), ".xml") {
			continue
		}
		n++
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			s.problems = append(s.problems, Problem{File: name, Message: err.Error(), Err: fmt.Errorf("%w: %w", ErrRead, err)})
			continue
		}
		f, probs := parse(name, data, settings)
		s.problems = append(s.problems, probs...)
		s.add(f)
	}
	if n == 0 {
		return s, fmt.Errorf("load policies: %s: %w (want *.xml)", dir, ErrNoFiles)
	}
	return s, s.problems.Err()
}
