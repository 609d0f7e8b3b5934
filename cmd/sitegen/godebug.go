package main

import "github.com/sitegen/sitegen/internal/serve"

// godebugFor returns the GODEBUG the command args should run with, given
// the environment's godebug, and whether that differs from godebug: for
// sitegen serve, godebug with serve.GODEBUG added, unless it sets
// madvdontneed itself (serve.WithGODEBUG). The runtime reads the setting
// only at start, so the command starts itself again with it (reexec).
func godebugFor(args []string, godebug string) (string, bool) {
	if len(args) == 0 || args[0] != "serve" {
		return godebug, false
	}
	return serve.WithGODEBUG(godebug)
}
