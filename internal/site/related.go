package site

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

// relatedWindow bounds the candidates one shared tag contributes: the
// articles of that tag nearest in date, this many on each side. A tag on
// 40% of a 100,000-article archive would otherwise make every article a
// candidate of every other; the nearest ones are those that closeness in
// date favours anyway.
const relatedWindow = 64

// RelatedCount is how many related stories Related returns at most.
const RelatedCount = 5

// related holds every article's related stories, computed once on first
// use: article pages ask for them, and so do build caches that hash them.
type related struct {
	once sync.Once
	done atomic.Bool          // pos and of are filled
	pos  [][]int32            // by site position: the related stories' site positions, best first; never changed once set
	of   [][]*content.Article // by site position: the same stories
	// scan is what they were computed from, kept for KeepRelated to find
	// which articles a later site's edits can affect; nil when they came
	// from a RelatedIndex, until FixRelatedInputs makes it.
	scan       *relatedScan
	recomputed int // articles whose related stories this site computed, for tests
	// margin, by site position, is how far the scores of an article's
	// candidates may move, relatively to one another, before its stories
	// could change (see relatedTo); nil when unknown, as for stories
	// taken from a RelatedIndex: then nothing may move.
	margin []float64
	// kept, by site position, says which stories KeepRelated kept from
	// the site numbered keptFrom (Site.id; not a pointer: a site keeps no
	// earlier one alive): the same articles in the same order; nil when
	// none were.
	keptFrom uint64
	kept     []bool

	sourcesOnce sync.Once
	bySource    map[string]int32 // site position by source path, made on first need

	keyOnce sync.Once
	key     [sha256.Size]byte // of everything the related stories depend on; see inputsKey
}

// Related returns up to RelatedCount other articles related to a, best
// first (see relatedTo), or nil for an article not in the site. It is safe
// for concurrent use; the first call computes them all, on all cores.
func (s *Site) Related(a *content.Article) []*content.Article {
	s.rel.once.Do(s.computeAll)
	i, ok := s.positionOf(a)
	if !ok {
		return nil
	}
	return s.rel.of[i]
}

// RelatedComputed reports whether s's related stories have been computed
// or kept from elsewhere.
func (s *Site) RelatedComputed() bool { return s.rel.done.Load() }

// RelatedOf returns the related stories of the article at site position
// i, as Related does.
func (s *Site) RelatedOf(i int) []*content.Article {
	s.rel.once.Do(s.computeAll)
	return s.rel.of[i]
}

// RelatedKept reports whether the related stories of the article at site
// position i are those prev gave it, the same articles (matched as
// KeepRelated matches them) in the same order: whether KeepRelated(prev)
// kept them; false when it kept none from prev's computed stories, or
// computed that article's again.
func (s *Site) RelatedKept(prev *Site, i int) bool {
	return s.rel.done.Load() && s.rel.kept != nil && s.rel.keptFrom == prev.id && s.rel.kept[i]
}

// RelatedPositions returns every article's related stories as site
// positions, by site position, computing them on first use. The lists
// must not be changed.
func (s *Site) RelatedPositions() [][]int32 {
	s.rel.once.Do(s.computeAll)
	return s.rel.pos
}

// computeAll computes every article's related stories, on all cores.
func (s *Site) computeAll() {
	s.rel.scan = s.newRelatedScan(nil)
	every := make([]int32, len(s.Articles))
	for i := range every {
		every[i] = int32(i)
	}
	s.rel.pos, s.rel.margin = make([][]int32, len(s.Articles)), make([]float64, len(s.Articles))
	s.computeRelated(s.rel.scan, every)
	s.setRelated()
}

// positionOf returns a's site position: a itself, or a copy of a site
// article, such as a build's with its body read back from disk, found by
// its source path. A copy is mostly where its date, slug and source put
// it in the site's order (a binary search, which finds no other article);
// one whose slug New changed after sorting may not be, and is found in a
// map of every source path, made on first need (50,000 entries for the
// one or two copies an edit build draws).
func (s *Site) positionOf(a *content.Article) (int32, bool) {
	if i, ok := s.position[a]; ok {
		return int32(i), true
	}
	if i, ok := slices.BinarySearchFunc(s.Articles, a, compareSiteOrder); ok {
		return int32(i), true
	}
	s.rel.sourcesOnce.Do(func() {
		s.rel.bySource = make(map[string]int32, len(s.Articles))
		for i, a := range s.Articles {
			s.rel.bySource[a.Source] = int32(i)
		}
	})
	i, ok := s.rel.bySource[a.Source]
	return i, ok
}

