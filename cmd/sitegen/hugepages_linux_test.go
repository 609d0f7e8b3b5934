package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugeHeap leaves the memory it freed advised for huge pages, for the heap
// to grow into: every mapping over its range carries the "hg" flag
// (MADV_HUGEPAGE) in /proc/self/smaps after the block is collected.
func TestHugeHeapAdvisesTheHeap(t *testing.T) {
	start, end := hugeHeap(64<<20, nil)
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		// A kernel without them refuses the advice (EINVAL).
		if start != 0 {
			t.Errorf("hugeHeap(64 MB) = %#x-%#x on a kernel without transparent huge pages (%v); want nothing advised", start, end, err)
		}
		return
	}
	if start == 0 {
		t.Fatal("hugeHeap(64 MB): the kernel refused the advice")
	}
	if got := advised(t, start, end); got != end-start {
		t.Errorf("%d of the %d bytes of the blocks %#x-%#x are advised for huge pages (VmFlags hg); want all", got, end-start, start, end)
	}
	// What the heap allocates next lands there (a little of it, perhaps,
	// in a hole just below).
	b := make([]byte, 32<<20)
	p := addr(b)
	if got := advised(t, p, p+uintptr(len(b))); got < uintptr(len(b))*7/8 {
		t.Errorf("%d of the %d bytes of an allocation after hugeHeap, at %#x, are advised for huge pages; want nearly all (the blocks were %#x-%#x)", got, len(b), p, start, end)
	}
	runtime.KeepAlive(b)
}

// hugeHeap writes next to nothing of what it allocates, even where the
// heap's end is memory a collection freed, which the runtime zeroes before
// reusing, a whole allocation at a time: the last, big block's pages are
// not resident after it (mincore(2)). (hugeHeap allocating one block, the
// free memory not taken first, fails it: the block zeroed in 6 runs of 6.)
func TestHugeHeapTouchesLittle(t *testing.T) {
	for range 4 {
		freed := make([]byte, 8<<20)
		for i := range freed {
			freed[i] = 1
		}
		runtime.KeepAlive(freed)
		freed = nil
		runtime.GC()
		start, end := hugeHeap(128<<20, nil)
		if start == 0 {
			t.Skip("the kernel refuses the advice") // TestHugeHeapAdvisesTheHeap says whether it may
		}
		if n, in := resident(t, start, end); in > n/16 {
			t.Fatalf("after hugeHeap(128 MB), %d of the %d pages of its last block, %#x-%#x, are resident; want at most %d", in, n, start, end, n/16)
		}
	}
}

// Once startHugeHeap has allowed it, moreHugeHeap advises for huge pages
// the memory past the heap's end that a big site's heap will grow into,
// and none for a site whose heap the region advised at start holds.
func TestMoreHugeHeap(t *testing.T) {
	defer func(most int) { hugeHeapMost = most }(hugeHeapMost)
	big := (heapMapped() + 2*hugeHeapMinMore) / heapPerArticle // past the heap by twice the least asked
	hugeHeapMost = 0
	if start, end := hugeHeapFor(big, heapPerArticle); start != 0 {
		t.Errorf("hugeHeapFor(%d) with none allowed at start advised %#x-%#x", big, start, end)
	}
	hugeHeapMost = 8 << 30
	if start, end := hugeHeapFor(1000, heapPerArticle); start != 0 {
		t.Errorf("hugeHeapFor(1000, heapPerArticle) advised %#x-%#x; the heap holds such a site already", start, end)
	}
	start, end := hugeHeapFor(big, heapPerArticle)
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		if start != 0 {
			t.Errorf("hugeHeapFor(%d) = %#x-%#x on a kernel without transparent huge pages (%v); want nothing advised", big, start, end, err)
		}
		return
	}
	if got := int(end - start); got < hugeHeapMinMore || got > 2*hugeHeapMinMore {
		t.Fatalf("hugeHeapFor(%d) advised %#x-%#x, %d bytes; want about %d past the heap", big, start, end, got, 2*hugeHeapMinMore)
	}
	if got := advised(t, start, end); got != end-start {
		t.Errorf("%d of the %d bytes of %#x-%#x are advised for huge pages (VmFlags hg); want all", got, end-start, start, end)
	}
}

// resident returns how many pages start-end spans, and how many of them
// are resident (mincore(2)).
func resident(t *testing.T, start, end uintptr) (n, in int) {
	page := uintptr(os.Getpagesize())
	start &^= page - 1
	n = int((end - start + page - 1) / page)
	vec := make([]byte, n)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, start, uintptr(n)*page, uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatalf("mincore: %v", errno)
	}
	for _, v := range vec {
		in += int(v & 1)
	}
	return n, in
}

// advised returns how many bytes of start-end lie in mappings advised for
// huge pages (VmFlags hg in /proc/self/smaps).
func advised(t *testing.T, start, end uintptr) uintptr {
	var n uintptr
	for _, m := range mappings(t) {
		if m.end > start && m.start < end && slices.Contains(m.flags, "hg") {
			n += min(m.end, end) - max(m.start, start)
		}
	}
	return n
}

type mapping struct {
	start, end uintptr
	flags      []string
}

// mappings reads the process's mappings and their VmFlags from
// /proc/self/smaps.
func mappings(t *testing.T) []mapping {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ms []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok && len(ms) > 0 {
			ms[len(ms)-1].flags = strings.Fields(flags)
			continue
		}
		var m mapping
		if _, err := fmt.Sscanf(line, "%x-%x ", &m.start, &m.end); err == nil && strings.Contains(strings.Fields(line)[0], "-") {
			ms = append(ms, m)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ms
}
