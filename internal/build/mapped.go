package build

import (
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/sitegen/sitegen/internal/content"
)

// A build reads its two largest files, the build cache and the saved
// fragments (85 and 42 MB at 50,000 articles), through memory maps where
// the system has them (mapFile): the records read from them are strings
// into the file's bytes, which the kernel hands over from its page cache,
// where the build that wrote them left them. Read into the heap instead,
// every byte was copied into memory touched for the first time, and the
// collector's goal grew by as much. Both files are only ever replaced
// whole (written beside and renamed), never changed in place, so a
// mapping never sees its file change.

// filesMapped counts the files builds mapped, and mapsHeld those not
// unmapped since, for tests.
var filesMapped, mapsHeld atomic.Int64

// fileMaps holds the files a build mapped, to unmap them when the build
// is done with everything read from them.
type fileMaps struct {
	mu      sync.Mutex
	maps    [][]byte
	readers sync.WaitGroup // goroutines that read them and that the build may not wait for
}

// Go runs f on a goroutine of its own, which release waits for: for work
// that reads the mapped files and that a build that stops early leaves
// running. A nil fm just runs it.
func (fm *fileMaps) Go(f func()) {
	if fm == nil {
		go f()
		return
	}
	fm.readers.Go(f)
}

// mapString maps the open file f of size bytes and returns its bytes as a
// string, or ok false when it could not (empty, or no maps here): the
// caller then reads f. A nil fm maps nothing.
func (fm *fileMaps) mapString(f *os.File, size int64) (data string, ok bool) {
	if fm == nil || size <= 0 || int64(int(size)) != size {
		return "", false
	}
	b, err := mapFile(f, int(size))
	if err != nil {
		return "", false
	}
	fm.mu.Lock()
	fm.maps = append(fm.maps, b)
	fm.mu.Unlock()
	filesMapped.Add(1)
	mapsHeld.Add(1)
	return unsafe.String(unsafe.SliceData(b), len(b)), true
}

// release unmaps the files once the goroutines of Go are done. Nothing
// read from them may be used after.
func (fm *fileMaps) release() {
	fm.readers.Wait()
	fm.mu.Lock()
	defer fm.mu.Unlock()
	for _, b := range fm.maps {
		unmapFile(b)
		mapsHeld.Add(-1)
	}
	fm.maps = nil
}

// detach makes the report hold copies of its strings, which may point
// into a mapped file.
func (r *Report) detach() {
	for i, p := range r.Problems {
		r.Problems[i] = &content.Problem{Path: strings.Clone(p.Path), Line: p.Line, Msg: strings.Clone(p.Msg), Fix: strings.Clone(p.Fix)}
	}
	for i, n := range r.Notes {
		r.Notes[i] = strings.Clone(n)
	}
	for i, f := range r.Findings {
		r.Findings[i] = content.Finding{Path: strings.Clone(f.Path), Line: f.Line, Kind: strings.Clone(f.Kind), Text: strings.Clone(f.Text)}
	}
	if r.Boilerplate != nil {
		b := make(map[string]int, len(r.Boilerplate))
		for k, v := range r.Boilerplate {
			b[strings.Clone(k)] = v
		}
		r.Boilerplate = b
	}
}
