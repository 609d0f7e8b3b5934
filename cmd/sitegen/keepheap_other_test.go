//go:build !linux

package main

// releaseHolders does nothing: only Linux builds leave holders.
func releaseHolders() {}
