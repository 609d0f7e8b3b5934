package serve

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// After warmHeap the heap grows toward its goal in memory that is resident
// already: what a rebuild allocates there costs no page fault when first
// written. Without it, the growth lands in memory the system has not
// mapped yet (mincore(2) reports its pages absent until they are written).
func TestWarmHeapMakesGrowthResident(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	// A live heap of 96 MB, as a site's pages are, with as much garbage
	// between its objects, freed and given back to the system: holes the
	// heap's growth takes before memory past its end. The free memory
	// earlier tests (or runs, with -count) left is given back too.
	const size, object = 96 << 20, 16 << 10
	live := make([][]byte, 0, size/object)
	garbage := make([][]byte, 0, size/object)
	for range cap(live) {
		live = append(live, make([]byte, object))
		garbage = append(garbage, make([]byte, object))
	}
	garbage = nil
	runtime.GC()
	debug.FreeOSMemory()
	warmed := warmHeap(func() bool { return false })
	if warmed < warmHeapMin {
		t.Fatalf("warmHeap allocated %d bytes with %d MB live at GOGC=%d; want the heap's growth to its goal, at least %d", warmed, size>>20, gcPercent, warmHeapMin)
	}
	// Grow the heap by three quarters of that, in small objects, each
	// looked at before it is written.
	page := os.Getpagesize()
	grown := make([][]byte, 0, warmed/object*3/4)
	absent, pages := 0, 0
	for range cap(grown) {
		b := make([]byte, object)
		n, in := residentPages(t, b, page)
		absent += n - in
		pages += n
		for i := 0; i < len(b); i += page {
			b[i] = 1
		}
		grown = append(grown, b)
	}
	if absent > pages/8 {
		t.Errorf("growing the warmed heap by %d pages, %d were not resident before they were written; want at most %d", pages, absent, pages/8)
	}
	t.Logf("warmed %d MB; growing it by %d pages, %d were not resident", warmed>>20, pages, absent)
	runtime.KeepAlive(live)
	runtime.KeepAlive(grown)
}

// residentPages returns how many pages b spans and how many of them are
// resident, as mincore(2) reports.
func residentPages(t *testing.T, b []byte, page int) (n, resident int) {
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	first := start &^ uintptr(page-1)
	n = int((start + uintptr(len(b)) - first + uintptr(page-1)) / uintptr(page))
	vec := make([]byte, n)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, first, uintptr(n*page), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatalf("mincore: %v", errno)
	}
	for _, v := range vec {
		resident += int(v & 1)
	}
	return n, resident
}

// collectIfDue collects when the heap is within half again the given
// allocation of the earliest point at which the runtime could start a
// collection itself, and not before.
func TestCollectIfDue(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	const size, object = 64 << 20, 16 << 10
	live := make([][]byte, 0, size/object)
	for range cap(live) {
		live = append(live, make([]byte, object))
	}
	runtime.GC()
	goal, marked, heap, forced := heapState(t)
	earliest := marked + (goal-marked)/64*45
	t.Logf("live %d MB, goal %d MB, earliest collection at %d MB", marked>>20, goal>>20, earliest>>20)
	if heap+(4<<20) >= earliest {
		t.Fatalf("heap %d MB right after a collection, within 4 MB of %d MB", heap>>20, earliest>>20)
	}
	if collectIfDue(1 << 20) {
		t.Errorf("collected with the heap at %d MB, %d MB short of the earliest collection, after a rebuild of 1 MB", heap>>20, (earliest-heap)>>20)
	}
	// Garbage up to 2-3 MB short of the earliest collection: due after a
	// rebuild of 2 MB (3 MB with half again), not of 1 MB.
	var garbage [][]byte
	for {
		goal, marked, heap, forced = heapState(t)
		if earliest = marked + (goal-marked)/64*45; heap+(3<<20) >= earliest {
			break
		}
		for range 64 {
			garbage = append(garbage, make([]byte, object))
		}
	}
	if collectIfDue(1 << 20) {
		t.Errorf("collected with the heap at %d MB, %d KB short of the earliest collection, after a rebuild of 1 MB", heap>>20, (earliest-heap)>>10)
	}
	if !collectIfDue(2 << 20) {
		t.Errorf("did not collect with the heap at %d MB, %d KB short of the earliest collection, after a rebuild of 2 MB", heap>>20, (earliest-heap)>>10)
	}
	if _, _, after, n := heapState(t); n != forced+1 || after >= heap {
		t.Errorf("after collectIfDue: %d forced collections (want %d), heap %d MB (was %d)", n, forced+1, after>>20, heap>>20)
	}
	runtime.KeepAlive(live)
}

// heapState reads the heap goal, the heap left live by the last
// collection, the heap now and the collections forced so far.
func heapState(t *testing.T) (goal, live, heap, forced uint64) {
	m, ok := readMetrics("/gc/heap/goal:bytes", "/gc/heap/live:bytes",
		"/memory/classes/heap/objects:bytes", "/gc/cycles/forced:gc-cycles")
	if !ok {
		t.Fatal("the runtime does not measure the heap's goal, live heap, objects or forced collections")
	}
	return m[0], m[1], m[2], m[3]
}
