package site

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
)

func TestRelated(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	tags := func(names ...string) []content.Tag {
		var ts []content.Tag
		for _, n := range names {
			ts = append(ts, content.MakeTag(n))
		}
		return ts
	}
	mk := func(src string, d int, tt []content.Tag) *content.Article {
		return &content.Article{Title: src, Slug: src, Source: src, Date: day(d), Tags: tt}
	}
	a := mk("a", 100, tags("common", "rare"))
	none := mk("none", 100, tags("other")) // nothing shared
	arts := []*content.Article{
		a,
		mk("rare-far", 0, tags("rare")),         // a rare tag, far away
		mk("common-near", 101, tags("common")),  // a common tag, next day
		mk("common-far", 300, tags("common")),   // a common tag, far
		mk("both", 250, tags("common", "rare")), // both tags
		none,
	}
	for i := range 20 { // make "common" common
		arts = append(arts, mk(fmt.Sprintf("filler-%02d", i), 400+i, tags("common")))
	}
	s := New(config.Default(), arts)
	var got []string
	for _, r := range s.Related(a) {
		got = append(got, r.Source)
	}
	want := []string{"both", "rare-far", "common-near", "common-far", "filler-00"}
	if !slices.Equal(got, want) {
		t.Errorf("related %q, want %q", got, want)
	}
	cp := *a // a copy, as a build that reads bodies back makes
	if r := s.Related(&cp); len(r) != len(want) || r[0].Source != "both" {
		t.Errorf("the copy of an article has related %v", r)
	}
	if r := s.Related(none); len(r) != 0 {
		t.Errorf("an article without shared tags has related %v", r)
	}
}

