//go:build !linux

package publish

import "sync/atomic"

// MakeSpare makes no spare here: without renameat2's RENAME_NOREPLACE it
// could not be named the spare without racing a build. The build after a
// fresh one makes a staging folder, as it would anyway.
func MakeSpare(dest string, rec *Tree) error { return nil }

// waitSpare has nothing to wait for: no MakeSpare runs here.
func waitSpare(dir string, stop <-chan struct{}, making *atomic.Bool) error { return nil }
