package main

import (
	"os"
	"syscall"
	"testing"
)

// scratchDir returns a fresh folder on /dev/shm when it has room, else a
// temporary folder. A build that rewrites 20,000 files dozens of times hits
// a slow path of ext4 (new files right after many deletions take the
// inode allocator the long way); a kill is a kill on tmpfs too, and rename
// is just as atomic there.
func scratchDir(t *testing.T, need uint64) string {
	t.Helper()
	var st syscall.Statfs_t
	if syscall.Statfs("/dev/shm", &st) == nil && st.Bavail*uint64(st.Bsize) > need {
		if dir, err := os.MkdirTemp("/dev/shm", "sitegen-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}
