//go:build unix

package content

import (
	"os"
	"syscall"
)

// openFile opens the file p for reading with the open system call alone
// and hands it to os.NewFile, which leaves it blocking, as a regular file
// is (see DirFS). The error is the system call's.
func openFile(p string) (*os.File, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), p), nil
		case syscall.EINTR:
			continue
		}
		return nil, err
	}
}
