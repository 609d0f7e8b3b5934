//go:build !linux

package serve

// StartWithGODEBUG does nothing where GODEBUG's madvdontneed has no
// meaning.
func StartWithGODEBUG(env ...string) error { return nil }
