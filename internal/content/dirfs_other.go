//go:build !unix

package content

import (
	"errors"
	"io/fs"
	"os"
)

// openFile opens the file p for reading. The error is the system's, without
// the path, which DirFS gives as the name it was asked for.
func openFile(p string) (*os.File, error) {
	f, err := os.Open(p)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return nil, pe.Err
	}
	return f, err
}
