package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/fnv"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// maxRenumberBytes bounds the previous index's term shards that
// writeRenumbered holds at once, all of them: a 50,000-article archive's
// are 22 MB.
const maxRenumberBytes = 64 << 20

// A move is one document that changed its place in date order and nothing
// else: the document numbered from in the previous index is numbered to in
// this one, and those between move up or down by one.
type move struct{ from, to uint32 }

// renumber returns a document's number after the move.
func (m move) renumber(doc uint32) uint32 {
	switch {
	case doc == m.from:
		return m.to
	case m.from < m.to && doc > m.from && doc <= m.to:
		return doc - 1
	case m.to < m.from && doc >= m.to && doc < m.from:
		return doc + 1
	}
	return doc
}

// findMove returns the move that turns the previous index's documents into
// this one's, when there is exactly one: every document's analysis the
// same, but one whose Key changed (its date and URL are part of it) with
// terms and length as they were, now at another place.
func (ix *indexer) findMove() (move, bool) {
	prev := ix.prev
	if len(prev.Entries) != ix.n || len(ix.dict.terms) != len(prev.Terms) {
		return move{}, false
	}
	used := make([]bool, ix.n)
	to := -1
	for i := range ix.entries {
		j, ok := ix.cached[ix.entries[i].Key]
		if !ok || ix.entries[i].Key == ([16]byte{}) {
			if to >= 0 {
				return move{}, false // two documents analyzed again
			}
			to = i
			continue
		}
		if used[j] {
			return move{}, false
		}
		used[j] = true
	}
	from := slices.Index(used, false)
	if to < 0 || from < 0 || from == to {
		return move{}, false
	}
	m := move{uint32(from), uint32(to)}
	for i := range ix.entries {
		if j, ok := ix.cached[ix.entries[i].Key]; ok && i != to && m.renumber(uint32(j)) != uint32(i) {
			return move{}, false
		}
	}
	was, is := &prev.Entries[from], &ix.entries[to]
	if !bytes.Equal(was.Terms, is.Terms) || was.Length != is.Length {
		return move{}, false
	}
	return m, true
}

