package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// hugeHeap leaves the memory it freed advised for huge pages, for the heap
// to grow into: every mapping over its range carries the "hg" flag
// (MADV_HUGEPAGE) in /proc/self/smaps after the block is collected.
func TestHugeHeapAdvisesTheHeap(t *testing.T) {
	start, end := hugeHeap(64 << 20)
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

// hugeHeap touches next to nothing of what it allocates, even where the
// heap's end is memory a collection freed, which the runtime zeroes before
// reusing, a whole allocation at a time. (Where the runtime places a block
// varies: hugeHeap allocating one 128 MB block instead failed this in 1 to
// 2 runs of 5, with 12,000-64,000 faults.)
func TestHugeHeapTouchesLittle(t *testing.T) {
	for range 4 {
		freed := make([]byte, 8<<20)
		for i := range freed {
			freed[i] = 1
		}
		runtime.KeepAlive(freed)
		freed = nil
		runtime.GC()
		var before, after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		hugeHeap(128 << 20)
		syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		// The runtime's own records of 128 MB more heap take about fifty.
		if faults := after.Minflt - before.Minflt; faults > 4096 {
			t.Fatalf("hugeHeap(128 MB) after 8 MB freed took %d page faults; want at most 4,096 (16 MB)", faults)
		}
	}
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
