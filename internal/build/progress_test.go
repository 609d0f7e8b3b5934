package build

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// A check counts in its progress every article file it reads.
func TestCheckCountsArticlesRead(t *testing.T) {
	root := agedSite(t, 7)
	prog := startProgress(nil, time.Now())
	if _, err := check(context.Background(), Options{Source: root}, prog); err != nil {
		t.Fatal(err)
	}
	if got := prog.read.Load(); got != 7 {
		t.Errorf("the check counted %d articles read; want 7", got)
	}
}

// The progress line says what was read and written and the rate, redrawn
// in place, and stop erases it so that the summary takes its place.
func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, start: time.Now().Add(-2 * time.Second), done: make(chan struct{})}
	p.read.Store(12)
	p.written.Store(5)
	p.total.Store(30)
	p.draw()
	if want := "\r\x1b[K12 articles read, 5/30 files written, 8/s · 2s"; buf.String() != want {
		t.Errorf("progress line %q; want %q", buf.String(), want)
	}
	buf.Reset()
	p.stop()
	if buf.String() != "\r\x1b[K" {
		t.Errorf("stop wrote %q; want the line erased", buf.String())
	}
}

// Work shorter than progressDelay shows no progress line at all.
func TestProgressQuietWhenShort(t *testing.T) {
	var buf bytes.Buffer
	p := startProgress(&buf, time.Now())
	p.read.Add(3)
	p.stop()
	if buf.Len() != 0 {
		t.Errorf("a progress stopped at once wrote %q; want nothing", buf.String())
	}
}