// setRelated fills s.rel.of from s.rel.pos and marks them done.
func (s *Site) setRelated() { s.setRelatedLike(nil, nil) }

// setRelatedLike is setRelated taking from prev the article lists of the
// articles whose position lists are prev's own (shared by updateRelated)
// when the articles at those positions are the same: oldPos gives each
// article's position in prev (-1: not there).
func (s *Site) setRelatedLike(prev *Site, oldPos []int32) {
	shared := func(i int, l []int32) bool {
		if prev == nil || oldPos[i] < 0 || len(l) == 0 {
			return false
		}
		was := prev.rel.pos[oldPos[i]]
		return len(was) == len(l) && &was[0] == &l[0] &&
			!slices.ContainsFunc(l, func(p int32) bool { return s.Articles[p] != prev.Articles[p] })
	}
	n := 0 // the lists made here, in one array
	for i, l := range s.rel.pos {
		if !shared(i, l) {
			n += len(l)
		}
	}
	flat := make([]*content.Article, 0, n)
	s.rel.of = make([][]*content.Article, len(s.rel.pos))
	for i, l := range s.rel.pos {
		if shared(i, l) {
			s.rel.of[i] = prev.rel.of[oldPos[i]]
			continue
		}
		start := len(flat)
		for _, p := range l {
			flat = append(flat, s.Articles[p])
		}
		s.rel.of[i] = flat[start:len(flat):len(flat)]
	}
	s.rel.done.Store(true)
}

// computeRelated computes the related stories of the articles at the
// given site positions on all cores, into s.rel.pos and s.rel.margin.
func (s *Site) computeRelated(rs *relatedScan, positions []int32) {
	s.rel.recomputed = len(positions)
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(positions))
	for w := range workers {
		wg.Go(func() {
			sc := &relatedScratch{score: make([]float64, len(s.Articles)), sig: make([]uint32, len(s.Articles))}
			for k := w; k < len(positions); k += workers {
				i := positions[k]
				s.rel.pos[i], s.rel.margin[i] = s.relatedTo(rs, sc, i, RelatedCount)
			}
		})
	}
	wg.Wait()
}

// KeepRelated gives s the related stories prev has computed when they are
// certain to be the same, computing again only those of the articles an
// edit can have changed (see updateRelated), whatever the sites' articles
// (by source path), dates, tags and order, when prev kept the scan its
// stories were computed from; otherwise (stories from a RelatedIndex, not
// fixed) only when both hold the same articles with the same inputs. An
// edit to an article's title or body then costs no recomputation of
// related stories, an edit to its tags or date, an added or deleted
// article, those of the articles near it in its tags' lists and those
// whose margins the weights' change exceeds. prev may be nil.
// Call it before anything reads s's related stories: it may run while
// another goroutine reads the rest of s (its articles, tags and date
// archives), as the preview's pages are made. prev's articles may have
// changed in place since its related stories were computed if
// FixRelatedInputs was called before.
func (s *Site) KeepRelated(prev *Site) {
	if prev == nil || !prev.rel.done.Load() {
		return
	}
	if prev.rel.scan != nil {
		s.updateRelated(prev)
		return
	}
	if len(prev.Articles) != len(s.Articles) {
		return
	}
	// Kept from a RelatedIndex, and not fixed: the same inputs only.
	if prev.relatedInputs() != s.relatedInputs() {
		return
	}
	s.rel.once.Do(func() {
		s.rel.pos = prev.rel.pos // the same order: the same positions
		s.setRelated()
	})
}