// TestKeepRelated checks that a new site takes a previous site's related
// stories only when every input of relatedTo is the same, and that what it
// takes equals what it would compute.
func TestKeepRelated(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	archive := func(edit func(i int, a *content.Article)) []*content.Article {
		var arts []*content.Article
		for i := range 60 {
			a := &content.Article{Title: fmt.Sprint("Story ", i), Slug: fmt.Sprint("story-", i),
				Source: fmt.Sprintf("s%02d.md", i), Date: day(i * 3 % 50)}
			for _, n := range []string{"common", fmt.Sprint("t", i%7), fmt.Sprint("u", i%11)} {
				a.Tags = append(a.Tags, content.MakeTag(n))
			}
			if edit != nil {
				edit(i, a)
			}
			arts = append(arts, a)
		}
		return arts
	}
	sources := func(as []*content.Article) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Source)
		}
		return out
	}
	prev := New(config.Default(), archive(nil))
	if prev.RelatedIndex() != nil {
		t.Fatal("RelatedIndex before any related story was asked for")
	}
	prev.Related(prev.Articles[0]) // computes them all
	index := prev.RelatedIndex()   // what a build cache stores

	for _, c := range []struct {
		name string
		edit func(i int, a *content.Article)
		kept bool // all of prev's related stories, none computed; otherwise some are computed again
	}{
		{"same inputs, new titles", func(i int, a *content.Article) { a.Title += " (edited)" }, true},
		{"a tag changed", func(i int, a *content.Article) {
			if i == 5 {
				a.Tags[1] = content.MakeTag("t6")
			}
		}, false},
		{"tags reordered", func(i int, a *content.Article) {
			if i == 5 {
				a.Tags[1], a.Tags[2] = a.Tags[2], a.Tags[1]
			}
		}, false},
		{"a date changed", func(i int, a *content.Article) {
			if i == 9 {
				a.Date = a.Date.Add(time.Hour)
			}
		}, false},
		{"a slug changed, moving an article among its day's", func(i int, a *content.Article) {
			if i == 3 { // on the same day as 53
				a.Slug = "zzz"
			}
		}, false},
		{"an article renamed", func(i int, a *content.Article) {
			if i == 12 {
				a.Source = "renamed.md"
			}
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := New(config.Default(), archive(c.edit))
			s.KeepRelated(prev)
			// A renamed article is one deleted and one added: the
			// stories are taken, those near it in its tags' lists computed
			// again.
			if !s.rel.done.Load() {
				t.Fatal("did not take the previous related stories")
			}
			if got := s.rel.recomputed; (got == 0) != c.kept {
				t.Fatalf("computed %d of %d articles' related stories again, kept: %v", got, len(s.Articles), c.kept)
			}
			fresh := New(config.Default(), archive(c.edit))
			// From the index, through a build cache, the same.
			fromIndex := New(config.Default(), archive(c.edit))
			if got := fromIndex.KeepRelatedIndex(index); got != c.kept {
				t.Fatalf("kept the stored related stories: %v, want %v", got, c.kept)
			}
			for i, a := range fromIndex.Articles {
				got, want := fromIndex.Related(a), fresh.Related(fresh.Articles[i])
				if !slices.Equal(sources(got), sources(want)) {
					t.Errorf("from the index, %s: related %v, computed afresh %v", a.Source, sources(got), sources(want))
				}
				for _, r := range got {
					if fromIndex.Articles[fromIndex.position[r]] != r {
						t.Errorf("from the index, %s: related story %s is not the new site's article", a.Source, r.Source)
					}
				}
			}
			if again := fromIndex.RelatedIndex(); c.kept && (again.Key != index.Key || !slices.EqualFunc(again.Lists, index.Lists, slices.Equal)) {
				t.Error("the index of kept related stories differs from the one they were kept from")
			}
			for i, a := range s.Articles {
				got, want := s.Related(a), fresh.Related(fresh.Articles[i])
				if !slices.Equal(sources(got), sources(want)) {
					t.Errorf("%s: related %v, computed afresh %v", a.Source, sources(got), sources(want))
				}
				for _, r := range got {
					if s.position[r] != func() int { p, _ := fresh.positionOf(r); return int(p) }() || s.Articles[s.position[r]] != r {
						t.Errorf("%s: related story %s is not the new site's article", a.Source, r.Source)
					}
				}
			}
		})
	}
	// A site whose previous one never computed its related stories has
	// nothing to take.
	unused := New(config.Default(), archive(nil))
	s := New(config.Default(), archive(nil))
	s.KeepRelated(unused)
	if s.rel.done.Load() {
		t.Error("took related stories from a site that had not computed them")
	}

	// An index not well formed is not used: wrong length, a position out
	// of range, an article related to itself, too many stories.
	bad := func(edit func(ri *RelatedIndex)) *RelatedIndex {
		ri := &RelatedIndex{Key: index.Key, Lists: make([][]int32, len(index.Lists))}
		for i, l := range index.Lists {
			ri.Lists[i] = slices.Clone(l)
		}
		edit(ri)
		return ri
	}
	for name, ri := range map[string]*RelatedIndex{
		"short":        bad(func(ri *RelatedIndex) { ri.Lists = ri.Lists[1:] }),
		"out of range": bad(func(ri *RelatedIndex) { ri.Lists[3][0] = int32(len(ri.Lists)) }),
		"negative":     bad(func(ri *RelatedIndex) { ri.Lists[3][0] = -1 }),
		"itself":       bad(func(ri *RelatedIndex) { ri.Lists[3][0] = 3 }),
		"too many":     bad(func(ri *RelatedIndex) { ri.Lists[3] = append(ri.Lists[3], 7, 8, 9, 10, 11, 12) }),
		"nil":          nil,
	} {
		if New(config.Default(), archive(nil)).KeepRelatedIndex(ri) {
			t.Errorf("%s: a malformed related index was used", name)
		}
	}
	if !New(config.Default(), archive(nil)).KeepRelatedIndex(bad(func(*RelatedIndex) {})) {
		t.Error("a copy of a good related index was not used")
	}
}

