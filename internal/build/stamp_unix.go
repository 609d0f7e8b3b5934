//go:build linux || darwin || freebsd || netbsd || openbsd

package build

import (
	"io/fs"
	"syscall"
)

// statStamp stamps a file from its FileInfo.
func statStamp(fi fs.FileInfo) stamp {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return stamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	}
	return stamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano(), Ctime: ctime(st),
		Ino: uint64(st.Ino), Dev: uint64(st.Dev)}
}
