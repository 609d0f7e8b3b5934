//go:build !unix

package publish

import "os"

// createNew creates the file p for writing, failing if it exists.
func createNew(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}