// TestUpdateRelatedMatchesFresh makes edits to one site's articles in place,
// as build.Builder does, and checks after each that the related stories
// KeepRelated takes from the site before, computing some again, are every
// article's related stories as a site made afresh computes them. The
// archive has few dates (ties, broken on slugs; in two runs a single day,
// where slugs alone order a tag's articles, in one of them with one tag
// only, so that which articles a window holds decides), tags of every
// frequency,
// including tags on one article and one on more articles than relatedTo's
// windows span, and edits of dates, tags, their order and slugs.
func TestUpdateRelatedMatchesFresh(t *testing.T) {
	for _, c := range []struct {
		days  int
		tiers int // tags t1...tN besides "wide"; 0: none, so every score is wide's and ties fall to source paths
		seed  uint64
	}{{40, 8, 6}, {1, 8, 6}, {1, 0, 6}, {40, 8, 11}, {40, 4, 12}, {400, 8, 13}, {100, 2, 22}, {40, 2, 27}} {
		t.Run(fmt.Sprintf("%d days, %d tiers, seed %d", c.days, c.tiers, c.seed), func(t *testing.T) {
			days := c.days
			r := rand.New(rand.NewPCG(c.seed, 1))
			day := func(d int) time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
			tagName := func() string {
				if r.IntN(3) == 0 || c.tiers == 0 {
					return "wide" // on more articles than relatedTo's windows span
				}
				return fmt.Sprint("t", int(math.Pow(2, r.Float64()*float64(c.tiers)))) // t1 often, t255 rarely
			}
			var arts []*content.Article
			for i := range 600 {
				a := &content.Article{Title: fmt.Sprint("Story ", i), Slug: fmt.Sprint("story-", r.IntN(500)),
					Source: fmt.Sprintf("s%03d.md", i), Date: day(r.IntN(days))}
				for range 1 + r.IntN(3) {
					a.Tags = append(a.Tags, content.MakeTag(tagName()))
				}
				arts = append(arts, a)
			}
			// fresh makes a site of copies of the articles as they are now.
			fresh := func() *Site { return New(config.Default(), copyArticles(arts)) }
			added := 0
			edits := []struct {
				name string
				do   func(a *content.Article)
			}{
				{"date", func(a *content.Article) { a.Date = day(r.IntN(days)) }},
				{"time of day", func(a *content.Article) { a.Date = a.Date.Add(time.Minute) }},
				{"tag added", func(a *content.Article) { a.Tags = append(slices.Clip(a.Tags), content.MakeTag(tagName())) }},
				{"tag removed", func(a *content.Article) {
					if len(a.Tags) > 0 {
						a.Tags = slices.Delete(slices.Clone(a.Tags), 0, 1)
					}
				}},
				{"tags reordered", func(a *content.Article) { slices.Reverse(a.Tags) }},
				{"tag of its own", func(a *content.Article) {
					a.Tags = append(slices.Clip(a.Tags), content.MakeTag(fmt.Sprint("own ", r.Int())))
				}},
				{"slug", func(a *content.Article) { a.Slug = fmt.Sprint("story-", r.IntN(500)) }},
				{"title", func(a *content.Article) { a.Title += "!" }},
				// The article count, and with it every tag's weight, changes.
				{"article added", func(*content.Article) {
					added++ // source paths are unique in a site
					a := &content.Article{Title: fmt.Sprint("Added ", added), Slug: fmt.Sprint("story-", r.IntN(500)),
						Source: fmt.Sprintf("added-%04d.md", added), Date: day(r.IntN(days))}
					for range 1 + r.IntN(3) {
						a.Tags = append(a.Tags, content.MakeTag(tagName()))
					}
					arts = append(arts, a)
				}},
				{"article deleted", func(*content.Article) {
					i := r.IntN(len(arts))
					arts = slices.Delete(arts, i, i+1)
				}},
			}
			computed := New(config.Default(), slices.Clone(arts))
			computed.Related(computed.Articles[0])
			// The first site takes its related stories from an index, as a
			// build's from its cache: without the scan they were computed
			// from, which FixRelatedInputs makes before the first edit.
			prev := New(config.Default(), slices.Clone(arts))
			if !prev.KeepRelatedIndex(computed.RelatedIndex()) {
				t.Fatal("the index of the same site was not used")
			}
			partial, counted := 0, 0 // the edits that computed fewer than every article's; of those, added or deleted ones
			for round := range 120 {
				e := edits[r.IntN(len(edits))]
				prev.FixRelatedInputs()
				for range 1 + r.IntN(2) {
					e.do(arts[r.IntN(len(arts))])
				}
				s := New(config.Default(), slices.Clone(arts))
				s.KeepRelated(prev)
				if !s.rel.done.Load() {
					t.Fatalf("round %d (%s): the related stories were not taken from the site before", round, e.name)
				}
				if s.rel.recomputed < len(arts) {
					partial++
					if strings.HasPrefix(e.name, "article ") {
						counted++
					}
				}
				want := fresh()
				kept := 0
				for i, a := range s.Articles {
					got, w := sources(s.Related(a)), sources(want.Related(want.Articles[i]))
					if !slices.Equal(got, w) {
						t.Fatalf("round %d (%s), %s: related %v, computed afresh %v (%d computed again)", round, e.name, a.Source, got, w, s.rel.recomputed)
					}
					// Those said to be kept are prev's: the same articles.
					if s.RelatedKept(prev, i) {
						kept++
						if !slices.Equal(s.RelatedOf(i), prev.Related(a)) {
							t.Fatalf("round %d (%s), %s: related stories said kept, but %v where the site before had %v", round, e.name, a.Source, sources(s.RelatedOf(i)), sources(prev.Related(a)))
						}
					}
				}
				if s.RelatedKept(want, 0) || s.RelatedKept(s, 0) {
					t.Fatalf("round %d (%s): related stories said kept from a site they were not kept from", round, e.name)
				}
				if kept+s.rel.recomputed != len(s.Articles) {
					t.Fatalf("round %d (%s): %d related lists said kept and %d computed again, of %d", round, e.name, kept, s.rel.recomputed, len(s.Articles))
				}
				prev = s
			}
			if partial < 60 || counted < 5 {
				t.Errorf("only %d of 120 edits computed fewer than every article's related stories, %d of them adding or deleting one", partial, counted)
			}
		})
	}
}