// updateRelated gives s the related stories prev has computed, computing
// again only those of the articles an edit can have changed; prev has kept
// the scan its stories were computed from. Articles are matched by source
// path; one only in s is added, one only in prev deleted. An article's
// related stories are read from its own date and tags, and from the
// windows of its tags' lists of articles (the relatedWindow articles on
// either side of it, in site order, which follows dates) and those
// articles' dates and source paths. An article whose date or tags (the
// ones relatedTo reads, in order) differ is moved, and so is an added one.
// In a tag's list, the articles whose windows hold a moved, added or
// deleted article, as the list is or as it was, are computed again, and
// so are the moved ones (see markNearMoved); every article of the tag when
// the list's other articles are not the same in the same order (site order
// breaks ties in date on slugs, which an edit may change), or the tag is
// new. (Those that carried a tag and no longer do are moved; a tag a moved
// article left that is carried by one article only, which relatedTo does
// not read, has its remaining article moved.) Every other article reads
// exactly what it read in prev: a date or tag edit computes again the
// related stories of the articles near the edited one in its tags' lists,
// a few hundred, not those of every article carrying them (thousands in a
// big archive) nor the whole archive's. The weights ln(1+N/df) may differ
// too, with the article count or a tag's: then an article that reads what
// it read in prev keeps its stories only while its margin (see relatedTo)
// exceeds the most its tags' weights moved together, and the margin kept
// is lessened by that.
func (s *Site) updateRelated(prev *Site) {
	old := prev.rel.scan
	oldPos := make([]int32, len(s.Articles))    // by site position: the position in prev; -1 when added
	newPos := make([]int32, len(prev.Articles)) // by position in prev: the site position; -1 when gone
	for i := range newPos {
		newPos[i] = -1
	}
	var inPrev walk
	for i, a := range s.Articles {
		oldPos[i] = -1
		if p, ok := inPrev.find(prev, a, func(a *content.Article) (int, bool) { p, ok := prev.positionOf(a); return int(p), ok }); ok {
			oldPos[i], newPos[p] = int32(p), int32(i)
		}
	}
	s.rel.once.Do(func() {
		rs := s.newRelatedScan(old)
		s.rel.scan = rs
		oldNumber := make(map[string]int32, len(old.slugs))
		for t, slug := range old.slugs {
			oldNumber[slug] = int32(t)
		}
		moved := make([]bool, len(s.Articles))
		for i := range s.Articles {
			was := oldPos[i]
			moved[i] = was < 0 || rs.secs[i] != old.secs[was] || rs.nsecs[i] != old.nsecs[was] ||
				!slices.EqualFunc(rs.tagsOf(i), old.tagsOf(int(was)), func(t, u int32) bool { return rs.slugs[t] == old.slugs[u] })
		}
		redo := slices.Clone(moved)
		// In each tag's list, the articles whose windows hold a moved,
		// added or deleted article, before or now, are computed again;
		// all of them when the list's other articles are not the same in
		// the same order (site order breaks ties in date on slugs, which
		// an edit may change), or the tag is new.
		drift := make([]float64, len(rs.tags)) // by tag number: |Δ idf|
		for t, list := range rs.tags {
			u, ok := oldNumber[rs.slugs[t]]
			if !ok || !markNearMoved(redo, list, old.tags[u], moved, newPos) {
				for _, p := range list {
					redo[p] = true
				}
				continue
			}
			// The others keep their stories if the weights' change
			// cannot reorder their candidates: a weight ln(1+N/df)
			// moves when the article count N or the tag's count df
			// does, each of an article's candidates' scores by at most
			// the sum of its tags' moves, so the scores' differences by
			// at most that sum too (drift); a tag carried twice by one
			// article, which the loader never gives, counts twice.
			if d := math.Abs(rs.idf[t] - old.idf[u]); d != 0 {
				drift[t] = d * float64(maxRepeat(list))
			}
		}
		s.rel.pos, s.rel.margin = make([][]int32, len(s.Articles)), make([]float64, len(s.Articles))
		var positions []int32
		var flat []int32 // the kept lists whose positions moved, made on the first
		for i := range s.Articles {
			if !redo[i] {
				d := 0.0
				for _, t := range rs.tagsOf(i) {
					d += drift[t]
				}
				m := 0.0
				if prev.rel.margin != nil {
					m = prev.rel.margin[oldPos[i]]
				}
				switch {
				case d == 0:
				case m > d*(1+1e-9)+1e-12: // rounding aside, which the factor and term cover
					m -= d
				default:
					redo[i] = true
				}
				s.rel.margin[i] = m
			}
			if redo[i] {
				positions = append(positions, int32(i))
				continue
			}
			// A list whose articles kept their positions is prev's (lists
			// are never changed once set): a tag or date edit moves none.
			s.rel.pos[i] = renumbered(prev.rel.pos[oldPos[i]], newPos, &flat)
		}
		s.computeRelated(rs, positions)
		s.rel.keptFrom, s.rel.kept = prev.id, make([]bool, len(s.Articles))
		for i, r := range redo {
			s.rel.kept[i] = !r
		}
		s.setRelatedLike(prev, oldPos)
	})
}

