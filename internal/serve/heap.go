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
// some 18 us). Blocks filling the heap's free memory up to its goal are
// allocated, a byte of each page written and the blocks collected: their
// memory stays with the heap for the rebuilds to reuse, until a collection
// that finds less in use lets the runtime give back what lies beyond a
// tenth over that (the scavenger's goal; `sitegen serve` gives it back
// lazily, see GODEBUG). Blocks of a page (warmChunk) rather than one of
// the whole size: the runtime places each in the lowest free pages, so
// they also fill the holes the heap already gave back (released) between
// live objects, which the growth takes first; one block went past them
// all, to the heap's end.
// stop, checked every 64 MB, ends it early, uncollected. It returns the
// bytes allocated (0: the heap had the memory resident).
func warmHeap(stop func() bool) int {
	m, ok := readMetrics("/gc/heap/goal:bytes", "/memory/classes/heap/objects:bytes",
		"/memory/classes/heap/unused:bytes", "/memory/classes/heap/free:bytes")
	if !ok {
		return 0
	}
	goal := m[0]
	resident := m[1] + m[2] + m[3]
	goal += goal / 16 // a collection may let the heap run a little past its goal
	if goal < resident+warmHeapMin {
		return 0
	}
	need := int(goal - m[1] - m[2]) // the free memory up to the goal, resident or not
	blocks := make([][]byte, 0, need/warmChunk+1)
	page := os.Getpagesize()
	n := 0
	for n < need {
		if n%(64<<20) < warmChunk && stop() {
			return n // the server is stopping: no need to collect
		}
		b := make([]byte, min(warmChunk, need-n))
		for i := 0; i < len(b); i += page {
			b[i] = 1
		}
		blocks = append(blocks, b)
		n += len(b)
	}
	runtime.KeepAlive(blocks)
	blocks = nil
	// Freed now, while the server is idle, rather than by a collection
	// during a rebuild.
	runtime.GC()
	return n
}

// warmChunk is the size of warmHeap's blocks: the runtime's page, a size
// class of one object per span, so that each takes the lowest free page
// and holes of any size are filled.
const warmChunk = 8 << 10

// heapAllocs returns the bytes allocated on the heap since the process
// started (0 where the runtime does not measure it).
func heapAllocs() uint64 {
	m, _ := readMetrics("/gc/heap/allocs:bytes")
	return m[0]
}

// readMetrics reads the runtime metrics named, each a count of bytes or
// things, and reports whether this runtime measures them all (the values
// are 0 when it does not).
func readMetrics(names ...string) ([]uint64, bool) {
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	metrics.Read(s)
	m := make([]uint64, len(s))
	for i, v := range s {
		if v.Value.Kind() != metrics.KindUint64 {
			return make([]uint64, len(s)), false
		}
		m[i] = v.Value.Uint64()
	}
	return m, true
}

// collectIfDue runs a collection now, while the server is idle after a
// rebuild that allocated alloc bytes until it was served, when the next
// rebuild like it could start one (collectDue), and reports whether it
// did. A collection marks the whole heap, every page served included
// (1.1 GB at 50,000 articles): one that a rebuild started ran beside it,
// on the other core and in the rebuild's own allocations, and each part
// of the update took two to four times as long (date edits of 110-150 ms
// against 55-75 there). Collected when idle, the slowest tenth of 40
// date edits took 81-86 ms instead of 92-117, for 0-60 ms more CPU per
// edit, spent off its path (docs/performance.md). A save while it runs
// meets it as before.
func collectIfDue(alloc uint64) bool {
	m, ok := readMetrics("/gc/heap/goal:bytes", "/gc/heap/live:bytes", "/memory/classes/heap/objects:bytes")
	if !ok || !collectDue(m[0], m[1], m[2], alloc) {
		return false
	}
	runtime.GC()
	return true
}

// collectDue reports whether a heap of heap bytes, whose last collection
// left live bytes and set the goal of the next to goal, could start a
// collection within half as much again as alloc bytes more allocation.
// The runtime starts one once the heap has grown from live between 45/64
// (about 0.7) and 61/64 of the way to the goal, or to 4 MB short of it,
// the earlier the more the program allocates while one runs
// (runtime/mgcpacer.go): the earliest of those is taken.
func collectDue(goal, live, heap, alloc uint64) bool {
	if goal <= live {
		return false // collecting already, or held by a memory limit: the runtime's to pace
	}
	earliest := live + (goal-live)/64*45
	return heap+alloc+alloc/2 >= earliest
}
