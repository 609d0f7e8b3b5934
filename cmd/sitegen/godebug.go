package main

import "strings"

// serveGODEBUG is the runtime setting sitegen serve runs with on Linux:
// memory the collector frees is given back to the system with MADV_FREE,
// which the kernel takes only when it needs it, instead of MADV_DONTNEED,
// Go's default, after which the next rebuild touching that memory faults
// every 4 KB page in afresh. At 50,000 articles tag edits took 88.5 and
// 95.2 ms at the median of six runs of 20 edits, on two days, against
// 102.3 and 107.1 ms, with less CPU in 11 of the 12 runs; the price is
// that freed memory counts as resident until the kernel reclaims it
// (docs/performance.md, *Freed memory given back lazily*).
//
// The runtime reads the setting once, at start, and refuses it as a
// //go:debug directive, so the command starts itself again with it in
// GODEBUG (reexec).
const serveGODEBUG = "madvdontneed=0"

// godebugFor returns the GODEBUG the command args should run with, given
// the environment's godebug, and whether that differs from godebug: for
// sitegen serve, godebug with serveGODEBUG added, unless it sets
// madvdontneed itself.
func godebugFor(args []string, godebug string) (string, bool) {
	if len(args) == 0 || args[0] != "serve" {
		return godebug, false
	}
	for kv := range strings.SplitSeq(godebug, ",") {
		if k, _, _ := strings.Cut(kv, "="); strings.TrimSpace(k) == "madvdontneed" {
			return godebug, false
		}
	}
	if godebug == "" {
		return serveGODEBUG, true
	}
	return godebug + "," + serveGODEBUG, true
}
