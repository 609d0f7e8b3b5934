//go:build !linux

package build

import (
	"os"
	"path/filepath"
)

// A folderStat stamps files by their paths relative to one folder.
type folderStat struct{ dir string }

func openFolderStat(dir string) *folderStat { return &folderStat{dir: dir} }

func (s *folderStat) close() {}

// stamp stamps the file at rel (slash-separated), following a symbolic
// link when follow is set, and reports whether it is a regular file.
func (s *folderStat) stamp(rel string, follow bool) (st stamp, regular bool, err error) {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	fi, err := stat(filepath.Join(s.dir, filepath.FromSlash(rel)))
	if err != nil {
		return stamp{}, false, err
	}
	return statStamp(fi), fi.Mode().IsRegular(), nil
}
