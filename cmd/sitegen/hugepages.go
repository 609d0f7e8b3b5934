package main

import (
	"math"
	"strings"
)

// hugeHeapMax is how much of the heap sitegen build and check ask the
// kernel to back with transparent huge pages (hugeHeap): a one-article
// edit of a 50,000-article site holds 350 MB, its cold build 500 MB, its
// check 450 MB; a bigger site's heap goes on past it in 4 KB pages.
const hugeHeapMax = 1 << 30

// hugeHeapSize returns how much of the heap, from where it ends at start,
// the command args asks the kernel to back with transparent huge pages:
// only sitegen build and check, which load the whole site (serve's rebuilds
// were no faster so), and only where the kernel gives them to memory that
// asks (thpEnabled, /sys/kernel/mm/transparent_hugepage/enabled, reads
// "[madvise]": with "always" the heap has them already, with "never" it
// cannot) and where reserving address space commits no memory
// (overcommit, /proc/sys/vm/overcommit_memory, is not "2"), and not under
// a memory limit (memLimit, GOMEMLIMIT's, is math.MaxInt64: a limit would
// have the runtime collect in vain while the blocks are held); hugeHeapMax,
// or an eighth of the machine's memory (totalRAM) if that is less. 0: none.
func hugeHeapSize(args []string, thpEnabled, overcommit string, totalRAM uint64, memLimit int64) int {
	if len(args) == 0 || args[0] != "build" && args[0] != "check" {
		return 0
	}
	if !strings.Contains(thpEnabled, "[madvise]") || strings.TrimSpace(overcommit) == "2" || memLimit != math.MaxInt64 {
		return 0
	}
	return int(min(totalRAM/8, hugeHeapMax))
}
