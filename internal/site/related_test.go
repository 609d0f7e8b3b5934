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
