//go:build !linux

package lazyfree

// Restart does nothing where GODEBUG's madvdontneed has no meaning.
func Restart(env ...string) error { return nil }