// markNearMoved marks in redo the articles of a tag's list whose windows
// (relatedWindow on either side, in the list) hold a moved article, one
// added or deleted, in the list now or as it was (was, by positions in the
// site before; newPos gives their positions now, -1 for a deleted one),
// and reports whether the list's other articles are the same in the same
// order. Only then are the others' windows the same articles as before:
// each holds the nearest of those, the same on either side. When they are
// not, it marks nothing.
func markNearMoved(redo []bool, list, was []int32, moved []bool, newPos []int32) bool {
	gone := func(q int32) bool { return newPos[q] < 0 || moved[newPos[q]] }
	for i, j := 0, 0; ; i, j = i+1, j+1 {
		for i < len(list) && moved[list[i]] {
			i++
		}
		for j < len(was) && gone(was[j]) {
			j++
		}
		if i == len(list) || j == len(was) {
			if i != len(list) || j != len(was) {
				return false
			}
			break
		}
		if newPos[was[j]] != list[i] {
			return false
		}
	}
	const w = relatedWindow + 1 // one more than a window spans, to be safe
	for k, p := range list {
		if moved[p] {
			for _, q := range list[max(0, k-w):min(len(list), k+w+1)] {
				redo[q] = true
			}
		}
	}
	for k, q := range was {
		if gone(q) {
			for _, o := range was[max(0, k-w):min(len(was), k+w+1)] {
				if p := newPos[o]; p >= 0 {
					redo[p] = true
				}
			}
		}
	}
	return true
}

// maxRepeat returns the most times one position is in list, which is
// sorted.
func maxRepeat(list []int32) int {
	most, run := 1, 1
	for i := 1; i < len(list); i++ {
		if list[i] == list[i-1] {
			run++
			most = max(most, run)
		} else {
			run = 1
		}
	}
	return most
}

// A RelatedIndex is every article's related stories as site positions,
// with the key of the inputs they were computed from: what a build cache
// keeps of them from one process to the next (see KeepRelatedIndex).
type RelatedIndex struct {
	Key   [sha256.Size]byte // of every article's source path, date and tags, in site order
	Lists [][]int32         // by site position: the site positions of the article's related stories, best first; not to be changed
}

// RelatedIndex returns the related stories s has computed or kept, or nil
// when none have been asked for.
func (s *Site) RelatedIndex() *RelatedIndex {
	if !s.rel.done.Load() {
		return nil
	}
	return &RelatedIndex{Key: s.relatedInputs(), Lists: s.rel.pos}
}

// KeepRelatedIndex gives s the related stories in ri, as KeepRelated does
// a previous site's, when ri was computed from the same inputs: the same
// articles by source path, in the same order, with the same dates and
// tags. It reports whether it did; an index of another site, or one not
// well formed, is not used. Call it before s is shared.
func (s *Site) KeepRelatedIndex(ri *RelatedIndex) bool {
	if !ri.fits(len(s.Articles)) || ri.Key != s.relatedInputs() {
		return false
	}
	kept := false
	s.rel.once.Do(func() {
		s.rel.pos = ri.Lists
		s.setRelated()
		kept = true
	})
	return kept
}

