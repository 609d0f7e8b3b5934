//go:build unix

package build

import (
	"io/fs"
	"syscall"
)

// inodeOf returns the inode number of the file fi describes.
func inodeOf(fi fs.FileInfo) uint64 { return uint64(fi.Sys().(*syscall.Stat_t).Ino) }
