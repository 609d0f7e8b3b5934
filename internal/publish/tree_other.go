//go:build !linux

package publish

import (
	"fmt"
	"os"
	"path/filepath"
)

// statDir checks that dir is a folder. Its stamp is the zero stamp, which
// matches nothing: without a change time, which cannot be set back by
// hand, a folder's times prove nothing, and every folder is listed.
func statDir(dir string) (dirStamp, error) {
	fi, err := os.Lstat(dir)
	if err == nil && !fi.IsDir() {
		err = fmt.Errorf("%s is not a folder", dir)
	}
	return dirStamp{}, err
}

func openDir(string) int { return -1 }
func closeDir(int)       {}

// statDirAt is statDir of the folder at rel under dir.
func statDirAt(_ int, _ bool, dir, rel string) (dirStamp, error) {
	return statDir(filepath.Join(dir, filepath.FromSlash(rel)))
}

// statDirLinks is statDirAt with no link count (0), which matches none.
func statDirLinks(fd int, raw bool, dir, rel string) (dirStamp, uint64, error) {
	st, err := statDirAt(fd, raw, dir, rel)
	return st, 0, err
}

// readDir lists a folder through os.ReadDir; the caller stats each file
// for its inode.
func readDir(dir string, _ bool) ([]dirEntry, error) { return readDirPortable(dir) }

func localDir(int) bool { return false }
