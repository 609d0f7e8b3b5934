package build

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/search"
	"github.com/sitegen/sitegen/internal/topics"
)

// The build cache's records are written in a plain binary form of their
// own (numbers as varints, strings and byte slices after their length)
// rather than through encoding/gob, which spent about a second of a
// one-article edit at 50,000 articles decoding and encoding them by
// reflection. Reading never trusts the file: every length is checked
// against what is left, and a damaged file is an error, never a panic.

// A cacheWriter writes records to w, counting the bytes written.
type cacheWriter struct {
	w   *bufio.Writer
	n   int64
	err error
	buf []byte
}

// write writes b to w, counting it.
func (cw *cacheWriter) write(b []byte) {
	if cw.err == nil && len(b) > 0 {
		var n int
		n, cw.err = cw.w.Write(b)
		cw.n += int64(n)
	}
}

func (cw *cacheWriter) flush() {
	cw.write(cw.buf)
	cw.buf = cw.buf[:0]
}

// raw writes b as it is, past the scratch buffer: a record of megabytes
// (the folder trees') grew the buffer to its size.
func (cw *cacheWriter) raw(b []byte) {
	cw.flush()
	cw.write(b)
}

// grow flushes the scratch buffer once it holds a few kilobytes.
func (cw *cacheWriter) grow() {
	if len(cw.buf) >= 32<<10 {
		cw.flush()
	}
}

func (cw *cacheWriter) uvarint(v uint64) { cw.buf = binary.AppendUvarint(cw.buf, v); cw.grow() }
func (cw *cacheWriter) varint(v int64)   { cw.buf = binary.AppendVarint(cw.buf, v); cw.grow() }
func (cw *cacheWriter) int(v int)        { cw.varint(int64(v)) }
func (cw *cacheWriter) bool(v bool)      { cw.uvarint(uint64(boolInt(v))) }

func (cw *cacheWriter) str(s string) {
	cw.uvarint(uint64(len(s)))
	cw.buf = append(cw.buf, s...)
	cw.grow()
}

func (cw *cacheWriter) bytes(b []byte) {
	cw.uvarint(uint64(len(b)))
	cw.buf = append(cw.buf, b...)
	cw.grow()
}

func (cw *cacheWriter) hash(h [16]byte) { cw.buf = append(cw.buf, h[:]...); cw.grow() }

// u64 writes v in 8 bytes: a hash or a float's bits, which a varint would
// make longer.
func (cw *cacheWriter) u64(v uint64) { cw.buf = binary.LittleEndian.AppendUint64(cw.buf, v); cw.grow() }

func (cw *cacheWriter) strs(ss []string) {
	cw.uvarint(uint64(len(ss)))
	for _, s := range ss {
		cw.str(s)
	}
}

func (cw *cacheWriter) time(t time.Time) {
	b, err := t.MarshalBinary()
	if err != nil {
		// Times the parser makes always marshal; one that does not is
		// written as the zero time, and the cache misses nothing but speed:
		// cacheArticle checks what it encodes.
		b, _ = time.Time{}.MarshalBinary()
	}
	cw.bytes(b)
}

func (cw *cacheWriter) stamp(s stamp) {
	cw.varint(s.Size)
	cw.varint(s.Mtime)
	cw.varint(s.Ctime)
	cw.uvarint(s.Ino)
	cw.uvarint(s.Dev)
}

func (cw *cacheWriter) problem(p *content.Problem) {
	cw.bool(p != nil)
	if p != nil {
		cw.str(p.Path)
		cw.int(p.Line)
		cw.str(p.Msg)
		cw.str(p.Fix)
	}
}

// article writes a as the build cache keeps it: parsed, without its body
// and its Read more links (archived keeps those as source paths), with
// the slug as parsed (the site may rename it) and, when parsed is not
// nil, the fields package archive changes in place as parsed.
func (cw *cacheWriter) article(a *content.Article, slug string, parsed *parsedFields) {
	tags, aliases, findings := a.Tags, a.Aliases, a.Findings
	if parsed != nil {
		tags, aliases, findings = parsed.tags, parsed.aliases, parsed.findings
	}
	cw.str(a.Title)
	cw.time(a.Date)
	cw.time(a.Updated)
	cw.str(slug)
	cw.tags(tags)
	cw.str(a.Section)
	cw.strs(a.Authors)
	cw.strs(a.Agencies)
	cw.str(a.Initials)
	cw.str(a.Editor)
	cw.strs(a.Contributors)
	cw.str(a.Translation)
	cw.str(a.Image)
	cw.str(a.Summary)
	cw.uvarint(uint64(len(a.Links)))
	for _, l := range a.Links {
		cw.str(l.Text)
		cw.str(l.URL)
	}
	cw.bool(a.Draft)
	cw.strs(aliases)
	cw.strs(a.ReadMore)
	cw.uvarint(uint64(len(a.Topics)))
	for _, c := range a.Topics {
		cw.str(c.Name)
		cw.int(c.Count)
	}
	cw.uvarint(a.Fingerprint)
	cw.findings(findings)
	cw.str(a.Source)
	cw.uvarint(a.Hash)
}

