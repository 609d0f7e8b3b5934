package publish

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// swapByRenames is the fallback where the system cannot exchange two
// folders: move the destination aside, then move staging in. A crash
// between the two renames leaves no destination but the previous site
// intact in the "old" folder.
func swapByRenames(staging, dest, oldPrefix string) (string, error) {
	old := filepath.Join(filepath.Dir(dest), oldPrefix+filepath.Base(staging))
	if err := os.Rename(dest, old); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", os.Rename(staging, dest)
		}
		return "", err
	}
	if err := os.Rename(staging, dest); err != nil {
		os.Rename(old, dest)
		return "", err
	}
	return old, nil
}
