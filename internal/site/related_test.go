package site

import (
	"fmt"
	"slices"
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
		kept bool
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
		{"an article renamed", func(i int, a *content.Article) {
			if i == 12 {
				a.Source = "renamed.md"
			}
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := New(config.Default(), archive(c.edit))
			s.KeepRelated(prev)
			if got := s.rel.done.Load(); got != c.kept {
				t.Fatalf("kept the previous related stories: %v, want %v", got, c.kept)
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
					if s.position[r] != fresh.position[fresh.Articles[fresh.rel.bySource[r.Source]]] || s.Articles[s.position[r]] != r {
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