// A date edit computes again the related stories of the articles near the
// edited one in its tags' lists, where it was and where it goes, not those
// of every article carrying its tags, in the preview (KeepRelated) and in
// a build (KeepRelatedIndexEdited): 2,000 articles on one tag and 1,000 of
// them on another, one moved by a year.
func TestDateEditRecomputesNearOnly(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	var arts []*content.Article
	for i := range 2000 {
		a := &content.Article{Title: fmt.Sprint("Story ", i), Slug: fmt.Sprint("story-", i),
			Source: fmt.Sprintf("s%04d.md", i), Date: day(i / 4), Tags: []content.Tag{content.MakeTag("wide")}}
		if i%2 == 0 {
			a.Tags = append(a.Tags, content.MakeTag("even"))
		}
		arts = append(arts, a)
	}
	prev := New(config.Default(), slices.Clone(arts))
	prev.Related(prev.Articles[0])
	for round, move := range []struct{ article, toDay int }{{100, 400}, {1500, 3}, {1998, 200}} {
		a := arts[move.article]
		was, ri := *a, prev.RelatedIndex() // its key hashes the dates as they were
		a.Date = day(move.toDay)           // prev's scan holds the dates it was computed from
		// In the preview, from the site before; in a build, from the
		// index its cache keeps.
		kept := New(config.Default(), slices.Clone(arts))
		kept.KeepRelated(prev)
		fromIndex := New(config.Default(), slices.Clone(arts))
		if !fromIndex.KeepRelatedIndexEdited(ri, map[*content.Article]*content.Article{a: &was}) {
			t.Fatalf("round %d: the index of the site before the edit was not used", round)
		}
		want := New(config.Default(), copyArticles(arts))
		for _, s := range []*Site{kept, fromIndex} {
			// In each of the two lists, the articles within a window
			// and one of where it was and of where it is.
			most := 2 * 2 * (2*(relatedWindow+1) + 1)
			if got := s.rel.recomputed; got == 0 || got > most {
				t.Errorf("round %d: %d articles' related stories computed again, want 1 to %d of %d", round, got, most, len(arts))
			}
			for i, a := range s.Articles {
				if got, w := sources(s.Related(a)), sources(want.Related(want.Articles[i])); !slices.Equal(got, w) {
					t.Fatalf("round %d, %s: related %v, computed afresh %v", round, a.Source, got, w)
				}
			}
		}
		prev = kept
	}
}

