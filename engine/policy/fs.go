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
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(path.Ext(e.Name()), ".xml") {
			names = append(names, path.Join(dir, e.Name()))
		}
	}
	if len(names) == 0 {
		return &Set{files: make(map[string]*File)}, fmt.Errorf("load policies: %s: %w (want *.xml)", dir, ErrNoFiles)
	}
	return load(settings, names, func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) })
}
