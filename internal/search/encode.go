package search

import (
	"encoding/binary"
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
}

func (sc *scorer) impact(df int, p posting) byte {
	tf := float64(p.tf)
	norm := bm25K1 * (1 - bm25B + bm25B*float64(sc.docLen[p.doc])/sc.avgLen)
	s := idf(sc.n, df) * tf * (bm25K1 + 1) / (tf + norm)
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
		for _, p := range ps {
			body = append(body, sc.impact(len(ps), p))
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
// lower document number, the newer article.
func (sc *scorer) appendTop(body []byte, ps []posting) []byte {
	type imp struct {
		doc uint32
		q   byte
	}
	all := make([]imp, len(ps))
	for i, p := range ps {
		all[i] = imp{p.doc, sc.impact(len(ps), p)}
	}
	slices.SortFunc(all, func(a, b imp) int {
		if a.q != b.q {
			return int(b.q) - int(a.q)
		}
		return int(a.doc) - int(b.doc)
	})
	rest := all[sc.topK].q
	top := all[:sc.topK]
	slices.SortFunc(top, func(a, b imp) int { return int(a.doc) - int(b.doc) })
	docs := make([]uint32, len(top))
	for i, t := range top {
		docs[i] = t.doc
	}
	body = binary.AppendUvarint(body, uint64(len(top)))
	body = appendDeltas(body, docs)
	for _, t := range top {
		body = append(body, t.q)
	}
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
