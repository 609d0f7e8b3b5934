package search

import (
	"encoding/binary"
	"math"
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
	imps []byte    // scratch: the impacts of one term's postings
}

// prepare computes each document's length normalization once, rather
// than once per posting.
func (sc *scorer) prepare() {
	sc.norm = make([]float64, len(sc.docLen))
	for i, l := range sc.docLen {
		sc.norm[i] = bm25K1 * (1 - bm25B + bm25B*float64(l)/sc.avgLen)
	}
}

// impact is a posting's one-byte impact for a term of inverse document
// frequency termIDF.
func (sc *scorer) impact(termIDF float64, p posting) byte {
	tf := float64(p.tf)
	var norm float64
	if sc.norm != nil {
		norm = sc.norm[p.doc]
	} else {
		norm = bm25K1 * (1 - bm25B + bm25B*float64(sc.docLen[p.doc])/sc.avgLen)
	}
	s := termIDF * tf * (bm25K1 + 1) / (tf + norm)
	q := math.Round(255 * math.Sqrt(s/sc.maxScore))
	return byte(min(255, max(1, q)))
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
	var body []byte
	flags := byte(0)
	docs := make([]uint32, len(ps))
	for i, p := range ps {
		docs[i] = p.doc
	}
	deltas := appendDeltas(nil, docs)
	if bitmapLen := (sc.n + 7) / 8; bitmapLen < len(deltas) {
		flags |= flagBitmap
		bm := make([]byte, bitmapLen)
		for _, d := range docs {
			bm[d>>3] |= 1 << (d & 7)
		}
		body = bm
	} else {
		body = deltas
	}
	switch {
	case strings.HasPrefix(term, "#"):
		flags |= flagNoImpacts
	case len(ps) <= sc.topK:
		termIDF := idf(sc.n, len(ps))
		for _, p := range ps {
			body = append(body, sc.impact(termIDF, p))
		}
	default:
		flags |= flagTopK
		body = sc.appendTop(body, ps)
	}
	dst = binary.AppendUvarint(dst, uint64(len(term)))
	dst = append(dst, term...)
	dst = binary.AppendUvarint(dst, uint64(len(ps)))
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, uint64(len(body)))
	return append(dst, body...)
}

// appendTop keeps the topK best impacts of a frequent term. Ties go to the
// lower document number, the newer article. Impacts are bytes, so the
// cut is found by counting them, not by sorting.
func (sc *scorer) appendTop(body []byte, ps []posting) []byte {
	termIDF := idf(sc.n, len(ps))
	imps := sc.imps[:0]
	var count [256]int
	for _, p := range ps {
		q := sc.impact(termIDF, p)
		imps = append(imps, q)
		count[q]++
	}
	sc.imps = imps
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
	docs := make([]uint32, 0, sc.topK)
	q := make([]byte, 0, sc.topK)
	for i, p := range ps {
		if v := imps[i]; int(v) > t || int(v) == t && take > 0 {
			if int(v) == t {
				take--
			}
			docs = append(docs, p.doc)
			q = append(q, v)
		}
	}
	body = binary.AppendUvarint(body, uint64(len(docs)))
	body = appendDeltas(body, docs)
	body = append(body, q...)
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