// fits reports whether ri is well formed for a site of n articles: a list
// for each, of at most RelatedCount other articles' positions.
func (ri *RelatedIndex) fits(n int) bool {
	if ri == nil || len(ri.Lists) != n {
		return false
	}
	for i, l := range ri.Lists {
		if len(l) > RelatedCount {
			return false
		}
		for _, p := range l {
			if p < 0 || int(p) >= n || int(p) == i {
				return false
			}
		}
	}
	return true
}

// KeepRelatedIndexEdited is KeepRelatedIndex after an edit of some
// articles' dates, slugs or tags: ri was computed from the same articles,
// by source path, with the same dates, slugs and tags, but for the
// articles of s in was, each of which was then as was gives it (its date,
// slug and tags are read). It computes again the related stories of those
// articles, of every article carrying a tag they had or have whose count
// of articles changed, and of those near them in the lists of the other
// tags they had or have (see markNearMoved), and keeps the others' from
// ri, moved to the articles' new positions: an article's stories are
// scored from its own tags and date, the windows of its tags' lists of
// articles and their dates and source paths, each tag weighing by its
// count of articles; only those tags gained, lost or reordered articles or
// changed weights, and the article count is the same. It reports whether
// it did: not when ri is of other inputs, or more than maxEditedKept
// articles were edited. A build after a date edit then computes the
// stories of a few hundred articles near the edited one instead of the
// whole archive's. Call it before s is shared.
func (s *Site) KeepRelatedIndexEdited(ri *RelatedIndex, was map[*content.Article]*content.Article) bool {
	n := len(s.Articles)
	if len(was) > maxEditedKept || !ri.fits(n) {
		return false
	}
	for a, w := range was {
		if _, ok := s.position[a]; !ok || w == nil || w.Source != a.Source {
			return false
		}
	}
	// The order ri's positions are in: s's, with each edited article
	// where its date and slug as they were put it. order holds the
	// articles as they were, at, by position in it, their positions in s.
	order, at := make([]*content.Article, 0, n), make([]int32, 0, n)
	var edited []int32 // their positions in s
	for i, a := range s.Articles {
		if _, ok := was[a]; ok {
			edited = append(edited, int32(i))
			continue
		}
		order, at = append(order, a), append(at, int32(i))
	}
	for _, i := range edited {
		w := was[s.Articles[i]]
		k, _ := slices.BinarySearchFunc(order, w, compareSiteOrder)
		order, at = slices.Insert(order, k, w), slices.Insert(at, k, i)
	}
	if ri.Key != inputsHash(order) {
		return false
	}
	newPos, oldPos := at, make([]int32, n) // by position in ri: the position in s; by position in s: the position in ri
	for k, i := range newPos {
		oldPos[i] = int32(k)
	}
	kept := false
	s.rel.once.Do(func() {
		rs := s.newRelatedScan(nil)
		s.rel.scan = rs
		changed := map[string]bool{} // the slugs of the tags the edited articles had or have
		moved := make([]bool, n)
		for _, i := range edited {
			a := s.Articles[i]
			for _, t := range slices.Concat(was[a].Tags, a.Tags) {
				changed[t.Slug] = true
			}
			moved[i] = true
		}
		redo := slices.Clone(moved)
		for _, ti := range s.Tags {
			if !changed[ti.Slug] {
				continue
			}
			// The tag's list as it was, by position in ri: the others
			// in the same order, and the edited articles that had it,
			// as many times as they had it.
			list := ti.positions
			before := make([]int32, 0, len(list)+len(edited))
			for _, p := range list {
				if !moved[p] {
					before = append(before, oldPos[p])
				}
			}
			for _, i := range edited {
				for _, t := range was[s.Articles[i]].Tags {
					if t.Slug == ti.Slug {
						k, _ := slices.BinarySearch(before, oldPos[i])
						before = slices.Insert(before, k, oldPos[i])
					}
				}
			}
			// The same count, the same weight: only the articles near
			// the edited ones in the list are computed again (see
			// markNearMoved). The kept lists have no margin for a
			// weight that moved.
			if len(before) != len(list) || !markNearMoved(redo, list, before, moved, newPos) {
				for _, p := range list {
					redo[p] = true
				}
			}
		}
		// The kept lists have no margin recorded: 0 makes a later
		// KeepRelated compute them again if the weights move at all.
		s.rel.pos, s.rel.margin = make([][]int32, n), make([]float64, n)
		var positions []int32
		var flat []int32 // the kept lists whose positions moved, made on the first
		for i, r := range redo {
			if r {
				positions = append(positions, int32(i))
				continue
			}
			s.rel.pos[i] = renumbered(ri.Lists[oldPos[i]], newPos, &flat)
		}
		s.computeRelated(rs, positions)
		s.setRelated()
		kept = true
	})
	return kept
}

