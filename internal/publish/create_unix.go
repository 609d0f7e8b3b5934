//go:build unix

package publish

import (
	"io"
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

// overwriteLone writes data over the file p in place when p is a regular
// file with no other link (see Staging.WriteFileStat), and reports whether
// it did. A file rewritten so keeps its inode and its blocks: on ext4,
// deleting a file and making another costs some 200 us where this costs a
// few. It does not follow a symbolic link, nor block on a named pipe.
func overwriteLone(p string, data []byte) (fs.FileInfo, bool, error) {
	fd, err := openLone(p)
	if fd < 0 || err != nil {
		return nil, false, err
	}
	for rest := data; len(rest) > 0 && err == nil; {
		var n int
		n, err = syscall.Write(fd, rest)
		switch {
		case err == syscall.EINTR:
			err = nil
		case err == nil && n == 0:
			err = io.ErrShortWrite
		}
		rest = rest[max(n, 0):]
	}
	if err == nil {
		err = syscall.Ftruncate(fd, int64(len(data)))
	}
	if cerr := syscall.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, &fs.PathError{Op: "write", Path: p, Err: err}
	}
	fi, err := os.Lstat(p)
	return fi, err == nil, err
}

// openLone opens p for writing if it is a regular file with a single
// link, and returns -1 otherwise.
func openLone(p string) (int, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, nil // missing, a link, a pipe, a folder: made anew
		}
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Nlink != 1 {
			syscall.Close(fd)
			return -1, nil
		}
		return fd, nil
	}
}
