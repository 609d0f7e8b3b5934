package serve

import (
	"maps"
	"sync"
	"sync/atomic"
)

// A fileSet is the files of one snapshot, by site-relative path. A rebuild
// after an edit changes a few pages of tens of thousands, so a snapshot
// shares its files with the one before instead of copying them: base,
// which is never changed once made, and the files changed since. When the
// changes grow to an eighth of base they are folded into a new base, so a
// lookup is at most two map reads and a rebuild copies O(changes) entries.
type fileSet struct {
	base    map[string][]byte
	changed map[string]fileChange
	n       int // files in the set
}

// A fileChange is a file's new bytes, its removal, or a page drawn when
// first needed.
type fileChange struct {
	data    []byte
	removed bool
	page    *deferredPage // when not nil, the file's bytes are the page's
}

// A deferredPage is a page of a snapshot drawn on first request, or by
// the drawing that goes on in the background after the snapshot is
// served; it is safe for concurrent use.
type deferredPage struct {
	once  sync.Once
	draw  func() ([]byte, error)
	drawn atomic.Bool // data and err are set
	data  []byte
	err   error
}

// get draws the page if no one has yet and returns its bytes.
func (p *deferredPage) get() ([]byte, error) {
	p.once.Do(func() {
		p.data, p.err = p.draw()
		p.drawn.Store(true)
	})
	return p.data, p.err
}

// bytes returns the change's bytes, drawing a deferred page.
func (c fileChange) bytes() ([]byte, error) {
	if c.page != nil {
		return c.page.get()
	}
	return c.data, nil
}

func newFileSet(files map[string][]byte) *fileSet {
	return &fileSet{base: files, n: len(files)}
}

// get returns the bytes of the file rel and whether the set holds it; err
// is why a deferred page could not be drawn.
func (s *fileSet) get(rel string) (data []byte, ok bool, err error) {
	if c, ok := s.changed[rel]; ok {
		if c.removed {
			return nil, false, nil
		}
		data, err := c.bytes()
		return data, true, err
	}
	data, ok = s.base[rel]
	return data, ok, nil
}

// has reports whether the set holds the file rel, without drawing it.
func (s *fileSet) has(rel string) bool {
	if c, ok := s.changed[rel]; ok {
		return !c.removed
	}
	_, ok := s.base[rel]
	return ok
}

// len returns the number of files.
func (s *fileSet) len() int { return s.n }

// with returns the set with the given files changed; s stays as it is.
func (s *fileSet) with(changes map[string]fileChange) *fileSet {
	next := &fileSet{base: s.base, changed: make(map[string]fileChange, len(s.changed)+len(changes)), n: s.n}
	maps.Copy(next.changed, s.changed)
	for rel, c := range changes {
		had := s.has(rel)
		switch {
		case had && c.removed:
			next.n--
		case !had && !c.removed:
			next.n++
		}
		next.changed[rel] = c
	}
	if len(next.changed) > len(next.base)/8+64 {
		next.fold()
	}
	return next
}

// fold moves the changes into a new base, but for pages not drawn yet or
// whose drawing failed, which stay changes.
func (s *fileSet) fold() {
	base := maps.Clone(s.base)
	var kept map[string]fileChange
	for rel, c := range s.changed {
		switch {
		case c.page != nil && (!c.page.drawn.Load() || c.page.err != nil):
			if kept == nil {
				kept = map[string]fileChange{}
			}
			kept[rel] = c
		case c.removed:
			delete(base, rel)
		default:
			base[rel], _ = c.bytes()
		}
	}
	s.base, s.changed = base, kept
}

// all returns the files in a new map, drawing every deferred page; one
// whose drawing failed is left out.
func (s *fileSet) all() map[string][]byte {
	m := maps.Clone(s.base)
	for rel, c := range s.changed {
		if c.removed {
			delete(m, rel)
			continue
		}
		if data, err := c.bytes(); err == nil {
			m[rel] = data
		} else {
			delete(m, rel)
		}
	}
	return m
}
