//go:build !unix

package build

import (
	"errors"
	"os"
)

// lockFile cannot lock here: builds of one destination are not kept apart.
func lockFile(*os.File) (bool, error) { return false, errors.New("no file locks on this system") }
