package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/fnv"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// A Shard describes one term shard of an index for the next index made
// from the same Cache, which keeps the shards whose bytes cannot have
// changed instead of making them again.
type Shard struct {
	First string // its first term
	Size  int    // its length in bytes
	Sum   uint64 // FNV-64a of its bytes; the manifest's version is made of these
	// MinAvg and MaxAvg bound the average document length (BM25's
	// avgdl) within which every impact in the shard rounds to the byte
	// it has, the documents, terms and frequencies being the same. An edit
	// moves the average a little, and with it, in principle, every
	// impact; these say whether it moved this shard's.
	MinAvg, MaxAvg float64
}

// roomMargin keeps an impact whose shard is kept this far (on the scale
// of 0 to 255) from the rounding boundaries of its byte, far more than
// the rounding errors of computing it.
const roomMargin = 1e-6

// writeShards encodes the terms in code-point order and cuts the sequence
// into shards of about opt.ShardBytes, so that the terms of one shard
// share a key range that the manifest lists.
//
// When the previous index (ix.prev) had the same number of documents, a
// shard of it whose range holds no term of a document that changed, and
// whose impacts the new average document length leaves as they were
// (Shard.MinAvg and MaxAvg), has the bytes it had: if it starts the same
// shard of the new index (same number, same first term), it is offered
// to opt.Keep instead of being made. Only the terms of the shards made
// are inverted.
func (ix *indexer) writeShards(ctx context.Context, emit func(string, []byte) error) error {
	terms, df := ix.dict.terms, ix.df
	var order []uint32 // the terms in use, in code-point order
	for id, n := range df {
		if n > 0 {
			order = append(order, uint32(id))
		}
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(terms[a], terms[b]) })
	ix.stats.Terms = len(order)
	var avgLen float64
	for _, l := range ix.docLen {
		avgLen += float64(l)
	}
	avgLen /= float64(max(1, ix.n))
	sc := &scorer{n: ix.n, avgLen: avgLen, docLen: ix.docLen, topK: ix.opt.TopK}
	// The largest possible BM25 score (a term in one article) scales the
	// one-byte impacts.
	sc.maxScore = idf(ix.n, 1) * (bm25K1 + 1)
	sc.prepare()

	sw := &shardWriter{ix: ix, sc: sc, order: order, df: df, emit: emit, slot: make([]int32, len(terms))}
	var postings int
	for _, id := range order {
		postings += int(df[id])
	}
	sw.limit = max(maxPostings, (postings+maxInvertPasses-1)/maxInvertPasses)
	if done, err := ix.writeRenumbered(ctx, sw, avgLen); err != nil {
		return err
	} else if !done {
		sw.planReuse(avgLen)
		if err := sw.run(ctx); err != nil {
			return err
		}
	}
	h := fnv.New64a()
	var sum [8]byte
	for _, s := range ix.shards {
		binary.LittleEndian.PutUint64(sum[:], s.Sum)
		h.Write(sum[:])
	}
	for _, s := range ix.docSums {
		binary.LittleEndian.PutUint64(sum[:], s)
		h.Write(sum[:])
	}
	ix.version = h.Sum64()
	return nil
}

// cutAfter reports whether a shard of size bytes, whose last entry (of
// entry bytes) is term's, ends there: at the latest once it reaches
// shardBytes; from three quarters of that on, after a term picked by its
// hash with a chance of entry / (shardBytes/8), so that about one term in
// every shardBytes/8 bytes of entries is picked. Where a shard ends then
// depends on the terms around its end, not on where it began: a shard
// that an edit makes a few bytes longer or shorter nearly always ends
// where it did, and the shards after it stay as they were, where cutting
// only at shardBytes moves every later cut that entries of much the same
// size (rare words) do not happen to realign. Shards average about 7/8
// of shardBytes.
func cutAfter(term string, entry, size, shardBytes int) bool {
	if size >= shardBytes {
		return true
	}
	if size < shardBytes*3/4 {
		return false
	}
	h := uint64(fnvOffset)
	for i := 0; i < len(term); i++ {
		h = (h ^ uint64(term[i])) * fnvPrime
	}
	// A uniform draw in [0, 1) from the hash's high bits.
	u := float64(h>>11) / (1 << 53)
	return u*float64(shardBytes/8) < float64(entry)
}

