package main

import "time"

// A build's heap, kept for the next one.
//
// On a virtual machine that hands the memory its guest frees back to the
// host (free page reporting, as on the machines this project is measured
// on), the first write to memory no process holds costs some 2 ms per MB:
// a quarter of a one-article edit's CPU at 50,000 articles went to the
// kernel filling fresh pages (docs/performance.md). Memory a file in
// memory holds stays with the guest. So after a build whose heap grew
// past keepHeapMin, unless --spare-ahead=false, sitegen leaves a holder
// process with a memory file (memfd) sized by keptHeapSize, every page of
// it written at the lowest priority; the next build from the cache takes
// the file and maps it under the region of its heap that hugeHeap
// prepares, and hands it on when it ends. (A cold build does not: on such
// memory, in 4 KB pages, it ran 7-9% slower.) The holder takes over from
// an older build's holder, gives the file to the first build of the same
// user that asks after the build that started it has exited, and exits;
// it exits too, freeing the memory, when no build has asked for
// keepHeapWait.
//
// The heap then starts on pages that hold another process's old objects.
// The runtime zeroes memory it hands out below the highest address it has
// handed out before (an arena's zeroedBase), which covers the whole region
// once hugeHeap has allocated it; and with GODEBUG madvdontneed=0 it
// zeroes memory it gave back to the system and takes again, which with
// MADV_DONTNEED it would take to be zero and which a shared file's pages
// are not. A build given a file therefore starts itself again with that
// setting (keptHeapFDEnv); without one it runs as before.

// holdHeapEnv, in the environment of a background sitegen process started
// by keepHeap, makes it the holder of the heap memory the build hands on:
// "PID:BYTES:FILES", the build to outlive, the size to hold, and 1 when
// the build's memory file is its file 3, 0 when it had none.
const holdHeapEnv = "SITEGEN_HOLD_HEAP"

// keptHeapFDEnv, in the environment of a build that started itself again
// with a holder's file, names that file's descriptor.
const keptHeapFDEnv = "SITEGEN_KEPT_HEAP_FD"

// heapSocketEnv names, where set, the socket builds and holders meet at
// instead of sitegen-heap-UID, so that tests meet their own holders only.
const heapSocketEnv = "SITEGEN_HEAP_SOCKET"

// keepHeapWait is how long a holder keeps the memory for a next build.
const keepHeapWait = 5 * time.Minute

// keepHeapMin is the least heap worth keeping: a build whose heap grows
// less leaves no holder. A cold build of 300 articles of the benchmark's
// size grows past it, an edit of a thousand; a build of the bundled
// sample (8 MB) does not.
const keepHeapMin = 16 << 20

// keepHeapMax returns the most heap a holder keeps on a machine with
// totalRAM bytes: 512 MB (a one-article edit of a 50,000-article site
// grows its heap to about 300 MB, a cold build to 500 MB), or a
// thirty-second of the memory if that is less.
func keepHeapMax(totalRAM uint64) int {
	return int(min(totalRAM/32, 512<<20))
}

// heapKept is what a build tells keepHeap, as it exits, of the memory to
// keep for the next build (run records it).
type heapKept struct {
	wanted bool // the build leaves what speeds up the next one (--spare-ahead, true by default)
	noop   bool // it wrote and removed no file: see keptHeapSize
}

// keptHeapSize returns how much memory a holder keeps for the next build
// after one whose heap in use at its end was inUse bytes and which was
// given a kept file of given bytes (0 for none), at most most: the heap
// and an eighth more, or half the file given if that is more (at 50,000
// articles a one-article edit's heap is 267 MB, a cold build's more than
// 512 MB: after a cold build the memory kept comes down to an edit's at
// once, and a smaller site's in a few builds). After a build that wrote
// and removed no file (noop), whose heap (16 MB at 50,000 articles)
// says nothing of what the next build needs, the file given is kept
// whole: at 50,000 articles an edit after a no-op that had passed on
// half its file took 0.80 s, against 0.73 s after one that passed it on
// whole.
func keptHeapSize(inUse, given, most int, noop bool) int {
	if !noop {
		given /= 2
	}
	return min(max(inUse/8*9, given), most)
}
