package build

import (
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/sitegen/sitegen/internal/fsstat"
)

// A folderStat stamps files by their paths relative to one folder. On
// Linux it holds the folder open and stats relative to it (fstatat), so
// that the kernel resolves only the relative part of each path: stamping
// every source and output of a 50,000-article site is a few hundred
// thousand stats, and the folder's own path is most of each one's.
type folderStat struct {
	dir string
	fd  int  // -1: stat by the whole path
	raw bool // the folder is on a local file system: see fsstat
}

func openFolderStat(dir string) *folderStat {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &folderStat{dir: dir, fd: -1}
	}
	return &folderStat{dir: dir, fd: fd, raw: fsstat.Local(fd)}
}

func (s *folderStat) close() {
	if s.fd >= 0 {
		unix.Close(s.fd)
	}
}

// stamp stamps the file at rel (slash-separated), following a symbolic
// link when follow is set, and reports whether it is a regular file.
func (s *folderStat) stamp(rel string, follow bool) (st stamp, regular bool, err error) {
	var sys unix.Stat_t
	flags := unix.AT_SYMLINK_NOFOLLOW
	if follow {
		flags = 0
	}
	for {
		if s.fd >= 0 {
			err = fsstat.At(s.fd, rel, &sys, flags, s.raw)
		} else {
			err = unix.Fstatat(unix.AT_FDCWD, filepath.Join(s.dir, filepath.FromSlash(rel)), &sys, flags)
		}
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return stamp{}, false, err
	}
	return stamp{Size: sys.Size, Mtime: sys.Mtim.Nano(), Ctime: sys.Ctim.Nano(), Ino: sys.Ino, Dev: uint64(sys.Dev)},
		sys.Mode&unix.S_IFMT == unix.S_IFREG, nil
}