// A shardWriter makes the term shards, and keeps those of the previous
// index that an edit left as they were.
type shardWriter struct {
	ix    *indexer
	sc    *scorer
	order []uint32 // the terms in use, in code-point order: a term's position in the index
	df    []int32  // by term id
	emit  func(string, []byte) error

	// shardBuf is where each shard is put together and handed to emit,
	// which keeps none of it: one buffer for all, where a buffer grown for
	// each was some 50 MB of fresh memory for a 50k archive's shards, and
	// a tenth of a second of page faults here.
	shardBuf []byte

	// limit bounds the postings inverted in one pass over the entries:
	// maxPostings, or a maxInvertPasses-th of them all when that is more.
	// Each pass reads every entry, so with a fixed bound the passes, and
	// the cost of each article, would grow with the archive: a million
	// articles' 160 million postings took some 20 passes.
	limit int

	// Of the previous index, when its shards may be kept: old[k] is its
	// shard k, keep[k] whether it may be kept, and oldShard[p] the shard
	// whose range holds the term at position p.
	old      []Shard
	keep     []bool
	oldShard []int32

	// The postings of a group of terms, inverted together: slot[id] is 1
	// + the term's place in the group (0: not in it), starts[i] where
	// its postings begin in postings.
	slot     []int32
	group    []uint32
	starts   []int
	postings []posting

	// The entries made ahead (see entry): batch[i] is the entry of the
	// term at position batchAt+i. Each worker makes them with a scorer of
	// its own into an arena of its own, which the next batch reuses.
	batchAt int
	batch   []termEntry
	scorers []*scorer
	arenas  [][]byte
}

// planReuse decides which shards of the previous index may be kept: none
// unless it had as many documents, the same options and Keep is set (a
// document added or deleted renumbers the rest and changes every term's
// inverse document frequency); then each shard whose impacts the new
// average document length leaves as they were and that holds no term
// whose entry the changed documents change (see changedTerms).
func (sw *shardWriter) planReuse(avgLen float64) {
	ix := sw.ix
	prev := ix.prev
	if prev == nil || ix.opt.Keep == nil || len(prev.Shards) == 0 || len(prev.Entries) != ix.n ||
		prev.ShardBytes != ix.opt.ShardBytes || prev.TopK != ix.opt.TopK {
		return
	}
	old := slices.Clone(prev.Shards)
	keep := make([]bool, len(old))
	for k, s := range old {
		keep[k] = s.MinAvg <= avgLen && avgLen <= s.MaxAvg
	}
	// The shard whose range holds each term in use, by position and by
	// term id, in one pass over both in order; the terms no longer in use
	// by search: the last shard whose first term is not after the term's
	// (shard 0 for terms before the first).
	terms := ix.dict.terms
	sw.oldShard = make([]int32, len(sw.order))
	byID := make([]int32, len(terms))
	k := 0
	for p, id := range sw.order {
		for k+1 < len(old) && terms[id] >= old[k+1].First {
			k++
		}
		sw.oldShard[p], byID[id] = int32(k), int32(k)
	}
	shardOf := func(id uint32) int {
		if sw.df[id] > 0 {
			return int(byID[id])
		}
		t := terms[id]
		return max(0, sort.Search(len(old), func(k int) bool { return old[k].First > t })-1)
	}
	dirty, bounds, ok := sw.changedTerms(shardOf, keep)
	if !ok {
		sw.oldShard = nil
		return // a damaged cache: make every shard
	}
	// A shard that keeps its bytes keeps them for average lengths that
	// leave its new impacts as they are too.
	for _, b := range bounds {
		if k := shardOf(b.id); keep[k] && !dirty[b.id] {
			sw.sc.startShard()
			sw.sc.boundByte(b.q, b.x)
			s := &old[k]
			if !math.IsInf(sw.sc.down, 1) {
				s.MinAvg = max(s.MinAvg, avgLen/(sw.sc.down*sw.sc.down))
			}
			if !math.IsInf(sw.sc.up, 1) {
				s.MaxAvg = min(s.MaxAvg, avgLen*sw.sc.up*sw.sc.up)
			}
			keep[k] = s.MinAvg <= avgLen && avgLen <= s.MaxAvg
		}
	}
	sw.old, sw.keep = old, keep
}

