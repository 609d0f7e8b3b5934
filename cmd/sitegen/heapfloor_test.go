package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestHeapFloor(t *testing.T) {
	for _, c := range []struct {
		articles int
		want     uint64
	}{
		{0, 0},
		{35, 35 * heapPerArticle},
		{50_000, 50_000 * heapPerArticle},
		{1_000_000, maxHeapFloor},
	} {
		if got := heapFloor(c.articles); got != c.want {
			t.Errorf("heapFloor(%d) = %d, want %d", c.articles, got, c.want)
		}
	}
}

// gcPercentNow returns GOGC as the runtime has it, without setting it (the
// cleanup may run at any moment).
func gcPercentNow() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(int64(s[0].Value.Uint64())) // -1, off, reads as 1<<64-1
}

func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// After collectAfter, the heap grows to about the floor without a
// collection, and the cycle that comes then puts GOGC back.
func TestCollectAfterWaitsForTheFloor(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC() // the heap the floor is reckoned from
	collectAfter(256 << 20)
	if pct := gcPercentNow(); pct <= 100 {
		t.Fatalf("GOGC %d after collectAfter, want it raised", pct)
	}
	before := gcCycles()
	var keep [][]byte // live, as a build's site is
	for range 128 << 20 / (64 << 10) {
		keep = append(keep, make([]byte, 64<<10))
	}
	if n := gcCycles() - before; n != 0 {
		t.Errorf("%d collections while 128 MB were allocated under a floor of 256 MB", n)
	}
	runtime.KeepAlive(keep)
	runtime.GC()
	for deadline := time.Now().Add(5 * time.Second); gcPercentNow() != 100; {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC %d after the next collection, want 100 back", gcPercentNow())
		}
		time.Sleep(time.Millisecond)
	}
}

// With the collector off, or a floor the heap's goal reaches anyway,
// collectAfter leaves GOGC alone.
func TestCollectAfterLeavesGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	collectAfter(256 << 20)
	if pct := gcPercentNow(); pct != -1 {
		t.Errorf("GOGC %d after collectAfter with the collector off, want -1 (off)", pct)
	}
	debug.SetGCPercent(100)
	runtime.GC()
	collectAfter(1 << 10)
	if pct := gcPercentNow(); pct != 100 {
		t.Errorf("GOGC %d after collectAfter with a floor under the live heap, want 100", pct)
	}
}

// A GOGC set after collectAfter is left as it is by the cleanup.
func TestCollectAfterKeepsALaterGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()
	collectAfter(256 << 20)
	debug.SetGCPercent(50)
	runtime.GC()
	time.Sleep(50 * time.Millisecond) // the cleanup's goroutine
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	if pct := gcPercentNow(); pct != 50 {
		t.Errorf("GOGC %d after the cycle, want 50, set after collectAfter", pct)
	}
}
