//go:build unix

package build

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the first size bytes of f into memory, read-only.
func mapFile(f *os.File, size int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
}

func unmapFile(b []byte) error { return unix.Munmap(b) }
