//go:build !linux

package serve

// benchAsServed does nothing where GODEBUG's madvdontneed has no meaning.
func benchAsServed() {}
