package serve

import (
	"os"
	"runtime"
	"runtime/metrics"
)

// warmHeapMin is the least growth warmHeap bothers with: below it, the
// page faults it would save cost a millisecond or two in all.
const warmHeapMin = 16 << 20

// warmHeap makes the memory the heap will grow into before its next
// collection resident now, while the server is idle after its first
// build, instead of during the rebuilds that follow. Between collections
// the heap grows to its goal (gcPercent over what the last one left
// live); the first time, it grows into memory the system has never
// mapped, and each 4 KB costs a page fault when first written: at 50,000
// articles about 2,400 faults and 45 ms more in each tag edit, until the
// heap first reaches its goal (on a virtual machine where a fault costs
// some 18 us). A block of the missing size is allocated, a byte of each
// page written and the block collected: its memory stays with the heap
// (the runtime gives back only what lies beyond a tenth over its goal)
// for the rebuilds to reuse. stop, checked every 64 MB, ends it early,
// uncollected. It returns the size of the block (0: the heap had the
// memory).
func warmHeap(stop func() bool) int {
	s := []metrics.Sample{
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
	}
	metrics.Read(s)
	for _, v := range s {
		if v.Value.Kind() != metrics.KindUint64 {
			return 0 // not measured by this runtime
		}
	}
	goal := s[0].Value.Uint64()
	resident := s[1].Value.Uint64() + s[2].Value.Uint64() + s[3].Value.Uint64()
	goal += goal / 16 // a collection may let the heap run a little past its goal
	if goal < resident+warmHeapMin {
		return 0
	}
	block := make([]byte, goal-resident)
	page := os.Getpagesize()
	for i := 0; i < len(block); i += page {
		if i%(64<<20) == 0 && stop() {
			return len(block) // the server is stopping: no need to collect
		}
		block[i] = 1
	}
	n := len(block)
	runtime.KeepAlive(block)
	block = nil
	// Freed now, while the server is idle, rather than by a collection
	// during a rebuild.
	runtime.GC()
	return n
}
