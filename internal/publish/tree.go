package publish

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"sync"
)

// A dirEntry is one name in a folder as readDir reports it.
type dirEntry struct {
	name  string
	dir   bool
	ino   uint64 // the inode the folder's listing gives; 0 when it gives none
	known bool   // dir and ino are known from the listing alone
}

// errInodesDiffer says that a folder listing's inode numbers are not the
// ones lstat gives (some overlay file systems), so they cannot be used.
var errInodesDiffer = errors.New("listed inode numbers differ from lstat's")

// listTree returns every file under dir with its inode, and every folder,
// by forward-slash path relative to dir. The top-level folders are walked
// on all cores. Where the system's folder listing carries inode numbers
// (getdents on Linux) no file is stat'ed: a spare of 131,000 files is
// listed with one read per folder rather than a stat per file. The first
// file of each walk is stat'ed all the same, and when its listed inode is
// not lstat's the whole tree is listed again the slow way.
func listTree(dir string) (files map[string]uint64, dirs map[string]bool, err error) {
	files, dirs, err = walkTree(dir, true)
	if errors.Is(err, errInodesDiffer) {
		files, dirs, err = walkTree(dir, false)
	}
	return files, dirs, err
}

func walkTree(dir string, listed bool) (files map[string]uint64, dirs map[string]bool, err error) {
	top, err := readDir(dir, listed)
	if err != nil {
		return nil, nil, err
	}
	files, dirs = map[string]uint64{}, map[string]bool{}
	var mu sync.Mutex
	err = forEach(len(top), func(i int) error {
		f, d := map[string]uint64{}, map[string]bool{}
		checked := false
		var walk func(rel string, e dirEntry) error
		walk = func(rel string, e dirEntry) error {
			if !e.known {
				fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(rel)))
				if err != nil {
					return err
				}
				e.dir, e.ino = fi.IsDir(), inode(fi)
			} else if !e.dir && !checked {
				checked = true
				fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(rel)))
				if err != nil {
					return err
				}
				if inode(fi) != e.ino {
					return errInodesDiffer
				}
			}
			if !e.dir {
				f[rel] = e.ino
				return nil
			}
			d[rel] = true
			ents, err := readDir(filepath.Join(dir, filepath.FromSlash(rel)), listed)
			if err != nil {
				return err
			}
			for _, c := range ents {
				if err := walk(path.Join(rel, c.name), c); err != nil {
					return err
				}
			}
			return nil
		}
		err := walk(top[i].name, top[i])
		mu.Lock()
		defer mu.Unlock()
		for k, v := range f {
			files[k] = v
		}
		for k := range d {
			dirs[k] = true
		}
		return err
	})
	return files, dirs, err
}

// readDirPortable lists a folder through os.ReadDir: names and types, no
// inodes.
func readDirPortable(dir string) ([]dirEntry, error) {
	ents, err := os.ReadDir(dir)
	out := make([]dirEntry, 0, len(ents))
	for _, e := range ents {
		// A folder needs nothing more; a file's inode needs a stat.
		out = append(out, dirEntry{name: e.Name(), dir: e.IsDir(), known: e.IsDir()})
	}
	return out, err
}
