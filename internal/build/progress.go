package build

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progressDelay is how long a build or check runs before it shows a
// progress line: short ones stay quiet.
const progressDelay = time.Second

// A progress counts a build's or check's work and, when given a writer (a
// terminal), redraws one line on it four times a second once the work has
// run for progressDelay: articles read, pages written (a build's) and the
// rate.
type progress struct {
	read    atomic.Int64 // content files read
	written atomic.Int64 // output files written
	total   atomic.Int64 // output files to consider, once known

	w     io.Writer
	start time.Time
	done  chan struct{}
	wg    sync.WaitGroup
	drawn bool
}

func startProgress(w io.Writer, start time.Time) *progress {
	p := &progress{w: w, start: start, done: make(chan struct{})}
	if w == nil {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		wait := time.NewTimer(progressDelay - time.Since(start))
		defer wait.Stop()
		select {
		case <-wait.C:
		case <-p.done:
			return
		}
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			p.draw()
			select {
			case <-tick.C:
			case <-p.done:
				return
			}
		}
	}()
	return p
}

func (p *progress) draw() {
	el := time.Since(p.start)
	read, written, total := p.read.Load(), p.written.Load(), p.total.Load()
	line := fmt.Sprintf("%d articles read", read)
	if total > 0 {
		line += fmt.Sprintf(", %d/%d files written", written, total)
	}
	if s := el.Seconds(); s > 0 {
		line += fmt.Sprintf(", %.0f/s", float64(read+written)/s)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s · %v", line, el.Round(100*time.Millisecond))
	p.drawn = true
}

// stop ends the progress line, erasing it so the summary replaces it.
func (p *progress) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	close(p.done)
	p.wg.Wait()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
