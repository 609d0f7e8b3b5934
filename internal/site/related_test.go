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
	prev.Related(prev.Articles[0]) // computes them all

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
}
