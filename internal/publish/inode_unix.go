//go:build unix

package publish

import (
	"io/fs"
	"syscall"
)

// inode returns a file's inode number, 0 where it has none.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