// TestRelatedKeptAcrossAdds adds and deletes articles, one at a time, on a
// small archive, where each change moves every tag's weight the most: the
// related stories a site keeps from the one before, by their margins
// (relatedTo), must be those computed afresh after every change, however
// many changes a kept list has outlived.
func TestRelatedKeptAcrossAdds(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	day := func(d int) time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	next := 0
	article := func() *content.Article {
		next++
		a := &content.Article{Title: fmt.Sprint("Story ", next), Slug: fmt.Sprint("story-", next),
			Source: fmt.Sprintf("s%04d.md", next), Date: day(r.IntN(20))}
		for range 1 + r.IntN(3) {
			a.Tags = append(a.Tags, content.MakeTag(fmt.Sprint("t", int(math.Pow(2, r.Float64()*5)))))
		}
		return a
	}
	var arts []*content.Article
	for range 150 {
		arts = append(arts, article())
	}
	prev := New(config.Default(), slices.Clone(arts))
	prev.Related(prev.Articles[0])
	kept := 0 // articles whose stories a site kept
	for round := range 400 {
		if r.IntN(2) == 0 {
			arts = append(arts, article())
		} else {
			i := r.IntN(len(arts))
			arts = slices.Delete(arts, i, i+1)
		}
		s := New(config.Default(), slices.Clone(arts))
		s.KeepRelated(prev)
		if !s.rel.done.Load() {
			t.Fatalf("round %d: the related stories were not taken from the site before", round)
		}
		kept += len(arts) - s.rel.recomputed
		want := New(config.Default(), copyArticles(arts))
		for i, a := range s.Articles {
			if got, w := sources(s.Related(a)), sources(want.Related(want.Articles[i])); !slices.Equal(got, w) {
				t.Fatalf("round %d, %s: related %v, computed afresh %v", round, a.Source, got, w)
			}
		}
		prev = s
	}
	if kept < 400*150/10 {
		t.Errorf("kept %d articles' stories in 400 changes of about 150 articles: too few to test", kept)
	}
}

// TestKeepRelatedIndexEditedMatchesFresh edits the dates, slugs or tags
// of one or two articles of an archive whose related stories came from an
// index, as a build's from its cache, and checks that
// KeepRelatedIndexEdited gives every article the related stories a fresh
// computation gives, computing fewer than all of them, and that it
// refuses an index of other inputs.
func TestKeepRelatedIndexEditedMatchesFresh(t *testing.T) {
	// Seed 8 replaces a tag an article carried twice, which changes the
	// tag's count (and weight) with the same articles in its list.
	var arts []*content.Article
	var ri *RelatedIndex
	for _, seed := range []uint64{7, 8} {
		r := rand.New(rand.NewPCG(seed, 2))
		day := func(d int) time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
		tagName := func() string {
			if r.IntN(3) == 0 {
				return "wide"
			}
			return fmt.Sprint("t", int(math.Pow(2, r.Float64()*8)))
		}
		arts = nil
		for i := range 600 {
			a := &content.Article{Title: fmt.Sprint("Story ", i), Slug: fmt.Sprint("story-", r.IntN(500)),
				Source: fmt.Sprintf("s%03d.md", i), Date: day(r.IntN(40))}
			for range 1 + r.IntN(3) {
				a.Tags = append(a.Tags, content.MakeTag(tagName()))
			}
			arts = append(arts, a)
		}
		edits := []struct {
			name string
			do   func(a *content.Article)
		}{
			{"date", func(a *content.Article) { a.Date = day(r.IntN(40)) }},
			{"time of day", func(a *content.Article) { a.Date = a.Date.Add(time.Minute) }},
			{"slug", func(a *content.Article) { a.Slug = fmt.Sprint("story-", r.IntN(500)) }},
			{"tag added", func(a *content.Article) { a.Tags = append(slices.Clip(a.Tags), content.MakeTag(tagName())) }},
			{"tag removed", func(a *content.Article) {
				if len(a.Tags) > 0 {
					a.Tags = slices.Delete(slices.Clone(a.Tags), 0, 1)
				}
			}},
			{"tags reordered", func(a *content.Article) { a.Tags = slices.Clone(a.Tags); slices.Reverse(a.Tags) }},
			{"tag replaced", func(a *content.Article) {
				if len(a.Tags) > 0 {
					a.Tags = slices.Clone(a.Tags)
					a.Tags[0] = content.MakeTag(tagName())
				}
			}},
			{"tag of its own", func(a *content.Article) {
				a.Tags = append(slices.Clip(a.Tags), content.MakeTag(fmt.Sprint("own ", r.Int())))
			}},
			{"date and tag", func(a *content.Article) {
				a.Date = day(r.IntN(40))
				a.Tags = append(slices.Clip(a.Tags), content.MakeTag(tagName()))
			}},
		}
		index := func(arts []*content.Article) *RelatedIndex {
			s := New(config.Default(), copyArticles(arts))
			s.RelatedPositions()
			return s.RelatedIndex()
		}
		ri = index(arts)
		partial := 0
		for round := range 90 {
			e := edits[r.IntN(len(edits))]
			s := New(config.Default(), copyArticles(arts))
			was := map[*content.Article]*content.Article{}
			for range 1 + r.IntN(2) {
				a := s.Articles[r.IntN(len(s.Articles))]
				if _, ok := was[a]; !ok {
					w := *a
					was[a] = &w
				}
				e.do(a)
			}
			// The site again, with the edited articles: New orders and
			// indexes them.
			s = New(config.Default(), s.Articles)
			if !s.KeepRelatedIndexEdited(ri, was) {
				t.Fatalf("seed %d, round %d (%s): the index of the site before the edit was not used", seed, round, e.name)
			}
			if s.rel.recomputed < len(arts) {
				partial++
			}
			want := New(config.Default(), copyArticles(s.Articles))
			for i, a := range s.Articles {
				if got, w := sources(s.RelatedOf(i)), sources(want.Related(want.Articles[i])); !slices.Equal(got, w) {
					t.Fatalf("seed %d, round %d (%s), %s: related %v, computed afresh %v (%d computed again)", seed, round, e.name, a.Source, got, w, s.rel.recomputed)
				}
			}
			if got := s.RelatedIndex(); got.Key != want.RelatedIndex().Key {
				t.Fatalf("seed %d, round %d (%s): the index's key is not a fresh site's", seed, round, e.name)
			}
			arts, ri = s.Articles, s.RelatedIndex()
		}
		if partial < 75 {
			t.Errorf("seed %d: only %d of 90 edits computed fewer than every article's related stories", seed, partial)
		}
	}

	// An index of other inputs is refused: an edit of a date not declared,
	// an article said to have had tags or a date it did not have, one not
	// in the site.
	for _, c := range []struct {
		name string
		edit func(s *Site) map[*content.Article]*content.Article
	}{
		{"date", func(s *Site) map[*content.Article]*content.Article {
			s.Articles[5].Date = s.Articles[5].Date.Add(time.Second)
			return nil
		}},
		{"tags said to be others", func(s *Site) map[*content.Article]*content.Article {
			a := s.Articles[5]
			w := *a
			w.Tags = append(slices.Clone(a.Tags), content.MakeTag("never there"))
			return map[*content.Article]*content.Article{a: &w}
		}},
		{"date said to be another", func(s *Site) map[*content.Article]*content.Article {
			a := s.Articles[5]
			w := *a
			w.Date = w.Date.Add(-time.Hour)
			return map[*content.Article]*content.Article{a: &w}
		}},
		{"article not in the site", func(s *Site) map[*content.Article]*content.Article {
			return map[*content.Article]*content.Article{{Source: "elsewhere.md"}: {Source: "elsewhere.md"}}
		}},
	} {
		s := New(config.Default(), copyArticles(arts))
		was := c.edit(s)
		s = New(config.Default(), s.Articles)
		if s.KeepRelatedIndexEdited(ri, was) {
			t.Errorf("%s: an index of other inputs was used", c.name)
		}
	}
}