// renumbered returns a kept list of related stories at the positions
// newPos gives its articles (by old position): the list itself when none
// moved, else a copy cut from *flat, one array for every list copied,
// made on the first at room for every article's.
func renumbered(l, newPos []int32, flat *[]int32) []int32 {
	if !slices.ContainsFunc(l, func(p int32) bool { return newPos[p] != p }) {
		return l
	}
	if *flat == nil {
		*flat = make([]int32, 0, len(newPos)*RelatedCount)
	}
	start := len(*flat)
	for _, p := range l {
		*flat = append(*flat, newPos[p])
	}
	return (*flat)[start:len(*flat):len(*flat)]
}

// maxEditedKept is the most edited articles KeepRelatedIndexEdited takes:
// each moves the order's tail once.
const maxEditedKept = 64

// FixRelatedInputs makes now, once, the scan s's related stories are
// computed from, when they were kept from a RelatedIndex and not computed:
// a caller about to change s's articles in place calls it so that a later
// KeepRelated(s) compares what they were computed from.
func (s *Site) FixRelatedInputs() {
	if s.rel.done.Load() && s.rel.scan == nil {
		s.rel.scan = s.newRelatedScan(nil)
	}
}

// relatedInputs hashes what relatedTo reads of the site: every article's
// source path, date and tags in site order (see inputsHash).
func (s *Site) relatedInputs() [sha256.Size]byte {
	s.rel.keyOnce.Do(func() { s.rel.key = inputsHash(s.Articles) })
	return s.rel.key
}

// inputsHash hashes every article's source path, date and tags, in the
// order of arts. Tags go in each article's own order, which is the order
// their weights are added in.
func inputsHash(arts []*content.Article) (key [sha256.Size]byte) {
	h := sha256.New()
	buf := make([]byte, 0, 32<<10) // written to h a block at a time, not per article
	for _, a := range arts {
		if len(buf) > cap(buf)/2 {
			h.Write(buf)
			buf = buf[:0]
		}
		buf = binary.AppendUvarint(buf, uint64(len(a.Source)))
		buf = append(buf, a.Source...)
		// Seconds and nanoseconds: UnixNano is undefined for dates
		// before 1678, which an archive may hold.
		buf = binary.AppendVarint(buf, a.Date.Unix())
		buf = binary.AppendUvarint(buf, uint64(a.Date.Nanosecond()))
		buf = binary.AppendUvarint(buf, uint64(len(a.Tags)))
		for _, t := range a.Tags {
			buf = binary.AppendUvarint(buf, uint64(len(t.Slug)))
			buf = append(buf, t.Slug...)
		}
	}
	h.Write(buf)
	h.Sum(key[:0])
	return key
}

