//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package build

import "io/fs"

// statStamp stamps a file from its FileInfo: without an inode and change
// time, size and mtime are all there is.
func statStamp(fi fs.FileInfo) stamp {
	return stamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
}
