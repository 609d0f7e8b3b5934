package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"unsafe"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"golang.org/x/sys/unix"
)

// hugeHeapChunk is the size of the blocks hugeHeap fills the heap's free
// memory with first. The runtime zeroes a block placed in memory the heap
// has used before, all of it: one block of 6 GB, placed where a
// collection had freed some early allocation, was written through in 4 KB
// page faults (1.5 million, 25 s, in 2 of 16 builds). A block this size
// costs at most a few milliseconds that way.
const hugeHeapChunk = 4 << 20

// hugeHeap has the heap's free memory and the next size bytes past it
// backed by transparent huge pages where the kernel has them. It allocates
// blocks of hugeHeapChunk until they have taken all the free memory the
// heap holds (a few megabytes at start), then size bytes as one block,
// which the runtime maps at the heap's end and does not touch, advises the
// kernel to back them with huge pages (madvise MADV_HUGEPAGE, which stays
// with the mapping) and frees them at once, collecting no garbage until
// then. The heap then grows into that memory, and each first write to 2 MB
// of it is one page fault instead of 512: a one-article edit of a
// 50,000-article site took 4,000-5,700 faults instead of 59,000-68,000, a
// check of it 5,600-5,900 instead of 108,000-112,000 (docs/performance.md,
// *Huge pages for the build's heap*). Where over is not nil, it is called
// with the last block's range while the block is held (mapKeptHeap). It
// returns the address range of the last block, for tests; 0, 0 when the
// kernel refuses the advice.
func hugeHeap(size int, over func(start, end uintptr)) (start, end uintptr) {
	if size < hugeHeapChunk {
		return 0, 0
	}
	gc := debug.SetGCPercent(-1)
	free := heapBytes("free", "released")
	var blocks [][]byte
	for n := 0; n <= free; n += hugeHeapChunk {
		blocks = append(blocks, make([]byte, hugeHeapChunk))
	}
	blocks = append(blocks, make([]byte, size))
	ok := true
	for _, b := range blocks {
		if unix.Madvise(b, unix.MADV_HUGEPAGE) != nil {
			ok = false
			break
		}
	}
	last := blocks[len(blocks)-1]
	start, end = addr(last), addr(last)+uintptr(len(last))
	if over != nil {
		over(start, end)
	}
	blocks, last = nil, nil
	debug.SetGCPercent(gc)
	runtime.GC()
	if !ok {
		return 0, 0
	}
	return start, end
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// hugeHeapMost is how much of the heap a build may ask to be backed by
// huge pages in all, as hugeHeapSize gave it at start; 0 if none was.
var hugeHeapMost int

// startHugeHeap calls hugeHeap with the size hugeHeapSize gives the command
// args on this machine, for a build from the cache with the memory a
// holder kept for it (takeHeap) mapped over the start of the region: a
// cold build was 7-9% slower on it, in 4 KB pages.
func startHugeHeap(args []string) {
	if len(args) == 0 || args[0] != "build" && args[0] != "check" {
		return // hugeHeapSize's first rule, before the files are read
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return
	}
	thp, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	overcommit, _ := os.ReadFile("/proc/sys/vm/overcommit_memory")
	addrLimit := uint64(math.MaxUint64)
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_AS, &rl) == nil && rl.Cur != unix.RLIM_INFINITY {
		addrLimit = rl.Cur
	}
	ram := usableMemory(uint64(si.Totalram)*uint64(si.Unit), cgroupMemoryLimit)
	size, most := hugeHeapSize(args, string(thp), string(overcommit), ram, addrLimit, debug.SetMemoryLimit(-1))
	var over func(start, end uintptr)
	if args[0] == "build" {
		machineRAM = ram
		if fd := takeHeap(size > 0 && buildFromCache(args[1:])); fd >= 0 {
			over = func(start, end uintptr) { mapKeptHeap(fd, start, end) }
		}
	}
	if start, _ := hugeHeap(size, over); start != 0 {
		hugeHeapMost = most
	}
}

// cgroupMemoryLimit returns the memory limit of the process's control
// group in bytes (a container's: cgroup v1 or v2, the least of the limits
// up its hierarchy), 0 for none or none found. Reading it takes about 0.1
// ms (/proc/self/mountinfo, /proc/self/cgroup and the limit files).
func cgroupMemoryLimit() uint64 {
	limit, err := memlimit.FromCgroup()
	if err != nil {
		return 0
	}
	return limit
}

// moreHugeHeap has the heap that a build or check of sources source files
// will grow into, perSource bytes for each, backed by huge pages past the
// region startHugeHeap advised, as hugeHeapMore sizes it: a
// 1,000,000-article build's heap grows to about 9 GB, which in 4 KB pages
// took some 2 million faults, and a check's to about 3 GB.
func moreHugeHeap(sources, perSource int) { hugeHeapFor(sources, perSource) }

// hugeHeapFor is moreHugeHeap, returning the range hugeHeap advised past
// the heap's end (0, 0: none), for tests.
func hugeHeapFor(sources, perSource int) (start, end uintptr) {
	if hugeHeapMost == 0 {
		return 0, 0
	}
	if more := hugeHeapMore(sources, perSource, heapMapped(), hugeHeapMost); more > 0 {
		return hugeHeap(more, nil)
	}
	return 0, 0
}

// heapMapped returns how many bytes of address space the heap spans.
func heapMapped() int { return heapBytes("objects", "unused", "free", "released", "stacks") }

// heapBytes returns the sum of the runtime's /memory/classes/heap/ metrics
// named by classes: "free" and "released" are the heap's free memory.
func heapBytes(classes ...string) int {
	s := make([]metrics.Sample, len(classes))
	for i, c := range classes {
		s[i].Name = "/memory/classes/heap/" + c + ":bytes"
	}
	metrics.Read(s)
	n := 0
	for _, v := range s {
		if v.Value.Kind() == metrics.KindUint64 {
			n += int(v.Value.Uint64())
		}
	}
	return n
}
