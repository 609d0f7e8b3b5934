package search

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"slices"
	"strings"
)

// Flags of a term entry in a shard; docs/search.md describes the layout.
const (
	flagBitmap    = 1 << 0 // the document set is a bitmap, not a delta list
	flagTopK      = 1 << 1 // only the best TopK impacts are stored, then one byte for all the rest
	flagNoImpacts = 1 << 2 // a filter term (a tag): membership only
)

// scorer turns postings into one-byte impacts: BM25 scores scaled to the
// largest possible score on a square-root scale, so that the many small
// scores of frequent words keep some resolution. search.js squares them back.
type scorer struct {
	n        int
	avgLen   float64
	docLen   []float32
	maxScore float64
	topK     int

	norm []float64 // BM25's length normalization of each document; see prepare

	// How far the impacts of the shard being made let the average
	// document length move (see bound): by a factor of up² up, 1/down²
	// down.
	up, down float64

	// Scratch, for one term at a time.
	docs       []uint32
	deltas, bm []byte
	imps       []byte
	raw        []float64 // the impacts before rounding
	topImpacts []byte    // of every posting
	topDocs    []uint32
	topKept    []byte // the impacts of topDocs
}

// another returns a scorer with sc's settings and norms and scratch of its
// own, for another goroutine.
func (sc *scorer) another() *scorer {
	return &scorer{n: sc.n, avgLen: sc.avgLen, docLen: sc.docLen, maxScore: sc.maxScore, topK: sc.topK, norm: sc.norm}
}

// prepare computes each document's length normalization once, rather
// than once per posting.
func (sc *scorer) prepare() {
	sc.norm = make([]float64, len(sc.docLen))
	for i, l := range sc.docLen {
		sc.norm[i] = sc.lengthNorm(l)
	}
}

// lengthNorm is BM25's length normalization of a document of weighted
// length l.
func (sc *scorer) lengthNorm(l float32) float64 {
	return bm25K1 * (1 - bm25B + bm25B*float64(l)/sc.avgLen)
}

// impact is a posting's one-byte impact for a term of inverse document
// frequency termIDF, and the impact before rounding.
func (sc *scorer) impact(termIDF float64, p posting) (byte, float64) {
	return sc.impactOf(termIDF, p.tf, sc.norm[p.doc])
}

// impactOf is the impact of a term of inverse document frequency termIDF
// and weighted frequency tf in a document of length normalization norm.
func (sc *scorer) impactOf(termIDF float64, tf32 float32, norm float64) (byte, float64) {
	tf := float64(tf32)
	s := termIDF * tf * (bm25K1 + 1) / (tf + norm)
	x := 255 * math.Sqrt(s/sc.maxScore)
	q := math.Round(x)
	return byte(min(255, max(1, q))), x
}

// startShard begins the bounds of a new shard's impacts.
func (sc *scorer) startShard() { sc.up, sc.down = math.Inf(1), math.Inf(1) }

// bound notes that x, an impact of the shard before rounding, must stay
// in [lo, hi) for the shard's bytes to stay as they are (lo 0 and hi +Inf
// for no bound). When the average document length A moves to A', x moves
// to x' with |ln x' − ln x| < ½ |ln A' − ln A| (d ln x / d ln A =
// ½ (e/A) / (tf + a + e/A), e and a ≥ 0, tf > 0), so A' ≤ A (hi/x)² and
// A' ≥ A (lo/x)² keep it there.
func (sc *scorer) bound(x, lo, hi float64) {
	if hi < math.Inf(1) {
		if h := hi - roomMargin; h < sc.up*x {
			sc.up = h / x
		}
	}
	if lo > 0 {
		if l := lo + roomMargin; x < sc.down*l {
			sc.down = x / l
		}
	}
}

// boundByte notes that impact q, x before rounding, must stay q.
func (sc *scorer) boundByte(q byte, x float64) {
	lo, hi := float64(q)-0.5, float64(q)+0.5
	if q == 1 {
		lo = 0 // every x below 1.5 gives 1
	}
	if q == 255 {
		hi = math.Inf(1)
	}
	sc.bound(x, lo, hi)
}

// shardInfo describes a shard just made, whose first term is first.
func (sc *scorer) shardInfo(first string, shard []byte) Shard {
	h := fnv.New64a()
	h.Write(shard)
	s := Shard{First: first, Size: len(shard), Sum: h.Sum64(), MinAvg: 0, MaxAvg: math.Inf(1)}
	if !math.IsInf(sc.down, 1) {
		s.MinAvg = sc.avgLen / (sc.down * sc.down)
	}
	if !math.IsInf(sc.up, 1) {
		s.MaxAvg = sc.avgLen * sc.up * sc.up
	}
	return s
}

