package main

import (
	"math"
	"strings"
)

// hugeHeapMax is how much of the heap sitegen build and check ask the
// kernel to back with transparent huge pages (hugeHeap) at start: a
// one-article edit of a 50,000-article site holds 350 MB, its cold build
// 500 MB, its check 450 MB. A build or check of a bigger site asks for
// more once it knows how many sources it reads (hugeHeapMore).
const hugeHeapMax = 1 << 30

// hugeHeapSize returns how much of the heap, from where it ends at start,
// the command args asks the kernel to back with transparent huge pages,
// and how much a build or check may ask for in all: only sitegen build
// and check, which load the whole site (serve's rebuilds were no faster
// so), and only where the kernel gives them to memory that asks (thpEnabled,
// /sys/kernel/mm/transparent_hugepage/enabled, reads "[madvise]": with
// "always" the heap has them already, with "never" it cannot) and where
// reserving address space commits no memory (overcommit,
// /proc/sys/vm/overcommit_memory, is not "2"), and not under a memory
// limit (memLimit, GOMEMLIMIT's, is math.MaxInt64: a limit would have the
// runtime collect in vain while the blocks are held). At start hugeHeapMax,
// or an eighth of the machine's memory (totalRAM) if that is less; in all
// half of it. Under a limit on the process's address space (addrLimit,
// RLIMIT_AS; math.MaxUint64 for none), where reserving too much would end
// the process, neither is more than a quarter of that. 0, 0: none.
func hugeHeapSize(args []string, thpEnabled, overcommit string, totalRAM, addrLimit uint64, memLimit int64) (start, most int) {
	if len(args) == 0 || args[0] != "build" && args[0] != "check" {
		return 0, 0
	}
	if !strings.Contains(thpEnabled, "[madvise]") || strings.TrimSpace(overcommit) == "2" || memLimit != math.MaxInt64 {
		return 0, 0
	}
	return int(min(totalRAM/8, hugeHeapMax, addrLimit/4)), int(min(totalRAM/2, addrLimit/4, math.MaxInt/2))
}

// usableMemory returns the memory a process may use on a machine with
// totalRAM bytes: all of it, or its control group's limit where that is
// less (cgroupLimit, 0 for none), as in a container, whose limit the
// machine's figure (sysinfo) does not show. The memory sitegen sizes by
// the machine's (hugeHeapSize, keepHeapMax) is sized by this: a holder
// on a 64 GB machine would otherwise keep 512 MB for five minutes in a
// container limited to 1 GB, which a later process there could be killed
// for.
func usableMemory(totalRAM uint64, cgroupLimit func() uint64) uint64 {
	if limit := cgroupLimit(); limit > 0 && limit < totalRAM {
		return limit
	}
	return totalRAM
}

// hugeHeapMore returns how many bytes past the heap's end (mapped, the
// bytes the heap spans now) a build or check of sources source files asks
// the kernel to back with transparent huge pages: enough for the heap to
// reach perSource bytes per source (heapPerArticle for a build,
// checkHeapPerArticle for a check), at most most in all; 0 when that is
// less than hugeHeapMinMore away. A 1,000,000-article build's heap reaches
// about 9 GB, of which the region advised at start is the first gigabyte.
func hugeHeapMore(sources, perSource, mapped, most int) int {
	more := min(sources, most/perSource)*perSource - mapped
	if more < hugeHeapMinMore {
		return 0
	}
	return more
}

// hugeHeapMinMore is the least hugeHeapMore asks for: asking fills the
// heap's free memory first, which the runtime zeroes (some hundreds of
// megabytes at a millisecond per 4 MB block), so it is worth it only for
// a heap that will grow much further.
const hugeHeapMinMore = 256 << 20
