//go:build linux && (amd64 || arm64)

package fsstat

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxRaw is the longest path At stats raw, from a buffer on its stack;
// longer ones go through unix.Fstatat.
const maxRaw = 512

// At stats the file at rel, relative to the folder open as fd, into st,
// with fstatat's flags. With raw (for a folder Local reports local) it
// makes the call directly; see the package doc.
func At(fd int, rel string, st *unix.Stat_t, flags int, raw bool) error {
	if !raw || len(rel) >= maxRaw {
		return unix.Fstatat(fd, rel, st, flags)
	}
	var buf [maxRaw]byte
	copy(buf[:], rel)
	for i := 0; i < len(rel); i++ {
		if rel[i] == 0 {
			return unix.EINVAL // as unix.Fstatat refuses it
		}
	}
	_, _, e := unix.RawSyscall6(unix.SYS_NEWFSTATAT, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(st)), uintptr(flags), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