// appendTerm appends one term's entry to a shard:
//
//	uvarint len(term), term, uvarint df, flags byte, uvarint len(body), body
//
// body is the document set (a bitmap of ceil(N/8) bytes or df uvarint
// deltas, whichever is smaller), then the impacts: none for a filter term,
// df bytes in document order, or for a term in more than TopK documents
// uvarint k, k uvarint deltas of the best documents, their k impacts and
// one byte bounding every other document's impact.
func (sc *scorer) appendTerm(dst []byte, term string, ps []posting) []byte {
	flags := byte(0)
	docs := sc.docs[:0]
	for _, p := range ps {
		docs = append(docs, p.doc)
	}
	sc.docs = docs
	sc.deltas = appendDeltas(sc.deltas[:0], docs)
	set := sc.deltas
	if bitmapLen := (sc.n + 7) / 8; bitmapLen < len(sc.deltas) {
		flags |= flagBitmap
		bm := slices.Grow(sc.bm[:0], bitmapLen)[:bitmapLen]
		clear(bm)
		for _, d := range docs {
			bm[d>>3] |= 1 << (d & 7)
		}
		sc.bm, set = bm, bm
	}
	imps := sc.imps[:0]
	switch {
	case strings.HasPrefix(term, "#"):
		flags |= flagNoImpacts
	case len(ps) <= sc.topK:
		termIDF := idf(sc.n, len(ps))
		for _, p := range ps {
			q, x := sc.impact(termIDF, p)
			sc.boundByte(q, x)
			imps = append(imps, q)
		}
	default:
		flags |= flagTopK
		imps = sc.appendTop(imps, ps)
	}
	sc.imps = imps
	dst = binary.AppendUvarint(dst, uint64(len(term)))
	dst = append(dst, term...)
	dst = binary.AppendUvarint(dst, uint64(len(ps)))
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, uint64(len(set)+len(imps)))
	dst = append(dst, set...)
	return append(dst, imps...)
}

// appendTop appends the impacts part of a frequent term's entry, keeping
// the topK best impacts: uvarint k, k uvarint deltas of their documents,
// their k impacts, and one byte bounding all the others. Ties go to the
// lower document number, the newer article. Impacts are bytes, so the
// cut is found by counting them, not by sorting.
func (sc *scorer) appendTop(body []byte, ps []posting) []byte {
	termIDF := idf(sc.n, len(ps))
	imps, raw := sc.topImpacts[:0], sc.raw[:0]
	var count [256]int
	for _, p := range ps {
		q, x := sc.impact(termIDF, p)
		imps = append(imps, q)
		raw = append(raw, x)
		count[q]++
	}
	sc.topImpacts, sc.raw = imps, raw
	// The cut: every impact above t is kept, and the first take of
	// those equal to t.
	t, above := 255, 0
	for ; above+count[t] < sc.topK; t-- {
		above += count[t]
	}
	take := sc.topK - above
	// rest is the best impact left out: t again if some equal to t are
	// left out, else the next lower impact present.
	rest := byte(t)
	if count[t] == take {
		for rest = byte(t - 1); count[rest] == 0; rest-- {
		}
	}
	// The bytes stay as they are while every impact from rest up stays
	// what it is and every one below stays below rest.
	for i, q := range imps {
		if q >= rest {
			sc.boundByte(q, raw[i])
		} else {
			sc.bound(raw[i], 0, float64(rest)-0.5)
		}
	}
	docs, kept := sc.topDocs[:0], sc.topKept[:0]
	for i, p := range ps {
		if v := imps[i]; int(v) > t || int(v) == t && take > 0 {
			if int(v) == t {
				take--
			}
			docs = append(docs, p.doc)
			kept = append(kept, v)
		}
	}
	sc.topDocs, sc.topKept = docs, kept
	body = binary.AppendUvarint(body, uint64(len(docs)))
	body = appendDeltas(body, docs)
	body = append(body, kept...)
	return append(body, rest)
}

// appendDeltas appends ascending document numbers as uvarint gaps, the
// first from zero.
func appendDeltas(dst []byte, docs []uint32) []byte {
	prev := uint32(0)
	for _, d := range docs {
		dst = binary.AppendUvarint(dst, uint64(d-prev))
		prev = d
	}
	return dst
}
