//go:build !unix

package build

import "io/fs"

// inodeOf returns 0 where files have no inode numbers: the tests that
// compare them then compare bytes and modification times alone.
func inodeOf(fi fs.FileInfo) uint64 { return 0 }