// writeRenumbered makes the term shards when the documents are the
// previous index's with one moved in date order (findMove), as a date edit
// leaves them: every term, frequency and length is as it was, and so is
// every impact (the average document length permitting, which each
// previous shard's bounds check), but the numbers of the documents
// between the moved one's two places, whose terms are in most shards.
// Rather than inverting every entry and scoring every posting again, it
// takes each term's entry from the previous index's shard
// (Options.PrevShard), renumbers its documents and moves the moved one's
// impact along. A frequent term whose cut among its best impacts the move
// may change (the moved document's impact ties at the cut, where lower
// numbers win) is settled from the few documents the move passed over
// (see renumberTop). The shards are cut as writeShards cuts them, so
// every byte is the same; a shard with the previous one's bytes under its
// name is offered to Options.Keep.
//
// It reports false, having emitted nothing, when the index is not such a
// one or the previous shards are not all there as the cache describes
// them; writeShards then makes the shards the usual way.
func (ix *indexer) writeRenumbered(ctx context.Context, sw *shardWriter, avgLen float64) (bool, error) {
	prev := ix.prev
	if prev == nil || ix.opt.PrevShard == nil || len(prev.Shards) == 0 || prev.ShardBytes != ix.opt.ShardBytes || prev.TopK != ix.opt.TopK {
		return false, nil
	}
	m, ok := ix.findMove()
	if !ok {
		return false, nil
	}
	// The average document length, as writeShards computed it for the
	// previous index: the same lengths, summed in another order, give
	// the same sum (weighted lengths are multiples of a half), and then
	// every impact is computed from the same numbers. Were it to differ,
	// each shard's bounds say whether its impacts stay.
	prevAvg := 0.0
	for _, e := range prev.Entries {
		prevAvg += float64(e.Length)
	}
	prevAvg /= float64(max(1, len(prev.Entries)))
	total := 0
	for _, s := range prev.Shards {
		if avgLen != prevAvg && (avgLen < s.MinAvg || avgLen > s.MaxAvg) {
			return false, nil // some impact may round to another byte
		}
		total += s.Size
	}
	if total > maxRenumberBytes {
		return false, nil
	}
	// Each previous shard holds a run of the terms in order, from its
	// first one on.
	starts := make([]int, len(prev.Shards)+1) // in sw.order
	for k, s := range prev.Shards {
		p, found := slices.BinarySearchFunc(sw.order, s.First, func(id uint32, t string) int { return strings.Compare(ix.dict.terms[id], t) })
		if !found || s.Size == 0 || p != 0 && k == 0 || k > 0 && p <= starts[k-1] {
			return false, nil
		}
		starts[k] = p
	}
	starts[len(prev.Shards)] = len(sw.order)

	// The moved document's frequency of each of its terms.
	movedTF := map[uint32]uint32{}
	for id, tf2 := range pairs(ix.entries[m.to].Terms) {
		movedTF[id] = tf2
	}
	// The previous shards read, checked and renumbered on all cores, a
	// shard at a time.
	entries := make([][]byte, len(sw.order)) // by position
	from := make([]int32, len(sw.order))     // the previous shard each came from
	var next, ties atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(prev.Shards)) {
		wg.Go(func() {
			rd := entryReader{sc: sw.sc, entries: ix.entries}
			for !failed.Load() {
				k := int(next.Add(1) - 1)
				if k >= len(prev.Shards) {
					break
				}
				if !ix.renumberShard(&rd, sw, k, starts[k], starts[k+1], m, movedTF, entries, from) {
					failed.Store(true)
				}
			}
			ties.Add(int64(rd.ties))
		})
	}
	wg.Wait()
	if failed.Load() {
		return false, nil
	}
	ix.stats.RenumberedTies = int(ties.Load())

	// The shards, cut where writeShards cuts them. Each one's impacts
	// round as they do for as long as those of every shard its entries
	// came from do.
	oldShards := prev.Shards
	for p := 0; p < len(sw.order); {
		if err := ctx.Err(); err != nil {
			return true, err
		}
		first := p
		shard := sw.shardBuf[:0]
		lo, hi := 0.0, math.Inf(1)
		for {
			shard = append(shard, entries[p]...)
			s := &oldShards[from[p]]
			lo, hi = max(lo, s.MinAvg), min(hi, s.MaxAvg)
			p++
			if p == len(sw.order) || cutAfter(ix.dict.terms[sw.order[p-1]], len(entries[p-1]), len(shard), ix.opt.ShardBytes) {
				break
			}
		}
		sw.shardBuf = shard
		n := len(ix.shards)
		h := fnv.New64a()
		h.Write(shard)
		s := Shard{First: ix.dict.terms[sw.order[first]], Size: len(shard), Sum: h.Sum64(), MinAvg: lo, MaxAvg: hi}
		if err := sw.add(first, s); err != nil {
			return true, err
		}
		ix.stats.Renumbered++
		if n < len(oldShards) && s.Size == oldShards[n].Size && s.Sum == oldShards[n].Sum && s.First == oldShards[n].First && ix.opt.Keep != nil && ix.opt.Keep(shardFile(n)) {
			ix.stats.KeptShards++
			continue
		}
		if err := sw.emit(shardFile(n), shard); err != nil {
			return true, err
		}
	}
	return true, nil
}

// renumberShard reads the previous index's shard k, checks it against
// the cache's record of it, and puts its entries, renumbered after the
// move m, at positions lo to hi of sw.order in entries (from notes k for
// each). It reports false when the shard is not there as recorded or does
// not hold exactly those terms' entries.
func (ix *indexer) renumberShard(rd *entryReader, sw *shardWriter, k, lo, hi int, m move, movedTF map[uint32]uint32, entries [][]byte, from []int32) bool {
	s := ix.prev.Shards[k]
	data := ix.opt.PrevShard(shardFile(k))
	h := fnv.New64a()
	h.Write(data)
	if len(data) != s.Size || h.Sum64() != s.Sum {
		return false
	}
	for p := lo; p < hi; p++ {
		id := sw.order[p]
		e, rest, ok := rd.read(data, ix.n)
		if !ok || string(e.term) != ix.dict.terms[id] || e.df != int(sw.df[id]) {
			return false
		}
		data, from[p] = rest, int32(k)
		made, ok := rd.renumber(e, m, ix.n, id, movedTF[id])
		switch {
		case !ok:
			return false
		case made == nil:
			entries[p] = e.data
		default:
			entries[p] = made
		}
	}
	return len(data) == 0 // no more entries than terms
}

