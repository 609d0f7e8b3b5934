//go:build !linux

package main

import "testing"

// scratchDir returns a temporary folder (see the Linux version, which
// prefers /dev/shm).
func scratchDir(t *testing.T, need uint64) string {
	t.Helper()
	return t.TempDir()
}