// relatedTo returns up to n other articles related to the article at site
// position pos, best first, as site positions: they share at least one tag
// with it, each shared tag adding its inverse document frequency ln(1+N/df)
// so rarer tags weigh more, plus a closeness bonus in (0, 1]. Ties go to the
// article nearer in date, then to the smaller source path, so the result is
// deterministic. It reads only rs and writes only sc, so goroutines with a
// scratch each may call it at once.
//
// It also returns the margin of the result: the least difference in score
// between two stories next to each other in it, and between the last and
// any candidate left out (+Inf when there are no two), counting only
// candidates that share different tags with it: two that share the same
// had the same weights added in the same order, and when the weights move
// they move together, ties and all. Weights that move each candidate's
// score by less than the margin, relatively to one another, give the same
// stories. In an archive dated by the day many candidates tie; before
// this, every such article's stories were computed again when an added
// article moved the weights.
func (s *Site) relatedTo(rs *relatedScan, sc *relatedScratch, pos int32, n int) ([]int32, float64) {
	if n <= 0 {
		return nil, math.Inf(1)
	}
	tags := rs.tagsOf(int(pos))
	for k, t := range tags {
		list, idf := rs.tags[t], rs.idf[t]
		bit := uint32(lone) // a candidate's signature: which of pos's tags it shares
		if k < 31 {
			bit = 1 << k
		}
		// The tag's articles are in site order, so pos's place among
		// them is found by binary search.
		i, _ := slices.BinarySearch(list, pos)
		for j := max(0, i-relatedWindow); j < min(len(list), i+relatedWindow+1); j++ {
			if b := list[j]; b != pos {
				if sc.score[b] == 0 { // every weight is > 0
					sc.touched = append(sc.touched, b)
				}
				sc.score[b] += idf
				if sc.sig[b]&bit != 0 { // met twice through one tag: a signature of its own
					sc.sig[b] |= lone
				}
				sc.sig[b] |= bit
			}
		}
	}
	type scored struct {
		p     int32
		score float64
		apart time.Duration
		sig   uint32
	}
	// Two candidates with the same signature (lone aside) had the same
	// weights added in the same order: their scores move together when
	// the weights do, so their order, ties included, cannot change. The
	// margin is taken between candidates whose signatures differ only.
	differ := func(x, y uint32) bool { return x != y || x&lone != 0 }
	// The best score of the candidates left out (best), and the best of
	// those whose signature differs from best's (other).
	best, other, bestSig := math.Inf(-1), math.Inf(-1), uint32(lone)
	leave := func(score float64, sig uint32) {
		switch {
		case score > best && differ(sig, bestSig):
			other, best, bestSig = best, score, sig
		case score > best:
			best = score
		case differ(sig, bestSig):
			other = max(other, score)
		}
	}
	better := func(x, y scored) bool {
		if x.score != y.score {
			return x.score > y.score
		}
		if x.apart != y.apart {
			return x.apart < y.apart
		}
		return s.Articles[x.p].Source < s.Articles[y.p].Source
	}
	// Keep the n best in order as candidates come: a few hundred
	// candidates per article, of which five are kept, on every article of
	// the archive, make a full sort the costliest part of a build's index.
	cands := make([]scored, 0, n+1)
	for _, b := range sc.touched {
		score, sig := sc.score[b], sc.sig[b]
		sc.score[b], sc.sig[b] = 0, 0
		// closeness is at most 1, and adding floats is monotonic: a
		// candidate whose tags with 1 added score below the worst kept
		// cannot be kept, whatever its date.
		if len(cands) == n && score+1 < cands[n-1].score {
			leave(score+1, sig)
			continue
		}
		apart := rs.apart(pos, b)
		c := scored{b, score + closeness(apart), apart, sig}
		if len(cands) == n && !better(c, cands[n-1]) {
			leave(c.score, c.sig)
			continue
		}
		i := sort.Search(len(cands), func(i int) bool { return better(c, cands[i]) })
		cands = append(cands, scored{})
		copy(cands[i+1:], cands[i:])
		cands[i] = c
		if len(cands) > n {
			leave(cands[n].score, cands[n].sig)
			cands = cands[:n]
		}
	}
	sc.touched = sc.touched[:0]
	out := make([]int32, len(cands))
	margin := math.Inf(1)
	for i, c := range cands {
		out[i] = c.p
		if i > 0 && differ(cands[i-1].sig, c.sig) {
			margin = min(margin, cands[i-1].score-c.score)
		}
	}
	if len(cands) > 0 {
		// The candidates left out that could pass the last kept.
		last := cands[len(cands)-1]
		left := other
		if differ(bestSig, last.sig) {
			left = best
		}
		margin = min(margin, last.score-left)
	}
	return out, margin
}