// An impactBound is the impact a changed document has for a term whose
// entry it leaves as it was, and the impact before rounding.
type impactBound struct {
	id uint32
	q  byte
	x  float64
}

// changedTerms compares the entries of the documents whose entry changed
// (by number) with the previous index's and returns the terms whose shard
// entry they change (dirty, by term id): a term one of them gained or
// lost, or has with another frequency, or whose impact in one of them (its
// length changed) rounds to another byte; it marks their shards (shardOf)
// not kept in keep. For the other terms of those documents it returns
// their impacts, which bound the shards kept like any other. It stops
// early once no shard is kept: an edit that renumbers many documents (an
// article added, deleted or moved in date order) changes nearly every
// term's postings. ok is false when the previous index's entries are
// damaged.
func (sw *shardWriter) changedTerms(shardOf func(uint32) int, keep []bool) (dirty []bool, bounds []impactBound, ok bool) {
	ix, sc := sw.ix, sw.sc
	prev := ix.prev
	terms := ix.dict.terms
	kept := 0
	for _, k := range keep {
		if k {
			kept++
		}
	}
	dirty = make([]bool, len(terms))
	mark := func(id uint32) {
		if !dirty[id] {
			dirty[id] = true
			if k := shardOf(id); keep[k] {
				keep[k] = false
				kept--
			}
		}
	}
	var before []uint32 // the previous entry's term ids and frequencies, in pairs
	for i, e := range ix.entries {
		if kept == 0 {
			return dirty, nil, true
		}
		o := &prev.Entries[i]
		if o.Key == e.Key && e.Key != ([16]byte{}) {
			continue
		}
		if o.Length == e.Length && bytes.Equal(o.Terms, e.Terms) {
			// Only what its result shows changed (its URL, say, in a build
			// after a change to the site's settings): its impacts are as
			// they were, and so are the bounds of the shards that hold
			// them. Their bounds here took 284 MB for a 50,000-article
			// site whose every key changed.
			continue
		}
		if !validEntry(o.Terms, len(terms)) {
			return nil, nil, false
		}
		before = before[:0]
		for id, tf2 := range pairs(o.Terms) {
			before = append(before, id, tf2)
		}
		oldNorm, newNorm := sc.lengthNorm(o.Length), sc.lengthNorm(e.Length)
		j := 0 // the next pair of before; both go by ascending term id
		for id, tf2 := range pairs(e.Terms) {
			for ; j < len(before) && before[j] < id; j += 2 { // lost
				mark(before[j])
			}
			had := j < len(before) && before[j] == id
			switch {
			case !had || before[j+1] != tf2:
				mark(id)
			case strings.HasPrefix(terms[id], "#"): // a filter: no impacts
			default:
				termIDF := idf(ix.n, int(sw.df[id]))
				tf := float32(tf2) / 2
				q0, _ := sc.impactOf(termIDF, tf, oldNorm)
				q, x := sc.impactOf(termIDF, tf, newNorm)
				if q != q0 {
					mark(id)
				} else {
					bounds = append(bounds, impactBound{id, q, x})
				}
			}
			if had {
				j += 2
			}
		}
		for ; j < len(before); j += 2 { // lost
			mark(before[j])
		}
	}
	return dirty, bounds, true
}

