package main

import (
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugeHeapChunk is the size of the blocks hugeHeap allocates. The runtime
// zeroes a block that starts in memory the heap has used, all of it: one
// block of 6 GB, placed where a collection had freed some early
// allocation, was written through in 4 KB page faults (1.5 million, 25 s,
// in 2 of 16 builds).
// A block this size costs at most a few milliseconds that way.
const hugeHeapChunk = 4 << 20

// hugeHeap has the next size bytes of the heap backed by transparent huge
// pages where the kernel has them: it allocates that much in blocks, which
// the runtime maps at the heap's end and does not touch, advises the
// kernel to back them with huge pages (madvise MADV_HUGEPAGE, which stays
// with the mapping), and frees them at once. The heap then grows into that
// memory, and each first write to 2 MB of it is one page fault instead of
// 512: a one-article edit of a 50,000-article site took 4,000-5,700
// faults instead of 59,000-68,000 (docs/performance.md, *Huge pages for
// the build's heap*). It returns the address range of the blocks
// allocated last (the others fill holes below), for tests; 0, 0 when the
// kernel refuses the advice.
func hugeHeap(size int) (start, end uintptr) {
	if size < hugeHeapChunk {
		return 0, 0
	}
	blocks := make([][]byte, 0, size/hugeHeapChunk)
	for range cap(blocks) {
		b := make([]byte, hugeHeapChunk)
		if err := unix.Madvise(b, unix.MADV_HUGEPAGE); err != nil {
			return 0, 0
		}
		blocks = append(blocks, b)
	}
	// The blocks above the highest not next to the one before it: the
	// heap's end at start.
	i := len(blocks) - 1
	for i > 0 && addr(blocks[i-1])+hugeHeapChunk == addr(blocks[i]) {
		i--
	}
	start, end = addr(blocks[i]), addr(blocks[len(blocks)-1])+hugeHeapChunk
	blocks = nil
	runtime.GC()
	return start, end
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// startHugeHeap calls hugeHeap with the size hugeHeapSize gives the command
// args on this machine.
func startHugeHeap(args []string) {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return
	}
	thp, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	overcommit, _ := os.ReadFile("/proc/sys/vm/overcommit_memory")
	hugeHeap(hugeHeapSize(args, string(thp), string(overcommit), uint64(si.Totalram)*uint64(si.Unit)))
}