// A shardEntry is one term's entry in a shard, read back (see
// scorer.appendTerm).
type shardEntry struct {
	data  []byte // the whole entry
	term  []byte
	df    int
	flags byte
	body  []byte
}

// An entryReader reads and renumbers entries, with scratch of its own.
type entryReader struct {
	sc      *scorer
	entries []Entry // of the documents, by number
	ties    int     // moved documents tied at a frequent term's cut (Stats.RenumberedTies)

	docs, topDocs []uint32
	imps, topImps []byte
	out           []byte
}

// read reads the entry at the start of data, of an index of n documents,
// and returns the rest of data.
func (rd *entryReader) read(data []byte, n int) (e shardEntry, rest []byte, ok bool) {
	i := 0
	uv := func() (int, bool) {
		v, k := binary.Uvarint(data[i:])
		if k <= 0 || v > math.MaxInt32 {
			return 0, false
		}
		i += k
		return int(v), true
	}
	l, ok := uv()
	if !ok || l > len(data)-i {
		return e, nil, false
	}
	e.term = data[i : i+l]
	i += l
	if e.df, ok = uv(); !ok || e.df > n || i >= len(data) {
		return e, nil, false
	}
	e.flags = data[i]
	i++
	if l, ok = uv(); !ok || l > len(data)-i {
		return e, nil, false
	}
	e.body = data[i : i+l]
	e.data = data[:i+l]
	return e, data[i+l:], true
}

// renumber returns e's entry, of term id, after the move m, in an index of
// n documents: nil when no document of it changes its number. ok is false
// when e is not an entry appendTerm makes. tf2 is 2 × the moved document's
// weighted frequency of the term.
func (rd *entryReader) renumber(e shardEntry, m move, n int, id, tf2 uint32) (made []byte, ok bool) {
	if t, ok := touched(e, m, n); !ok || !t {
		return nil, ok
	}
	if bl := (n + 7) / 8; e.flags&flagBitmap != 0 && e.df > bl && e.flags&(flagNoImpacts|flagTopK) != 0 {
		// A bitmap it stays (every gap takes a byte at least: deltas
		// would take df bytes or more), and only the bits between the
		// move's ends change.
		if len(e.body) < bl {
			return nil, false
		}
		old := e.body[:bl]
		bm := make([]byte, bl)
		copy(bm, old)
		lo, hi := min(m.from, m.to), max(m.from, m.to)
		for d := lo; d <= hi; d++ {
			bm[d>>3] &^= 1 << (d & 7)
		}
		has := false
		for d := lo; d <= hi; d++ {
			if old[d>>3]&(1<<(d&7)) != 0 {
				has = has || d == m.from
				nd := m.renumber(d)
				bm[nd>>3] |= 1 << (nd & 7)
			}
		}
		var imps []byte
		if e.flags&flagTopK != 0 {
			var ok bool
			member := func(d uint32) bool { return bm[d>>3]&(1<<(d&7)) != 0 }
			if imps, ok = rd.renumberTop(e.body[bl:], m, has, rd.impactOf(id, tf2, e.df, m.to), member, rd.impact(id, e.df), n); !ok {
				return nil, false
			}
		} else if len(e.body) != bl {
			return nil, false
		}
		return appendEntry(e.term, e.df, e.flags, bm, imps), true
	}
	docs, body, ok := e.docSet(n, rd.docs[:0])
	rd.docs = docs
	if !ok {
		return nil, false
	}
	at := slices.Index(docs, m.from) // the moved document's place in docs; -1: not there
	var imps []byte
	top := false
	switch {
	case e.flags&flagNoImpacts != 0:
		if len(body) != 0 {
			return nil, false
		}
	case e.flags&flagTopK == 0:
		if len(body) != len(docs) {
			return nil, false
		}
		imps = append(rd.imps[:0], body...)
		rd.imps = imps
	default:
		top = true
	}
	// The documents, renumbered, the moved one (and its impact) put in
	// its new place: the others keep their order.
	for i := range docs {
		docs[i] = m.renumber(docs[i])
	}
	if at >= 0 {
		place(docs, imps, at)
	}
	var topBody []byte
	if top {
		member := func(d uint32) bool { _, ok := slices.BinarySearch(docs, d); return ok }
		if topBody, ok = rd.renumberTop(body, m, at >= 0, rd.impactOf(id, tf2, e.df, m.to), member, rd.impact(id, e.df), n); !ok {
			return nil, false
		}
	}
	// Encoded as appendTerm encodes them.
	flags := e.flags &^ flagBitmap
	deltas := appendDeltas(rd.out[:0], docs)
	set := deltas
	var bm []byte
	if bitmapLen := (n + 7) / 8; bitmapLen < len(deltas) {
		flags |= flagBitmap
		bm = make([]byte, bitmapLen)
		for _, d := range docs {
			bm[d>>3] |= 1 << (d & 7)
		}
		set = bm
	}
	rd.out = deltas
	if top {
		imps = topBody
	}
	return appendEntry(e.term, e.df, flags, set, imps), true
}

