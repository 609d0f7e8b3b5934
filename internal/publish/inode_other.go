//go:build !unix

package publish

import "io/fs"

// inode returns 0: without inode numbers the spare's files are never
// taken for the previous site's and are always linked again.
func inode(fs.FileInfo) uint64 { return 0 }
