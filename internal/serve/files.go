package serve

import "maps"

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

// A fileChange is a file's new bytes, or its removal.
type fileChange struct {
	data    []byte
	removed bool
}

func newFileSet(files map[string][]byte) *fileSet {
	return &fileSet{base: files, n: len(files)}
}

// get returns the bytes of the file rel and whether the set holds it.
func (s *fileSet) get(rel string) ([]byte, bool) {
	if c, ok := s.changed[rel]; ok {
		return c.data, !c.removed
	}
	data, ok := s.base[rel]
	return data, ok
}

// len returns the number of files.
func (s *fileSet) len() int { return s.n }

// with returns the set with the given files changed; s stays as it is.
func (s *fileSet) with(changes map[string]fileChange) *fileSet {
	next := &fileSet{base: s.base, changed: make(map[string]fileChange, len(s.changed)+len(changes)), n: s.n}
	maps.Copy(next.changed, s.changed)
	for rel, c := range changes {
		_, had := s.get(rel)
		switch {
		case had && c.removed:
			next.n--
		case !had && !c.removed:
			next.n++
		}
		next.changed[rel] = c
	}
	if len(next.changed) > len(next.base)/8+64 {
		next.base, next.changed = next.all(), nil
	}
	return next
}

// all returns the files in a new map.
func (s *fileSet) all() map[string][]byte {
	m := maps.Clone(s.base)
	for rel, c := range s.changed {
		if c.removed {
			delete(m, rel)
		} else {
			m[rel] = c.data
		}
	}
	return m
}