// run makes the shards in order, keeping those it can.
func (sw *shardWriter) run(ctx context.Context) error {
	ix := sw.ix
	for p := 0; p < len(sw.order); {
		if err := ctx.Err(); err != nil {
			return err
		}
		if next, ok := sw.tryKeep(p); ok {
			p = next
			continue
		}
		first := p
		shard := sw.shardBuf[:0]
		sw.sc.startShard()
		for {
			e := sw.entry(p)
			shard = append(shard, e.data...)
			sw.sc.up, sw.sc.down = min(sw.sc.up, e.up), min(sw.sc.down, e.down)
			p++
			if p == len(sw.order) || cutAfter(ix.dict.terms[sw.order[p-1]], len(e.data), len(shard), ix.opt.ShardBytes) {
				break
			}
		}
		if err := sw.add(first, sw.sc.shardInfo(ix.dict.terms[sw.order[first]], shard)); err != nil {
			return err
		}
		sw.shardBuf = shard
		if err := sw.emit(shardFile(len(ix.shards)-1), shard); err != nil {
			return err
		}
	}
	return nil
}

// A termEntry is one term's entry in a shard (scorer.appendTerm), and how
// far it lets the average document length move (scorer.up and down).
type termEntry struct {
	data     []byte
	up, down float64
}

// entryBatch bounds the terms whose entries are made together.
const entryBatch = 2048

// entry returns the entry of the term at position p. Entries are made
// ahead on all cores, for a run of positions from p whose postings one
// inversion holds, up to the next position where a shard of the previous
// index that may be kept starts (see tryKeep): every entry made is then
// taken, in order, before the next run is made.
func (sw *shardWriter) entry(p int) termEntry {
	if p < sw.batchAt || p >= sw.batchAt+len(sw.batch) {
		sw.makeEntries(p)
	}
	return sw.batch[p-sw.batchAt]
}