func (cw *cacheWriter) tags(ts []content.Tag) {
	cw.uvarint(uint64(len(ts)))
	for _, t := range ts {
		cw.str(t.Name)
		cw.str(t.Slug)
	}
}

func (cw *cacheWriter) findings(fs []content.Finding) {
	cw.uvarint(uint64(len(fs)))
	for _, f := range fs {
		cw.str(f.Path)
		cw.int(f.Line)
		cw.str(f.Kind)
		cw.str(f.Text)
	}
}

func (cw *cacheWriter) archived(ar *archived) {
	cw.bool(ar != nil)
	if ar == nil {
		return
	}
	cw.bool(ar.Left)
	cw.bool(ar.NewTags)
	cw.tags(ar.Tags)
	cw.strs(ar.Aliases)
	cw.findings(ar.Findings)
	cw.strs(ar.SeeAlso)
}

func (cw *cacheWriter) contentRecord(rec *contentRecord) {
	if rec == nil {
		rec = &contentRecord{}
	}
	cw.uvarint(uint64(len(rec.Dirs)))
	for _, d := range rec.Dirs {
		cw.str(d.Path)
		cw.stamp(d.Stamp)
	}
	cw.uvarint(uint64(len(rec.Probs)))
	for _, p := range rec.Probs {
		cw.problem(p)
	}
}

func (cw *cacheWriter) output(o *cachedOutput) {
	cw.str(o.Path)
	cw.hash(o.Key)
	cw.hash(o.Sum)
	cw.stamp(o.Stamp)
	cw.bool(o.Extra)
}

func (cw *cacheWriter) entry(e *search.Entry) {
	cw.hash(e.Key)
	cw.bytes(e.Terms)
	cw.uvarint(uint64(math.Float32bits(e.Length)))
	cw.u64(e.Sum)
}

func (cw *cacheWriter) shard(sh *search.Shard) {
	cw.str(sh.First)
	cw.int(sh.Size)
	cw.u64(sh.Sum)
	cw.u64(math.Float64bits(sh.MinAvg))
	cw.u64(math.Float64bits(sh.MaxAvg))
}

// A cacheReader reads records from a string: the strings it returns are
// parts of it, so that reading tens of thousands of articles makes no
// string of its own. The first error sticks; after it every read returns
// a zero value.
type cacheReader struct {
	data string
	err  error
}

func newCacheReader(data string) *cacheReader {
	return &cacheReader{data: data}
}

func (r *cacheReader) fail(msg string) {
	if r.err == nil {
		r.err = errors.New(msg)
	}
}

func (r *cacheReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < len(r.data) && i < binary.MaxVarintLen64; i++ {
		c := r.data[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break
			}
			r.data = r.data[i+1:]
			return v | uint64(c)<<(7*i)
		}
		v |= uint64(c&0x7f) << (7 * i)
	}
	r.fail("bad number")
	return 0
}

func (r *cacheReader) varint() int64 {
	u := r.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (r *cacheReader) int() int {
	v := r.varint()
	if v != int64(int(v)) {
		r.fail("number out of range")
		return 0
	}
	return int(v)
}

func (r *cacheReader) bool() bool {
	switch r.uvarint() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("bad flag")
	return false
}

// count reads a number of things, each at least one byte long: no more
// than the bytes left.
func (r *cacheReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.data)) {
		r.fail("count past the end")
		return 0
	}
	return int(n)
}

func (r *cacheReader) str() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	s := r.data[:n]
	r.data = r.data[n:]
	return s
}

func (r *cacheReader) hash() (h [16]byte) {
	if r.err != nil {
		return h
	}
	if len(r.data) < len(h) {
		r.fail("hash past the end")
		return h
	}
	copy(h[:], r.data)
	r.data = r.data[len(h):]
	return h
}

func (r *cacheReader) u64() uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.data) < 8 {
		r.fail("a number past the end")
		return 0
	}
	v := binary.LittleEndian.Uint64([]byte(r.data[:8]))
	r.data = r.data[8:]
	return v
}

func (r *cacheReader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *cacheReader) time() time.Time {
	var t time.Time
	if b := r.str(); r.err == nil {
		if err := t.UnmarshalBinary([]byte(b)); err != nil {
			r.fail("bad time")
		}
	}
	return t
}

func (r *cacheReader) stamp() stamp {
	return stamp{Size: r.varint(), Mtime: r.varint(), Ctime: r.varint(), Ino: r.uvarint(), Dev: r.uvarint()}
}

func (r *cacheReader) problem() *content.Problem {
	if !r.bool() {
		return nil
	}
	return &content.Problem{Path: r.str(), Line: r.int(), Msg: r.str(), Fix: r.str()}
}

