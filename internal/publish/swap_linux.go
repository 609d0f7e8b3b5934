package publish

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// swap makes staging the destination. When the destination exists, Linux
// renameat2(RENAME_EXCHANGE) trades the two folders in one atomic step; the
// previous site then sits at the staging path, renamed to an "old" folder.
func swap(staging, dest, oldPrefix string) (old string, err error) {
	err = unix.Renameat2(unix.AT_FDCWD, staging, unix.AT_FDCWD, dest, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		old = filepath.Join(filepath.Dir(dest), oldPrefix+filepath.Base(staging))
		if err := os.Rename(staging, old); err != nil {
			return staging, nil // the swap is done; the old site stays at the staging path
		}
		return old, nil
	case errors.Is(err, unix.ENOENT):
		return "", os.Rename(staging, dest) // no previous site
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
		return swapByRenames(staging, dest, oldPrefix)
	}
	return "", err
}
