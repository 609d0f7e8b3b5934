// Package lazyfree owns a runtime setting and the restart it takes: with
// GODEBUG madvdontneed=0, memory the collector frees goes back to the
// system lazily (MADV_FREE), and the runtime reads GODEBUG only at start,
// so a program that wants it starts itself again with it (Restart). The
// preview runs so, and so does a build that starts on memory a previous
// build kept.
//
// MADV_FREE leaves pages to the kernel to take only when it needs them,
// where Go's default, MADV_DONTNEED, makes the next use of that memory
// fault every 4 KB page in afresh. In the preview at 50,000 articles tag
// edits took 88.5 and 95.2 ms at the median of six runs of 20 edits, on
// two days, against 102.3 and 107.1 ms, with less CPU in 11 of the 12
// runs; the price is that freed memory counts as resident until the
// kernel reclaims it (docs/performance.md, *Freed memory given back
// lazily*). A build needs it for memory a previous build kept: the
// runtime takes memory it gave back with MADV_DONTNEED to be zero, which
// kept memory is not.
package lazyfree

import "strings"

// GODEBUG is the setting: the GODEBUG item this package adds.
const GODEBUG = "madvdontneed=0"

// Add returns godebug, a GODEBUG environment value, with GODEBUG added,
// and true; or godebug as it is and false when it sets madvdontneed
// itself.
func Add(godebug string) (string, bool) {
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

// On reports whether godebug, a GODEBUG value, leaves the runtime giving
// freed memory back lazily: whether its last madvdontneed is 0.
func On(godebug string) bool {
	on := false
	for kv := range strings.SplitSeq(godebug, ",") {
		if k, v, _ := strings.Cut(kv, "="); strings.TrimSpace(k) == "madvdontneed" {
			on = strings.TrimSpace(v) == "0"
		}
	}
	return on
}
