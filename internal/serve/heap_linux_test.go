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
	// The free memory earlier tests (or runs, with -count) left given
	// back, and a live heap of 96 MB, as a site's pages are.
	debug.FreeOSMemory()
	const size, object = 96 << 20, 16 << 10
	live := make([][]byte, 0, size/object)
	for range cap(live) {
		live = append(live, make([]byte, object))
	}
	runtime.GC()
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