func (r *cacheReader) article(a *content.Article) {
	a.Title = r.str()
	a.Date = r.time()
	a.Updated = r.time()
	a.Slug = r.str()
	a.Tags = r.tags()
	a.Section = r.str()
	a.Authors = r.strs()
	a.Agencies = r.strs()
	a.Initials = r.str()
	a.Editor = r.str()
	a.Contributors = r.strs()
	a.Translation = r.str()
	a.Image = r.str()
	a.Summary = r.str()
	if n := r.count(); n > 0 {
		a.Links = make([]content.Link, n)
		for i := range a.Links {
			a.Links[i] = content.Link{Text: r.str(), URL: r.str()}
		}
	}
	a.Draft = r.bool()
	a.Aliases = r.strs()
	a.ReadMore = r.strs()
	if n := r.count(); n > 0 {
		a.Topics = make([]topics.Candidate, n)
		for i := range a.Topics {
			a.Topics[i] = topics.Candidate{Name: r.str(), Count: r.int()}
		}
	}
	a.Fingerprint = r.uvarint()
	a.Findings = r.findings()
	a.Source = r.str()
	a.Hash = r.uvarint()
}

func (r *cacheReader) tags() []content.Tag {
	n := r.count()
	if n == 0 {
		return nil
	}
	ts := make([]content.Tag, n)
	for i := range ts {
		ts[i] = content.Tag{Name: r.str(), Slug: r.str()}
	}
	return ts
}

func (r *cacheReader) findings() []content.Finding {
	n := r.count()
	if n == 0 {
		return nil
	}
	fs := make([]content.Finding, n)
	for i := range fs {
		fs[i] = content.Finding{Path: r.str(), Line: r.int(), Kind: r.str(), Text: r.str()}
	}
	return fs
}

func (r *cacheReader) archived() *archived {
	if !r.bool() {
		return nil
	}
	return &archived{Left: r.bool(), NewTags: r.bool(), Tags: r.tags(), Aliases: r.strs(),
		Findings: r.findings(), SeeAlso: r.strs()}
}

// contentRecord reads a record written by cacheWriter.contentRecord; one
// of no folders is nil.
func (r *cacheReader) contentRecord() *contentRecord {
	rec := &contentRecord{Dirs: make([]cachedDir, r.count())}
	for i := range rec.Dirs {
		rec.Dirs[i] = cachedDir{r.str(), r.stamp()}
	}
	if n := r.count(); n > 0 {
		rec.Probs = make(content.Problems, n)
		for i := range rec.Probs {
			if rec.Probs[i] = r.problem(); rec.Probs[i] == nil {
				r.fail("a walk problem missing")
			}
		}
	}
	if r.err != nil || len(rec.Dirs) == 0 {
		return nil
	}
	return rec
}

func (r *cacheReader) output() cachedOutput {
	return cachedOutput{Path: r.str(), Key: r.hash(), Sum: r.hash(), Stamp: r.stamp(), Extra: r.bool()}
}

func (r *cacheReader) shard() search.Shard {
	return search.Shard{First: r.str(), Size: r.int(), Sum: r.u64(),
		MinAvg: math.Float64frombits(r.u64()), MaxAvg: math.Float64frombits(r.u64())}
}

// readEntries reads n search analyses written by cacheWriter.entry.
// Their terms are parts of data, which is never written to.
func readEntries(data []byte, n int) ([]search.Entry, error) {
	if n > len(data) {
		return nil, errors.New("more search analyses than bytes")
	}
	out := make([]search.Entry, n)
	uvarint := func() (uint64, bool) {
		v, k := binary.Uvarint(data)
		if k <= 0 {
			return 0, false
		}
		data = data[k:]
		return v, true
	}
	for i := range out {
		if len(data) < 16 {
			return nil, errors.New("a search analysis past the end")
		}
		e := &out[i]
		copy(e.Key[:], data)
		data = data[16:]
		l, ok := uvarint()
		if !ok || l > uint64(len(data)) {
			return nil, errors.New("a search analysis past the end")
		}
		e.Terms, data = data[:l:l], data[l:]
		bits, ok := uvarint()
		if !ok || bits > math.MaxUint32 {
			return nil, errors.New("a bad search analysis length")
		}
		e.Length = math.Float32frombits(uint32(bits))
		if len(data) < 8 {
			return nil, errors.New("a search analysis past the end")
		}
		e.Sum, data = binary.LittleEndian.Uint64(data), data[8:]
	}
	if len(data) != 0 {
		return nil, errors.New("bytes left over after the search analyses")
	}
	return out, nil
}

// end fails unless every byte was read.
func (r *cacheReader) end() error {
	if r.err == nil && len(r.data) != 0 {
		r.fail("bytes left over")
	}
	return r.err
}

// readSectionString is readSection into a string, with no second copy.
func readSectionString(f io.ReaderAt, off, n int64) (string, error) {
	if n < 0 || n > 1<<40 {
		return "", fmt.Errorf("a section of %d bytes", n)
	}
	var sb strings.Builder
	sb.Grow(int(n))
	if _, err := io.Copy(&sb, io.NewSectionReader(f, off, n)); err != nil {
		return "", err
	}
	if int64(sb.Len()) != n {
		return "", io.ErrUnexpectedEOF
	}
	return sb.String(), nil
}

// readSection reads n bytes at off of f.
func readSection(f io.ReaderAt, off, n int64) ([]byte, error) {
	if n < 0 || n > 1<<40 {
		return nil, fmt.Errorf("a section of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		return nil, err
	}
	return b, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
