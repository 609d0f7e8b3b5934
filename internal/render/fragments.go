package render

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"html/template"
	"io"
	"slices"
	"sort"
	"strings"
)

// The fragments drawn from articles (see IdentifyArticles) can be saved
// and read back by another process: a build that adds one article to a
// large archive draws every home page again, and with the saved list
// entries it draws them without executing a single entry's template.
//
// The encoding: the line "sitegen fragments 1\n"; the caller's stamp; then
// groups of fragments, each the page template's name, the fragment
// template's name and the number of fragments, followed by each
// fragment's ArticleID and bytes; a zero-length template name ends the
// groups; last, the CRC-32 (Castagnoli) of everything before it, 4 bytes
// big-endian. Strings and byte strings are a uvarint length and the bytes.
const fragmentsMagic = "sitegen fragments 1\n"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrFragmentsStamp is returned by ReadFragments for data saved under
// another stamp: by another program, or with other templates.
var ErrFragmentsStamp = errors.New("saved fragments: made with other templates")

// ArticleFragments reports how many fragments drawn from articles named by
// IdentifyArticles the renderer holds, and how many of them it drew
// rather than read with ReadFragments.
func (r *Renderer) ArticleFragments() (held, drawn int) {
	c := &r.fragments
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.articles), c.drawnByID
}

