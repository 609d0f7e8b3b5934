//go:build !unix

package build

import (
	"errors"
	"os"
)

// mapFile maps nothing here: on Windows a mapped file cannot be replaced
// by a rename, which is how the next build saves the cache.
func mapFile(*os.File, int) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmapFile([]byte) error { return nil }
