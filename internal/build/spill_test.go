package build

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestBodySpill puts bodies from several goroutines, enough to fill the
// buffer several times, and reads each back before and after the last
// flush: every body comes back as it was put, whether it is still in the
// buffer or already in the file.
func TestBodySpill(t *testing.T) {
	s, err := newBodySpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	const n = 2000
	bodies := make([]string, n)
	at := make([]spilled, n)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("<p>body %d</p>", i) + strings.Repeat("x", (i*7919)%(spillChunk/200))
	}
	bodies[n/2] = strings.Repeat("big", spillChunk) // larger than a chunk
	bodies[n/3] = ""
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				var err error
				if at[i], err = s.put(bodies[i]); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	check := func(when string) {
		for i, want := range bodies {
			got, err := s.get(at[i])
			if err != nil || got != want {
				t.Fatalf("%s: body %d: got %d bytes (%v), want %d", when, i, len(got), err, len(want))
			}
		}
	}
	check("before flush")
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	check("after flush")
}