// positionOf finds a copy of an article where the site's order puts it,
// without the map of every source path, and a copy of an article whose
// slug New changed (so that it may sit out of that order) through the map.
func TestPositionOfCopies(t *testing.T) {
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var arts []*content.Article
	for i := range 40 {
		slug := fmt.Sprintf("story-%02d", i)
		if i%10 == 3 || i%10 == 7 {
			slug = "same" // the same URL on one day: New renames one of two
		}
		arts = append(arts, &content.Article{Title: slug, Slug: slug, Source: fmt.Sprintf("src-%02d.md", i), Date: day.AddDate(0, 0, i/10)})
	}
	s := New(config.Default(), arts)
	renamed := map[*content.Article]bool{}
	for _, a := range s.Renamed() {
		renamed[a] = true
	}
	if len(renamed) == 0 {
		t.Fatal("no slug renamed; the test needs one")
	}
	for i, a := range s.Articles {
		if renamed[a] {
			continue
		}
		cp := *a
		if p, ok := s.positionOf(&cp); !ok || int(p) != i {
			t.Errorf("copy of %s at %d found at %d, %v", a.Source, i, p, ok)
		}
	}
	if s.rel.bySource != nil {
		t.Error("the map of source paths was made for copies the order finds")
	}
	for a := range renamed {
		cp := *a
		if p, ok := s.positionOf(&cp); !ok || s.Articles[p] != a {
			t.Errorf("copy of renamed %s not found: %d, %v", a.Source, p, ok)
		}
	}
	if _, ok := s.positionOf(&content.Article{Source: "elsewhere.md", Date: day}); ok {
		t.Error("an article not in the site was found")
	}
}
