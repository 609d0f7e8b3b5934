//go:build linux && !(amd64 || arm64)

package fsstat

import "golang.org/x/sys/unix"

// At stats the file at rel, relative to the folder open as fd, into st,
// with fstatat's flags; raw is ignored on this architecture.
func At(fd int, rel string, st *unix.Stat_t, flags int, raw bool) error {
	return unix.Fstatat(fd, rel, st, flags)
}
