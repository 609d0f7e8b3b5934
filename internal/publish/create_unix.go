//go:build unix

package publish

import (
	"io/fs"
	"os"
	"syscall"
)

// createNew creates the file p for writing, failing if it exists. The file
// is opened by the system call and handed to os.NewFile, which leaves it
// blocking, as a regular file is: os.OpenFile would try to add it to the
// network poller first (an epoll_ctl the kernel refuses for a regular
// file, and four fcntl calls to set the file non-blocking and back), five
// system calls of nine for each page a build writes.
func createNew(p string) (*os.File, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), p), nil
		case syscall.EINTR:
			continue
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
}
