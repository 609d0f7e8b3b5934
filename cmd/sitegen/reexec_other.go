//go:build !linux

package main

// reexec does nothing where GODEBUG's madvdontneed has no meaning.
func reexec(godebug string) {}