// appendEntry encodes an entry as appendTerm does, into a new slice.
func appendEntry(term []byte, df int, flags byte, set, imps []byte) []byte {
	out := make([]byte, 0, 2*binary.MaxVarintLen32+len(term)+1+len(set)+len(imps))
	out = binary.AppendUvarint(out, uint64(len(term)))
	out = append(out, term...)
	out = binary.AppendUvarint(out, uint64(df))
	out = append(out, flags)
	out = binary.AppendUvarint(out, uint64(len(set)+len(imps)))
	out = append(out, set...)
	return append(out, imps...)
}

// docSet appends e's documents, an entry of an index of n documents, to
// docs, and returns the rest of its body, the impacts.
func (e shardEntry) docSet(n int, docs []uint32) (_ []uint32, rest []byte, ok bool) {
	body := e.body
	if e.flags&flagBitmap != 0 {
		bl := (n + 7) / 8
		if len(body) < bl {
			return docs, nil, false
		}
		for i, c := range body[:bl] {
			for ; c != 0; c &= c - 1 {
				docs = append(docs, uint32(i*8+bitIndex(c)))
			}
		}
		body = body[bl:]
	} else {
		d := uint64(0)
		for range e.df {
			gap, k := binary.Uvarint(body)
			if k <= 0 {
				return docs, nil, false
			}
			d += gap
			docs = append(docs, uint32(d))
			body = body[k:]
		}
	}
	return docs, body, len(docs) == e.df && ascending(docs, n)
}

// frequency returns the 2 × weighted frequency of term id in an entry's
// terms (see Entry).
func frequency(terms []byte, id uint32) (uint32, bool) {
	for t, tf2 := range pairs(terms) {
		if t == id {
			return tf2, true
		}
		if t > id {
			break
		}
	}
	return 0, false
}

// touched reports whether the move changes the number of a document of
// e, an entry of an index of n documents, reading no more of it than it
// needs to: the bits of the numbers between the move's ends, or the gaps
// up to the first number past the lower one.
func touched(e shardEntry, m move, n int) (t, ok bool) {
	lo, hi := min(m.from, m.to), max(m.from, m.to)
	if e.flags&flagBitmap != 0 {
		if len(e.body) < (n+7)/8 {
			return false, false
		}
		for d := lo; d <= hi; d++ {
			if e.body[d>>3]&(1<<(d&7)) != 0 {
				return true, true
			}
		}
		return false, true
	}
	body, d := e.body, uint64(0)
	for range e.df {
		gap, k := binary.Uvarint(body)
		if k <= 0 {
			return false, false
		}
		if d += gap; d >= uint64(lo) {
			return d <= uint64(hi), true
		}
		body = body[k:]
	}
	return false, true
}

// impactOf is the impact of a term of document frequency df and weighted
// frequency tf2/2 in document doc.
func (rd *entryReader) impactOf(id, tf2 uint32, df int, doc uint32) byte {
	q, _ := rd.sc.impactOf(idf(rd.sc.n, df), float32(tf2)/2, rd.sc.norm[doc])
	return q
}

// impact returns the impact of term id, of document frequency df, in a
// document given by its number, and false when the document does not
// have it.
func (rd *entryReader) impact(id uint32, df int) func(doc uint32) (byte, bool) {
	return func(doc uint32) (byte, bool) {
		tf2, ok := frequency(rd.entries[doc].Terms, id)
		return rd.impactOf(id, tf2, df, doc), ok
	}
}

