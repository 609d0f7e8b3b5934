package publish

import (
	"io/fs"
	"os"
	"sync"
)

// listTree returns every file under dir with its inode, and every folder,
// by forward-slash path relative to dir. The top-level folders are walked
// on all cores.
func listTree(dir string) (files map[string]uint64, dirs map[string]bool, err error) {
	top, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	files, dirs = map[string]uint64{}, map[string]bool{}
	var mu sync.Mutex
	err = forEach(len(top), func(i int) error {
		f, d := map[string]uint64{}, map[string]bool{}
		err := fs.WalkDir(os.DirFS(dir), top[i].Name(), func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				d[p] = true
				return nil
			}
			fi, err := e.Info()
			if err != nil {
				return err
			}
			f[p] = inode(fi)
			return nil
		})
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
