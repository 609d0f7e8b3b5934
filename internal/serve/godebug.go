package serve

import "strings"

// GODEBUG is the runtime setting a preview process runs with on Linux:
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
// //go:debug directive: `sitegen serve` starts itself again with it in
// its environment (StartWithGODEBUG), and so do this package's
// benchmarks.
const GODEBUG = "madvdontneed=0"

// WithGODEBUG returns godebug, a GODEBUG environment value, with GODEBUG
// added, and true; or godebug as it is and false when it sets
// madvdontneed itself.
func WithGODEBUG(godebug string) (string, bool) {
	for kv := range strings.SplitSeq(godebug, ",") {
		if k, _, _ := strings.Cut(kv, "="); strings.TrimSpace(k) == "madvdontneed" {
			return godebug, false
		}
	}
	if godebug == "" {
		return GODEBUG, true
	}
	return godebug + "," + GODEBUG, true
}
