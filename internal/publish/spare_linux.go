package publish

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// MakeSpare makes the spare beside the site at dest, when there is none:
// every folder of the site, and every file a hard link to the site's, with
// a record of it (see Tree), so that the next build that changes a few
// files fills it instead of making a whole staging folder (see the notes
// on the spare made ahead in spare.go). rec, when not nil, is the record
// of the site at dest (Staging.Tree): the folders it vouches for are not
// read. It is meant to run in the background, in a process of its own,
// after a build that staged a fresh folder; it returns nil, having made
// nothing, when a spare is there already or the site changed meanwhile.
// A spare it could not finish (a full disk, say) is deleted.
func MakeSpare(dest string, rec *Tree) error {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	spare := sparePath(abs)
	if _, err := os.Lstat(spare); err == nil {
		return nil
	}
	src, err := unix.Open(abs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: abs, Err: err}
	}
	defer unix.Close(src)
	site, err := listTree(abs, rec)
	if err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstat(src, &st); err != nil || st.Ino != site.tree.ino {
		return nil // another site was swapped in while this one was listed
	}

	// The folder is made under a name of its own and locked before it
	// takes the spare's name: a build that sees the spare waits for it.
	tmp, err := os.MkdirTemp(filepath.Dir(abs), spareMakingPrefix(abs))
	if err != nil {
		return err
	}
	dst, err := unix.Open(tmp, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == nil {
		err = flock(dst, unix.LOCK_EX)
		if err == nil {
			err = unix.Fchmod(dst, 0o755)
		}
		if err != nil {
			unix.Close(dst)
		}
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	defer unix.Close(dst) // the lock goes with it
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, spare, unix.RENAME_NOREPLACE); err != nil {
		os.Remove(tmp)
		if errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTEMPTY) {
			return nil // a build made one meanwhile
		}
		return fmt.Errorf("naming %s the spare: %w", tmp, err)
	}
	made, err := fillSpare(src, dst, site, func() bool { return inPlace(spare, dst) })
	if errors.Is(err, errMovedAside) {
		return nil // a build moved it aside, to be deleted
	}
	if err != nil {
		if inPlace(spare, dst) {
			if aside := moveAside(abs, spare); aside != "" {
				os.RemoveAll(aside)
			}
		}
		return fmt.Errorf("making the spare of %s: %w", dest, err)
	}
	// The record, once the folders have settled (see dirRacyWindow; on a
	// file system with times in whole seconds most are listed next time).
	time.Sleep(dirRacyWindowFine)
	t := recordMade(spare, made, time.Now())
	if t == nil || !inPlace(spare, dst) {
		return nil
	}
	return writeSpareRecord(abs, t)
}

// errMovedAside says that the spare being made is the spare no longer.
var errMovedAside = errors.New("the spare was moved aside")

// fillSpare makes in the folder open as dst every folder of the listed
// site open as src, and links every file, on all cores. It returns every
// file made with the inode its folder now holds (0: not known). Every
// 1,024 folders or files it checks that the folder is still in place,
// and stops with errMovedAside when it is not: a build that wrote a whole
// new site moved it aside, and deleting it races with filling it.
func fillSpare(src, dst int, site *treeListing, inPlace func() bool) (map[string]uint64, error) {
	var done atomic.Int64
	check := func() error {
		if done.Add(1)%1024 == 0 && !inPlace() {
			return errMovedAside
		}
		return nil
	}
	var levels [][]string // levels[n]: the folders n+1 deep
	var files []string
	for rel, d := range site.folders() {
		if rel != "." {
			levels = appendByDepth(levels, rel)
		}
		for _, f := range d.files {
			files = append(files, filePath(rel, f.name))
		}
	}
	for _, dirs := range levels {
		err := forEachBySiblings(dirs, func(d string) error {
			if err := check(); err != nil {
				return err
			}
			return retry(func() error { return unix.Mkdirat(dst, d, 0o755) })
		})
		if err != nil {
			return nil, err
		}
	}
	inodes := make([]uint64, len(files))
	var linked atomic.Int64
	err := forEach(len(files), func(i int) error {
		rel := files[i]
		if err := check(); err != nil {
			return err
		}
		err := retry(func() error { return unix.Linkat(src, rel, dst, rel, 0) })
		switch {
		case errors.Is(err, unix.ENOSPC), errors.Is(err, unix.EDQUOT):
			return err
		case err != nil:
			return nil // gone from the site, or not linkable: not in the spare
		}
		linked.Add(1)
		// The inode the folder holds, which the site's may no longer be.
		var st unix.Stat_t
		if retry(func() error { return unix.Fstatat(dst, rel, &st, unix.AT_SYMLINK_NOFOLLOW) }) == nil {
			inodes[i] = st.Ino
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	made := make(map[string]uint64, linked.Load())
	for i, rel := range files {
		if inodes[i] != 0 {
			made[rel] = inodes[i]
		}
	}
	return made, nil
}

// retry calls f again while it is interrupted.
func retry(f func() error) error {
	for {
		if err := f(); err != unix.EINTR {
			return err
		}
	}
}

// flock applies the lock how to the open file fd.
func flock(fd, how int) error { return retry(func() error { return unix.Flock(fd, how) }) }

// inPlace reports whether the folder open as fd is the one at p.
func inPlace(p string, fd int) bool {
	var a, b unix.Stat_t
	return unix.Fstat(fd, &a) == nil && unix.Lstat(p, &b) == nil && a.Ino == b.Ino && a.Dev == b.Dev
}

// waitSpare waits until no MakeSpare holds the spare at dir (one that
// cannot be opened is not waited for: listing it says why; where the file
// system has no locks, MakeSpare makes no spare, so there is nothing to
// wait for). With stop nil it blocks; otherwise it polls, and gives up
// when stop is closed; making, when not nil, is set while it waits for a
// MakeSpare.
func waitSpare(dir string, stop <-chan struct{}, making *atomic.Bool) error {
	var fd int
	err := retry(func() (err error) {
		fd, err = unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	if stop == nil {
		flock(fd, unix.LOCK_SH)
		return nil
	}
	defer func() {
		if making != nil {
			making.Store(false)
		}
	}()
	for {
		if err := flock(fd, unix.LOCK_SH|unix.LOCK_NB); !errors.Is(err, unix.EWOULDBLOCK) {
			return nil
		}
		if making != nil {
			making.Store(true)
		}
		select {
		case <-stop:
			return errStopped
		case <-time.After(20 * time.Millisecond):
		}
	}
}
