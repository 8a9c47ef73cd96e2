package policy

import (
	"fmt"
	"io/fs"
	"path"
)

// LoadFS loads every *.xml file of the folder dir of fsys (not its
// subfolders), in name order, as LoadDir does for the operating system's files.
// Problems name files as dir/name.
func LoadFS(fsys fs.FS, dir string, settings Settings) (*Set, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	return loadXML(settings, dir, entries, path.Join, func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) })
}
