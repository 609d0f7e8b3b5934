package search

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"sync"

	"github.com/sitegen/sitegen/internal/content"
)

// A dictionary gives each term of an index its id. Workers look terms up
// in their own analyzer first and come here, under the lock, only for
// terms they have not met before.
type dictionary struct {
	mu    sync.Mutex
	terms []string          // by id
	ids   map[string]uint32 // of each term
}

// id returns the id of term t, adding it if it is new.
func (d *dictionary) id(t string) uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.ids[t]
	if !ok {
		id = uint32(len(d.terms))
		d.terms = append(d.terms, t)
		d.ids[t] = id
	}
	return id
}

// An analyzer turns articles into index entries. Each worker of the
// indexer has its own, with the ids of the terms it has met, so that
// analyzing allocates little and takes the dictionary's lock only for a
// term the worker meets for the first time: a term is looked up without
// a copy and counted in a slice indexed by its id.
type analyzer struct {
	dict *dictionary
	ids  map[string]uint32 // the dictionary's ids of the terms this worker has met
	tf   []float32         // by term id: weighted frequency in the article being analyzed
	seen []uint32          // by term id: the number of the last article that counted the term
	doc  uint32            // articles analyzed, the current one included
	used []uint32          // ids of the current article's terms
	df   []int32           // by term id: the documents this worker's entries have it in

	text, field, folded, nfkd []byte   // scratch: the article's text, a field, a field folded, NFKD of a run
	pairs                     []uint64 // scratch: term id and 2 × frequency of each term
	enc                       []byte   // scratch: an entry's terms
}

func newAnalyzer(d *dictionary) *analyzer { return &analyzer{dict: d, ids: map[string]uint32{}} }

// analyze tokenizes an article whose body text (plainText) is body and
// returns its Entry: each term of its title, summary, body and tag names
// counted with its field's weight, and each tag's filter term with
// frequency 0 (membership only). Its terms are those Tokens(Fold(field))
// gives.
func (an *analyzer) analyze(key [16]byte, a *content.Article, body []byte) Entry {
	an.doc++
	an.used = an.used[:0]
	var length float32
	add := func(text []byte, w float32) {
		an.folded = appendFold(an.folded[:0], text, &an.nfkd)
		tokens(an.folded, func(t []byte) {
			an.tf[an.count(t)] += w
			length += w
		})
	}
	field := func(s ...string) []byte {
		an.field = an.field[:0]
		for _, s := range s {
			an.field = append(an.field, s...)
		}
		return an.field
	}
	add(field(a.Title), titleWeight)
	add(field(a.Summary), summaryWeight)
	add(body, bodyWeight)
	for _, t := range a.Tags {
		add(field(t.Name), tagWeight)
		an.tf[an.count(field("#", t.Slug))] = 0 // tagTerm: a filter, membership only, no weight
	}
	return Entry{Key: key, Terms: an.encode(), Length: length}
}

// count returns the id of term t, noting it as one of the current
// article's terms the first time the article has it.
func (an *analyzer) count(t []byte) uint32 {
	id, ok := an.ids[string(t)]
	if !ok {
		s := string(t)
		id = an.dict.id(s)
		an.ids[s] = id
		if n := int(id) + 1; n > len(an.tf) {
			an.tf = slices.Grow(an.tf, n-len(an.tf))[:n]
			an.seen = slices.Grow(an.seen, n-len(an.seen))[:n]
		}
	}
	if an.seen[id] != an.doc {
		an.seen[id] = an.doc
		an.tf[id] = 0
		an.used = append(an.used, id)
	}
	return id
}

// encode returns the current article's terms as an Entry holds them:
// uvarint pairs of the gap from the previous term id and 2 × the
// weighted frequency, by term id.
func (an *analyzer) encode() []byte {
	ps := an.pairs[:0]
	an.countDF(len(an.tf))
	for _, id := range an.used {
		an.df[id]++
		// Weights are multiples of 0.5, so 2 × tf is a whole number, and
		// below 2³² in any article smaller than a gigabyte.
		tf2 := min(math.Round(float64(an.tf[id])*2), math.MaxUint32)
		ps = append(ps, uint64(id)<<32|uint64(tf2))
	}
	slices.Sort(ps)
	b := an.enc[:0]
	prev := uint32(0)
	for _, p := range ps {
		id := uint32(p >> 32)
		b = binary.AppendUvarint(b, uint64(id-prev))
		b = binary.AppendUvarint(b, p&(1<<32-1))
		prev = id
	}
	an.pairs, an.enc = ps, b
	return bytes.Clone(b)
}

// take counts the documents of the terms of entry e, from the previous
// index, whose dictionary had n terms; it reports false, counting
// nothing, when e is damaged (see validEntry). It reads the entry once.
func (an *analyzer) take(e *Entry, n int) bool {
	an.countDF(n)
	terms := e.Terms
	counted, id := 0, uint64(0)
	for i := 0; i < len(terms); {
		gap := uint64(terms[i]) // one byte, mostly: a fast path
		if gap < 0x80 {
			i++
		} else {
			v, k := binary.Uvarint(terms[i:])
			if k <= 0 {
				break
			}
			gap, i = v, i+k
		}
		if id += gap; id >= uint64(n) || i == len(terms) {
			break
		}
		if terms[i] < 0x80 {
			i++
		} else if _, k := binary.Uvarint(terms[i:]); k > 0 {
			i += k
		} else {
			break
		}
		an.df[id]++
		if counted++; i == len(terms) {
			return true
		}
	}
	if len(terms) == 0 {
		return true
	}
	for id := range pairs(terms) { // undo
		if counted--; counted < 0 {
			break
		}
		an.df[id]--
	}
	return false
}

// countDF makes room in an.df for the first n term ids.
func (an *analyzer) countDF(n int) {
	if n > len(an.df) {
		an.df = slices.Grow(an.df, n-len(an.df))[:n]
	}
}
