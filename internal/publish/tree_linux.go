package publish

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/sitegen/sitegen/internal/fsstat"
)

// statDir stamps the folder at dir.
func statDir(dir string) (dirStamp, error) { return statDirAt(-1, false, dir, ".") }

// openDir opens the folder dir for statDirAt, or returns -1.
func openDir(dir string) int {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	return fd
}

func closeDir(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}

// statDirAt stamps the folder at rel under dir, which fd holds open (from
// openDir) unless it is -1: relative to an open folder the
// kernel resolves only the relative part of the path, which is most of
// the cost of stamping the 78,000 folders of a spare. With raw (fd is on
// a local file system) the stat is made directly (see fsstat).
func statDirAt(fd int, raw bool, dir, rel string) (dirStamp, error) {
	st, _, err := statDirLinks(fd, raw, dir, rel)
	return st, err
}

// statDirLinks is statDirAt that also returns the folder's link count: 2
// and one for each folder in it on ext4, XFS and tmpfs; 1 on Btrfs, and on
// ext4 past 65,000 folders in it.
func statDirLinks(fd int, raw bool, dir, rel string) (dirStamp, uint64, error) {
	var st unix.Stat_t
	for {
		var err error
		if fd >= 0 {
			err = fsstat.At(fd, rel, &st, unix.AT_SYMLINK_NOFOLLOW, raw)
		} else {
			err = unix.Lstat(filepath.Join(dir, filepath.FromSlash(rel)), &st)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return dirStamp{}, 0, &os.PathError{Op: "lstat", Path: filepath.Join(dir, filepath.FromSlash(rel)), Err: err}
		}
		break
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return dirStamp{}, 0, &os.PathError{Op: "lstat", Path: filepath.Join(dir, filepath.FromSlash(rel)), Err: syscall.ENOTDIR}
	}
	return dirStamp{ino: st.Ino, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano()}, uint64(st.Nlink), nil
}

// readDir lists a folder. With listed it reads the listing itself
// (getdents64), which gives each name's type and inode without a stat;
// otherwise it goes through os.ReadDir and leaves both to the caller.
func readDir(dir string, listed bool) ([]dirEntry, error) {
	if !listed {
		return readDirPortable(dir)
	}
	var fd int
	var err error
	for {
		fd, err = syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer syscall.Close(fd)
	var out []dirEntry
	buf := make([]byte, 8<<10)
	for {
		n, err := syscall.Getdents(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "getdents", Path: dir, Err: err}
		}
		if n <= 0 {
			return out, nil
		}
		// struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name.
		for off := 0; off+19 <= n; {
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			if reclen == 0 || off+reclen > n {
				break
			}
			ino := binary.NativeEndian.Uint64(buf[off:])
			typ := buf[off+18]
			name := buf[off+19 : off+reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			off += reclen
			if s := string(name); s != "." && s != ".." {
				e := dirEntry{name: s, ino: ino, dir: typ == syscall.DT_DIR, known: typ != syscall.DT_UNKNOWN && ino != 0}
				out = append(out, e)
			}
		}
	}
}

// localDir reports whether the folder open as fd is on a local file
// system, for statDirAt's raw.
func localDir(fd int) bool { return fd >= 0 && fsstat.Local(fd) }
