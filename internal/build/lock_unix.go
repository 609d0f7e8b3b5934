//go:build unix

package build

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile tries to take an exclusive lock (flock) of the open file f,
// without waiting: false when another open of the file holds it.
func lockFile(f *os.File) (bool, error) {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, unix.EINTR):
			continue
		}
		return false, err
	}
}