// A relatedScan is what relatedTo reads of a site, laid out by site
// position. Scoring an article's candidates then reads small dense arrays
// instead of following pointers to articles all over the heap, which on an
// archive too big for the CPU's caches cost more than the scoring itself.
type relatedScan struct {
	secs  []int64   // by site position: the date's Unix seconds
	nsecs []int32   // by site position: the date's nanoseconds
	tags  [][]int32 // by tag number: the site positions of the tag's articles, ascending
	idf   []float64 // by tag number: ln(1+N/df)
	slugs []string  // by tag number: the tag's slug
	of    []int32   // every article's tags' numbers, in site order and each article's own; tags on one article only left out
	ofAt  []int32   // by site position i: the article's numbers are of[ofAt[i]:ofAt[i+1]]
}

// tagsOf returns the numbers of the tags of the article at site position
// i, in its own order.
func (rs *relatedScan) tagsOf(i int) []int32 { return rs.of[rs.ofAt[i]:rs.ofAt[i+1]] }

// newRelatedScan makes s's scan. like, when not nil, is an earlier scan
// whose date arrays s shares when every article of s has the date like
// holds at its position (an edit of tags or of a body): the arrays are
// never written once made.
func (s *Site) newRelatedScan(like *relatedScan) *relatedScan {
	n := len(s.Articles)
	rs := &relatedScan{ofAt: make([]int32, n+1)}
	if like != nil && len(like.secs) == n {
		rs.secs, rs.nsecs = like.secs, like.nsecs
		for i, a := range s.Articles {
			if rs.secs[i] != a.Date.Unix() || rs.nsecs[i] != int32(a.Date.Nanosecond()) {
				rs.secs, rs.nsecs = nil, nil
				break
			}
		}
	}
	if rs.secs == nil {
		rs.secs, rs.nsecs = make([]int64, n), make([]int32, n)
		for i, a := range s.Articles {
			rs.secs[i], rs.nsecs[i] = a.Date.Unix(), int32(a.Date.Nanosecond())
		}
	}
	total := float64(n)
	for _, ti := range s.Tags {
		if len(ti.Articles) < 2 {
			ti.number = -1
			continue
		}
		ti.number = int32(len(rs.tags))
		rs.tags = append(rs.tags, ti.positions) // never changed once New made them
		rs.idf = append(rs.idf, math.Log1p(total/float64(len(ti.Articles))))
		rs.slugs = append(rs.slugs, ti.Slug)
	}
	of := make([]int32, 0, len(s.artTags))
	for i := range s.Articles {
		for _, ti := range s.artTags[s.tagsAt[i]:s.tagsAt[i+1]] {
			if ti.number >= 0 {
				of = append(of, ti.number)
			}
		}
		rs.ofAt[i+1] = int32(len(of))
	}
	rs.of = of
	return rs
}

// apart returns how far apart in time the articles at site positions a
// and b are: their dates' Sub, made absolute, without time.Time's
// conversions when the difference fits a Duration, which it does for any
// two dates less than 285 years apart; otherwise Sub of the dates made
// again from their Unix seconds (the same instants). Article dates carry
// no monotonic clock reading, so Sub would compare wall times too.
func (rs *relatedScan) apart(a, b int32) time.Duration {
	const maxSecs = 9e9 // 9e18 ns and a second's nanoseconds fit in an int64
	// Sub subtracts seconds as int64s too, wrapping as this does.
	if ds := rs.secs[a] - rs.secs[b]; -maxSecs < ds && ds < maxSecs {
		return (time.Duration(ds)*time.Second + time.Duration(rs.nsecs[a]-rs.nsecs[b])).Abs()
	}
	return time.Unix(rs.secs[a], int64(rs.nsecs[a])).Sub(time.Unix(rs.secs[b], int64(rs.nsecs[b]))).Abs()
}

// A relatedScratch is one goroutine's working space for relatedTo.
type relatedScratch struct {
	score   []float64 // by site position: the shared tags' weight so far; 0 when not a candidate
	sig     []uint32  // by site position: the candidate's signature so far (see relatedTo); 0 when not a candidate
	touched []int32   // the candidates, in the order first met
}

// lone marks a signature that equals no other: a candidate met twice
// through one tag (an article carrying a tag twice), or through a tag past
// the 31st of the article's.
const lone = 1 << 31

// closeness is 1 on the same day, 1/2 at 30 days apart, 1/3 at 60.
func closeness(apart time.Duration) float64 {
	return 1 / (1 + apart.Hours()/(24*30))
}