// makeEntries makes the entries of the run of terms from position p (see
// entry) into sw.batch.
func (sw *shardWriter) makeEntries(p int) {
	ix := sw.ix
	if sw.slot[sw.order[p]] == 0 {
		sw.invert(p)
	}
	end := p + 1
	for end < len(sw.order) && end-p < entryBatch && sw.slot[sw.order[end]] != 0 && !sw.keepable(end) {
		end++
	}
	if sw.scorers == nil {
		sw.scorers = make([]*scorer, runtime.GOMAXPROCS(0))
		sw.arenas = make([][]byte, len(sw.scorers))
		for w := range sw.scorers {
			sw.scorers[w] = sw.sc.another()
		}
	}
	sw.batchAt, sw.batch = p, slices.Grow(sw.batch[:0], end-p)[:end-p]
	var next atomic.Int64 // the next position to take, from p; taken in chunks, as terms differ a lot in cost
	const chunk = 16
	work := func(w int) {
		sc, arena := sw.scorers[w], sw.arenas[w][:0]
		for {
			lo := p + int(next.Add(chunk)) - chunk
			if lo >= end {
				break
			}
			for q := lo; q < min(lo+chunk, end); q++ {
				id := sw.order[q]
				i := sw.slot[id] - 1
				start := len(arena)
				sc.startShard()
				arena = sc.appendTerm(arena, ix.dict.terms[id], sw.postings[sw.starts[i]:sw.starts[i]+int(sw.df[id])])
				sw.batch[q-p] = termEntry{arena[start:len(arena):len(arena)], sc.up, sc.down}
			}
		}
		sw.arenas[w] = arena
	}
	if end-p <= chunk {
		work(0)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < len(sw.scorers); w++ {
		wg.Go(func() { work(w) })
	}
	work(0)
	wg.Wait()
}

// keepable reports whether a shard of the previous index that may be kept
// starts at position p: where tryKeep may keep one.
func (sw *shardWriter) keepable(p int) bool {
	if sw.old == nil {
		return false
	}
	k := sw.oldShard[p]
	return sw.keep[k] && sw.old[k].First == sw.ix.dict.terms[sw.order[p]]
}

// tryKeep keeps the previous index's shard that would be made next, from
// position p, if it may be kept, starts at p's term and has the same
// number, and returns the position after its terms.
func (sw *shardWriter) tryKeep(p int) (next int, ok bool) {
	ix := sw.ix
	k := len(ix.shards)
	if !sw.keepable(p) || int(sw.oldShard[p]) != k {
		return 0, false
	}
	if !ix.opt.Keep(shardFile(k)) {
		return 0, false
	}
	ix.stats.KeptShards++
	next = p + 1
	for next < len(sw.order) && int(sw.oldShard[next]) == k {
		next++
	}
	return next, sw.add(p, sw.old[k]) == nil
}

// add records the next shard, which starts at position first.
func (sw *shardWriter) add(first int, s Shard) error {
	ix := sw.ix
	prev := ""
	if first > 0 {
		prev = ix.dict.terms[sw.order[first-1]]
	}
	ix.shardSep = append(ix.shardSep, separator(prev, s.First))
	ix.shards = append(ix.shards, s)
	ix.stats.Shards++
	ix.stats.ShardBytes += int64(s.Size)
	ix.stats.MaxShard = max(ix.stats.MaxShard, s.Size)
	return nil
}

// invert gathers the postings of the terms from position p on that the
// shards to make need, at most sw.limit of them (but for one very
// common term), in one pass over the entries: so that memory never holds
// every posting of a big archive at once.
func (sw *shardWriter) invert(p int) {
	for _, id := range sw.group {
		sw.slot[id] = 0
	}
	sw.group, sw.starts = sw.group[:0], sw.starts[:0]
	n := 0
	for q := p; q < len(sw.order); q++ {
		id := sw.order[q]
		if q > p && !sw.wanted(p, q) {
			continue
		}
		if q > p && n+int(sw.df[id]) > sw.limit {
			break
		}
		sw.group = append(sw.group, id)
		sw.starts = append(sw.starts, n)
		sw.slot[id] = int32(len(sw.group))
		n += int(sw.df[id])
	}
	if cap(sw.postings) < n {
		sw.postings = make([]posting, n)
	}
	sw.postings = sw.postings[:n]
	sw.ix.stats.InvertPasses++
	// Two goroutines share the pass. The first fills each term's postings
	// from its start with the first half of the documents; the second
	// fills them from their end with the other half, last document first.
	// A term's postings are exactly its document frequency, so the two
	// meet where the first half's end, in document order either way.
	entries := sw.ix.entries
	mid := len(entries)
	var wg sync.WaitGroup
	if len(entries) >= splitInvert {
		mid = len(entries) / 2
		ends := make([]int, len(sw.group))
		for i, id := range sw.group {
			ends[i] = sw.starts[i] + int(sw.df[id])
		}
		wg.Go(func() {
			for doc := len(entries) - 1; doc >= mid; doc-- {
				for id, tf2 := range pairs(entries[doc].Terms) {
					if i := sw.slot[id]; i > 0 {
						ends[i-1]--
						sw.postings[ends[i-1]] = posting{uint32(doc), float32(tf2) / 2}
					}
				}
			}
		})
	}
	next := slices.Clone(sw.starts)
	for doc, e := range entries[:mid] {
		for id, tf2 := range pairs(e.Terms) {
			if i := sw.slot[id]; i > 0 {
				sw.postings[next[i-1]] = posting{uint32(doc), float32(tf2) / 2}
				next[i-1]++
			}
		}
	}
	wg.Wait()
}

// splitInvert is how many documents an index needs for invert to share
// its pass between two goroutines.
var splitInvert = 4096

// wanted reports whether the term at position q is likely to be needed
// by the shards made from position p on: any term when no shard is kept;
// else those of the previous shards that are not kept, of the one that
// holds p, and of the one after each of those (where a shard made again
// that ends elsewhere than before moves the next one's start).
func (sw *shardWriter) wanted(p, q int) bool {
	if sw.old == nil {
		return true
	}
	k := sw.oldShard[q]
	return k == sw.oldShard[p] || !sw.keep[k] || k > 0 && !sw.keep[k-1]
}