// renumberTop renumbers the impacts part of a frequent term's entry (see
// scorer.appendTop): k, the best documents' deltas, their impacts, and the
// byte bounding the rest. The best documents stay the best but for ties at
// the cut, where the lower number wins: a document left out with the
// impact at the cut has a higher number than every one kept with it, and
// the move keeps the others' order. So when the moved document (has says
// whether the term is in it, of impact q) ties at the cut and some
// document with that impact was left out, it may now come before the
// last one kept with it (then takes its place), or, kept and moved up,
// come after a document left out (then gives it its place: the first of
// the term's documents its move passed over with that impact, impact
// gives each one's). member says whether the term is in a document (by
// its new number).
func (rd *entryReader) renumberTop(body []byte, m move, has bool, q byte, member func(uint32) bool, impact func(uint32) (byte, bool), n int) (out []byte, ok bool) {
	k, w := binary.Uvarint(body)
	if w <= 0 || k > uint64(len(body)) {
		return nil, false
	}
	body = body[w:]
	docs := rd.topDocs[:0]
	d := uint64(0)
	for range k {
		gap, w := binary.Uvarint(body)
		if w <= 0 {
			return nil, false
		}
		d += gap
		docs = append(docs, uint32(d))
		body = body[w:]
	}
	rd.topDocs = docs
	if len(body) != int(k)+1 || k == 0 || !ascending(docs, n) {
		return nil, false
	}
	imps := append(rd.topImps[:0], body[:k]...)
	rd.topImps = imps
	rest := body[k]
	cut := slices.Min(imps)
	at := slices.Index(docs, m.from)
	if has && (at >= 0 && imps[at] != q || at < 0 && (q > cut || q == cut && rest != cut)) {
		return nil, false // not the entry this index would make
	}
	for i := range docs {
		docs[i] = m.renumber(docs[i])
	}
	if at >= 0 {
		place(docs, imps, at)
	}
	if has && q == cut && rest == cut {
		rd.ties++
		last := -1 // the last document kept with the impact at the cut, but the moved one
		for i := range docs {
			if imps[i] == cut && docs[i] != m.to {
				last = i
			}
		}
		switch {
		case at < 0 && last >= 0 && m.to < docs[last]:
			// Left out, now before the last one kept with its impact:
			// it takes that one's place.
			docs, imps = slices.Delete(docs, last, last+1), slices.Delete(imps, last, last+1)
			i, _ := slices.BinarySearch(docs, m.to)
			docs, imps = slices.Insert(docs, i, m.to), slices.Insert(imps, i, q)
		case at >= 0 && m.to > m.from:
			// Kept, moved up past documents now numbered m.from to
			// m.to-1: the first of them left out with its impact, if
			// any, takes its place.
			for c := m.from; c < m.to; c++ {
				if !member(c) {
					continue
				}
				if _, kept := slices.BinarySearch(docs, c); kept {
					continue
				}
				qc, ok := impact(c)
				if !ok {
					return nil, false
				}
				if qc != cut {
					continue
				}
				i, _ := slices.BinarySearch(docs, m.to)
				docs, imps = slices.Delete(docs, i, i+1), slices.Delete(imps, i, i+1)
				j, _ := slices.BinarySearch(docs, c)
				docs, imps = slices.Insert(docs, j, c), slices.Insert(imps, j, cut)
				break
			}
		}
		rd.topDocs, rd.topImps = docs, imps
	}
	out = binary.AppendUvarint(nil, k)
	out = appendDeltas(out, docs)
	out = append(out, imps...)
	return append(out, rest), true
}

// place moves docs[at] (and imps[at], when imps is not nil) to where it
// sorts among the others, which are in order.
func place(docs []uint32, imps []byte, at int) {
	d := docs[at]
	var q byte
	if imps != nil {
		q = imps[at]
	}
	for at > 0 && docs[at-1] > d {
		docs[at] = docs[at-1]
		if imps != nil {
			imps[at] = imps[at-1]
		}
		at--
	}
	for at < len(docs)-1 && docs[at+1] < d {
		docs[at] = docs[at+1]
		if imps != nil {
			imps[at] = imps[at+1]
		}
		at++
	}
	docs[at] = d
	if imps != nil {
		imps[at] = q
	}
}

// ascending reports whether docs go up strictly, each below n.
func ascending(docs []uint32, n int) bool {
	for i, d := range docs {
		if int(d) >= n || i > 0 && d <= docs[i-1] {
			return false
		}
	}
	return true
}

// bitIndex returns the index of c's lowest set bit; c is not zero.
func bitIndex(c byte) int {
	i := 0
	for c&1 == 0 {
		c >>= 1
		i++
	}
	return i
}
