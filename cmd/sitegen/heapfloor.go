package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// heapPerArticle is about what a cold sitegen build's peak memory grows by
// per article: 486 MiB at 50,000 articles, 9.1 GiB at 1,000,000
// (docs/performance.md).
const heapPerArticle = 10 << 10

// checkHeapPerArticle is about what sitegen check's heap grows by per
// article, which keeps no bodies: 3.1 GB at 1,000,000 articles at GOGC=200
// (docs/performance.md).
const checkHeapPerArticle = 4 << 10

// maxHeapFloor bounds the heap collectAfter lets grow without a collection.
const maxHeapFloor = 1 << 30

// heapFloor returns how far the heap of a build that starts from the cache
// of a build of articles articles may grow before its first collection:
// about what a cold build of that site holds at its peak, at most
// maxHeapFloor.
func heapFloor(articles int) uint64 {
	return min(uint64(articles)*heapPerArticle, maxHeapFloor)
}

// collectAfter has the collector's next cycle wait until the heap holds
// about floor bytes, then puts GOGC back as it was. A build that starts
// from the previous build's cache mostly allocates less than a cold build
// of the site holds at its peak (a one-article edit at 50,000 articles 400
// MB, against 490 MB), and the cycles on the way, each marking the heap
// the build keeps to its end, cost it about a ninth of its CPU: it runs
// with about the memory a cold build needs, and seldom collects. It sets
// GOGC so that the next cycle's goal is floor, from the heap the last
// cycle left (the runtime's minimum goal, 4 MB at GOGC=100, before any
// cycle), and a cleanup that runs after that cycle restores it, unless
// GOGC was set again meanwhile; with the collector off (GOGC=off), or a
// floor the goal reaches anyway, it does nothing.
func collectAfter(floor uint64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	live := max(s[0].Value.Uint64(), 4<<20)
	if floor/live < 4 { // within GOGC's reach: a few hundred percent
		return
	}
	pct := int(floor/live)*100 - 100 // floor is at most maxHeapFloor
	old := debug.SetGCPercent(pct)
	if old < 0 {
		debug.SetGCPercent(old)
		return
	}
	// A cleanup runs once a cycle has found its object unreachable: after
	// the next one. It puts the old GOGC back unless another was set since.
	runtime.AddCleanup(new([64]byte), func(g gogcs) {
		if now := debug.SetGCPercent(g.old); now != g.set {
			debug.SetGCPercent(now)
		}
	}, gogcs{old, pct})
}

// gogcs are the GOGC collectAfter found and the one it set.
type gogcs struct{ old, set int }
