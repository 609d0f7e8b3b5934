//go:build !linux

package publish

// readDir lists a folder through os.ReadDir; the caller stats each file
// for its inode.
func readDir(dir string, _ bool) ([]dirEntry, error) { return readDirPortable(dir) }
