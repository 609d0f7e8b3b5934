package build

import "unsafe"

// prefault writes a zero byte into each page of s, a fresh allocation, so
// that the first touch of each page is a write.
//
// The cache's sources are decoded into two arrays of 20 MB at 50,000
// articles while the heap grows fast, so while the garbage collector runs:
// its write barrier reads each pointer field before the decoder writes
// it. On memory fresh from the system that read maps the shared zero page,
// and the write that follows faults again to replace it, flushing the TLB
// of every core (do_wp_page, an inter-processor interrupt each time). That
// was 4% of an edit build's CPU at 50,000 articles, on its serial path;
// written first, a page faults once.
//
// The bytes written are the zeros already there, and no other goroutine
// can see s yet.
func prefault[T any](s []T) {
	p, n := unsafe.Pointer(unsafe.SliceData(s)), uintptr(len(s))*unsafe.Sizeof(*new(T))
	for off := uintptr(0); off < n; off += 4096 {
		*(*byte)(unsafe.Add(p, off)) = 0
	}
}