// WriteFragments writes every fragment drawn from an article named by
// IdentifyArticles, with stamp, which ReadFragments must be given to read
// them back. The stamp must name everything besides the article that the
// fragments depend on: the program and its default templates, the site's
// templates, configuration, language and assets. Groups are written in
// the order of their names, the fragments of a group in the order of
// their IDs.
func (r *Renderer) WriteFragments(w io.Writer, stamp []byte) error {
	names := make(map[*template.Template]string, len(r.sets))
	for n, t := range r.sets {
		names[t] = n
	}
	type group struct {
		set  *template.Template
		name string
	}
	c := &r.fragments
	c.mu.RLock()
	defer c.mu.RUnlock()
	// Groups are few (a list entry, a related story): the map is walked
	// once to count each, then once per group for its IDs (1.6 MB at
	// 50,000 articles), which are sorted, so that the same fragments make
	// the same bytes.
	counts := map[group]int{}
	for k := range c.articles {
		counts[group{k.set, k.name}]++
	}
	order := make([]group, 0, len(counts))
	for g := range counts {
		order = append(order, g)
	}
	sort.Slice(order, func(i, j int) bool {
		if a, b := names[order[i].set], names[order[j].set]; a != b {
			return a < b
		}
		return order[i].name < order[j].name
	})
	crc := crc32.New(castagnoli)
	out := io.MultiWriter(w, crc)
	var buf []byte
	flush := func(force bool) error {
		if len(buf) < 64<<10 && !force {
			return nil
		}
		_, err := out.Write(buf)
		buf = buf[:0]
		return err
	}
	buf = append(buf, fragmentsMagic...)
	buf = appendString(buf, string(stamp))
	for _, g := range order {
		buf = appendString(buf, names[g.set])
		buf = appendString(buf, g.name)
		buf = binary.AppendUvarint(buf, uint64(counts[g]))
		ids := make([]ArticleID, 0, counts[g])
		for k := range c.articles {
			if k.set == g.set && k.name == g.name {
				ids = append(ids, k.id)
			}
		}
		slices.SortFunc(ids, func(a, b ArticleID) int { return bytes.Compare(a[:], b[:]) })
		for _, id := range ids {
			buf = append(buf, id[:]...)
			buf = appendString(buf, string(c.articles[articleFragment{g.set, g.name, id}]))
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	buf = appendString(buf, "")
	if err := flush(true); err != nil {
		return err
	}
	_, err := w.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32()))
	return err
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// uvarint decodes the uvarint s starts with, as binary.Uvarint does.
func uvarint(s string) (uint64, int) {
	return binary.Uvarint([]byte(s[:min(len(s), binary.MaxVarintLen64)]))
}

// cutString returns the string s starts with (as appendString writes it)
// and what follows it; ok is false when s does not start with a whole one.
func cutString(s string) (v, rest string, ok bool) {
	n, w := uvarint(s)
	if w <= 0 || n > uint64(len(s)-w) {
		return "", s, false
	}
	return s[w : w+int(n)], s[w+int(n):], true
}

// checksum is the CRC-32 (Castagnoli) of s, through a small buffer rather
// than a copy of s as a byte slice.
func checksum(s string) uint32 {
	var buf [32 << 10]byte
	crc := uint32(0)
	for len(s) > 0 {
		n := copy(buf[:], s)
		crc = crc32.Update(crc, castagnoli, buf[:n])
		s = s[n:]
	}
	return crc
}

// ReadFragments adds the fragments that data, as WriteFragments wrote it
// with the same stamp, holds for this renderer's page templates, to be
// used as if drawn here, and returns how many it added. Data saved under
// another stamp gives ErrFragmentsStamp, and damaged data an error; either
// adds nothing. Fragments of a page template this renderer does not have
// are skipped, and those it holds already kept as they are. The fragments
// are slices of data, which is a string so that a file read into one (see
// strings.Builder) is held once, not copied.
func (r *Renderer) ReadFragments(data string, stamp []byte) (int, error) {
	if len(data) < len(fragmentsMagic)+4 || !strings.HasPrefix(data, fragmentsMagic) {
		return 0, errors.New("saved fragments: not a fragments file")
	}
	body := data[:len(data)-4]
	// The stamp first: a file saved by another program or theme is not
	// worth a checksum.
	all := body[len(fragmentsMagic):]
	if got, _, ok := cutString(all); ok && got != string(stamp) {
		return 0, ErrFragmentsStamp
	}
	if checksum(body) != binary.BigEndian.Uint32([]byte(data[len(data)-4:])) {
		return 0, errors.New("saved fragments: damaged (checksum)")
	}
	// The data is walked twice: once to check it holds together, then to
	// add its fragments, so that damaged data adds none without a second
	// map of them all.
	c := &r.fragments
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := r.walkFragments(all, stamp, nil); err != nil {
		return 0, err
	}
	if c.articles == nil {
		c.articles = map[articleFragment]template.HTML{}
	}
	return r.walkFragments(all, stamp, func(k articleFragment, h template.HTML) bool {
		if _, ok := c.articles[k]; ok {
			return false
		}
		c.articles[k] = h
		return true
	})
}

// walkFragments reads s, saved fragments after the magic line and before
// the checksum, and calls add, when not nil, with each fragment of a page
// template r has. It returns how many fragments add took.
func (r *Renderer) walkFragments(s string, stamp []byte, add func(articleFragment, template.HTML) bool) (int, error) {
	next := func() (v string, ok bool) {
		v, s, ok = cutString(s)
		return v, ok
	}
	damaged := errors.New("saved fragments: damaged")
	got, ok := next()
	if !ok {
		return 0, damaged
	}
	if got != string(stamp) {
		return 0, ErrFragmentsStamp
	}
	added := 0
	for {
		set, ok := next()
		if !ok {
			return 0, damaged
		}
		if set == "" {
			break
		}
		name, ok := next()
		if !ok {
			return 0, damaged
		}
		n, w := uvarint(s)
		if w <= 0 || n > uint64(len(s)) {
			return 0, damaged
		}
		s = s[w:]
		t := r.sets[set]
		for range n {
			if len(s) < len(ArticleID{}) {
				return 0, damaged
			}
			var id ArticleID
			copy(id[:], s)
			s = s[len(id):]
			h, ok := next()
			if !ok {
				return 0, damaged
			}
			if t != nil && add != nil && add(articleFragment{t, name, id}, template.HTML(h)) {
				added++
			}
		}
	}
	if len(s) != 0 {
		return 0, fmt.Errorf("saved fragments: damaged (%d bytes after the end)", len(s))
	}
	return added, nil
}
