//go:build !unix

package publish

import (
	"io/fs"
	"os"
)

// createNew creates the file p for writing, failing if it exists.
func createNew(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

// overwriteLone writes data over p in place where the system tells a file
// with a single link; here it never does.
func overwriteLone(p string, data []byte) (fs.FileInfo, bool, error) { return nil, false, nil }
